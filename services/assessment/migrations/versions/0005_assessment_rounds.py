"""A case is assessed anew when the appeal body quashes its decision: one assessment per round of the case, each
with what opened it (the application, or the appeal body's outcome).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("opened_because", sa.String(30), nullable=False, server_default="application_registered")
        )
        batch.add_column(sa.Column("appeal_outcome_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("appeal_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("quashed_decision_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("quashed_on", sa.Date, nullable=True))
        batch.drop_constraint("uq_assessment_municipality_case_id", type_="unique")
        batch.create_unique_constraint("uq_assessment_municipality_case_id_round", ["municipality", "case_id", "round"])
        batch.create_unique_constraint(
            "uq_assessment_municipality_appeal_outcome_id", ["municipality", "appeal_outcome_id"]
        )


def downgrade() -> None:
    later = op.get_bind().execute(sa.text("SELECT count(*) FROM assessment WHERE round > 1")).scalar_one()
    if later:
        raise RuntimeError(
            f"assessment 0005 downgrade refused: {later} assessment(s) were opened anew after a quashed decision, "
            "which revision 0004 cannot hold (one assessment per case); export or remove them first"
        )
    with op.batch_alter_table("assessment") as batch:
        batch.drop_constraint("uq_assessment_municipality_appeal_outcome_id", type_="unique")
        batch.drop_constraint("uq_assessment_municipality_case_id_round", type_="unique")
        batch.create_unique_constraint("uq_assessment_municipality_case_id", ["municipality", "case_id"])
        batch.drop_column("quashed_on")
        batch.drop_column("quashed_decision_id")
        batch.drop_column("appeal_id")
        batch.drop_column("appeal_outcome_id")
        batch.drop_column("opened_because")
        batch.drop_column("round")

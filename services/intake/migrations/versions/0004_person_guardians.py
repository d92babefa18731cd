"""Who speaks for a person: guardians (parents, appointed guardians) in the person register, and their journal.

The downgrade refuses to run while any guardian or journal entry exists: dropping them would silently send
a child's letters to the child and lose who recorded what.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_guardian",
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("guardian_person_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "guardian_person_id", name="pk_person_guardian"),
        sa.ForeignKeyConstraint(["person_id"], ["person.person_id"], name="fk_person_guardian_person_id_person"),
        sa.ForeignKeyConstraint(
            ["guardian_person_id"], ["person.person_id"], name="fk_person_guardian_guardian_person_id_person"
        ),
    )
    op.create_table(
        "person_guardian_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("guardian_person_id", sa.String(36), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("previous_relation", sa.String(20), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person_guardian_change"),
        sa.ForeignKeyConstraint(["person_id"], ["person.person_id"], name="fk_person_guardian_change_person_id_person"),
        sa.ForeignKeyConstraint(
            ["guardian_person_id"], ["person.person_id"], name="fk_person_guardian_change_guardian_person_id_person"
        ),
    )
    op.create_index("ix_person_guardian_change_person_id", "person_guardian_change", ["person_id"])


def downgrade() -> None:
    bind = op.get_bind()
    recorded = bind.execute(
        sa.text("SELECT (SELECT count(*) FROM person_guardian) + (SELECT count(*) FROM person_guardian_change)")
    ).scalar_one()
    if recorded:
        raise RuntimeError(
            f"intake 0004 downgrade refused: {recorded} row(s) of guardians or of their journal exist, which "
            "revision 0003 cannot hold (letters for children would go to the children); export or remove them first"
        )
    op.drop_index("ix_person_guardian_change_person_id", table_name="person_guardian_change")
    op.drop_table("person_guardian_change")
    op.drop_table("person_guardian")

"""Case kinds, the person register and its access log, consent history, emergency measures.

Existing applications become cases of kind service_application, routed to the allocation office,
and their consent becomes the first entry of their consent history.

The downgrade refuses to run while cases exist that 0001 cannot hold (no person yet, no service
code, or no consent left): dropping them would silently lose journal entries.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(40), nullable=False, server_default=sa.text("'service_application'"))
        )
        batch.add_column(sa.Column("applicant_person_id", sa.String(100), nullable=True))
        batch.add_column(sa.Column("expected_birth_on", sa.Date, nullable=True))
        batch.add_column(sa.Column("requested", sa.JSON, nullable=True))
        batch.add_column(
            sa.Column("route", sa.String(30), nullable=False, server_default=sa.text("'allocation_office'"))
        )
        batch.add_column(sa.Column("involves_child", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.alter_column("person_id", existing_type=sa.String(100), nullable=True)
        batch.alter_column("service_code", existing_type=sa.String(60), nullable=True)
        batch.alter_column("consent", existing_type=sa.JSON, nullable=True)
        batch.create_index("ix_application_municipality_person_id", ["municipality", "person_id"])
        batch.create_index("ix_application_municipality_created_at", ["municipality", "created_at"])

    op.create_table(
        "person",
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("national_id", sa.String(11), nullable=False),
        sa.Column("id_kind", sa.String(3), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_person"),
        sa.UniqueConstraint("municipality", "national_id", name="uq_person_municipality_national_id"),
    )
    op.create_table(
        "person_access",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("accessed_by", sa.String(200), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("purpose", sa.String(500), nullable=False),
        sa.Column("national_id_disclosed", sa.Boolean, nullable=False),
        sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person_access"),
        sa.ForeignKeyConstraint(["person_id"], ["person.person_id"], name="fk_person_access_person_id_person"),
    )
    op.create_index("ix_person_access_person_id", "person_access", ["person_id"])
    op.create_table(
        "consent_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("consent", sa.JSON, nullable=True),
        sa.Column("withdrawn_scopes", sa.JSON, nullable=True),
        sa.Column("withdrawn_share_with", sa.JSON, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consent_event"),
        sa.ForeignKeyConstraint(["case_id"], ["application.case_id"], name="fk_consent_event_case_id_application"),
    )
    op.create_index("ix_consent_event_case_id", "consent_event", ["case_id"])
    op.create_table(
        "emergency_measure",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("unit", sa.String(60), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_emergency_measure"),
        sa.ForeignKeyConstraint(["case_id"], ["application.case_id"], name="fk_emergency_measure_case_id_application"),
    )
    # The consent each existing application was registered with opens its history.
    op.execute(
        "INSERT INTO consent_event (case_id, municipality, kind, effective_on, consent, recorded_at) "
        "SELECT case_id, municipality, 'given', received_on, consent, created_at FROM application"
    )


def downgrade() -> None:
    bind = op.get_bind()
    unrepresentable = bind.execute(
        sa.text("SELECT count(*) FROM application WHERE person_id IS NULL OR service_code IS NULL OR consent IS NULL")
    ).scalar_one()
    if unrepresentable:
        raise RuntimeError(
            f"intake 0002 downgrade refused: {unrepresentable} case(s) have no person, no service code or no "
            "consent left (coordination referrals, child coordinator applications, withdrawn consent), which "
            "revision 0001 cannot hold; export or remove them first"
        )
    op.drop_table("emergency_measure")
    op.drop_index("ix_consent_event_case_id", table_name="consent_event")
    op.drop_table("consent_event")
    op.drop_index("ix_person_access_person_id", table_name="person_access")
    op.drop_table("person_access")
    op.drop_table("person")
    with op.batch_alter_table("application") as batch:
        batch.drop_index("ix_application_municipality_created_at")
        batch.drop_index("ix_application_municipality_person_id")
        batch.alter_column("consent", existing_type=sa.JSON, nullable=False)
        batch.alter_column("service_code", existing_type=sa.String(60), nullable=False)
        batch.alter_column("person_id", existing_type=sa.String(100), nullable=False)
        batch.drop_column("involves_child")
        batch.drop_column("route")
        batch.drop_column("requested")
        batch.drop_column("expected_birth_on")
        batch.drop_column("applicant_person_id")
        batch.drop_column("kind")

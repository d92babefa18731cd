"""Initial intake schema: applications, journal counters, outbox and inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from servicekit.migration_ops import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "application",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("journal_number", sa.String(20), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("sender", sa.String(30), nullable=False),
        sa.Column("service_code", sa.String(60), nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("consent", sa.JSON, nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_application"),
        sa.UniqueConstraint("municipality", "journal_number", name="uq_application_municipality_journal_number"),
    )
    op.create_index("ix_application_municipality", "application", ["municipality"])
    op.create_table(
        "journal_counter",
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("last_number", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("municipality", "year", name="pk_journal_counter"),
    )


def downgrade() -> None:
    op.drop_table("journal_counter")
    op.drop_index("ix_application_municipality", table_name="application")
    op.drop_table("application")
    drop_messaging_tables()

"""Deadline facts: when a plan review was held, follow-ups, an index for repeating visits, and
covering indexes so the deadline engine reads notes and done visits without decrypting table pages.

Plain CREATE INDEX / ADD COLUMN only: no table is rebuilt, so the FTS and guard triggers of 0002 stay.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NOTE_FACT_COLUMNS = [
    "status",
    "client_id",
    "contact_start",
    "contact_type",
    "appointment_id",
    "signed_at",
    "duration_minutes",
    "id",
]


def upgrade() -> None:
    op.add_column("service_plan", sa.Column("reviewed_on", sa.Date(), nullable=True))

    op.create_table(
        "follow_up",
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("done_at", sa.String(length=32), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["client.id"], name=op.f("fk_follow_up_client_id_client")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    op.create_index(op.f("ix_follow_up_client_id"), "follow_up", ["client_id"], unique=False)

    op.create_index(
        "ix_appointment_live_series_start",
        "appointment",
        ["starts_at"],
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL AND rrule IS NOT NULL"),
    )
    op.create_index(
        "ix_appointment_done_visit_facts",
        "appointment",
        ["client_id", "starts_at", "kind", "ends_at", "id"],
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL AND status = 'done' AND rrule IS NULL"),
    )
    op.create_index(
        "ix_progress_note_deadline_facts",
        "progress_note",
        NOTE_FACT_COLUMNS,
        unique=False,
        sqlite_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_progress_note_deadline_facts", table_name="progress_note")
    op.drop_index("ix_appointment_done_visit_facts", table_name="appointment")
    op.drop_index("ix_appointment_live_series_start", table_name="appointment")
    op.drop_index(op.f("ix_follow_up_client_id"), table_name="follow_up")
    op.drop_table("follow_up")
    with op.batch_alter_table("service_plan", schema=None) as batch_op:
        batch_op.drop_column("reviewed_on")

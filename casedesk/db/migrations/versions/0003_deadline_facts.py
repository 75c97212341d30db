"""Deadline facts: when a plan review was held, follow-ups, and an index for repeating visits.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))

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
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_client_id"), ["client_id"], unique=False)

    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_live_series_start",
            ["starts_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL AND rrule IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_live_series_start", sqlite_where=sa.text("deleted_at IS NULL AND rrule IS NOT NULL"))
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_client_id"))
    op.drop_table("follow_up")
    with op.batch_alter_table("service_plan", schema=None) as batch_op:
        batch_op.drop_column("reviewed_on")

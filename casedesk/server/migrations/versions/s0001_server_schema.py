"""Agency server schema: users, devices, enrolment codes, assignments, records, ops, conflicts, audit.

Revision ID: s0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sync_counter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_counter"),
    )
    op.execute("INSERT INTO sync_counter (id, seq) VALUES (1, 0)")
    op.create_table(
        "users",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("login", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("supervisor_id", sa.String(36), nullable=True),
        sa.Column("worker_id", sa.String(36), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.ForeignKeyConstraint(["supervisor_id"], ["users.id"], name="fk_users_supervisor_id_users"),
        sa.UniqueConstraint("login", name="uq_users_login"),
        sa.UniqueConstraint("worker_id", name="uq_users_worker_id"),
    )
    op.create_index("ix_users_supervisor_id", "users", ["supervisor_id"])
    op.create_table(
        "devices",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_devices"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_devices_user_id_users"),
        sa.UniqueConstraint("token_hash", name="uq_devices_token_hash"),
    )
    op.create_index("ix_devices_user_id", "devices", ["user_id"])
    op.create_table(
        "enrol_codes",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.Column("device_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_enrol_codes"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_enrol_codes_user_id_users"),
        sa.UniqueConstraint("code_hash", name="uq_enrol_codes_code_hash"),
    )
    op.create_index("ix_enrol_codes_user_id", "enrol_codes", ["user_id"])
    op.create_table(
        "assignments",
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("client_id", name="pk_assignments"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_assignments_user_id_users"),
    )
    op.create_index("ix_assignments_user_id", "assignments", ["user_id"])
    op.create_table(
        "past_assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("ended_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_past_assignments"),
    )
    op.create_index("ix_past_assignments_client_id", "past_assignments", ["client_id"])
    op.create_index("ix_past_assignments_user_id", "past_assignments", ["user_id"])
    op.create_table(
        "records",
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=True),
        sa.Column("owner_user_id", sa.String(36), nullable=True),
        sa.Column("is_global", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("field_meta", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("table_name", "row_id", name="pk_records"),
        sa.UniqueConstraint("seq", name="uq_records_seq"),
    )
    op.create_index("ix_records_client_seq", "records", ["client_id", "seq"])
    op.create_index("ix_records_owner_seq", "records", ["owner_user_id", "seq"])
    op.create_table(
        "applied_ops",
        sa.Column("op_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("conflict_id", sa.String(36), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("applied_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("op_id", name="pk_applied_ops"),
    )
    op.create_index("ix_applied_ops_device_id", "applied_ops", ["device_id"])
    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.String(36), nullable=True),
        sa.Column("owner_user_id", sa.String(36), nullable=True),
        sa.Column("op_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("resolved_by", sa.String(36), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_conflicts"),
        sa.UniqueConstraint("seq", name="uq_conflicts_seq"),
    )
    op.create_index("ix_conflicts_row_id", "conflicts", ["row_id"])
    op.create_index("ix_conflicts_client_id", "conflicts", ["client_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("device_id", sa.String(36), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(120), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("remote_addr", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "conflicts",
        "applied_ops",
        "records",
        "past_assignments",
        "assignments",
        "enrol_codes",
        "devices",
        "users",
        "sync_counter",
    ):
        op.drop_table(table)

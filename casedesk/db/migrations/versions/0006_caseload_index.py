"""A covering index for the caseload list: opening a 10k-client profile reads the columns the list shows
from a compact index instead of decrypting every client's whole row (addresses, phones and all).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CASELOAD_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "record_number",
    "dob",
    "program",
    "status",
    "assigned_worker_id",
    "risk_flags",
]


def upgrade() -> None:
    op.create_index(
        "ix_client_caseload", "client", CASELOAD_COLUMNS, unique=False, sqlite_where=sa.text("deleted_at IS NULL")
    )


def downgrade() -> None:
    op.drop_index("ix_client_caseload", table_name="client")

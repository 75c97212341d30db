"""Records remember which device made their current version (None: the server itself, or a version made
before this column existed), so a pull can leave out what the asking device made and already holds.

Revision ID: s0002
Revises: s0001
"""

import sqlalchemy as sa
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("origin_device", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("origin_device")

"""A final form response cannot be changed or deleted, even by raw SQL, like a signed note.

The forms service and an ORM flush guard already refuse it; the trigger makes the file itself refuse it.
Signatures are rows of their own, so signing after finalising is unaffected. Sync keeps a final response's
content aside as a conflict (casedesk.sync.protocol.SIGNED_CONTENT); evicting a client who left the
caseload lifts the delete guard inside its own transaction (casedesk.sync.apply.EVICTION_GUARDS).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CONTENT = (
    "client_id template_key template_version answers status finalised_at finalised_by content_hash deleted_at"
).split()


def upgrade() -> None:
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in CONTENT)
    op.execute(
        "CREATE TRIGGER form_response_final_immutable BEFORE UPDATE ON form_response "
        f"WHEN old.status = 'final' AND ({changed}) BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: a final form response cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER form_response_final_undeletable BEFORE DELETE ON form_response "
        "WHEN old.status = 'final' BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: a final form response cannot be deleted'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS form_response_final_undeletable")
    op.execute("DROP TRIGGER IF EXISTS form_response_final_immutable")

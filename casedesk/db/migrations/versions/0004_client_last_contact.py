"""Each client's last contact, kept by triggers, so the caseload list reads one small table instead of
seeking into the notes index once per client (10k seeks into cold, encrypted index pages was most of the
time to open a large caseload).

Derived data only: not a model, never synced or backed up on its own; notes written by any path (services,
sync, restore, raw SQL) keep it right through the triggers, and the upgrade fills it from existing notes.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_RECOMPUTE = """
    INSERT INTO client_last_contact (client_id, last_contact_at)
    SELECT {who}, (SELECT max(contact_start) FROM progress_note
                    WHERE client_id = {who} AND deleted_at IS NULL)
    ON CONFLICT (client_id) DO UPDATE SET last_contact_at = excluded.last_contact_at;
"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE client_last_contact (
            client_id TEXT PRIMARY KEY NOT NULL,
            last_contact_at TEXT
        ) WITHOUT ROWID
        """
    )
    op.execute(
        """
        INSERT INTO client_last_contact (client_id, last_contact_at)
        SELECT client_id, max(contact_start) FROM progress_note WHERE deleted_at IS NULL GROUP BY client_id
        """
    )
    # A new live note can only move the last contact later: no aggregate needed.
    op.execute(
        """
        CREATE TRIGGER progress_note_last_contact_insert AFTER INSERT ON progress_note
        WHEN NEW.deleted_at IS NULL
        BEGIN
            INSERT INTO client_last_contact (client_id, last_contact_at) VALUES (NEW.client_id, NEW.contact_start)
            ON CONFLICT (client_id) DO UPDATE SET last_contact_at = max(coalesce(last_contact_at, ''),
                                                                      excluded.last_contact_at);
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER progress_note_last_contact_update
        AFTER UPDATE OF contact_start, deleted_at, client_id ON progress_note
        BEGIN
            {_RECOMPUTE.format(who="OLD.client_id")}
            {_RECOMPUTE.format(who="NEW.client_id")}
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER progress_note_last_contact_delete AFTER DELETE ON progress_note
        BEGIN
            {_RECOMPUTE.format(who="OLD.client_id")}
        END
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER progress_note_last_contact_delete")
    op.execute("DROP TRIGGER progress_note_last_contact_update")
    op.execute("DROP TRIGGER progress_note_last_contact_insert")
    op.execute("DROP TABLE client_last_contact")

"""Full-text search (FTS5) over notes and client names; triggers that guard signed records and the audit log.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TOKENIZER = "unicode61 remove_diacritics 2"

NOTE_CONTENT = (
    "client_id appointment_id author_id contact_start duration_minutes contact_type location template body "
    "service_code billable_units status signed_by signer_name signed_at content_hash deleted_at"
).split()
REPORT_CONTENT = (
    "client_id plan_id quarter_label period_start period_end summary goal_narratives draft_data "
    "signed_by signer_name signed_at content_hash deleted_at"
).split()
ADDENDUM_CONTENT = "note_id author_id author_name text signed_at content_hash deleted_at".split()
CLIENT_FTS_COLUMNS = "first_name last_name preferred_name record_number medicaid_id".split()


def _changed(columns: list[str]) -> str:
    return " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)


def upgrade() -> None:
    # -- notes: external-content FTS over progress_note.search_text --------------------------------
    op.execute(
        "CREATE VIRTUAL TABLE note_fts USING fts5("
        f"search_text, content='progress_note', content_rowid='rowid', tokenize='{TOKENIZER}', prefix='2 3')"
    )
    op.execute(
        "CREATE TRIGGER progress_note_fts_ai AFTER INSERT ON progress_note BEGIN "
        "INSERT INTO note_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER progress_note_fts_ad AFTER DELETE ON progress_note BEGIN "
        "INSERT INTO note_fts(note_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER progress_note_fts_au AFTER UPDATE OF search_text ON progress_note BEGIN "
        "INSERT INTO note_fts(note_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); "
        "INSERT INTO note_fts(rowid, search_text) VALUES (new.rowid, new.search_text); END"
    )
    op.execute("INSERT INTO note_fts(note_fts) VALUES ('rebuild')")

    # -- clients: names and identifiers ------------------------------------------------------------
    cols = ", ".join(CLIENT_FTS_COLUMNS)
    new_vals = ", ".join(f"new.{c}" for c in CLIENT_FTS_COLUMNS)
    old_vals = ", ".join(f"old.{c}" for c in CLIENT_FTS_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE client_fts USING fts5({cols}, content='client', content_rowid='rowid', "
        f"tokenize='{TOKENIZER}')"
    )
    op.execute(
        f"CREATE TRIGGER client_fts_ai AFTER INSERT ON client BEGIN "
        f"INSERT INTO client_fts(rowid, {cols}) VALUES (new.rowid, {new_vals}); END"
    )
    op.execute(
        f"CREATE TRIGGER client_fts_ad AFTER DELETE ON client BEGIN "
        f"INSERT INTO client_fts(client_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_vals}); END"
    )
    op.execute(
        f"CREATE TRIGGER client_fts_au AFTER UPDATE OF {cols} ON client BEGIN "
        f"INSERT INTO client_fts(client_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_vals}); "
        f"INSERT INTO client_fts(rowid, {cols}) VALUES (new.rowid, {new_vals}); END"
    )
    op.execute("INSERT INTO client_fts(client_fts) VALUES ('rebuild')")

    # -- guards: signed records and the audit log cannot be changed, even by raw SQL ---------------
    op.execute(
        "CREATE TRIGGER progress_note_signed_immutable BEFORE UPDATE ON progress_note "
        f"WHEN old.status = 'signed' AND ({_changed(NOTE_CONTENT)}) BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: a signed note cannot be changed; add an addendum'); END"
    )
    op.execute(
        "CREATE TRIGGER progress_note_signed_undeletable BEFORE DELETE ON progress_note "
        "WHEN old.status = 'signed' BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: a signed note cannot be deleted'); END"
    )
    op.execute(
        "CREATE TRIGGER quarterly_report_signed_immutable BEFORE UPDATE ON quarterly_report "
        f"WHEN old.status IN ('signed', 'submitted') AND ({_changed(REPORT_CONTENT)}) BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: a signed quarterly report cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER note_addendum_immutable BEFORE UPDATE ON note_addendum "
        f"WHEN {_changed(ADDENDUM_CONTENT)} BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: an addendum cannot be changed'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: the audit log is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN "
        "SELECT RAISE(ABORT, 'casedesk: the audit log is append-only'); END"
    )


def downgrade() -> None:
    for trigger in (
        "audit_event_no_delete",
        "audit_event_no_update",
        "note_addendum_immutable",
        "quarterly_report_signed_immutable",
        "progress_note_signed_undeletable",
        "progress_note_signed_immutable",
        "client_fts_au",
        "client_fts_ad",
        "client_fts_ai",
        "progress_note_fts_au",
        "progress_note_fts_ad",
        "progress_note_fts_ai",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS client_fts")
    op.execute("DROP TABLE IF EXISTS note_fts")

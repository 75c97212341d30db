"""The encrypted store on a real SQLCipher file: unlocking, bad files, migrations, plaintext leaks."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from casedesk.db import cipher, migrate
from casedesk.db import engine as dbengine
from casedesk.db.models import Client, OutboxOp, ProgressNote
from casedesk.db.store import Store
from casedesk.demo import generate
from casedesk.errors import (
    DatabaseDamagedError,
    KeyFileError,
    NewerVersionError,
    ProfileExistsError,
    ProfileMissingError,
    ValidationError,
    WrongPassphraseError,
)
from casedesk.services import clients, notes
from casedesk.services.notes import NoteInput

PASSPHRASE = "correct horse battery"  # as in conftest.py


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file() and p.name != "state.json"}


def test_create_then_open_with_passphrase_and_recovery_key(tmp_path: Path) -> None:
    store, recovery = Store.create(tmp_path / "p", PASSPHRASE, agency_name="A", worker_name="W")
    with store.session() as s:
        cid = clients.create_client(s, first_name="José", last_name="Peña")
    store.close()
    assert len(recovery.split("-")) == 8

    for opened in (
        Store.open(tmp_path / "p", passphrase=PASSPHRASE),
        Store.open(tmp_path / "p", recovery_key=recovery.lower().replace("-", " ")),
    ):
        with opened.read_session() as s:
            assert s.get(Client, cid).last_name == "Peña"  # type: ignore[union-attr]
        opened.close()


def test_refuses_to_overwrite_an_existing_profile(store: Store) -> None:
    before = _snapshot(store.paths.root)
    with pytest.raises(ProfileExistsError, match="already exists"):
        Store.create(store.paths.root, "another passphrase")
    assert _snapshot(store.paths.root).keys() == before.keys()


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 8"):
        Store.create(tmp_path / "p", "short")
    assert not (tmp_path / "p" / "casedesk.db").exists()


def test_wrong_passphrase_is_a_clear_error_and_changes_nothing(store: Store) -> None:
    store.close()
    before = _snapshot(store.paths.root)
    with pytest.raises(WrongPassphraseError, match="Wrong passphrase"):
        Store.open(store.paths.root, passphrase="not the passphrase")
    with pytest.raises(WrongPassphraseError, match="recovery key"):
        Store.open(store.paths.root, recovery_key="AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA")
    assert _snapshot(store.paths.root) == before


def test_failed_unlocks_are_audited_at_next_login(store: Store) -> None:
    store.close()
    for _ in range(2):
        with pytest.raises(WrongPassphraseError):
            Store.open(store.paths.root, passphrase="nope nope nope")
    reopened = Store.open(store.paths.root, passphrase=PASSPHRASE)
    from casedesk.services import audit

    with reopened.read_session() as s:
        actions = [e.action for e in audit.recent_events(s, 10)]
    reopened.close()
    assert actions[:3] == ["login", "failed_login", "failed_login"]


def test_missing_profile_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ProfileMissingError, match="casedesk init"):
        Store.open(tmp_path / "nothing", passphrase=PASSPHRASE)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate", "truncated"),
        ("zero", "zeros"),
        ("empty", "empty"),
        ("plain_sqlite", "unencrypted SQLite"),
        ("foreign", "cannot be decrypted"),
    ],
)
def test_damaged_or_foreign_database_file(store: Store, tmp_path: Path, damage: str, message: str) -> None:
    store.close()
    db = store.paths.database
    size = db.stat().st_size
    if damage == "truncate":
        with db.open("r+b") as fh:
            fh.truncate(size - 1000)
    elif damage == "zero":
        db.write_bytes(b"\0" * size)
    elif damage == "empty":
        db.write_bytes(b"")
    elif damage == "plain_sqlite":
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("create table t(x)")
        conn.commit()
        conn.close()
    elif damage == "foreign":
        other, _ = Store.create(tmp_path / "other", PASSPHRASE)
        other.close()
        db.write_bytes(other.paths.database.read_bytes())
    before = _snapshot(store.paths.root)
    with pytest.raises(DatabaseDamagedError, match=message) as info:
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    assert str(db) in str(info.value)
    assert _snapshot(store.paths.root) == before


def test_missing_database_with_key_file_points_to_restore(store: Store) -> None:
    store.close()
    store.paths.database.unlink()
    with pytest.raises(DatabaseDamagedError, match="restore"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)


def test_missing_or_damaged_key_file(store: Store) -> None:
    store.close()
    key = store.paths.key_file
    original = key.read_text()
    key.unlink()
    with pytest.raises(KeyFileError, match="missing"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    key.write_text(original[: len(original) // 2])
    with pytest.raises(KeyFileError, match="damaged"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    doc = json.loads(original)
    doc["wraps"]["passphrase"]["ciphertext"] = "AAAA" + doc["wraps"]["passphrase"]["ciphertext"][4:]
    key.write_text(json.dumps(doc))
    # Changed bytes no longer match the file's checksum: reported as damage, not as a wrong passphrase.
    with pytest.raises(KeyFileError, match="damaged"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    # A tampered wrap with a recomputed checksum still fails authentication (AES-GCM).
    from casedesk.vault.keyfile import content_checksum

    doc["checksum"] = content_checksum(doc)
    key.write_text(json.dumps(doc))
    with pytest.raises(WrongPassphraseError):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    doc["wraps"]["passphrase"]["salt"] = "%%%not base64%%%"
    key.write_text(json.dumps(doc))
    with pytest.raises(KeyFileError, match="damaged"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)


def test_database_from_a_newer_casedesk_is_refused_untouched(store: Store) -> None:
    store.execute_raw("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    store.close()
    before = _snapshot(store.paths.root)
    with pytest.raises(NewerVersionError, match="newer version"):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    assert _snapshot(store.paths.root) == before


def test_passphrase_change_rewraps_without_rekeying(store: Store) -> None:
    salt_before = store.paths.database.read_bytes()[:16]
    key_before = store.key_file.unwrap_with_passphrase(PASSPHRASE)
    store.change_passphrase(PASSPHRASE, "a brand new passphrase")
    store.close()
    assert store.paths.database.read_bytes()[:16] == salt_before  # same file salt: not re-encrypted
    from casedesk.vault.keyfile import KeyFile

    assert KeyFile.load(store.paths.key_file).unwrap_with_passphrase("a brand new passphrase") == key_before
    with pytest.raises(WrongPassphraseError):
        Store.open(store.paths.root, passphrase=PASSPHRASE)
    Store.open(store.paths.root, passphrase="a brand new passphrase").close()


def test_no_plaintext_client_data_anywhere_in_the_profile(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "p", PASSPHRASE, worker_name="Ana")
    with store.session() as s:
        generate(s, clients=40, seed=7)
        cid = clients.create_client(s, first_name="Xiomara", last_name="Quintanilla-Zweig")
        notes.create_draft(
            s,
            NoteInput(
                client_id=cid,
                contact_start=dt.datetime(2026, 5, 1, 15, tzinfo=dt.UTC),
                duration_minutes=30,
                body={"data": "unmistakable marmalade phrase", "assessment": "ok", "plan": "ok"},
            ),
        )
    # leave the WAL in place (no checkpoint) to check it too, then close
    files = [p for p in (tmp_path / "p").rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files)
    blob = b"".join(p.read_bytes() for p in files)
    store.close()
    blob += b"".join(p.read_bytes() for p in (tmp_path / "p").rglob("*") if p.is_file())
    for needle in ("Quintanilla-Zweig", "Xiomara", "marmalade", "Nguyễn", "blister pack", "Riverside Dr"):
        assert needle.encode("utf-8") not in blob, needle


def test_migrations_from_empty_file_and_from_populated_first_revision(tmp_path: Path) -> None:
    import secrets

    key = secrets.token_bytes(32)
    empty = dbengine.make_engine(tmp_path / "empty.db", key)
    migrate.upgrade(empty)
    with empty.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"client", "progress_note", "note_fts", "audit_event", "outbox"} <= tables
    empty.dispose()

    populated = dbengine.make_engine(tmp_path / "populated.db", key)
    migrate.upgrade(populated, "0001")
    from sqlalchemy.orm import Session

    with Session(populated) as s:
        s.info["remote"] = True
        generate(s, clients=3, seed=1)
        s.commit()
        n_notes = len(s.execute(select(ProgressNote.id)).all())
    migrate.upgrade(populated)
    with populated.connect() as conn:
        hits = conn.exec_driver_sql("SELECT count(*) FROM note_fts WHERE note_fts MATCH 'blister'").scalar()
        total = conn.exec_driver_sql("SELECT count(*) FROM progress_note").scalar()
        with pytest.raises(Exception, match="append-only"):
            conn.exec_driver_sql("DELETE FROM audit_event")
    populated.dispose()
    assert total == n_notes > 0
    assert hits and hits > 0  # the search index was built for notes written before it existed


def test_head_revision_constant_names_the_newest_migration() -> None:
    """Opens skip alembic when the file is at HEAD_REVISION, so it must be the real head."""
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_opening_a_current_profile_does_not_load_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import sys, secrets; from pathlib import Path; from casedesk.db import engine, migrate\n"
        "e = engine.make_engine(Path(sys.argv[1]), bytes(32)); migrate.upgrade(e)\n"
        "import alembic; del sys.modules['alembic']\n"
        "[sys.modules.pop(m) for m in list(sys.modules) if m.startswith('alembic')]\n"
        "migrate.upgrade(e); print('alembic' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "p.db")],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "False"


def test_migrating_a_plain_sqlite_engine_matches_the_models() -> None:
    """The migrations create exactly the tables and columns the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from casedesk.db.models import Base

    engine = create_engine("sqlite://")
    from alembic import command

    with engine.connect() as conn:
        command.upgrade(migrate.alembic_config(conn), "head")
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The FTS5 virtual tables (and their shadow tables) and the trigger-kept client_last_contact live only
    # in the migrations.
    migration_only = ("_fts", "client_last_contact")
    real = [
        d
        for d in diff
        if not (isinstance(d, tuple) and d[0] == "remove_table" and any(m in d[1].name for m in migration_only))
    ]
    assert real == []


def test_last_contact_follows_every_note_change_including_raw_sql(store: Store) -> None:
    """The caseload's last contact comes from trigger-kept data: insert, move, soft-delete, hard delete and
    a note moved to another client all show, whichever path wrote them."""
    def last_contacts() -> dict[str, str | None]:
        with store.read_session() as s:
            return {r.display_name: (r.last_contact.date().isoformat() if r.last_contact else None)
                    for r in clients.caseload(s)}

    def visit(client_id: str, day: dt.date) -> notes.NoteInput:
        start = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        return notes.NoteInput(client_id, start, 60, body={"data": "Home visit."})

    with store.session() as s:
        ana = clients.create_client(s, first_name="Ana", last_name="Lima")
        ben = clients.create_client(s, first_name="Ben", last_name="Okafor")
        first = notes.create_draft(s, visit(ana, dt.date(2026, 3, 2)))
        notes.create_draft(s, visit(ana, dt.date(2026, 1, 5)))
    assert last_contacts() == {"Ana Lima": "2026-03-02", "Ben Okafor": None}
    with store.session() as s:
        notes.update_draft(s, first, visit(ana, dt.date(2025, 12, 1)))
    assert last_contacts()["Ana Lima"] == "2026-01-05"  # moved earlier: the other note is now the last
    with store.session() as s:
        s.execute(text("UPDATE progress_note SET client_id = :b WHERE client_id = :a"), {"a": ana, "b": ben})
    assert last_contacts() == {"Ana Lima": None, "Ben Okafor": "2026-01-05"}
    with store.session() as s:
        s.execute(text("UPDATE progress_note SET deleted_at = '2026-04-01 00:00:00.000000' WHERE id != :f"),
                  {"f": first})
    assert last_contacts()["Ben Okafor"] == "2025-12-01"
    with store.session() as s:
        s.execute(text("DELETE FROM progress_note"))
    assert last_contacts() == {"Ana Lima": None, "Ben Okafor": None}


def test_every_local_change_writes_its_outbox_op_in_the_same_transaction(store: Store) -> None:
    with store.session() as s:
        cid = clients.create_client(s, first_name="Ana", last_name="Lima")
    with store.session() as s:
        clients.update_client(s, cid, phone="555-0100")
    with pytest.raises(RuntimeError), store.session() as s:
        clients.update_client(s, cid, phone="555-0199")
        raise RuntimeError("power cut before commit")
    with store.read_session() as s:
        ops = s.execute(select(OutboxOp).where(OutboxOp.row_id == cid).order_by(OutboxOp.seq)).scalars().all()
        client = s.get(Client, cid)
    assert [(o.kind, o.base_version, o.new_version) for o in ops] == [("insert", 0, 1), ("update", 1, 2)]
    assert ops[1].fields == {"phone": "555-0100"}
    assert client is not None and client.version == 2 and client.phone == "555-0100"


def test_close_checkpoints_the_wal(store: Store) -> None:
    from casedesk.services import clients as client_service

    with store.session() as s:
        client_service.create_client(s, first_name="Wal", last_name="Checkpoint")
    wal = store.paths.root / "casedesk.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    # another process still has the file open, so SQLite will not clean up the WAL on its own
    other = cipher.raw_connect(store.paths.database, store.database_key())
    other.execute("SELECT count(*) FROM sqlite_master").fetchone()
    try:
        store.close()
        assert wal.stat().st_size == 0
    finally:
        other.close()


def test_opens_after_a_crash_left_a_hot_wal_without_its_shm(store: Store, tmp_path: Path) -> None:
    """Power cut: the WAL holds committed pages and the -shm index is gone. Still opens, nothing lost."""
    import shutil

    from casedesk.services import clients as client_service

    with store.session() as s:
        cid = client_service.create_client(s, first_name="Hot", last_name="Wal")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in ("casedesk.db", "casedesk.db-wal", "casedesk.key"):
        shutil.copy2(store.paths.root / name, crashed / name)  # as the disk held them at the power cut
    assert (crashed / "casedesk.db-wal").stat().st_size > 0 and not (crashed / "casedesk.db-shm").exists()
    reopened = Store.open(crashed, passphrase=PASSPHRASE)
    try:
        with reopened.read_session() as s:
            assert s.get(Client, cid) is not None
    finally:
        reopened.close()

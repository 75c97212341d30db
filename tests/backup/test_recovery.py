"""After a crash, and with a damaged database: checks, recovered drafts, clear messages, salvage."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casedesk.db import cipher, dbcopy
from casedesk.db.store import Store
from casedesk.demo import generate
from casedesk.errors import DatabaseDamagedError, ValidationError
from casedesk.services import backup, recovery
from tests.backup.conftest import PASSPHRASE, add_signed_notes, flip_bit, make_profile, note_snapshot
from tests.conftest import REPO_ROOT, cli_env

Profile = tuple[Store, str, list[str]]
PAGE = 4096


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_after_a_crash_the_checks_run_and_the_autosaved_draft_is_offered_back(profile: Profile) -> None:
    store, cid, _goals = profile
    store.close()
    with subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "tests/backup/children.py"), "autosave", str(store.paths.root), cid],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(store.paths.root),
    ) as app:
        assert app.stdout is not None
        assert app.stdout.readline().strip() == "saved"
        app.send_signal(signal.SIGKILL)  # the battery died
        app.wait(timeout=60)
    reopened = Store.open(store.paths.root, passphrase=PASSPHRASE)
    report = recovery.startup_recovery(reopened)
    reopened.close()
    assert report.unclean_exit and not report.damaged
    assert {c.name for c in report.checks} >= {"integrity_check", "cipher_integrity_check", "audit chain"}
    assert [(d.editor_key, d.client_id, d.payload["data"]) for d in report.drafts] == [
        ("note:unsaved", cid, "She said the new stove works.")
    ]
    text = " ".join(report.messages)
    assert "not closed properly" in text and "passed its integrity" in text and "1 unsaved draft was recovered" in text


def test_after_a_clean_exit_start_up_is_quick_and_quiet(profile: Profile) -> None:
    store, _cid, _goals = profile
    store.close()
    reopened = Store.open(store.paths.root, passphrase=PASSPHRASE)
    report = recovery.startup_recovery(reopened)
    reopened.close()
    assert (report.unclean_exit, report.checks, report.drafts, report.messages) == (False, (), (), ())
    assert not report.needs_attention


@pytest.fixture
def populated(tmp_path: Path) -> tuple[Path, bytes, dict[str, int]]:
    """A closed profile with a demo caseload and one good backup; returns (root, key, rows per table)."""
    store, _recovery, cid, goals = make_profile(tmp_path / "p")
    with store.session() as s:
        generate(s, clients=6, seed=5)
    add_signed_notes(store, cid, goals, 40, "bulk")
    backup.create_backup(store)
    key = store.database_key()
    counts = {
        t: store.execute_raw(f"SELECT count(*) FROM {t}")[0][0] for t in ("progress_note", "client", "audit_event")
    }
    store.close()
    return store.paths.root, key, counts


def test_a_flipped_byte_in_the_database_is_always_reported_clearly(
    populated: tuple[Path, bytes, dict[str, int]], tmp_path: Path
) -> None:
    root, _key, _counts = populated
    template = tmp_path / "template"
    shutil.copytree(root, template)
    size = (root / "casedesk.db").stat().st_size
    rng = random.Random(7)
    outcomes = set()
    offsets = [50] + [rng.randrange(size) for _ in range(15)]  # the first page (schema), then anywhere
    for round_, offset in enumerate(offsets):
        work = tmp_path / f"r{round_}"
        shutil.copytree(template, work)
        (work / "casedesk.lock").unlink(missing_ok=True)
        flip_bit(work / "casedesk.db", offset, rng.randrange(8))
        try:
            store = Store.open(work, passphrase=PASSPHRASE)
        except DatabaseDamagedError as exc:
            assert str(work / "casedesk.db") in str(exc) and "Restore a backup" in str(exc)
            outcomes.add("refused to open")
            continue
        report = recovery.startup_recovery(store, force_checks=True)
        store.close()
        assert report.damaged, f"round {round_}: a flipped byte went unnoticed"
        text = " ".join(report.messages)
        assert "The database is damaged" in text and "checksum" in text
        assert report.newest_good_backup is not None and "--restore-newest" in text
        outcomes.add("detected by the checks")
    assert outcomes == {"refused to open", "detected by the checks"}


def _last_page_of_notes(db: Path, key: bytes, scratch: Path) -> int:
    """The index of the last page whose damage breaks a full scan of progress_note: one of its leaves
    (its root page, an interior page, was allocated long before)."""
    data = db.read_bytes()
    for index in range(len(data) // PAGE - 1, 0, -1):
        copy = scratch / f"probe-{index}.db"
        damaged = bytearray(data)
        damaged[index * PAGE + 100] ^= 0x10
        copy.write_bytes(bytes(damaged))
        conn = cipher.raw_connect(copy, key, read_only=True)
        try:
            conn.execute("SELECT sum(length(body)) FROM progress_note NOT INDEXED").fetchone()
        except dbcopy.DB_ERRORS:
            return index
        finally:
            conn.close()
            copy.unlink()
    raise AssertionError("no page of progress_note found")


def test_export_readable_salvages_the_notes_on_intact_pages(
    populated: tuple[Path, bytes, dict[str, int]], tmp_path: Path
) -> None:
    root, key, counts = populated
    dbcopy.quiet_cipher_log()
    original = Store.open(root, passphrase=PASSPHRASE)
    truth = note_snapshot(original)
    key_file = original.key_file
    counts = {t: original.execute_raw(f"SELECT count(*) FROM {t}")[0][0] for t in counts}  # after this login
    original.close()
    db = root / "casedesk.db"
    flip_bit(db, _last_page_of_notes(db, key, tmp_path) * PAGE + 200)
    before = _sha(db)

    out = tmp_path / "salvage.json"
    report = recovery.export_readable(db, key, json_path=out)
    assert _sha(db) == before  # the damaged file was not written
    notes = report.rows("progress_note")
    assert 0 < notes < counts["progress_note"]
    assert not next(t for t in report.tables if t.name == "progress_note").complete
    assert report.rows("client") == counts["client"] and report.rows("audit_event") == counts["audit_event"]
    doc = json.loads(out.read_text())
    assert doc["format"] == "casedesk-salvage"
    columns = doc["tables"]["progress_note"]["columns"]
    for row in doc["tables"]["progress_note"]["rows"]:
        record = dict(zip(columns, row, strict=True))
        assert truth[record["id"]] == (record["status"], record["content_hash"], record["search_text"])

    profile_dir = tmp_path / "salvaged-profile"
    report = recovery.export_readable(db, key, profile_dir=profile_dir, key_file=key_file)
    assert _sha(db) == before
    salvaged = Store.open(profile_dir, passphrase=PASSPHRASE)
    got = note_snapshot(salvaged)
    checks = {c.name: c.ok for c in salvaged.check()}
    salvaged.close()
    assert len(got) == notes and all(truth[i] == v for i, v in got.items())
    assert checks["integrity_check"] and checks["cipher_integrity_check"] and checks["audit chain"]
    assert "progress notes" in report.messages[0] and "could not be read in: progress_note" in report.messages[0]


def test_export_readable_never_writes_over_the_damaged_files(populated: tuple[Path, bytes, dict[str, int]]) -> None:
    root, key, _counts = populated
    db = root / "casedesk.db"
    for target in (db, root / "casedesk.db-wal"):
        with pytest.raises(ValidationError, match="somewhere other"):
            recovery.export_readable(db, key, json_path=target)
    with pytest.raises(ValidationError, match="already exists"):
        recovery.export_readable(db, key, profile_dir=root.parent)  # not empty
    with pytest.raises(ValidationError, match="one destination"):
        recovery.export_readable(db, key)


def test_nothing_readable_is_said_plainly(populated: tuple[Path, bytes, dict[str, int]], tmp_path: Path) -> None:
    root, key, _counts = populated
    db = root / "casedesk.db"
    flip_bit(db, 50)  # page 1: the schema itself
    with pytest.raises(DatabaseDamagedError):
        Store.open(root, passphrase=PASSPHRASE)
    report = recovery.export_readable(db, key, json_path=tmp_path / "x.json")
    assert not report.opened and "Nothing could be read" in report.messages[0]
    assert not (tmp_path / "x.json").exists()

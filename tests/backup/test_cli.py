"""The command-line contract: casedesk backup / backups / restore / recover, run as a user would."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from casedesk.db.store import Store
from tests.backup.conftest import add_signed_notes, flip_bit, make_profile
from tests.conftest import PYTHON, cli_env


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [PYTHON, "-m", "casedesk", *args],
        capture_output=True,
        text=True,
        env={**cli_env(data_dir), **env},
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _profile(tmp_path: Path, notes: int = 3) -> tuple[Path, str]:
    store, recovery, cid, goals = make_profile(tmp_path / "profile")
    add_signed_notes(store, cid, goals, notes, "cli")
    store.close()
    return store.paths.root, recovery


def test_backup_and_backups(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path)
    done = run(root, "backup")
    assert done.returncode == 0 and "Backup written and checked" in done.stdout and "3 notes (3 signed)" in done.stdout
    listed = run(root, "backups", CASEDESK_PASSPHRASE="")  # listing needs no passphrase
    assert listed.returncode == 0 and "checked when made" in listed.stdout and "1 backups in" in listed.stdout
    verified = run(root, "backups", "--verify", "--json")
    doc = json.loads(verified.stdout)
    assert verified.returncode == 0 and [(b["status"], b["notes"]) for b in doc["backups"]] == [("good", 3)]


def test_backup_to_a_file_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path)
    target = tmp_path / "usb.cdbackup"
    first = run(root, "backup", "-o", str(target))
    assert first.returncode == 0 and f"{target}.key" in first.stdout
    again = run(root, "backup", "-o", str(target))
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr
    assert run(root, "backup", "-o", str(target), "--force").returncode == 0


def test_restore_and_the_kept_copy(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path, notes=2)
    target = tmp_path / "two-notes.cdbackup"
    run(root, "backup", "-o", str(target))
    store = Store.open(root, passphrase="correct horse battery")
    cid = store.execute_raw("SELECT id FROM client")[0][0]
    goals = [r[0] for r in store.execute_raw("SELECT id FROM goal ORDER BY position")]
    add_signed_notes(store, cid, goals, 4, "later")
    store.close()
    done = run(root, "restore", str(target))
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout and "2 notes" in done.stdout and "before-restore" in done.stdout
    listed = run(root, "backups")
    assert "before-restore" in listed.stdout and " 6 " in listed.stdout
    missing = run(root, "restore", str(tmp_path / "nope.cdbackup"))
    assert missing.returncode == 1 and "There is no backup file" in missing.stderr


def test_recover_on_a_healthy_profile(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path)
    done = run(root, "recover")
    assert done.returncode == 0 and "The profile is healthy." in done.stdout and "cipher_integrity_check" in done.stdout


def test_recover_a_database_that_no_longer_opens(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path)
    assert run(root, "backup").returncode == 0
    flip_bit(root / "casedesk.db", 40)  # the first page: the file cannot even be opened
    clients = run(root, "clients")
    assert clients.returncode == 1 and "casedesk.db" in clients.stderr and "Restore a backup" in clients.stderr
    told = run(root, "recover")
    assert told.returncode == 1
    assert "The database is damaged" in told.stdout and "--restore-newest" in told.stdout
    fixed = run(root, "recover", "--restore-newest", "--export-json", str(tmp_path / "salvage.json"))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Nothing could be read" in fixed.stdout and "Restored" in fixed.stdout and "3 notes" in fixed.stdout
    assert run(root, "check").returncode == 0
    kept = run(root, "backups")
    assert "Files of a damaged database replaced by a restore are kept in" in kept.stdout


def test_recover_replaces_a_damaged_key_file_with_the_copy_in_backups(tmp_path: Path) -> None:
    root, _ = _profile(tmp_path)
    run(root, "backup")
    text = (root / "casedesk.key").read_text()
    (root / "casedesk.key").write_text(text[:-40] + "x" * 40)  # the end of the file overwritten
    clients = run(root, "clients")
    assert clients.returncode == 1 and "key file" in clients.stderr and "damaged" in clients.stderr
    done = run(root, "recover")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "replaced by the intact copy" in done.stdout and "healthy" in done.stdout
    assert run(root, "clients").returncode == 0
    assert list(root.glob("casedesk.key.damaged-*"))


def test_restore_on_a_new_computer_with_the_recovery_key(tmp_path: Path) -> None:
    root, recovery = _profile(tmp_path, notes=2)
    usb = tmp_path / "usb.cdbackup"
    run(root, "backup", "-o", str(usb))
    new = tmp_path / "new-computer"
    done = run(new, "restore", str(usb), CASEDESK_RECOVERY_KEY=recovery)
    assert done.returncode == 0, done.stderr
    assert "using" in done.stdout and "usb.cdbackup.key" in done.stdout
    notes = run(new, "clients")
    assert notes.returncode == 0 and "Zoë Nguyễn" in notes.stdout

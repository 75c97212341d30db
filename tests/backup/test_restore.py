"""Restoring backups: exact content back, checks first, the replaced database kept, never under a live app."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casedesk.db import restore_swap
from casedesk.db.profile import ProfilePaths
from casedesk.db.profile_lock import ProfileLock
from casedesk.db.store import Store
from casedesk.errors import DatabaseDamagedError, KeyFileError, StorageError, ValidationError
from casedesk.services import audit, backup, notes
from tests.backup.conftest import PASSPHRASE, add_signed_notes, flip_bit, make_profile, note_snapshot
from tests.backup.test_backup_service import Clock
from tests.conftest import REPO_ROOT, cli_env

Profile = tuple[Store, str, list[str]]
CHILD = str(REPO_ROOT / "tests/backup/children.py")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in ("state.json", ".lock", "casedesk.lock")
    }


def _reopen(root: Path) -> Store:
    return Store.open(root, passphrase=PASSPHRASE)


def test_each_kind_of_backup_restores_exactly_the_notes_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _recovery, cid, goals = make_profile(tmp_path / "p")
    root = store.paths.root
    clock = Clock(dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    monkeypatch.setattr(backup, "utcnow", clock)

    add_signed_notes(store, cid, goals, 2, "one")
    manual = backup.create_backup(store)
    s1 = note_snapshot(store)
    clock.now += dt.timedelta(days=1)
    add_signed_notes(store, cid, goals, 2, "two")
    add_signed_notes(store, cid, goals, 1, "draft-two", sign=False)
    auto = backup.maybe_backup(store, "signed", now=clock.now).made
    assert auto is not None and auto.kind == "auto"
    s2 = note_snapshot(store)
    clock.now += dt.timedelta(days=1)
    add_signed_notes(store, cid, goals, 3, "three")
    external = backup.create_backup(store, tmp_path / "usb.cdbackup")
    s3 = note_snapshot(store)
    add_signed_notes(store, cid, goals, 1, "four")
    with store.session() as s:
        notes.autosave(s, "note:new", {"data": "half a sentence"}, cid)
    s4 = note_snapshot(store)
    assert len({len(s) for s in (s1, s2, s3, s4)}) == 4
    key = store.database_key()
    store.close()

    result = backup.restore_backup(store.paths, key, manual.path)
    assert result.restored.notes == 2 and result.warnings == ()
    before_restore = result.previous_copy
    assert before_restore is not None and before_restore.parent == store.paths.backups
    for source, expected in ((auto.path, s2), (before_restore, s4), (external.path, s3), (manual.path, s1)):
        backup.restore_backup(store.paths, key, source)
        reopened = _reopen(root)
        assert note_snapshot(reopened) == expected
        assert all(c.ok for c in reopened.check())
        with reopened.read_session() as s:
            drafts = [a.editor_key for a in notes.pending_autosaves(s)]
        assert drafts == (["note:new"] if expected is s4 else [])  # autosaves travel with their backup
        reopened.close()
    final = _reopen(root)
    with final.read_session() as s:
        events = [e.action for e in audit.recent_events(s, 5)]
    final.close()
    assert "restore" in events


def test_a_damaged_backup_is_refused_and_nothing_changes(profile: Profile) -> None:
    store, cid, goals = profile
    add_signed_notes(store, cid, goals, 2, "x")
    info = backup.create_backup(store)
    key = store.database_key()
    store.close()
    flip_bit(info.path, info.size // 3, 5)
    before = _files(store.paths.root)
    with pytest.raises(DatabaseDamagedError, match=r"backup .* checksum no longer matches.*Nothing was changed"):
        backup.restore_backup(store.paths, key, info.path)
    assert _files(store.paths.root) == before


def test_restore_refuses_while_the_profile_is_open_here_or_in_another_process(profile: Profile) -> None:
    store, _cid, _goals = profile
    info = backup.create_backup(store)
    key = store.database_key()
    with pytest.raises(StorageError, match="open in CaseDesk"):
        backup.restore_backup(store.paths, key, info.path)
    store.close()
    with subprocess.Popen(
        [sys.executable, CHILD, "hold", str(store.paths.root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(store.paths.root),
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        before = _files(store.paths.root)
        with pytest.raises(StorageError, match="Close it first"):
            backup.restore_backup(store.paths, key, info.path)
        assert _files(store.paths.root) == before
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
    backup.restore_backup(store.paths, key, info.path)  # closed everywhere: now it works


def test_nobody_can_open_the_profile_while_a_restore_holds_it(profile: Profile) -> None:
    store, _cid, _goals = profile
    store.close()
    with ProfileLock(store.paths.root) as lock:
        assert lock.exclusive()
        with pytest.raises(StorageError, match="restore of this profile is running"):
            _reopen(store.paths.root)
    _reopen(store.paths.root).close()


def test_notes_only_in_the_wal_of_a_crashed_app_survive_in_the_before_restore_copy(tmp_path: Path) -> None:
    store, _recovery, cid, goals = make_profile(tmp_path / "p")
    old = backup.create_backup(store, tmp_path / "old.cdbackup")
    key = store.database_key()
    store.close()
    with subprocess.Popen(
        [sys.executable, CHILD, "writer", str(store.paths.root), cid, *goals],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(store.paths.root),
    ) as writer:
        assert writer.stdout is not None
        committed = 0
        for line in writer.stdout:
            committed = int(line) + 1
            if committed >= 6:
                writer.send_signal(signal.SIGKILL)
                break
        writer.wait(timeout=60)
    assert Path(str(store.paths.database) + "-wal").stat().st_size > 0  # the crash left commits in the WAL
    result = backup.restore_backup(store.paths, key, old.path)
    assert result.previous_copy is not None
    kept = backup.verify_backup(result.previous_copy, key)
    assert kept.status == "good" and kept.notes is not None and kept.notes >= committed
    reopened = _reopen(store.paths.root)
    assert note_snapshot(reopened) == {}
    reopened.close()


def test_restore_onto_a_new_computer_with_the_key_file_beside_the_backup(tmp_path: Path) -> None:
    store, recovery, cid, goals = make_profile(tmp_path / "old-laptop")
    add_signed_notes(store, cid, goals, 3, "carried")
    expected = note_snapshot(store)
    usb = tmp_path / "usb.cdbackup"
    backup.create_backup(store, usb)
    store.close()
    new = ProfilePaths(tmp_path / "new-laptop")
    unlocked = backup.unlock_database_key(new, recovery_key=recovery, fallbacks=(tmp_path / "usb.cdbackup.key",))
    assert unlocked.profile_key_problem and "missing" in unlocked.profile_key_problem
    backup.restore_backup(new, unlocked.db_key, usb, key_file_source=unlocked.source)
    reopened = _reopen(new.root)
    assert note_snapshot(reopened) == expected
    reopened.close()


def test_a_missing_key_file_needs_a_copy_and_says_so(profile: Profile) -> None:
    store, _cid, _goals = profile
    info = backup.create_backup(store)
    key = store.database_key()
    store.close()
    store.paths.key_file.unlink()
    with pytest.raises(KeyFileError, match="missing"):
        backup.restore_backup(store.paths, key, info.path)


def test_an_interrupted_restore_with_a_damaged_staged_copy_is_rolled_back(profile: Profile) -> None:
    store, cid, goals = profile
    add_signed_notes(store, cid, goals, 2, "keep")
    expected = note_snapshot(store)
    info = backup.create_backup(store)
    store.close()
    paths = store.paths
    original = paths.database.read_bytes()
    staged = restore_swap.staged_db_path(paths)
    shutil.copyfile(info.path, staged)
    keep = paths.backups / "replaced-test"
    marker = {
        "version": 1,
        "staged": staged.name,
        "staged_sha256": "0" * 64,  # as if the staged copy rotted on disk after it was checked
        "staged_key": None,
        "keep_dir": "backups/replaced-test",
        "source": str(info.path),
    }
    keep.mkdir()
    paths.database.rename(keep / "casedesk.db")  # the crash came after the first move
    restore_swap.marker_path(paths).write_text(json.dumps(marker))
    reopened = _reopen(paths.root)  # Store.open finishes (here: undoes) the interrupted restore
    assert note_snapshot(reopened) == expected
    reopened.close()
    assert paths.database.read_bytes()[:4096] == original[:4096]
    assert not staged.exists() and not restore_swap.marker_path(paths).exists() and not keep.exists()
    assert "undone" in (paths.read_state().get("restore_note") or "")


def test_stray_staged_files_without_a_marker_are_removed(profile: Profile) -> None:
    store, _cid, _goals = profile
    store.close()
    staged = restore_swap.staged_db_path(store.paths)
    staged.write_bytes(b"half a copy")
    _reopen(store.paths.root).close()
    assert not staged.exists()


def test_restoring_the_profiles_own_database_is_refused(profile: Profile) -> None:
    store, _cid, _goals = profile
    key = store.database_key()
    store.close()
    with pytest.raises(ValidationError, match="own database"):
        backup.restore_backup(store.paths, key, store.paths.database)


def test_a_raw_copy_of_a_database_with_its_wal_restores_every_commit(profile: Profile, tmp_path: Path) -> None:
    store, cid, goals = profile
    add_signed_notes(store, cid, goals, 3, "in-wal")
    expected = note_snapshot(store)
    wal = Path(str(store.paths.database) + "-wal")
    assert wal.stat().st_size > 0  # these commits are still only in the WAL
    raw = tmp_path / "it-copied-the-folder"
    raw.mkdir()
    shutil.copyfile(store.paths.database, raw / "casedesk.db")
    shutil.copyfile(wal, raw / "casedesk.db-wal")
    copied = _files(raw)
    add_signed_notes(store, cid, goals, 2, "after-the-copy")
    key = store.database_key()
    store.close()
    result = backup.restore_backup(store.paths, key, raw / "casedesk.db")
    assert result.restored.notes == 3
    reopened = _reopen(store.paths.root)
    assert note_snapshot(reopened) == expected
    reopened.close()
    assert _files(raw) == copied  # the copy was only read
    assert not [p for p in store.paths.backups.iterdir() if p.name.startswith(".casedesk-")]

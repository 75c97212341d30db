"""A full disk and a read-only data folder, on real small / read-only mounts: clear errors, nothing stored
is harmed, and CaseDesk works again once the space is back."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from casedesk.db.store import Store
from casedesk.errors import StorageError
from casedesk.services import backup, notes
from casedesk.services.notes import NoteInput
from tests.backup.conftest import PASSPHRASE, add_signed_notes, make_profile, note_snapshot


def _mount(args: list[str], target: Path, mounted: list[Path]) -> None:
    subprocess.run(["mount", *args, str(target)], check=True, capture_output=True, timeout=20)
    mounted.append(target)


def _bind_read_only(source: Path, target: Path, mounted: list[Path]) -> None:
    _mount(["--bind", str(source)], target, mounted)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True, capture_output=True, timeout=20)


def _big_note(cid: str, i: int) -> NoteInput:
    filler = " ".join(f"word{(i * 7919 + k) % 10007}" for k in range(1200))  # ~10 KB that does not compress
    return NoteInput(
        client_id=cid,
        contact_start=dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC) + dt.timedelta(hours=i),
        duration_minutes=30,
        body={"data": f"big-{i} {filler}", "assessment": "ok", "plan": "ok"},
    )


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_full_disk_keeps_every_committed_note_and_recovers_when_space_is_freed(
    mounter: list[Path], tmp_path: Path
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    _mount(["-t", "tmpfs", "-o", "size=6m", "tmpfs"], small, mounter)
    store, _recovery, cid, _goals = make_profile(small / "profile")
    try:
        older = backup.create_backup(store)
        (small / "filler").write_bytes(b"\0" * 3_500_000)  # room to give back later (and for a backup)
        committed: list[str] = []
        failure: StorageError | None = None
        for i in range(1000):
            try:
                with store.session() as s:
                    nid = notes.create_draft(s, _big_note(cid, i))
                    notes.sign_note(s, nid)
                committed.append(nid)
            except StorageError as exc:
                failure = exc
                break
        assert failure is not None and "full" in str(failure) and "nothing stored was harmed" in str(failure)
        assert len(committed) >= 5
        # a backup now fails cleanly: no partial file, the older backup untouched
        with pytest.raises(StorageError, match="full"):
            backup.create_backup(store)
        outcome = backup.maybe_backup(store, "signed", now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        assert outcome.made is None and outcome.error and "full" in outcome.error
        assert sorted(p.name for p in store.paths.backups.iterdir() if p.name.startswith(".casedesk")) == []
        assert backup.verify_backup(older.path, store.database_key()).status == "good"
        with store.read_session() as s:
            assert all(notes.verify_note_hash(s, nid) for nid in committed)
    finally:
        store.close()

    (small / "filler").unlink()  # the worker frees some space
    reopened = Store.open(small / "profile", passphrase=PASSPHRASE)
    try:
        snapshot = note_snapshot(reopened)
        assert set(committed) <= set(snapshot) and len(snapshot) == len(committed)
        with reopened.read_session() as s:
            assert all(notes.verify_note_hash(s, nid) for nid in committed)
        assert all(c.ok for c in reopened.check())
        with reopened.session() as s:
            notes.create_draft(s, _big_note(cid, 5000))  # saving works again
        assert backup.create_backup(reopened).status == "good"
    finally:
        reopened.close()


def test_a_read_only_profile_folder_is_refused_with_a_clear_message_and_left_alone(
    mounter: list[Path], tmp_path: Path
) -> None:
    store, _recovery, cid, goals = make_profile(tmp_path / "profile")
    add_signed_notes(store, cid, goals, 2, "ro")
    info = backup.create_backup(store)
    key = store.database_key()
    store.close()
    view = tmp_path / "read-only-view"
    view.mkdir()
    _bind_read_only(tmp_path / "profile", view, mounter)
    before = _files(view)
    with pytest.raises(StorageError, match=r"cannot write to .* \(read-only or no permission\)"):
        Store.open(view, passphrase=PASSPHRASE)
    from casedesk.db.profile import ProfilePaths

    paths = ProfilePaths(view)
    with pytest.raises(StorageError, match="read-only or no permission"):
        backup.restore_backup(paths, key, view / "backups" / info.path.name)
    assert [b.notes for b in backup.list_backups(paths)] == [2]  # listing only reads
    assert _files(view) == before


def test_a_read_only_backups_folder_fails_the_backup_not_the_work(mounter: list[Path], tmp_path: Path) -> None:
    store, _recovery, cid, goals = make_profile(tmp_path / "profile")
    try:
        older = backup.create_backup(store)
        _bind_read_only(store.paths.backups, store.paths.backups, mounter)
        with pytest.raises(StorageError, match="read-only or no permission"):
            backup.create_backup(store)
        outcome = backup.maybe_backup(store, "signed", now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        assert outcome.made is None and outcome.error and "read-only" in outcome.error
        ids = add_signed_notes(store, cid, goals, 2, "still-working")  # notes are still saved
        subprocess.run(["umount", str(store.paths.backups)], check=True, timeout=20)
        mounter.remove(store.paths.backups)
        made = backup.create_backup(store)
        assert made.notes == 2 and set(ids) <= set(note_snapshot(store))
        assert backup.verify_backup(made.path, store.database_key()).status == "good"
        assert not older.path.exists() or backup.verify_backup(older.path, store.database_key()).status == "good"
    finally:
        store.close()

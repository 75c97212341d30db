"""Making, listing, checking and rotating encrypted backups on real SQLCipher files."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db import cipher, dbcopy
from casedesk.db import engine as dbengine
from casedesk.db.models import NoteGoal, ProgressNote
from casedesk.db.store import Store
from casedesk.errors import DatabaseDamagedError, ValidationError
from casedesk.services import audit, backup
from casedesk.vault.keyfile import KeyFile
from tests.backup.conftest import PASSPHRASE, add_signed_notes, flip_bit, make_profile
from tests.conftest import REPO_ROOT, cli_env

Profile = tuple[Store, str, list[str]]


def test_backup_is_encrypted_checked_and_counted(profile: Profile) -> None:
    store, cid, goals = profile
    add_signed_notes(store, cid, goals, 3, "kitchen")
    add_signed_notes(store, cid, goals, 1, "draft", sign=False)
    info = backup.create_backup(store)
    assert info.path.parent == store.paths.backups and info.kind == "manual"
    assert (info.status, info.notes, info.signed_notes, info.clients) == ("good", 4, 3, 1)
    everything = b"".join(p.read_bytes() for p in store.paths.backups.iterdir() if p.is_file())
    for needle in ("Nguyễn", "meal log", "kitchen"):
        assert needle.encode() not in everything, needle
    manifest = json.loads((store.paths.backups / "manifest.json").read_text())
    entry = manifest["backups"][info.path.name]
    assert entry["notes"] == 4 and entry["size"] == info.size and len(entry["sha256"]) == 64


def test_backup_opens_with_the_passphrase_and_the_recovery_key_through_the_key_file(tmp_path: Path) -> None:
    store, recovery, cid, goals = make_profile(tmp_path / "p")
    add_signed_notes(store, cid, goals, 2, "x")
    info = backup.create_backup(store)
    store.close()
    copy = KeyFile.load(store.paths.backups / "casedesk.key")
    assert copy.to_json() == KeyFile.load(store.paths.key_file).to_json()
    for key in (copy.unwrap_with_passphrase(PASSPHRASE), copy.unwrap_with_recovery_key(recovery)):
        assert backup.verify_backup(info.path, key).notes == 2
    other, _ = Store.create(tmp_path / "other", PASSPHRASE)
    checked = backup.verify_backup(info.path, other.database_key())
    other.close()
    assert checked.status == "damaged" and "cannot be decrypted" in (checked.problem or "")


def test_external_backup_writes_the_key_file_beside_it_and_never_into_the_profile(
    profile: Profile, tmp_path: Path
) -> None:
    store, cid, goals = profile
    add_signed_notes(store, cid, goals, 2, "usb")
    dest = tmp_path / "usb" / "monday.cdbackup"
    dest.parent.mkdir()
    info = backup.create_backup(store, dest)
    assert info.kind == "external" and info.notes == 2
    assert KeyFile.load(dest.with_name("monday.cdbackup.key")).profile_id == store.profile_id
    assert sorted(p.name for p in dest.parent.iterdir()) == ["monday.cdbackup", "monday.cdbackup.key"]
    for bad in (store.paths.database, store.paths.root / "copy.cdbackup"):
        with pytest.raises(ValidationError, match="inside the profile folder"):
            backup.create_backup(store, bad)
    with pytest.raises(ValidationError, match="does not exist"):
        backup.create_backup(store, tmp_path / "nowhere" / "x.cdbackup")


def test_a_backup_holds_commits_still_in_the_wal(profile: Profile) -> None:
    store, cid, goals = profile
    ids = add_signed_notes(store, cid, goals, 3, "fresh")
    assert Path(str(store.paths.database) + "-wal").stat().st_size > 0
    info = backup.create_backup(store)
    conn = cipher.raw_connect(info.path, store.database_key(), read_only=True)
    found = {r[0] for r in conn.execute("SELECT id FROM progress_note")}
    conn.close()
    assert set(ids) <= found


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_rotation_prunes_only_after_the_new_backup_is_checked(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _cid, _goals = profile
    start = dt.datetime(2026, 10, 1, 18, tzinfo=dt.UTC)
    clock = Clock(start)
    monkeypatch.setattr(backup, "utcnow", clock)
    stranger = store.paths.backups
    stranger.mkdir()
    (stranger / "notes-from-it.txt").write_text("not ours")
    for day in range(40):
        clock.now = start + dt.timedelta(days=day)
        backup.create_backup(store, kind="auto")
    listed = backup.list_backups(store.paths)
    assert 8 <= len(listed) <= 11  # 7 daily + up to 4 weekly (the first week partly overlaps)
    assert listed[0].created_at == clock.now
    assert (listed[0].created_at - listed[-1].created_at).days >= 21
    assert (stranger / "notes-from-it.txt").exists()
    manifest = json.loads((stranger / "manifest.json").read_text())["backups"]
    assert sorted(manifest) == sorted(i.path.name for i in listed)

    before = sorted(p.name for p in stranger.iterdir())

    def failing_check(path: Path, key: bytes) -> dbcopy.FileCheck:
        return dbcopy.FileCheck(False, "is damaged: HMAC verification failed for page 3")

    clock.now += dt.timedelta(days=1)
    monkeypatch.setattr(dbcopy, "check_file", failing_check)
    with pytest.raises(DatabaseDamagedError, match="Older backups were kept"):
        backup.create_backup(store, kind="auto")
    assert sorted(p.name for p in stranger.iterdir()) == before


def test_maybe_backup_after_signing_and_on_close(profile: Profile) -> None:
    store, cid, goals = profile
    first = backup.maybe_backup(store, "signed")
    assert first.made is not None and first.error is None
    add_signed_notes(store, cid, goals, 1, "a")
    assert backup.maybe_backup(store, "signed").made is None  # minutes after the last one: deferred
    assert store.paths.read_state()["signed_since_backup"] is True
    closing = backup.maybe_backup(store, "close")
    assert closing.made is not None and closing.made.notes == 1
    assert backup.maybe_backup(store, "close").made is None  # nothing signed since
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    assert backup.maybe_backup(store, "signed", now=later).made is not None


def test_maybe_backup_reports_a_failure_instead_of_raising(profile: Profile) -> None:
    store, _cid, _goals = profile
    store.paths.backups.write_text("a file where the backups folder should be")
    outcome = backup.maybe_backup(store, "startup")
    assert outcome.made is None
    assert outcome.error is not None and "automatic backup was not made" in outcome.error


def test_flipped_bytes_in_backups_are_detected_with_a_clear_message(
    profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, cid, goals = profile
    clock = Clock(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    monkeypatch.setattr(backup, "utcnow", clock)
    add_signed_notes(store, cid, goals, 2, "older")
    older = backup.create_backup(store)  # yesterday's: rotation keeps it
    clock.now += dt.timedelta(days=1)
    add_signed_notes(store, cid, goals, 2, "newer")
    newer = backup.create_backup(store)
    key = store.database_key()
    size = newer.size
    rng = random.Random(20261123)
    for round_ in range(24):
        # outside the backups folder (no manifest): SQLCipher's per-page HMAC catches it
        loose = tmp_path / f"loose-{round_}.cdbackup"
        shutil.copyfile(newer.path, loose)
        flip_bit(loose, rng.randrange(size), rng.randrange(8))
        checked = backup.verify_backup(loose, key)
        assert checked.status == "damaged", round_
        assert checked.problem and any(w in checked.problem for w in ("damaged", "decrypted", "HMAC", "integrity"))
    flip_bit(newer.path, size // 2)
    listed = {i.path: i for i in backup.list_backups(store.paths, key)}
    assert listed[newer.path].status == "damaged" and "checksum" in (listed[newer.path].problem or "")
    assert listed[older.path].status == "good"
    good = backup.newest_good_backup(store.paths, key)
    assert good is not None and good.path == older.path and good.notes == 2


def test_a_backup_while_another_process_writes_notes_is_a_consistent_snapshot(tmp_path: Path) -> None:
    store, _recovery, cid, goals = make_profile(tmp_path / "p")
    from casedesk.demo import generate

    with store.session() as s:
        generate(s, clients=25, seed=3)  # a few MB, so a backup takes a while
    made = []
    with subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "tests/backup/children.py"), "writer", str(store.paths.root), cid, *goals],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(store.paths.root),
    ) as writer:
        assert writer.stdout is not None and writer.stdin is not None
        for line in writer.stdout:
            n = int(line)
            if n in (3, 12, 25, 40):
                made.append((n, backup.create_backup(store, tmp_path / f"snapshot-{n}.cdbackup")))
            if n >= 45:
                break
        writer.stdin.close()
        writer.wait(timeout=60)
    assert writer.returncode == 0
    key = store.database_key()
    store.close()
    for n_seen, info in made:
        assert info.status == "good"
        copy = tmp_path / f"check-{n_seen}.db"  # opened read-write below: work on a copy
        shutil.copyfile(info.path, copy)
        engine = dbengine.make_engine(copy, key)
        with Session(engine) as s:
            seqs = sorted(
                int(text.split("-")[1].split()[0])
                for text in s.execute(
                    select(ProgressNote.search_text).where(ProgressNote.search_text.like("%seq-%"))
                ).scalars()
            )
            links = s.execute(select(NoteGoal.note_id)).scalars().all()
            writer_notes = (
                s.execute(select(ProgressNote.id).where(ProgressNote.search_text.like("%seq-%"))).scalars().all()
            )
            chain = audit.verify_chain(s)
        engine.dispose()
        # every committed note up to some point, none half-written, nothing after a gap
        assert seqs == list(range(len(seqs))) and len(seqs) >= n_seen + 1
        assert sum(1 for nid in links if nid in set(writer_notes)) == 2 * len(seqs)
        assert chain.ok, chain.problem

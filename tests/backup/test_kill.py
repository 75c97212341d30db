"""SIGKILL during a backup and during a restore: afterwards the profile opens, every check passes, and
either the old or the new state is there, complete.

Each round forks a child process from this (already imported) test process and kills it:
- just before its n-th call that changes a file (rename, unlink, fsync, mkdir, the SQLite backup ...),
  for every n: every step of the file protocols is interrupted once;
- just before a seeded-random n-th C-function call of any kind;
- at a seeded-random moment while it backs up / restores in a loop (a kill inside C code as well).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casedesk.db import dbcopy, restore_swap
from casedesk.db.profile import ProfilePaths
from casedesk.db.store import Store
from casedesk.services import backup
from tests.backup.children import KillAt
from tests.backup.conftest import PASSPHRASE, add_signed_notes, make_profile, note_snapshot
from tests.backup.test_backup_service import Clock

SEED = 20261123
RANDOM_ROUNDS = 6
TIMED_ROUNDS = 3


def run_child(work: Callable[[], Any], kill_at: int = 0, only_file_calls: bool = False) -> tuple[bool, int]:
    """Run `work` in a forked child, killing it with SIGKILL just before its `kill_at`-th (file) call.
    Returns (killed, number of calls counted when it completed)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        code = 0
        try:
            os.close(read_end)
            hook = KillAt(kill_at, only_file_calls)
            hook.run(work)
            os.write(write_end, str(hook.calls).encode())
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        calls = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True, 0
    assert os.WEXITSTATUS(status) == 0, "the child failed (not killed)"
    return False, int(calls)


def kill_after_a_while(work: Callable[[], Any], delay: float) -> None:
    """Fork a child that runs `work` in a loop; SIGKILL it `delay` seconds after it started."""
    pid = os.fork()
    if pid == 0:
        try:
            while True:
                work()
        finally:
            os._exit(70)
    time.sleep(delay)  # fault injection at a random moment, not waiting for a condition
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), "the child stopped on its own"


@dataclass
class Scenario:
    template: Path  # a closed profile in the "old" state
    key: bytes
    old: dict[str, Any]
    new: dict[str, Any]
    backup_file: Path  # restore scenario: the "new" state, outside the profile


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """Profile in state OLD (5 notes, one backup from yesterday); NEW: a backup with 2 notes."""
    base = tmp_path_factory.mktemp("kill")
    store, _recovery, cid, goals = make_profile(base / "template")
    add_signed_notes(store, cid, goals, 2, "new")
    new = note_snapshot(store)
    backup_file = base / "new-state.cdbackup"
    backup.create_backup(store, backup_file)
    add_signed_notes(store, cid, goals, 3, "old")
    old = note_snapshot(store)
    real_now = backup.utcnow
    try:
        backup.utcnow = Clock(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # type: ignore[assignment]
        backup.create_backup(store, kind="auto")
    finally:
        backup.utcnow = real_now  # type: ignore[assignment]
    key = store.database_key()
    store.close()
    yield Scenario(base / "template", key, old, new, backup_file)


def _fresh(scenario: Scenario, where: Path) -> ProfilePaths:
    shutil.copytree(scenario.template, where)
    (where / "casedesk.lock").unlink(missing_ok=True)
    return ProfilePaths(where)


def _assert_backups_intact(paths: ProfilePaths, key: bytes, notes_now: int) -> None:
    listed = backup.list_backups(paths, key)
    assert listed, "no backup left"
    for info in listed:
        assert info.status == "good", (info.path.name, info.problem)
    assert all(i.notes == notes_now for i in listed)


def _check_after_backup_kill(paths: ProfilePaths, scenario: Scenario) -> None:
    store = Store.open(paths.root, passphrase=PASSPHRASE)
    try:
        assert note_snapshot(store) == scenario.old
        assert all(c.ok for c in store.check())
        _assert_backups_intact(paths, scenario.key, len(scenario.old))
        made = backup.create_backup(store, kind="auto")  # the next backup works and sweeps up leftovers
    finally:
        store.close()
    assert made.status == "good"
    assert not [p for p in paths.backups.iterdir() if p.name.startswith(".casedesk-")]


def _backup_work(root: Path) -> Callable[[], None]:
    def work() -> None:
        store = Store.open(root, passphrase=PASSPHRASE)
        backup.create_backup(store, kind="auto")
        store.close()

    return work


def _kill_points(count: int, rounds: int, seed: int) -> list[int]:
    return sorted(random.Random(seed).sample(range(1, count + 1), min(rounds, count)))


@pytest.mark.slow
def test_sigkill_during_backup(scenario: Scenario, tmp_path: Path) -> None:
    probe = _fresh(scenario, tmp_path / "probe")
    _, file_calls = run_child(_backup_work(probe.root), only_file_calls=True)
    _, all_calls = run_child(_backup_work(probe.root))
    assert file_calls >= 8
    rounds = [(n, True) for n in range(1, file_calls + 1)]
    rounds += [(n, False) for n in _kill_points(all_calls, RANDOM_ROUNDS, SEED)]
    killed = 0
    for i, (n, files_only) in enumerate(rounds):
        paths = _fresh(scenario, tmp_path / f"r{i}")
        was_killed, _ = run_child(_backup_work(paths.root), n, files_only)
        killed += was_killed
        _check_after_backup_kill(paths, scenario)
    assert killed >= file_calls  # every step was interrupted once
    rng = random.Random(SEED + 1)
    for i in range(TIMED_ROUNDS):
        paths = _fresh(scenario, tmp_path / f"t{i}")
        kill_after_a_while(_backup_work(paths.root), rng.uniform(0.2, 1.5))
        _check_after_backup_kill(paths, scenario)


def _restore_work(paths: ProfilePaths, key: bytes, source: Path) -> Callable[[], None]:
    def work() -> None:
        backup.restore_backup(paths, key, source)

    return work


def _check_after_restore_kill(paths: ProfilePaths, scenario: Scenario) -> str:
    """Which state the profile is in after the kill; asserts it is whole and nothing was lost."""
    store = Store.open(paths.root, passphrase=PASSPHRASE)  # completes an interrupted swap
    try:
        got = note_snapshot(store)
        checks = store.check()
    finally:
        store.close()
    assert all(c.ok for c in checks), checks
    assert got in (scenario.old, scenario.new), f"a mixed state: {len(got)} notes"
    assert not restore_swap.marker_path(paths).exists()
    assert not restore_swap.staged_db_path(paths).exists()
    if got == scenario.new:  # the old state must survive: as a before-restore backup, or as kept raw files
        kept = [i for i in backup.list_backups(paths, scenario.key) if i.kind == "before-restore"]
        raw = backup.kept_raw_copies(paths)
        if any(i.notes == len(scenario.old) for i in kept):
            return "new"
        assert raw, "the replaced database was lost"
        for folder in raw:
            copy = folder.parent / f".casedesk-tmp-verify-{folder.name}.cdbackup"
            dbcopy.single_file_copy(folder / "casedesk.db", scenario.key, copy)
            assert dbcopy.check_file(copy, scenario.key).notes == len(scenario.old)
            copy.unlink()
        return "new"
    return "old"


@pytest.mark.slow
def test_sigkill_during_restore(scenario: Scenario, tmp_path: Path) -> None:
    probe = _fresh(scenario, tmp_path / "probe")
    _, file_calls = run_child(_restore_work(probe, scenario.key, scenario.backup_file), only_file_calls=True)
    probe = _fresh(scenario, tmp_path / "probe2")
    _, all_calls = run_child(_restore_work(probe, scenario.key, scenario.backup_file))
    assert file_calls >= 15
    rounds = [(n, True) for n in range(1, file_calls + 1)]
    rounds += [(n, False) for n in _kill_points(all_calls, RANDOM_ROUNDS, SEED + 2)]
    outcomes = []
    for i, (n, files_only) in enumerate(rounds):
        paths = _fresh(scenario, tmp_path / f"r{i}")
        run_child(_restore_work(paths, scenario.key, scenario.backup_file), n, files_only)
        outcomes.append(_check_after_restore_kill(paths, scenario))
        if i % 7 == 0:  # and a restore after the crash simply works
            backup.restore_backup(paths, scenario.key, scenario.backup_file)
            store = Store.open(paths.root, passphrase=PASSPHRASE)
            assert note_snapshot(store) == scenario.new
            store.close()
    assert {"old", "new"} <= set(outcomes)
    rng = random.Random(SEED + 3)
    for i in range(TIMED_ROUNDS):
        paths = _fresh(scenario, tmp_path / f"t{i}")
        # restoring back and forth between the two states, killed at a random moment
        old_copy = tmp_path / f"t{i}-old.cdbackup"
        dbcopy.online_copy(paths.database, scenario.key, old_copy)
        sources = iter([scenario.backup_file, old_copy] * 10_000)
        kill_after_a_while(
            lambda p=paths, s=sources: backup.restore_backup(p, scenario.key, next(s)), rng.uniform(0.2, 1.5)
        )
        _check_after_restore_kill(paths, scenario)


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("fork and SIGKILL are POSIX")

"""Fixtures for the backup, restore and recovery tests: a profile with a client, goals and signed notes."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casedesk.db.models import ProgressNote
from casedesk.db.store import Store
from casedesk.domain.notes import GoalRating
from casedesk.services import clients, notes, plans
from casedesk.services.notes import NoteInput

PASSPHRASE = "correct horse battery"  # as tests/conftest.py cli_env


def make_profile(root: Path) -> tuple[Store, str, str, list[str]]:
    """A profile with one client (with two plan goals). Returns (store, recovery key, client id, goal ids)."""
    store, recovery = Store.create(root, PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", dob=dt.date(1990, 4, 2))
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 1))
        goals = [
            plans.add_goal(s, plan, "Cook a simple meal three times a week."),
            plans.add_goal(s, plan, "Ride the bus to work alone."),
        ]
    return store, recovery, cid, goals


def add_signed_notes(store: Store, cid: str, goals: list[str], count: int, tag: str, *, sign: bool = True) -> list[str]:
    """`count` notes whose text carries `tag`, each in its own unit of work, signed unless sign=False."""
    ids = []
    for i in range(count):
        data = NoteInput(
            client_id=cid,
            contact_start=dt.datetime(2026, 9, 1, 15, tzinfo=dt.UTC) + dt.timedelta(days=i),
            duration_minutes=45,
            body={
                "data": f"Visit {tag}-{i}: reviewed the meal log together.",
                "assessment": "Steady progress.",
                "plan": "Next visit in two weeks.",
            },
            goals=(GoalRating(goals[0], "good"), GoalRating(goals[1], "minimal")),
        )
        with store.session() as s:
            nid = notes.create_draft(s, data)
            if sign:
                notes.sign_note(s, nid)
        ids.append(nid)
    return ids


def note_snapshot(store: Store) -> dict[str, tuple[str, str | None, str]]:
    """Every live note: id -> (status, content hash, note text). Equal snapshots: the same notes."""
    with store.read_session() as s:
        rows = s.execute(select(ProgressNote).where(ProgressNote.deleted_at.is_(None))).scalars().all()
        return {n.id: (n.status, n.content_hash, n.search_text) for n in rows}


def flip_bit(path: Path, offset: int, bit: int = 0) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)[0]
        fh.seek(offset)
        fh.write(bytes([byte ^ (1 << bit)]))


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[tuple[Store, str, list[str]]]:
    store, _recovery, cid, goals = make_profile(tmp_path / "profile")
    yield store, cid, goals
    if store._db_key:  # not closed by the test
        store.close()


def _can_mount(probe: Path) -> str | None:
    """None if this process may mount file systems, else the reason it may not."""
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run mount: {exc}"
    if done.returncode != 0:
        return f"mounting is not permitted here ({done.stderr.strip() or done.returncode})"
    subprocess.run(["umount", str(probe)], check=True, timeout=20)
    return None


def unmount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True, timeout=20).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=20)


@pytest.fixture
def mounter(tmp_path: Path) -> Iterator[list[Path]]:
    """Skips unless mounting works; the test appends every mount point it creates, unmounted afterwards
    (in reverse order)."""
    reason = _can_mount(tmp_path / ".mount-probe")
    if reason:
        pytest.skip(f"needs a real small or read-only file system: {reason}")
    mounted: list[Path] = []
    yield mounted
    for path in reversed(mounted):
        unmount(path)

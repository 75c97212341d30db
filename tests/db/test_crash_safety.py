"""Kill a writer with SIGKILL at random moments: every commit that returned survives, checks pass."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from casedesk.db.store import Store
from casedesk.services import clients, notes

PASSPHRASE = "correct horse battery"
WRITER = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sigkill_during_writes_never_loses_a_committed_note(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    store, _ = Store.create(root, PASSPHRASE, worker_name="Ana")
    with store.session() as s:
        cid = clients.create_client(s, first_name="Crash", last_name="Test")
    store.close()

    rng = random.Random(20261123)
    drafts: set[str] = set()
    signed: dict[str, str] = {}
    addenda: dict[str, set[str]] = {}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_no in range(12):
        with subprocess.Popen(
            [sys.executable, str(WRITER), str(root), cid, PASSPHRASE, str(round_no)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        ) as proc:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            kill_after = rng.randint(1, 25)
            seen = 0
            while seen < kill_after:
                line = proc.stdout.readline()
                if not line:
                    break
                seen += 1
                _record(line, drafts, signed, addenda)
            os.kill(proc.pid, signal.SIGKILL)
            for line in proc.stdout.read().splitlines():  # commits reported before the kill landed
                _record(line, drafts, signed, addenda)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL

    reopened = Store.open(root, passphrase=PASSPHRASE)
    try:
        assert all(r.ok for r in reopened.check()), reopened.check()
        with reopened.session() as s:
            for nid in drafts:
                notes.get_note(s, nid, audit_view=False)
            for nid, digest in signed.items():
                detail = notes.get_note(s, nid, audit_view=False)
                assert detail.is_signed and detail.content_hash == digest
                assert notes.verify_note_hash(s, nid)
                assert addenda.get(nid, set()) <= {a.id for a in detail.addenda}
    finally:
        reopened.close()
    assert len(signed) >= 12


def _record(line: str, drafts: set[str], signed: dict[str, str], addenda: dict[str, set[str]]) -> None:
    parts = line.split()
    if not parts:
        return
    if parts[0] == "draft":
        drafts.add(parts[1])
    elif parts[0] == "signed":
        signed[parts[1]] = parts[2]
    elif parts[0] == "addendum":
        addenda.setdefault(parts[1], set()).add(parts[2])

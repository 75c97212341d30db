"""Pure rules of the sync status bar and the automatic sync timer (no Qt)."""

from __future__ import annotations

import datetime as dt
import random

from casedesk.gui.sync.rules import REVOKED_TEXT, describe, retry_delay, retry_later
from casedesk.sync.client import StuckOp, SyncStatus
from casedesk.sync.errors import DeviceRevokedError, NotEnrolledError, ServerUnreachableError

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def status(**changes: object) -> SyncStatus:
    values: dict[str, object] = dict(
        enrolled=True, server_url="https://cd.example.org", login="wanda", device_id="d1",
        last_success_at=NOW - dt.timedelta(minutes=3), last_attempt_at=NOW - dt.timedelta(minutes=3),
        last_error=None, waiting=0, stuck=(), open_conflicts=0,
    )
    values.update(changes)
    return SyncStatus(**values)  # type: ignore[arg-type]


def test_not_enrolled_keeps_the_plain_placeholder() -> None:
    parts = describe(status(enrolled=False), NOW)
    assert parts.text == "Not connected to an agency server" and not parts.problem


def test_enrolled_shows_last_sync_waiting_conflicts_and_stuck_reason() -> None:
    stuck = (StuckOp(4, "op", "progress_note", "n1", "update", 5, "The agency server refused the request (422): bad date"),)
    parts = describe(status(waiting=3, open_conflicts=2, stuck=stuck), NOW)
    assert parts.text.startswith("Synced ")
    assert "3 waiting" in parts.text and "2 conflicts to review" in parts.text
    assert "1 stuck: progress note — The agency server refused" in parts.text
    assert "bad date" in parts.tooltip and parts.problem
    assert '<a href="conflicts">2 conflicts to review</a>' in parts.rich_text()


def test_revoked_and_failed_tries_are_said_plainly() -> None:
    assert REVOKED_TEXT in describe(status(), NOW, revoked=True).text
    failed = describe(status(last_error="Could not sync", last_attempt_at=NOW), NOW)
    assert "last try failed" in failed.text and "Could not sync" in failed.tooltip
    assert describe(status(), NOW, running=True).text.startswith("Syncing")


def test_backoff_grows_and_never_passes_the_interval() -> None:
    rng = random.Random(1)
    assert retry_delay(0, 300, rng) == 300
    firsts = [retry_delay(1, 300, rng) for _ in range(50)]
    assert all(15 <= d <= 30 for d in firsts)
    assert all(60 <= retry_delay(3, 300, rng) <= 120 for _ in range(50))
    assert all(150 <= retry_delay(9, 300, rng) <= 300 for _ in range(50))


def test_only_transient_errors_are_retried() -> None:
    assert retry_later(ServerUnreachableError("down"))
    assert not retry_later(DeviceRevokedError("revoked"))
    assert not retry_later(NotEnrolledError("no"))
    assert not retry_later(ValueError("bug"))

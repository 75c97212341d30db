"""Pure rules behind the sync part of the status bar and the automatic sync timer (no Qt)."""

from __future__ import annotations

import datetime as dt
import html
import random
from dataclasses import dataclass

from casedesk.sync.backoff import RetryPolicy
from casedesk.sync.client import SyncStatus
from casedesk.sync.errors import DeviceRevokedError, InsecureServerError, NotEnrolledError, SyncError

AUTO_SYNC_MINUTES = 5
FIRST_RETRY_SECONDS = 30.0
REVOKED_TEXT = "This device was disconnected from the agency server"
# One sync run from the GUI: few, short tries (the timer retries later with its own backoff), so a lock
# or quit that waits for a running sync never waits long.
GUI_POLICY = RetryPolicy(attempts=3, base=0.5, cap=4.0, timeout=30.0, connect_timeout=8.0)


def retry_delay(failures: int, interval: float, rng: random.Random) -> float:
    """Seconds until the next automatic sync after `failures` failed ones in a row (0: none failed).

    Exponential backoff with jitter from 30 s, never later than the regular interval."""
    if failures <= 0:
        return interval
    window = min(interval, FIRST_RETRY_SECONDS * 2 ** (failures - 1))
    return min(interval, rng.uniform(window / 2, window))


def retry_later(exc: BaseException) -> bool:
    """Whether the automatic sync should try again after this error (not for a revoked or unenrolled
    device, or an address CaseDesk refuses: retrying cannot fix those)."""
    return isinstance(exc, SyncError) and not isinstance(exc, DeviceRevokedError | NotEnrolledError | InsecureServerError)


def _when(moment: dt.datetime, now: dt.datetime) -> str:
    local, today = moment.astimezone(), now.astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if (today.date() - local.date()).days < 7:
        return local.strftime("%a %H:%M")
    return local.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class StatusParts:
    """The sync part of the status bar: short text, a longer tooltip, and whether to draw attention."""

    text: str
    tooltip: str
    conflicts: int
    problem: bool
    conflict_text: str = ""  # the piece of `text` that opens the conflict pane

    def rich_text(self) -> str:
        """`text` as rich text with the conflict count as a link (href "conflicts")."""
        plain = html.escape(self.text)
        if not self.conflict_text:
            return plain
        piece = html.escape(self.conflict_text)
        return plain.replace(piece, f'<a href="conflicts">{piece}</a>', 1)


def describe(status: SyncStatus, now: dt.datetime, *, running: bool = False, revoked: bool = False) -> StatusParts:
    if not status.enrolled and not revoked:
        return StatusParts(
            "Not connected to an agency server",
            "File > Connect to agency server… sends your work to the agency and brings back your supervisor's changes.",
            status.open_conflicts,
            False,
        )  # conflicts kept from an earlier enrolment are still reachable from the menu
    parts: list[str] = []
    tips: list[str] = []
    problem = False
    if revoked:
        parts.append(REVOKED_TEXT)
        tips.append(
            "The agency server no longer accepts this device (it was revoked). Your unsent work stays on this "
            "computer; ask your administrator for a new code and use File > Connect to agency server…"
        )
        problem = True
    elif running:
        parts.append("Syncing…")
    elif status.last_success_at is not None:
        parts.append(f"Synced {_when(status.last_success_at, now)}")
    else:
        parts.append("Not synced yet")
    if status.server_url:
        tips.insert(0, f"Agency server: {status.server_url}" + (f" (signed in as {status.login})" if status.login else ""))
    if status.waiting:
        parts.append(f"{status.waiting} waiting")
        tips.append(f"{status.waiting} change{'s' if status.waiting != 1 else ''} not sent yet.")
    if status.stuck:
        first = status.stuck[0]
        reason = first.reason or "the server refused it"
        label = first.table.replace("_", " ")
        parts.append(f"{len(status.stuck)} stuck: {label} — {_short(reason)}")
        tips.append(
            f"{len(status.stuck)} change{'s' if len(status.stuck) != 1 else ''} could not be sent after several tries. "
            f"First: a {label} change: {reason}"
        )
        problem = True
    conflict_text = ""
    if status.open_conflicts:
        conflict_text = f"{status.open_conflicts} conflict{'s' if status.open_conflicts != 1 else ''} to review"
        parts.append(conflict_text)
        tips.append("Open the conflict count to review both versions and decide.")
        problem = True
    if status.last_error and not revoked and not running:
        tips.append(f"Last try failed: {status.last_error}")
        if status.last_attempt_at is not None and (
            status.last_success_at is None or status.last_attempt_at > status.last_success_at
        ):
            parts.append("last try failed")
            problem = True
    return StatusParts(" · ".join(parts), "\n".join(tips), status.open_conflicts, problem, conflict_text)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Background sync: "Sync now", an automatic sync every few minutes while unlocked and enrolled, retry
with backoff after a failure, and the current SyncStatus for the status bar.

Every call to the sync client runs through the context's op runner (never on the UI thread); results
come back as signals. While the profile is locked nothing runs and nothing is scheduled.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from casedesk.db.models import MODEL_BY_TABLE
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes, user_message
from casedesk.gui.sync.rules import AUTO_SYNC_MINUTES, GUI_POLICY, StatusParts, describe, retry_delay, retry_later
from casedesk.sync import client as sync_client
from casedesk.sync.errors import DeviceRevokedError, NotEnrolledError

SYNCED_TABLES = frozenset(MODEL_BY_TABLE) | {"sync_conflict", "sync_state"}


@dataclass(frozen=True)
class SyncOutcome:
    result: sync_client.SyncResult
    status: sync_client.SyncStatus


def sync_changes(outcome: SyncOutcome) -> Changes:
    """What a finished sync may have changed: any synced table when it wrote rows (the caseload reloads in
    full), else only the sync state."""
    result = outcome.result
    if result.pulled or result.removed_clients or result.conflicts:
        return Changes(frozenset(SYNCED_TABLES))
    return Changes.of("sync_state")


class SyncController(QObject):
    sig_status = Signal(object)  # StatusParts
    sig_synced = Signal(object)  # SyncOutcome
    sig_failed = Signal(str)  # a sentence for the worker
    sig_running = Signal(bool)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.interval_seconds = AUTO_SYNC_MINUTES * 60.0
        self.first_delay_seconds = 5.0  # after unlock: sync soon, once the first paint is done
        self.failures = 0
        self.revoked = False
        self.running = False
        self.last_status: sync_client.SyncStatus | None = None
        self._rng = random.Random()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.on_timer)
        context.sig_locked.connect(self.stop)

    # ---- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        """The profile was unlocked: show the status, then sync soon if enrolled."""
        self.failures = 0
        self.running = False
        self.refresh(schedule_first=True)

    def stop(self) -> None:
        self.timer.stop()
        if self.running:
            self.running = False
            self.sig_running.emit(False)

    def _schedule(self, seconds: float) -> None:
        if self._context.is_locked or self.revoked:
            return
        self.timer.start(max(0, int(seconds * 1000)))

    @property
    def next_sync_in(self) -> float | None:
        """Seconds until the automatic sync (None: none scheduled)."""
        return self.timer.remainingTime() / 1000 if self.timer.isActive() else None

    # ---- status -------------------------------------------------------------------------------------

    def refresh(self, *, schedule_first: bool = False) -> None:
        if self._context.is_locked:
            return
        store = self._context.require_store()
        self._context.ops.run(
            lambda: sync_client.status(store),
            on_done=lambda st: self.on_status(st, schedule_first),
            on_error=lambda exc: self.sig_failed.emit(user_message(exc)),
        )

    def on_status(self, status: object, schedule_first: bool = False) -> None:
        assert isinstance(status, sync_client.SyncStatus)
        if self._context.is_locked:
            return
        self.last_status = status
        if status.enrolled and status.last_error is None:
            self.revoked = False
        self.sig_status.emit(self.parts())
        if schedule_first and status.enrolled and not self.running:
            self._schedule(self.first_delay_seconds)

    def parts(self) -> StatusParts:
        status = self.last_status
        if status is None:
            status = sync_client.SyncStatus(False, None, None, None, None, None, None, 0, (), 0)
        return describe(status, dt.datetime.now(dt.UTC), running=self.running, revoked=self.revoked)

    # ---- syncing ------------------------------------------------------------------------------------

    def on_timer(self) -> None:
        self.sync_now(automatic=True)

    def sync_now(self, *, automatic: bool = False) -> bool:
        """Start a sync in the background. False (with a message for a manual sync) if it cannot start."""
        if self._context.is_locked:
            return False
        if self.running:
            if not automatic:
                self.sig_failed.emit("A sync is already running.")
            return False
        if self.last_status is not None and not self.last_status.enrolled and not self.revoked:
            if not automatic:
                self.sig_failed.emit(
                    "This computer is not connected to an agency server yet. Use File > Connect to agency server…"
                )
            return False
        self.timer.stop()
        store = self._context.require_store()

        def job() -> SyncOutcome:
            result = sync_client.sync_once(store, policy=GUI_POLICY)
            return SyncOutcome(result, sync_client.status(store))

        self.running = True
        self.sig_running.emit(True)
        self.sig_status.emit(self.parts())
        self._context.ops.run(
            job,
            changes=sync_changes,
            on_done=self.on_synced,
            on_error=self.on_sync_failed,
        )
        return True

    def on_synced(self, outcome: object) -> None:
        assert isinstance(outcome, SyncOutcome)
        self.running = False
        self.failures = 0
        self.revoked = False
        self.sig_running.emit(False)
        self.on_status(outcome.status)
        self.sig_synced.emit(outcome)
        self._schedule(self.interval_seconds)

    def on_sync_failed(self, exc: BaseException) -> None:
        self.running = False
        self.sig_running.emit(False)
        if isinstance(exc, DeviceRevokedError):
            self.revoked = True
            self.timer.stop()
        elif retry_later(exc):
            self.failures += 1
            self._schedule(retry_delay(self.failures, self.interval_seconds, self._rng))
        elif not isinstance(exc, NotEnrolledError):
            self.failures += 1
            self._schedule(self.interval_seconds)
        self.sig_failed.emit(user_message(exc))
        self.refresh()

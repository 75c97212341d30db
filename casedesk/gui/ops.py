"""Run service calls off the UI thread; deliver the result and a `Changes` value back on the UI thread.

    ops.run(lambda: slow_call(), changes=Changes.of("progress_note", clients={cid}), on_done=show)

The worker thread never touches a widget: it only runs the callable. Its outcome travels through a
queued signal to `OpRunner`, which lives in the UI thread, calls `on_done`/`on_error` there and then
emits `sig_changed(Changes)` so panes can refresh only what changed.

Ops submitted with ``serial=True`` run one at a time in submission order (autosaves use this, so an
older draft can never overwrite a newer one).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from casedesk.errors import CaseDeskError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    """What an operation changed: table names, record ids and the clients whose views are affected."""

    tables: frozenset[str] = field(default_factory=frozenset)
    ids: frozenset[str] = field(default_factory=frozenset)
    clients: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *tables: str, ids: Iterable[str] = (), clients: Iterable[str | None] = ()) -> Changes:
        return cls(frozenset(tables), frozenset(ids), frozenset(c for c in clients if c))

    def touches(self, *tables: str) -> bool:
        return bool(self.tables.intersection(tables))

    def __bool__(self) -> bool:
        return bool(self.tables or self.ids or self.clients)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables, self.ids | other.ids, self.clients | other.clients)


NO_CHANGES = Changes()


def user_message(exc: BaseException) -> str:
    """The sentence to show for a failed op. Unexpected errors are summarised (messages may hold data)."""
    if isinstance(exc, CaseDeskError):
        return str(exc)
    return (
        f"Something went wrong ({type(exc).__name__}). Nothing was changed by the failed step; "
        "details without client data are in the CaseDesk log file."
    )


class _Relay(QObject):
    """Lives in the UI thread; the worker emits through it, so delivery is queued to the UI thread."""

    sig_finished = Signal(int, object)
    sig_failed = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._job_id = job_id
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:
            self._relay.sig_failed.emit(self._job_id, exc)
        else:
            self._relay.sig_finished.emit(self._job_id, result)


@dataclass
class _Pending:
    changes: Changes | Callable[[Any], Changes]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class OpRunner(QObject):
    sig_changed = Signal(object)  # Changes
    sig_failed = Signal(str)  # message for ops without their own error handler
    sig_busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._serial_pool = QThreadPool(self)
        self._serial_pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.sig_finished.connect(self.on_job_finished)
        self._relay.sig_failed.connect(self.on_job_failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        fn: Callable[[], T],
        *,
        changes: Changes | Callable[[T], Changes] = NO_CHANGES,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        serial: bool = False,
    ) -> int:
        job_id = next(self._ids)
        was_busy = self.busy
        self._pending[job_id] = _Pending(changes, on_done, on_error)
        (self._serial_pool if serial else self._pool).start(_Job(job_id, fn, self._relay))
        if not was_busy:
            self.sig_busy_changed.emit(True)
        return job_id

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every running op has finished its work (results are still delivered later)."""
        return self._serial_pool.waitForDone(msecs) and self._pool.waitForDone(msecs)

    def drop_pending(self) -> None:
        """Forget the callbacks of ops still in flight (used when locking: their results are not shown)."""
        self._pending.clear()
        self.sig_busy_changed.emit(False)

    def _finish(self, job_id: int) -> _Pending | None:
        pending = self._pending.pop(job_id, None)
        if pending is not None and not self._pending:
            self.sig_busy_changed.emit(False)
        return pending

    @Slot(int, object)
    def on_job_finished(self, job_id: int, result: object) -> None:
        pending = self._finish(job_id)
        if pending is None:
            return
        if pending.on_done is not None:
            pending.on_done(result)
        changes = pending.changes(result) if callable(pending.changes) else pending.changes
        if changes:
            self.sig_changed.emit(changes)

    @Slot(int, object)
    def on_job_failed(self, job_id: int, exc: object) -> None:
        pending = self._finish(job_id)
        if pending is None:
            return
        assert isinstance(exc, BaseException)
        if not isinstance(exc, CaseDeskError):
            log.error("background operation failed: %s", type(exc).__name__)
        if pending.on_error is not None:
            pending.on_error(exc)
        else:
            self.sig_failed.emit(user_message(exc))

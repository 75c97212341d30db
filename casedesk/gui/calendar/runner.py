"""Running calendar work off the UI thread.

The calendar widgets take a *source*: either an unlocked ``Store`` (wrapped here in a ``StoreRunner``)
or the main window's application context, which offers the same ``submit`` call. Either way a unit
of work ``work(session)`` runs in a pool thread inside one session, and its result (or error) comes
back on the UI thread through a queued signal. No widget is touched from a worker thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from sqlalchemy.orm import Session

from casedesk.db.store import Store
from casedesk.errors import CaseDeskError
from casedesk.gui.ops import _Job, _Relay, user_message

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["StoreRunner", "WorkSource", "as_source", "user_message"]


class WorkSource(Protocol):
    """What the calendar needs from its source: run ``work(session)`` off the UI thread."""

    def submit(
        self,
        work: Callable[[Session], Any],
        *,
        write: bool = False,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int: ...


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class StoreRunner(QObject):
    """``submit(work)`` over a Store: reads in a read session, writes (``write=True``) in a write
    session, one at a time (so two edits never race)."""

    sig_failed = Signal(str)  # message for work submitted without its own error handler

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(2)
        self._writers = QThreadPool(self)
        self._writers.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.sig_finished.connect(self.on_finished)
        self._relay.sig_failed.connect(self.on_failed)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}

    def submit(
        self,
        work: Callable[[Session], Any],
        *,
        write: bool = False,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        store = self.store
        job_id = next(self._ids)
        self._pending[job_id] = _Pending(on_done, on_error)

        def job() -> Any:
            with store.session() if write else store.read_session() as session:
                return work(session)

        (self._writers if write else self._readers).start(_Job(job_id, job, self._relay))
        return job_id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until submitted work has run (results are still delivered through the event loop)."""
        return self._writers.waitForDone(msecs) and self._readers.waitForDone(msecs)

    def drop_pending(self) -> None:
        """Forget callbacks of work still running (after a lock their results must not be shown)."""
        self._pending.clear()

    @Slot(int, object)
    def on_finished(self, job_id: int, result: object) -> None:
        pending = self._pending.pop(job_id, None)
        if pending is not None and pending.on_done is not None:
            pending.on_done(result)

    @Slot(int, object)
    def on_failed(self, job_id: int, exc: object) -> None:
        pending = self._pending.pop(job_id, None)
        if pending is None:
            return
        assert isinstance(exc, BaseException)
        if not isinstance(exc, CaseDeskError):
            log.error("calendar work failed: %s", type(exc).__name__)
        if pending.on_error is not None:
            pending.on_error(exc)
        else:
            self.sig_failed.emit(user_message(exc))


def as_source(source: Store | WorkSource, parent: QObject | None = None) -> WorkSource:
    """A Store wrapped in a StoreRunner; anything else with ``submit`` is used as it is."""
    if isinstance(source, Store):
        return StoreRunner(source, parent)
    return source

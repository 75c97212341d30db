"""The open profile as the window sees it: the store (None while locked), the op runner, lock signals.

Widgets never hold the store: they ask the context to run a unit of work, so after a lock and unlock
they transparently use the newly opened store.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from casedesk.errors import CaseDeskError
from casedesk.gui.ops import NO_CHANGES, Changes, OpRunner

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from casedesk.db.store import Store
    from casedesk.gui.notes.spelling import SpellingSupport
    from casedesk.services.deadlines import SharedDueDigest

T = TypeVar("T")


class LockedError(CaseDeskError):
    """The profile is locked: nothing can be read or written until it is unlocked."""


class AppContext(QObject):
    sig_about_to_lock = Signal()  # save drafts now: the store closes right after
    sig_locked = Signal()
    sig_unlocked = Signal()
    sig_changed = Signal(object)  # Changes

    def __init__(self, data_dir: Path, *, demo: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.demo = demo
        self.store: Store | None = None
        self.ops = OpRunner(self)
        self.ops.sig_changed.connect(self.sig_changed)
        # The digest of the whole caseload's open due items, computed once for every pane that wants it at the
        # same time (services.deadlines.SharedDueDigest); made at unlock, forgotten at lock.
        self._shared_due: SharedDueDigest | None = None
        self.sig_changed.connect(self._on_changed)
        self._spelling: SpellingSupport | None = None

    @property
    def spelling(self) -> SpellingSupport:
        """The spell-checking dictionary the note editors share (gui/notes/spelling.py)."""
        if self._spelling is None:
            from casedesk.gui.notes.spelling import SpellingSupport

            self._spelling = SpellingSupport(self)
        return self._spelling

    # ---- state ---------------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return self.store is None

    def require_store(self) -> Store:
        if self.store is None:
            raise LockedError("CaseDesk is locked. Unlock it to continue.")
        return self.store

    def attach(self, store: Store) -> None:
        """Take an unlocked store (from the unlock form or the first-run wizard)."""
        from casedesk.services.deadlines import SharedDueDigest

        self.store = store
        self._shared_due = SharedDueDigest()
        self.sig_unlocked.emit()

    def _on_changed(self, _changes: object) -> None:
        if self._shared_due is not None:
            self._shared_due.invalidate()

    def lock(self) -> None:
        """Save what editors hold, finish running ops, close the store (dropping the key)."""
        if self.store is None:
            return
        self.sig_about_to_lock.emit()
        self.ops.wait()
        self.ops.drop_pending()
        store, self.store = self.store, None
        self._shared_due = None
        from casedesk.services.workspace import record_lock

        try:
            with store.session() as s:
                record_lock(s, locked=True)
        finally:
            store.close()
        self.sig_locked.emit()

    def shutdown(self) -> None:
        """Quit: like lock, without the lock audit event."""
        if self.store is None:
            return
        self.sig_about_to_lock.emit()
        self.ops.wait()
        self.ops.drop_pending()
        store, self.store = self.store, None
        self._shared_due = None
        store.close()

    # ---- units of work -------------------------------------------------------------------------------

    def submit(
        self,
        work: Callable[[Session], T],
        *,
        write: bool = False,
        changes: Changes | Callable[[T], Changes] = NO_CHANGES,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        serial: bool = False,
    ) -> int:
        """Run `work(session)` in one unit of work off the UI thread."""
        store = self.require_store()
        shared_due = self._shared_due

        def job() -> T:
            with store.session() if write else store.read_session() as s:
                if shared_due is not None:
                    s.info["shared_due_digest"] = shared_due  # services.deadlines.SHARED_DUE_DIGEST
                return work(s)

        return self.ops.run(job, changes=changes, on_done=on_done, on_error=on_error, serial=serial)

    def run_now(self, work: Callable[[Session], T], *, write: bool = False) -> T:
        """Run a short unit of work on the UI thread (for saves that must finish before a close or lock)."""
        store = self.require_store()
        with store.session() if write else store.read_session() as s:
            return work(s)

    def notify(self, changes: Changes) -> None:
        """Tell panes about a change made with run_now."""
        if changes:
            self.sig_changed.emit(changes)

    def worker_name(self) -> str:
        store = self.require_store()

        def name(s: Session) -> Any:
            return store.current_worker(s).name

        return str(self.run_now(name))

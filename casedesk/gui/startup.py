"""Starting with a passphrase remembered in the keychain: the main window paints first, the store opens
behind it.

With nothing to type there is no unlock screen to load the rest behind, and SQLAlchemy, the models and
the services take about half a second to import. So the caseload is read through a plain SQLCipher
connection (services.caseload_preview), the main window paints it with every action off, and once it
has painted the store opens in the background (importing what the rest of the window needs on the way).
Then the window fills in the due column, the Today dashboard and the status bar as after any unlock. If
the store does not open, no client data stays on screen: the window locks and says why.

Closing the window while the store is still opening closes the store again (a clean exit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer

from casedesk.db.profile import ProfilePaths
from casedesk.errors import CaseDeskError
from casedesk.gui.context import AppContext
from casedesk.gui.warmup import WINDOW_EXTRAS_MODULES, after_first_paint, import_quietly
from casedesk.services.caseload_preview import read_preview

if TYPE_CHECKING:
    from casedesk.db.store import Store
    from casedesk.gui.main_window import MainWindow

# Should the window never paint (started minimised, say), the store opens anyway after this long.
OPEN_AT_LATEST_MS = 1500


def remembered_kek(data_dir: Path) -> bytes | None:
    """The key kept in this computer's keychain for the profile, if any."""
    from casedesk.vault import keychain
    from casedesk.vault.keyfile import KeyFile

    try:
        profile_id = KeyFile.load(ProfilePaths(data_dir).key_file).profile_id
    except CaseDeskError:
        return None
    return keychain.recall(profile_id)


def open_with_preview(context: AppContext, prefs: QSettings, kek: bytes) -> MainWindow | None:
    """The main window showing the stored caseload, its store opening once it has painted. None when the
    caseload could not be read that way: then the unlock screen tries the key as usual and reports."""
    preview = read_preview(context.data_dir, kek)
    if preview is None:
        return None
    from casedesk.gui.main_window import MainWindow

    window = MainWindow(context, prefs, preview=preview)
    opening = StoreOpening(context, kek)
    window.sig_closing.connect(opening.cancel)
    started = False

    def start() -> None:
        nonlocal started
        if not started:
            started = True
            opening.start(window.on_store_opened, window.on_store_failed)

    # Qt paints a window and its children in one pass: the zero timer starts the open once it is done.
    after_first_paint(window, lambda: QTimer.singleShot(0, window, start))
    QTimer.singleShot(OPEN_AT_LATEST_MS, window, start)
    return window


class StoreOpening:
    """Opens the store in a worker thread and hands it to the window, unless the window closed first."""

    def __init__(self, context: AppContext, kek: bytes) -> None:
        self._context = context
        self._kek: bytes | None = kek  # dropped once the open has run
        self._lock = threading.Lock()
        self._cancelled = False
        self._opened: Store | None = None  # opened, not yet handed over

    def start(self, on_opened: Callable[[Store], None], on_failed: Callable[[BaseException], None]) -> None:
        with self._lock:
            if self._cancelled:
                return
        data_dir = self._context.data_dir

        def deliver(store: Store | None) -> None:
            with self._lock:
                if self._cancelled or store is None:
                    return
                self._opened = None
            on_opened(store)

        def failed(exc: BaseException) -> None:
            if not self._cancelled:  # a window already closed has nothing to show
                on_failed(exc)

        self._context.ops.run(lambda: self._open(data_dir), on_done=deliver, on_error=failed)

    def _open(self, data_dir: Path) -> Store | None:
        """Runs in a worker thread."""
        from casedesk.db.store import Store

        kek, self._kek = self._kek, None  # not kept once used: a lock must leave no key behind
        if kek is None:
            return None
        store = Store.open(data_dir, kek=kek)
        import_quietly(WINDOW_EXTRAS_MODULES)  # what the window installs next, loaded off the UI thread
        with self._lock:
            if not self._cancelled:
                self._opened = store
                return store
        store.close()
        return None

    def cancel(self) -> None:
        """The window is closing: wait for the open to finish and close a store nobody took."""
        with self._lock:
            self._cancelled = True
        self._context.ops.wait()
        with self._lock:
            store, self._opened = self._opened, None
        if store is not None:
            store.close()

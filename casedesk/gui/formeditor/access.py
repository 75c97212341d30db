"""How the form widgets reach the profile: an open Store, or a callable that returns the current one.

The main window passes ``AppContext.require_store`` so the widgets survive a lock and unlock (the store
is closed and reopened) and raise the context's "CaseDesk is locked" error while it is locked.
"""

from __future__ import annotations

from collections.abc import Callable

from casedesk.db.store import Store

StoreSource = Store | Callable[[], Store]


def store_getter(source: StoreSource) -> Callable[[], Store]:
    if isinstance(source, Store):
        return lambda: source
    return source

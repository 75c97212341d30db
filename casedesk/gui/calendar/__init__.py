"""Calendar pane (month, week, agenda), the Today dashboard and reminders.

    from casedesk.gui.calendar import CalendarPane, TodayDashboard, Reminders

Each takes an unlocked ``Store`` or the application context (anything with
``submit(work, write=..., on_done=..., on_error=...)``) and a parent. See each class for its signals.

The widgets are imported on first use, so the Qt-free parts of this package (``layout``, ``data``,
``reminder_rules``) load, and are tested, without Qt.
"""

from __future__ import annotations

import importlib
from typing import Any

_WIDGETS = {
    "CalendarPane": "casedesk.gui.calendar.pane",
    "TodayDashboard": "casedesk.gui.calendar.today",
    "Reminders": "casedesk.gui.calendar.reminders",
}

__all__ = ["CalendarPane", "Reminders", "TodayDashboard"]


def __getattr__(name: str) -> Any:
    module = _WIDGETS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

"""Calendar pane (month, week, agenda), the Today dashboard and reminders.

    from casedesk.gui.calendar import CalendarPane, TodayDashboard, Reminders

Each takes an unlocked ``Store`` or the application context (anything with
``submit(work, write=..., on_done=..., on_error=...)``) and a parent. See each class for its signals.
"""

from casedesk.gui.calendar.pane import CalendarPane
from casedesk.gui.calendar.reminders import Reminders
from casedesk.gui.calendar.today import TodayDashboard

__all__ = ["CalendarPane", "Reminders", "TodayDashboard"]

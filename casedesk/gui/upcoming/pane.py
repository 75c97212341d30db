"""Upcoming visits: the next two weeks of planned appointments, read from the profile.

A compact list beside the caseload; the calendar pane has the month, week and agenda views.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from casedesk.gui.caseload.sections import IdRole, add_row, make_tree
from casedesk.gui.context import AppContext
from casedesk.gui.ops import Changes

if TYPE_CHECKING:  # the services load after the main window's first paint (gui/startup.py)
    from sqlalchemy.orm import Session

    from casedesk.services.appointments import VisitInfo

DAYS = 14


class UpcomingPane(QWidget):
    client_activated = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("upcoming_pane")
        self._context = context
        self._client_ids: list[str | None] = []
        self.caption = QLabel(f"Planned visits in the next {DAYS} days (the Calendar view shows them all).")
        self.caption.setWordWrap(True)
        self.view, self.model = make_tree("Upcoming visits", ("When", "Client", "Kind", "Where"))
        self.view.activated.connect(self.on_activated)
        self.view.doubleClicked.connect(self.on_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)

    def load(self) -> None:
        from casedesk.services.appointments import upcoming

        def fetch(s: Session) -> list[VisitInfo]:
            return upcoming(s, dt.datetime.now(dt.UTC), days=DAYS)

        self._context.submit(fetch, on_done=self.on_loaded)

    def on_loaded(self, visits: object) -> None:
        assert isinstance(visits, list)
        self.model.removeRows(0, self.model.rowCount())
        for v in visits:
            when = v.starts_at.astimezone().strftime("%a %b %d, %H:%M").replace(" 0", " ")
            add_row(self.model, (when, v.client_name or "", v.kind_label, v.location or ""), v.client_id)
        if not visits:
            add_row(self.model, ("No visits planned in the next two weeks.", "", "", ""))

    def clear(self) -> None:
        self.model.removeRows(0, self.model.rowCount())

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if not self._context.is_locked and changes.touches("appointment", "client"):
            self.load()

    def on_activated(self, index: QModelIndex) -> None:
        client_id = self.model.item(index.row(), 0).data(IdRole)
        if client_id:
            self.client_activated.emit(str(client_id))




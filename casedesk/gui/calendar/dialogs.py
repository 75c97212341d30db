"""The appointment dialog (new or edit) and the "which visits?" question for repeating ones.

Both are opened without blocking (``open()``): the pane reacts to ``finished``. The dialog only
collects values; the pane hands them to casedesk.services.calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from casedesk.scheduling.rrule import (
    WEEKDAY_CODES,
    WEEKDAY_NAMES,
    RecurrenceError,
    monthly_nth_weekday_rule,
    parse_rrule,
    weekly_rule,
)
from casedesk.services.calendar import KIND_LABELS, STATUS_LABELS, CalendarEvent, ClientChoice, Scope

ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
REPEAT_NONE, REPEAT_WEEKLY, REPEAT_BIWEEKLY, REPEAT_MONTHLY, REPEAT_KEEP = (
    "none",
    "weekly",
    "biweekly",
    "monthly",
    "keep",
)


def nth_weekday(day: dt.date) -> int:
    """Which weekday of its month ``day`` is: 1-4, or -1 when it is the last one (a fifth Tuesday
    repeats as "the last Tuesday")."""
    nth = (day.day - 1) // 7 + 1
    if nth >= 4 and (day + dt.timedelta(days=7)).month != day.month:
        return -1 if nth == 5 else 4
    return nth


class AppointmentDialog(QDialog):
    """New or edit. After ``accepted``: ``values()`` are the fields; ``action`` is "save", or what an
    extra button asked for ("write_note", "done", "delete")."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        zone: str,
        clients: Sequence[ClientChoice],
        start: dt.datetime,
        end: dt.datetime,
        event: CalendarEvent | None = None,
    ) -> None:
        super().__init__(parent)
        self.zone = ZoneInfo(zone)
        self.edited = event
        self.action = "save"
        self._clients = list(clients)
        self.setObjectName("appointment_dialog")
        self.setWindowTitle("Edit appointment" if event is not None else "New appointment")
        self.setAccessibleName(self.windowTitle())

        self.kind = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind)
        self.client = QComboBox()
        self.client.setEditable(True)
        self.client.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client.addItem("(no client)", None)
        for choice in self._clients:
            self.client.addItem(choice.name, choice.id)
        completer = self.client.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.client.setAccessibleName("Client")
        self.title = QLineEdit()
        self.title.setPlaceholderText("Optional: shown instead of the kind and the client")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.location = QLineEdit()
        self.location.setPlaceholderText("Address, office room or phone number")
        self.status = QComboBox()
        for status, label in STATUS_LABELS.items():
            self.status.addItem(label, status)
        self.repeat = QComboBox()
        self.repeat.setAccessibleName("Repeat")
        self.weekdays = [QCheckBox(name[:3]) for name in WEEKDAY_NAMES]
        days_row = QHBoxLayout()
        for box in self.weekdays:
            box.setAccessibleName(f"Repeat on {box.text()}")
            days_row.addWidget(box)
        self.days_widget = QWidget()
        self.days_widget.setLayout(days_row)
        days_row.setContentsMargins(0, 0, 0, 0)
        self.count = QSpinBox()
        self.count.setRange(0, 500)
        self.count.setSpecialValueText("no end")
        self.count.setSuffix(" visits")
        self.count.setAccessibleName("Number of visits (0: no end)")
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("Notes for yourself (not the progress note)")
        self.description.setFixedHeight(70)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Kind", self.kind)
        form.addRow("C&lient", self.client)
        form.addRow("&Title", self.title)
        when = QHBoxLayout()
        when.addWidget(self.date)
        when.addWidget(self.time)
        when.addWidget(self.duration)
        form.addRow("&When", when)
        form.addRow("L&ocation", self.location)
        form.addRow("&Status", self.status)
        form.addRow("&Repeat", self.repeat)
        form.addRow("", self.days_widget)
        form.addRow("Ends after", self.count)
        form.addRow("&Description", self.description)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.on_save)
        buttons.rejected.connect(self.reject)
        self.extra: dict[str, QPushButton] = {}
        if event is not None:
            for action, label in (("write_note", "Write &note"), ("done", "Mark &done"), ("delete", "De&lete…")):
                button = buttons.addButton(label, QDialogButtonBox.ButtonRole.ActionRole)
                button.clicked.connect(lambda _=False, a=action: self._finish_with(a))
                self.extra[action] = button
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self._fill(start, end, event)
        self.date.dateChanged.connect(self._refresh_repeat_labels)
        self.repeat.currentIndexChanged.connect(self._refresh_repeat_widgets)
        self.client.currentIndexChanged.connect(self._on_client_changed)
        self._refresh_repeat_widgets()

    # -- filling -------------------------------------------------------------------------------

    def _fill(self, start: dt.datetime, end: dt.datetime, event: CalendarEvent | None) -> None:
        local = start.astimezone(self.zone)
        self.date.setDate(QDate(local.year, local.month, local.day))
        self.time.setTime(QTime(local.hour, local.minute))
        self.duration.setValue(int((end - start).total_seconds() // 60))
        self._rule_text: str | None = None
        self._refresh_repeat_labels()
        if event is None:
            return
        self.kind.setCurrentIndex(max(0, self.kind.findData(event.kind)))
        self.client.setCurrentIndex(max(0, self.client.findData(event.client_id)) if event.client_id else 0)
        self.title.setText(event.title or "")
        self.location.setText(event.location or "")
        self.status.setCurrentIndex(max(0, self.status.findData(event.status)))
        self.description.setPlainText(event.description or "")
        if event.rrule:
            self._rule_text = event.rrule
            self._refresh_repeat_labels()
            self.repeat.setCurrentIndex(self.repeat.findData(REPEAT_KEEP))

    def _refresh_repeat_labels(self) -> None:
        day = self.date.date().toPython()
        assert isinstance(day, dt.date)
        current = self.repeat.currentData()
        self.repeat.blockSignals(True)
        self.repeat.clear()
        self.repeat.addItem("Does not repeat", REPEAT_NONE)
        self.repeat.addItem("Every week on…", REPEAT_WEEKLY)
        self.repeat.addItem("Every 2 weeks on…", REPEAT_BIWEEKLY)
        nth = nth_weekday(day)
        self.repeat.addItem(f"Every month on the {ORDINALS[nth]} {WEEKDAY_NAMES[day.weekday()]}", REPEAT_MONTHLY)
        if self._rule_text:
            from casedesk.scheduling.rrule import describe_rrule

            try:
                text = describe_rrule(self._rule_text, self.zone)
            except RecurrenceError:
                text = "Current repeat"
            self.repeat.addItem(f"Keep: {text}", REPEAT_KEEP)
        index = self.repeat.findData(current)
        self.repeat.setCurrentIndex(max(0, index))
        self.repeat.blockSignals(False)
        if not any(box.isChecked() for box in self.weekdays):
            self.weekdays[day.weekday()].setChecked(True)
        self._refresh_repeat_widgets()

    def _refresh_repeat_widgets(self) -> None:
        mode = self.repeat.currentData()
        self.days_widget.setVisible(mode in (REPEAT_WEEKLY, REPEAT_BIWEEKLY))
        self.count.setEnabled(mode in (REPEAT_WEEKLY, REPEAT_BIWEEKLY, REPEAT_MONTHLY))

    def _on_client_changed(self) -> None:
        client_id = self.client.currentData()
        if self.location.text().strip() or client_id is None or self.kind.currentData() != "home_visit":
            return
        address = next((c.address for c in self._clients if c.id == client_id), None)
        if address:
            self.location.setText(address)

    # -- reading -------------------------------------------------------------------------------

    def set_repeat(self, mode: str, days: Sequence[int] = (), count: int = 0) -> None:
        """Choose a repeat (``mode`` one of none/weekly/biweekly/monthly/keep; ``days`` Monday = 0)."""
        self.repeat.setCurrentIndex(self.repeat.findData(mode))
        if days:
            for index, box in enumerate(self.weekdays):
                box.setChecked(index in days)
        self.count.setValue(count)

    def set_client(self, client_id: str | None) -> None:
        self.client.setCurrentIndex(max(0, self.client.findData(client_id)) if client_id else 0)

    def start(self) -> dt.datetime:
        day = self.date.date().toPython()
        when = self.time.time()
        assert isinstance(day, dt.date)
        return dt.datetime(day.year, day.month, day.day, when.hour(), when.minute(), tzinfo=self.zone)

    def rule(self) -> str | None:
        """The RRULE chosen, None for no repeat; raises RecurrenceError with a readable message."""
        mode = self.repeat.currentData()
        count = self.count.value() or None
        start = self.start()
        if mode == REPEAT_NONE:
            return None
        if mode == REPEAT_KEEP:
            return self._rule_text
        if mode in (REPEAT_WEEKLY, REPEAT_BIWEEKLY):
            days = [WEEKDAY_CODES[i] for i, box in enumerate(self.weekdays) if box.isChecked()]
            return weekly_rule(days, interval=2 if mode == REPEAT_BIWEEKLY else 1, count=count)
        return monthly_nth_weekday_rule(nth_weekday(start.date()), start.weekday(), count=count)

    def values(self) -> dict[str, Any]:
        """The dialog's fields as appointment values (start and end are aware datetimes)."""
        start = self.start()
        client_text = self.client.currentText().strip()
        client_id = self.client.currentData()
        if client_id is not None and client_text != self.client.itemText(self.client.currentIndex()):
            client_id = None
        return {
            "kind": self.kind.currentData(),
            "client_id": client_id,
            "title": self.title.text().strip() or None,
            "start": start,
            "end": start + dt.timedelta(minutes=self.duration.value()),
            "location": self.location.text().strip() or None,
            "status": self.status.currentData(),
            "rrule": self.rule(),
            "description": self.description.toPlainText().strip() or None,
        }

    def changes(self) -> dict[str, Any]:
        """Only the values that differ from the edited event (all of them for a new one)."""
        values = self.values()
        event = self.edited
        if event is None:
            return values
        current = {
            "kind": event.kind,
            "client_id": event.client_id,
            "title": event.title,
            "start": event.start,
            "end": event.end,
            "location": event.location,
            "status": event.status,
            "rrule": event.rrule,
            "description": event.description,
        }
        changed = {key: value for key, value in values.items() if current[key] != value}
        if "rrule" in changed and changed["rrule"] is not None and event.rrule is not None:
            try:
                if parse_rrule(changed["rrule"]).to_string() == parse_rrule(event.rrule).to_string():
                    del changed["rrule"]
            except RecurrenceError:
                pass
        return changed

    def on_save(self) -> None:
        try:
            self.values()
        except RecurrenceError as exc:
            self.error.setText(str(exc))
            return
        if self.client.currentText().strip() and self.client.currentData() is None and self.client.currentIndex() != 0:
            self.error.setText("Choose a client from the list, or (no client).")
            return
        self.action = "save"
        self.accept()

    def _finish_with(self, action: str) -> None:
        self.action = action
        self.accept()


SCOPE_LABELS: dict[str, str] = {
    "this": "Only this visit",
    "future": "This and following visits",
    "all": "All visits",
}


def ask_scope(parent: QWidget, verb: str, then: Callable[[Scope], None]) -> QMessageBox:
    """Ask which visits of a repeating appointment to ``verb`` ("change", "move", "delete"); calls
    ``then(scope)`` with the answer (nothing when cancelled). Returns the (open) question box."""
    box = QMessageBox(parent)
    box.setObjectName("scope_question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Repeating appointment")
    box.setText(f"This visit repeats. Which visits do you want to {verb}?")
    buttons = {}
    for scope, label in SCOPE_LABELS.items():
        buttons[scope] = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(buttons["this"])

    def on_clicked(button: object) -> None:
        for scope, candidate in buttons.items():
            if candidate is button:
                then(scope)  # type: ignore[arg-type]

    box.buttonClicked.connect(on_clicked)
    box.open()
    return box

"""Service plan section: goals in plan order; add, edit, reorder, mark met (through services.plans)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.gui.caseload.sections import esc, fmt_date
from casedesk.services import plans
from casedesk.services.clients import GoalInfo, PlanInfo

GoalIdRole = Qt.ItemDataRole.UserRole + 1
STATUS_LABELS = {"active": "Active", "met": "Met", "changed": "Changed", "discontinued": "Discontinued"}


class GoalDialog(QDialog):
    def __init__(self, goal: GoalInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit goal" if goal else "Add goal")
        self.setAccessibleName(self.windowTitle())
        self.text_edit = QPlainTextEdit(goal.text if goal else "")
        self.text_edit.setAccessibleName("Goal")
        self.objective_edit = QLineEdit(goal.objective or "" if goal else "")
        self.objective_edit.setAccessibleName("Objective")
        self.measure_edit = QLineEdit(goal.measure or "" if goal else "")
        self.measure_edit.setAccessibleName("Measure")
        self.has_target = QCheckBox("Target date:")
        self.has_target.setAccessibleName("Has a target date")
        self.target_edit = QDateEdit()
        self.target_edit.setCalendarPopup(True)
        self.target_edit.setAccessibleName("Target date")
        target = goal.target_date if goal else None
        self.has_target.setChecked(target is not None)
        self.target_edit.setEnabled(target is not None)
        when = target or dt.date.today()
        self.target_edit.setDate(QDate(when.year, when.month, when.day))
        self.has_target.toggled.connect(self.target_edit.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(bool(self.text_edit.toPlainText().strip()))
        self.text_edit.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.text_edit.toPlainText().strip()))
        )
        form = QFormLayout()
        form.addRow("&Goal:", self.text_edit)
        form.addRow("&Objective:", self.objective_edit)
        form.addRow("&Measure:", self.measure_edit)
        form.addRow(self.has_target, self.target_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, object]:
        qd = self.target_edit.date()
        return {
            "text": self.text_edit.toPlainText().strip(),
            "objective": self.objective_edit.text().strip() or None,
            "measure": self.measure_edit.text().strip() or None,
            "target_date": dt.date(qd.year(), qd.month(), qd.day()) if self.has_target.isChecked() else None,
        }


class PlanSection(QWidget):
    """Shows the active plan's goals. Every change goes through `sig_change_requested(work, description)`."""

    sig_change_requested = Signal(object, str)  # callable(Session) -> None, what it does

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plan: PlanInfo | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Service plan")
        self.model = QStandardItemModel(self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setAccessibleName("Plan goals")
        self.view.setWordWrap(True)
        self.view.setAlternatingRowColors(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.activated.connect(self.on_edit)
        self.add_button = QPushButton("&Add goal…")
        self.edit_button = QPushButton("&Edit…")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        self.met_button = QPushButton("Mark &met")
        for button, name in (
            (self.add_button, "Add goal"),
            (self.edit_button, "Edit the selected goal"),
            (self.up_button, "Move the selected goal up"),
            (self.down_button, "Move the selected goal down"),
            (self.met_button, "Mark the selected goal met"),
        ):
            button.setAccessibleName(name)
        self.add_button.clicked.connect(self.on_add)
        self.edit_button.clicked.connect(lambda: self.on_edit(self.view.currentIndex()))
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.met_button.clicked.connect(self.on_mark_met)
        buttons = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.met_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.view, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)
        self.view.selectionModel().currentChanged.connect(self.update_buttons)
        self.update_buttons()

    @property
    def goals(self) -> tuple[GoalInfo, ...]:
        return self._plan.goals if self._plan else ()

    def show_plan(self, plan: PlanInfo | None) -> None:
        selected = self.selected_goal()
        self._plan = plan
        self.model.clear()
        if plan is None:
            self.heading.setText("This client has no service plan yet.")
            self.update_buttons()
            return
        self.heading.setText(
            f"<b>{esc(plan.title)}</b> — {esc(fmt_date(plan.effective_from))} to {esc(fmt_date(plan.effective_to))},"
            f" review due {esc(fmt_date(plan.review_due))}"
        )
        for goal in plan.goals:
            status = STATUS_LABELS.get(goal.status, goal.status)
            if goal.status == "met" and goal.met_on:
                status += f" {fmt_date(goal.met_on)}"
            lines = [f"{goal.position}. {goal.text}  [{status}]"]
            if goal.objective:
                lines.append(f"    Objective: {goal.objective}")
            if goal.target_date:
                lines.append(f"    Target: {fmt_date(goal.target_date)}")
            item = QStandardItem("\n".join(lines))
            item.setData(goal.id, GoalIdRole)
            item.setData(f"Goal {goal.position}: {goal.text}, {status}", Qt.ItemDataRole.AccessibleTextRole)
            self.model.appendRow(item)
        if selected is not None:
            self.select_goal(selected.id)
        self.update_buttons()

    def selected_goal(self) -> GoalInfo | None:
        index = self.view.currentIndex()
        if not index.isValid() or self._plan is None:
            return None
        goal_id = index.data(GoalIdRole)
        return next((g for g in self._plan.goals if g.id == goal_id), None)

    def select_goal(self, goal_id: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row).data(GoalIdRole) == goal_id:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def update_buttons(self, *_args: object) -> None:
        goal = self.selected_goal()
        has_plan = self._plan is not None
        row = self.view.currentIndex().row()
        self.add_button.setEnabled(has_plan)
        self.edit_button.setEnabled(goal is not None)
        self.met_button.setEnabled(goal is not None and goal.status != "met")
        self.up_button.setEnabled(goal is not None and row > 0)
        self.down_button.setEnabled(goal is not None and row < self.model.rowCount() - 1)

    # ---- actions --------------------------------------------------------------------------------------

    def _request(self, work: Callable[[Session], object], what: str) -> None:
        self.sig_change_requested.emit(work, what)

    def on_add(self) -> None:
        plan = self._plan
        if plan is None:
            return
        dialog = GoalDialog(None, self)
        dialog.accepted.connect(lambda: self._add(plan.id, dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _add(self, plan_id: str, values: dict[str, object]) -> None:
        text = str(values.pop("text"))
        self._request(lambda s: plans.add_goal(s, plan_id, text, **values), "goal added")

    def on_edit(self, index: QModelIndex) -> None:
        goal = self.selected_goal() if index.isValid() else None
        if goal is None:
            return
        dialog = GoalDialog(goal, self)
        dialog.accepted.connect(lambda: self.edit_goal(goal.id, dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def edit_goal(self, goal_id: str, values: dict[str, object]) -> None:
        self._request(lambda s: plans.update_goal(s, goal_id, **values), "goal changed")

    def move_selected(self, step: int) -> None:
        goal = self.selected_goal()
        if goal is None or self._plan is None:
            return
        order = [g.id for g in self._plan.goals]
        i = order.index(goal.id)
        j = i + step
        if not 0 <= j < len(order):
            return
        order[i], order[j] = order[j], order[i]
        plan_id = self._plan.id
        self._request(lambda s: plans.reorder_goals(s, plan_id, order), "goals reordered")

    def on_mark_met(self) -> None:
        goal = self.selected_goal()
        if goal is None:
            return
        goal_id = goal.id
        self._request(lambda s: plans.mark_goal_met(s, goal_id), "goal marked met")

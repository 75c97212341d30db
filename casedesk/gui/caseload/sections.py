"""Read-only sections of a client's workspace: overview, contacts and guardians, agencies, notes, reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from casedesk.domain.notes import CONTACT_TYPES

if TYPE_CHECKING:  # data types only: the sections' helpers also serve panes painted before the services load
    from casedesk.services.clients import AgencyLink, ContactInfo
    from casedesk.services.notes import NoteSummary
    from casedesk.services.workspace import ReportSummary, WorkspaceData

IdRole = Qt.ItemDataRole.UserRole + 1


def esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%b %d, %Y").replace(" 0", " ") if value else "—"


def fmt_when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%a %b %d, %Y %H:%M").replace(" 0", " ") if value else "—"


def make_tree(accessible_name: str, headers: Sequence[str]) -> tuple[QTreeView, QStandardItemModel]:
    view = QTreeView()
    model = QStandardItemModel(0, len(headers), view)  # owned by the view: destroyed with it
    model.setHorizontalHeaderLabels(list(headers))
    view.setModel(model)
    view.setAccessibleName(accessible_name)
    view.setRootIsDecorated(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.header().setStretchLastSection(True)
    return view, model


def add_row(model: QStandardItemModel, values: Sequence[str], row_id: str | None = None) -> None:
    items = []
    for value in values:
        item = QStandardItem(value)
        item.setEditable(False)
        item.setData(value, Qt.ItemDataRole.AccessibleTextRole)
        items.append(item)
    if row_id is not None:
        items[0].setData(row_id, IdRole)
    model.appendRow(items)


class OverviewSection(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.label = QLabel()
        self.label.setAccessibleName("Client overview")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setContentsMargins(12, 12, 12, 12)
        self.setWidget(self.label)

    def show_data(self, data: WorkspaceData) -> None:
        d = data.detail
        today = dt.date.today()
        rows = [
            ("Date of birth", f"{fmt_date(d.dob)}" + (f" (age {d.age})" if d.age is not None else "")),
            ("Record number", d.record_number or "—"),
            ("Medicaid / member id", d.medicaid_id or "—"),
            ("Program", d.program or "—"),
            ("Status", d.status),
            ("Address", d.address or "—"),
            ("Phone", d.phone or "—"),
            ("Email", d.email or "—"),
            ("Language", d.language or "—"),
            ("Intake", fmt_date(d.intake_date)),
        ]
        html = ["<h3>Demographics</h3><table cellspacing='0' cellpadding='3'>"]
        html += [f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in rows]
        html.append("</table>")
        html.append("<h3>Risk flags</h3>")
        if d.risk_flags:
            html.append(
                " ".join(
                    f"<span style='background:#fde2e1;color:#8a1010'>&nbsp;{esc(f)}&nbsp;</span>" for f in d.risk_flags
                )
            )
        else:
            html.append("<p>None recorded.</p>")
        html.append("<h3>Next visits</h3>")
        if data.next_visits:
            html.append("<ul>")
            html += [
                f"<li>{esc(fmt_when(v.starts_at))} — {esc(v.kind_label)}"
                + (f", {esc(v.location)}" if v.location and not v.location.startswith(v.kind_label) else "")
                + "</li>"
                for v in data.next_visits
            ]
            html.append("</ul>")
        else:
            html.append("<p>No visit planned.</p>")
        html.append("<h3>Due items</h3>")
        if data.due:
            html.append("<ul>")
            for item in data.due:
                style = " style='color:#b00020'" if item.is_overdue(today) else ""
                late = " — overdue" if item.is_overdue(today) else ""
                html.append(f"<li{style}>{esc(item.label)}: due {esc(fmt_date(item.due))}{late}</li>")
            html.append("</ul>")
        else:
            html.append("<p>Nothing due.</p>")
        plan = d.active_plan
        if plan is not None:
            html.append(
                f"<h3>{esc(plan.title)}</h3><p>{esc(fmt_date(plan.effective_from))} to {esc(fmt_date(plan.effective_to))};"
                f" review due {esc(fmt_date(plan.review_due))}; {len(plan.goals)} goals.</p>"
            )
        self.label.setText("".join(html))


class ContactsSection(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.model = make_tree(
            "Contacts and guardians", ("Name", "Relation", "Guardian", "Phone", "Email", "Consent to share")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def show_contacts(self, contacts: Sequence[ContactInfo]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for c in contacts:
            add_row(
                self.model,
                (
                    c.name,
                    c.relation,
                    "Yes" if c.is_guardian else "",
                    c.phone or "",
                    c.email or "",
                    "Yes" if c.consent_to_share else "No",
                ),
                c.id,
            )


class AgenciesSection(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.model = make_tree(
            "Provider agencies", ("Agency", "Service", "Contact person", "Contact phone", "Contact email", "Agency phone")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)

    def show_agencies(self, agencies: Sequence[AgencyLink]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for a in agencies:
            add_row(
                self.model,
                (
                    a.agency_name,
                    a.role or a.service_type or "",
                    a.contact_name or "",
                    a.contact_phone or "",
                    a.contact_email or "",
                    a.agency_phone or "",
                ),
                a.id,
            )


class NotesSection(QWidget):
    note_opened = Signal(str)
    new_note_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.model = make_tree("Progress notes", ("Contact", "Type", "Minutes", "Status", "Excerpt"))
        self.view.activated.connect(self.on_activated)
        self.view.doubleClicked.connect(self.on_activated)
        self.new_button = QPushButton("&New note")
        self.new_button.setAccessibleName("New note")
        self.new_button.clicked.connect(self.new_note_requested)
        self.open_button = QPushButton("&Open note")
        self.open_button.setAccessibleName("Open the selected note")
        self.open_button.clicked.connect(self.on_open_clicked)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Note count")
        buttons = QHBoxLayout()
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view)

    def show_notes(self, notes: Sequence[NoteSummary]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for n in notes:
            status = "signed" if n.status == "signed" else "draft"
            if n.addenda:
                status += f", {n.addenda} addend{'um' if n.addenda == 1 else 'a'}"
            add_row(
                self.model,
                (
                    fmt_when(n.contact_start),
                    CONTACT_TYPES.get(n.contact_type, n.contact_type),
                    str(n.duration_minutes),
                    status,
                    n.excerpt,
                ),
                n.id,
            )
        drafts = sum(1 for n in notes if n.status != "signed")
        self.count_label.setText(f"{len(notes)} notes" + (f", {drafts} unsigned" if drafts else ""))

    def on_activated(self, index: QModelIndex) -> None:
        note_id = self.model.item(index.row(), 0).data(IdRole)
        if note_id:
            self.note_opened.emit(str(note_id))

    def on_open_clicked(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.on_activated(index)


class ReportsSection(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.model = make_tree(
            "Quarterly reports", ("Quarter", "Period", "Due", "Status", "Signed by", "Signed")
        )
        self.note = QLabel("Drafting and printing quarterly reports is done in the reports view.")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.note)

    def show_reports(self, reports: Sequence[ReportSummary]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for r in reports:
            add_row(
                self.model,
                (
                    r.quarter_label,
                    f"{fmt_date(r.period_start)} – {fmt_date(r.period_end)}",
                    fmt_date(r.due_date),
                    r.status,
                    r.signer_name or "",
                    fmt_when(r.signed_at) if r.signed_at else "",
                ),
                r.id,
            )
        if not reports:
            self.note.setText("No quarterly reports yet for this client.")

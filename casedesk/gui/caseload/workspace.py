"""One client's workspace (a tab in the main window): overview, contacts, agencies, plan, notes, reports,
and the note editors opened for this client."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QTabBar, QTabWidget, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from casedesk.db.types import new_id
from casedesk.gui.caseload.plan import PlanSection
from casedesk.gui.caseload.sections import (
    AgenciesSection,
    ContactsSection,
    NotesSection,
    OverviewSection,
    ReportsSection,
    esc,
)
from casedesk.gui.context import AppContext
from casedesk.gui.notes.editor import NoteEditor, goals_for
from casedesk.gui.notes.state import NoteState, editor_key
from casedesk.gui.ops import Changes, user_message
from casedesk.services import notes, settings, spelling, workspace
from casedesk.services.calendar import NotePrefill
from casedesk.services.notes import Autosaved, NoteDetail
from casedesk.services.workspace import WorkspaceData

# Tables whose changes can alter what a workspace shows.
WORKSPACE_TABLES = (
    "client",
    "contact",
    "client_agency",
    "service_plan",
    "goal",
    "progress_note",
    "note_addendum",
    "appointment",
    "quarterly_report",
)


@dataclass(frozen=True)
class _Loaded:
    data: WorkspaceData
    default_template: str
    units_rule: str


@dataclass(frozen=True)
class _OpenedNote:
    detail: NoteDetail
    autosaved: Autosaved | None


class ClientWorkspace(QWidget):
    sig_title_changed = Signal(str)
    sig_loaded = Signal(str)  # client id
    sig_message = Signal(str)

    SECTION_COUNT = 6

    def __init__(self, context: AppContext, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("client_workspace")
        self._context = context
        self.client_id = client_id
        self.data: WorkspaceData | None = None
        self._default_template = "dap"
        self._units_rule = "cms8"
        self.editors: dict[str, NoteEditor] = {}
        # After an unlock: where each reopened editor's cursor goes, and which editor takes the focus.
        self.carets: dict[str, tuple[str, int]] = {}
        self.focus_key: str | None = None
        self._pending_open: list[str] = []
        self._pending_recovered: list[tuple[Autosaved, bool]] = []
        self._pending_visits: list[NotePrefill] = []
        self._pending_section: int | None = None

        self.header = QLabel("Loading…")
        self.header.setAccessibleName("Client")
        self.header.setWordWrap(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.overview = OverviewSection()
        self.contacts = ContactsSection()
        self.agencies = AgenciesSection()
        self.plan = PlanSection()
        self.notes = NotesSection()
        self.reports = ReportsSection()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Client workspace sections")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        for widget, title in (
            (self.overview, "&Overview"),
            (self.contacts, "&Contacts and guardians"),
            (self.agencies, "A&gencies"),
            (self.plan, "&Plan and goals"),
            (self.notes, "No&tes"),
            (self.reports, "&Quarterly reports"),
        ):
            index = self.tabs.addTab(widget, title)
            self._hide_close_button(index)
        self.tabs.tabCloseRequested.connect(self.on_tab_close_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)

        self.notes.note_opened.connect(self.open_note)
        self.notes.new_note_requested.connect(self.new_note)
        self.plan.sig_change_requested.connect(self.on_plan_change)

    def _hide_close_button(self, index: int) -> None:
        bar = self.tabs.tabBar()
        for side in (QTabBar.ButtonPosition.RightSide, QTabBar.ButtonPosition.LeftSide):
            button = bar.tabButton(index, side)
            if button is not None:
                button.resize(0, 0)
                button.hide()

    @property
    def display_name(self) -> str:
        return self.data.detail.display_name if self.data else "Client"

    # ---- loading -------------------------------------------------------------------------------------

    def load(self) -> None:
        client_id = self.client_id

        def fetch(s: Session) -> _Loaded:
            return _Loaded(
                workspace.client_workspace(s, client_id),
                str(settings.get(s, "default_note_template")),
                str(settings.get(s, "units_rule")),
            )

        self._context.submit(fetch, write=True, on_done=self.on_loaded, on_error=self.on_load_failed)

    def on_loaded(self, loaded: object) -> None:
        assert isinstance(loaded, _Loaded)
        data = loaded.data
        self.data = data
        self._default_template = loaded.default_template
        self._units_rule = loaded.units_rule
        d = data.detail
        flags = f" — <span style='color:#8a1010'>{esc(', '.join(d.risk_flags))}</span>" if d.risk_flags else ""
        self.header.setText(
            f"<h2 style='margin:0'>{esc(d.display_name)}</h2>{esc(d.record_number or '')}"
            f"{' · ' + esc(d.program) if d.program else ''}{flags}"
        )
        self.overview.show_data(data)
        self.contacts.show_contacts(d.contacts)
        self.agencies.show_agencies(d.agencies)
        self.plan.show_plan(d.active_plan)
        self.notes.show_notes(data.notes)
        self.reports.show_reports(data.reports)
        self.sig_title_changed.emit(d.display_name)
        self.sig_loaded.emit(self.client_id)
        if self._pending_section is not None:
            self.tabs.setCurrentIndex(self._pending_section)
            self._pending_section = None
        for note_id in self._pending_open:
            self.open_note(note_id)
        self._pending_open.clear()
        for autosaved, announce in self._pending_recovered:
            self.open_recovered(autosaved, announce=announce)
        self._pending_recovered.clear()
        for prefill in self._pending_visits:
            self.new_note_for_visit(prefill)
        self._pending_visits.clear()

    def on_load_failed(self, exc: BaseException) -> None:
        self.header.setText(f"<b>Could not open this client.</b> {esc(user_message(exc))}")

    def on_changes(self, changes: object) -> None:
        assert isinstance(changes, Changes)
        if self._context.is_locked or self.client_id not in changes.clients:
            return
        if changes.touches(*WORKSPACE_TABLES):
            self.load()

    def on_plan_change(self, work: Any, what: str) -> None:
        self._context.submit(
            work,
            write=True,
            changes=Changes.of("goal", "service_plan", clients={self.client_id}),
            on_done=lambda _r: self.sig_message.emit(what.capitalize() + "."),
            on_error=lambda exc: self.sig_message.emit(user_message(exc)),
        )

    # ---- note editors ---------------------------------------------------------------------------------

    def _plan_goals(self, rated: list[str]) -> list[Any]:
        plan = self.data.detail.active_plan if self.data else None
        return goals_for(plan.goals if plan else (), rated)

    def new_note(self) -> NoteEditor:
        state = NoteState.blank(new_id(), self.client_id, self._default_template)
        return self._add_editor(state, None, None)

    def new_note_for_visit(self, prefill: NotePrefill) -> NoteEditor | None:
        """A note started from a calendar visit: its time, length, place and contact type, linked to
        the visit. Waits for the workspace to load; a note already open for the visit is shown."""
        if self.data is None:
            self._pending_visits.append(prefill)
            return None
        for editor in self.editors.values():
            if editor.current_state().appointment_id == prefill.appointment_id:
                self.tabs.setCurrentWidget(editor)
                return editor
        state = NoteState.blank(new_id(), self.client_id, self._default_template)
        local = prefill.contact_start.astimezone()  # the editor works on this computer's clock
        state.contact_date = local.date()
        state.start_time = local.time().replace(second=0, microsecond=0, tzinfo=None)
        state.duration_minutes = prefill.duration_minutes
        state.contact_type = prefill.contact_type
        state.location = prefill.location or ""
        state.appointment_id = prefill.appointment_id
        return self._add_editor(state, None, None)

    def open_note(self, note_id: str) -> None:
        if editor_key(note_id) in self.editors:
            self.tabs.setCurrentWidget(self.editors[editor_key(note_id)])
            return
        if self.data is None:
            self._pending_open.append(note_id)
            return

        def fetch(s: Session) -> _OpenedNote:
            detail = notes.get_note(s, note_id)
            key = editor_key(note_id)
            saved = next((a for a in notes.pending_autosaves(s) if a.editor_key == key), None)
            return _OpenedNote(detail, saved)

        self._context.submit(
            fetch,
            write=True,  # viewing a note is audited
            on_done=self.on_note_fetched,
            on_error=lambda exc: self.sig_message.emit(user_message(exc)),
        )

    def on_note_fetched(self, opened: object) -> None:
        assert isinstance(opened, _OpenedNote)
        detail = opened.detail
        if editor_key(detail.id) in self.editors:
            self.tabs.setCurrentWidget(self.editors[editor_key(detail.id)])
            return
        state = NoteState.from_detail(detail)
        recovered_at = None
        if opened.autosaved is not None and not detail.is_signed:
            state = NoteState.from_payload(opened.autosaved.payload)
            state.exists = True
            recovered_at = opened.autosaved.saved_at
        self._add_editor(state, detail, recovered_at, unsaved=recovered_at is not None)

    def open_recovered(self, autosaved: Autosaved, *, announce: bool = True) -> NoteEditor | None:
        """Reopen an autosaved editor with its unsaved content: after a crash (`announce`: say so in the
        editor) or after a lock (the worker simply continues where she was)."""
        if self.data is None:
            self._pending_recovered.append((autosaved, announce))
            return None
        state = NoteState.from_payload(autosaved.payload)
        if editor_key(state.note_id) in self.editors:
            editor = self.editors[editor_key(state.note_id)]
            self.tabs.setCurrentWidget(editor)
            return editor
        return self._add_editor(state, None, autosaved.saved_at if announce else None, unsaved=True)

    def _add_editor(
        self,
        state: NoteState,
        detail: NoteDetail | None,
        recovered_at: dt.datetime | None,
        *,
        unsaved: bool = False,
    ) -> NoteEditor:
        editor = NoteEditor(
            self._context,
            state,
            self._plan_goals([g for g, _r in state.goals]),
            detail=detail,
            units_rule=self._units_rule,
            recovered_at=recovered_at,
            unsaved=unsaved,
            record_words=spelling.record_words(self.data.detail) if self.data is not None else frozenset(),
        )
        self.editors[editor.key] = editor
        index = self.tabs.addTab(editor, editor.title())
        self.tabs.setTabToolTip(index, "Close with Ctrl+W; the draft is kept")
        editor.sig_title_changed.connect(lambda title, e=editor: self._retitle(e, title))
        self.tabs.setCurrentIndex(index)
        caret = self.carets.pop(editor.key, None)
        if caret is not None:
            focus = editor.key == self.focus_key
            editor.restore_caret(*caret, focus=focus)
            if focus:
                self.focus_key = None
        return editor

    def _retitle(self, editor: NoteEditor, title: str) -> None:
        index = self.tabs.indexOf(editor)
        if index >= 0:
            self.tabs.setTabText(index, title)

    def show_section(self, index: int) -> None:
        """Select a section tab now, or as soon as the workspace has loaded."""
        if self.data is None:
            self._pending_section = index
        elif 0 <= index < self.SECTION_COUNT:
            self.tabs.setCurrentIndex(index)

    def current_editor(self) -> NoteEditor | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, NoteEditor) else None

    def on_tab_close_requested(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if isinstance(widget, NoteEditor):
            self.close_editor(widget)

    def close_editor(self, editor: NoteEditor) -> None:
        editor.close_editor()
        self.editors.pop(editor.key, None)
        self.tabs.removeTab(self.tabs.indexOf(editor))
        editor.deleteLater()

    def flush_editors(self) -> None:
        for editor in list(self.editors.values()):
            editor.flush_autosave()

    def close_all(self) -> None:
        for editor in list(self.editors.values()):
            self.close_editor(editor)

"""Progress-note editor. Drafts are never lost: the content is autosaved at most 5 s after an edit, on
every focus change, and when the editor closes or the window locks or quits. Signed notes are shown
read-only with signer, time and hash; an addendum is the only way to correct them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from casedesk.domain import notes as rules
from casedesk.errors import WrongPassphraseError
from casedesk.gui.context import AppContext
from casedesk.gui.notes.dialogs import AddendumDialog, SignDialog
from casedesk.gui.notes.signature_pad import SignatureDialog
from casedesk.gui.notes.spelling import SpellingHighlighter, install_spelling
from casedesk.gui.notes.state import NoteState, editor_key, switch_template
from casedesk.gui.ops import Changes, user_message
from casedesk.services import notes, signatures
from casedesk.services.clients import GoalInfo
from casedesk.services.notes import NoteDetail

TEMPLATE_LABELS = {"dap": "DAP", "soap": "SOAP", "narrative": "Narrative"}
TEMPLATE_TIPS = {
    "dap": "Data, Assessment, Plan",
    "soap": "Subjective, Objective, Assessment, Plan",
    "narrative": "One free-text section",
}


def _local(value: dt.datetime) -> str:
    return value.astimezone().strftime("%b %d, %Y at %H:%M").replace(" 0", " ")


class GoalRow(QWidget):
    """One plan goal: addressed yes/no and the progress rating given."""

    def __init__(self, goal: GoalInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.goal_id = goal.id
        self.check = QCheckBox(f"{goal.position}.")
        self.check.setAccessibleName(f"Goal {goal.position} addressed: {goal.text}")
        self.text_label = QLabel(goal.text)
        self.text_label.setWordWrap(True)
        self.text_label.setBuddy(self.check)
        self.rating = QComboBox()
        self.rating.setAccessibleName(f"Progress on goal {goal.position}")
        for key, label in rules.PROGRESS_RATINGS.items():
            self.rating.addItem(label, key)
        self.rating.setCurrentIndex(self.rating.findData("some"))
        self.rating.setEnabled(False)
        self.check.toggled.connect(self.rating.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(self.rating)


class NoteEditor(QWidget):
    sig_saved = Signal(str)  # note id
    sig_signed = Signal(str)  # note id
    sig_title_changed = Signal(str)
    sig_autosaved = Signal(str)  # editor key

    AUTOSAVE_MS = 5000

    def __init__(
        self,
        context: AppContext,
        state: NoteState,
        goals: Sequence[GoalInfo],
        *,
        detail: NoteDetail | None = None,
        units_rule: str = "cms8",
        recovered_at: dt.datetime | None = None,
        unsaved: bool = False,
        record_words: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        """`record_words`: words of the client's record (names) that spell-check knows."""
        super().__init__(parent)
        self.setObjectName("note_editor")
        self._context = context
        self._record_words = record_words
        self._state = state
        self._detail = detail
        self._goals = list(goals)
        self._units_rule = units_rule
        unsaved = unsaved or recovered_at is not None
        self._dirty = unsaved  # edits not yet in the autosave row
        self._draft_stale = unsaved  # edits not yet in the stored draft
        self._loading = True
        self._closed = False
        self._section_edits: dict[str, QPlainTextEdit] = {}
        self.spelling: dict[str, SpellingHighlighter] = {}  # section -> its underliner
        self._caret_section: str | None = None
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(self.AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.on_autosave_timer)
        self.last_autosave: dt.datetime | None = None

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Note status")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Note message")
        self.message.setStyleSheet("color: #a01010;")
        self.message.setVisible(False)

        self.template_combo = QComboBox()
        self.template_combo.setAccessibleName("Note template")
        for key, label in TEMPLATE_LABELS.items():
            self.template_combo.addItem(label, key)
            self.template_combo.setItemData(self.template_combo.count() - 1, TEMPLATE_TIPS[key], Qt.ItemDataRole.ToolTipRole)
        self.contact_type_combo = QComboBox()
        self.contact_type_combo.setAccessibleName("Contact type")
        for key, label in rules.CONTACT_TYPES.items():
            self.contact_type_combo.addItem(label, key)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setAccessibleName("Contact date")
        self.date_edit.setDisplayFormat("MMM d, yyyy")
        self.time_edit = QTimeEdit()
        self.time_edit.setAccessibleName("Contact start time")
        self.time_edit.setDisplayFormat("HH:mm")
        self.duration_spin = QSpinBox()
        self.duration_spin.setRange(0, 24 * 60)
        self.duration_spin.setSingleStep(5)
        self.duration_spin.setSuffix(" min")
        self.duration_spin.setAccessibleName("Duration in minutes")
        self.location_edit = QLineEdit()
        self.location_edit.setAccessibleName("Location")
        self.service_code_edit = QLineEdit()
        self.service_code_edit.setAccessibleName("Service code")
        self.service_code_edit.setMaxLength(20)
        self.units_spin = QSpinBox()
        self.units_spin.setRange(0, 96)
        self.units_spin.setAccessibleName("Billable units")
        self.units_hint = QLabel()
        self.units_hint.setAccessibleName("How the units were set")
        self.units_hint.setWordWrap(True)

        units_box = QWidget()
        units_layout = QHBoxLayout(units_box)
        units_layout.setContentsMargins(0, 0, 0, 0)
        units_layout.addWidget(self.units_spin)
        units_layout.addWidget(self.units_hint, 1)
        # (label, field, spans the row when wide)
        self._detail_rows: list[tuple[QLabel, QWidget, bool]] = [
            (_buddy(self.tr("&Template:"), self.template_combo), self.template_combo, False),
            (_buddy(self.tr("Contact &type:"), self.contact_type_combo), self.contact_type_combo, False),
            (_buddy(self.tr("&Date:"), self.date_edit), self.date_edit, False),
            (_buddy(self.tr("St&art:"), self.time_edit), self.time_edit, False),
            (_buddy(self.tr("D&uration:"), self.duration_spin), self.duration_spin, False),
            (_buddy(self.tr("Billable u&nits:"), self.units_spin), units_box, False),
            (_buddy(self.tr("&Location:"), self.location_edit), self.location_edit, True),
            (_buddy(self.tr("Service &code:"), self.service_code_edit), self.service_code_edit, False),
        ]
        self.details = QGridLayout()
        self._details_wide: bool | None = None
        self._arrange_details(wide=True)

        self.goals_box = QGroupBox(self.tr("Goals addressed"))
        self.goals_box.setAccessibleName("Goals addressed")
        goals_layout = QVBoxLayout(self.goals_box)
        self.goal_rows: dict[str, GoalRow] = {}
        for goal in self._goals:
            row = GoalRow(goal)
            self.goal_rows[goal.id] = row
            goals_layout.addWidget(row)
            row.check.toggled.connect(self.on_edited)
            row.rating.currentIndexChanged.connect(self.on_edited)
        if not self._goals:
            goals_layout.addWidget(QLabel(self.tr("This client has no active plan goals.")))

        self.sections_box = QWidget()
        self.sections_layout = QFormLayout(self.sections_box)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.sections_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)

        self.addenda_box = QGroupBox(self.tr("Addenda"))
        self.addenda_box.setAccessibleName("Addenda")
        self.addenda_layout = QVBoxLayout(self.addenda_box)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(self.details)
        content_layout.addWidget(self.goals_box)
        content_layout.addWidget(self.sections_box)
        content_layout.addWidget(self.addenda_box)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)

        self.save_button = QPushButton(self.tr("&Save draft"))
        self.save_button.setAccessibleName("Save draft")
        self.save_button.setToolTip("Save the draft (Ctrl+S). Drafts are also saved automatically.")
        self.save_button.clicked.connect(self.save_draft)
        self.sign_button = QPushButton(self.tr("Sign and &lock…"))
        self.sign_button.setAccessibleName("Sign and lock")
        self.sign_button.clicked.connect(self.on_sign_clicked)
        self.addendum_button = QPushButton(self.tr("Add a&ddendum…"))
        self.addendum_button.setAccessibleName("Add addendum")
        self.addendum_button.clicked.connect(self.on_addendum_clicked)
        self.capture_button = QPushButton(self.tr("Capture si&gnature…"))
        self.capture_button.setAccessibleName("Capture a drawn signature")
        self.capture_button.clicked.connect(self.on_capture_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for b in (self.save_button, self.sign_button, self.addendum_button, self.capture_button):
            buttons.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_draft, Qt.ShortcutContext.WidgetWithChildrenShortcut)

        for signal in (
            self.template_combo.currentIndexChanged,
            self.contact_type_combo.currentIndexChanged,
            self.date_edit.dateChanged,
            self.time_edit.timeChanged,
            self.location_edit.textChanged,
            self.service_code_edit.textChanged,
        ):
            signal.connect(self.on_edited)
        self.template_combo.currentIndexChanged.connect(self.on_template_changed)
        self.duration_spin.valueChanged.connect(self.on_duration_changed)
        self.units_spin.valueChanged.connect(self.on_units_edited)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.on_focus_changed)

        self._show_state(state)
        self._apply_mode()
        if recovered_at is not None:
            self.banner.setText(
                f"<b>Recovered draft.</b> These unsaved changes were kept from {_local(recovered_at)}. "
                "Save or sign to keep them."
            )
        self._loading = False

    # ---- layout -------------------------------------------------------------------------------------------

    WIDE_MIN_PX = 620

    def _arrange_details(self, wide: bool) -> None:
        """Two label/field pairs per row when there is room, one per row when narrow (large fonts, 150 %)."""
        if wide == self._details_wide:
            return
        self._details_wide = wide
        grid = self.details
        for label, field, _span in self._detail_rows:
            grid.removeWidget(label)
            grid.removeWidget(field)
        row = col = 0
        for label, field, span in self._detail_rows:
            if wide and span and col:
                row, col = row + 1, 0
            grid.addWidget(label, row, col)
            grid.addWidget(field, row, col + 1, 1, 3 if (wide and span) else 1)
            if not wide or span or col:
                row, col = row + 1, 0
            else:
                col = 2
        for column in range(4):
            grid.setColumnStretch(column, 1 if column in (1, 3) and (wide or column == 1) else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._arrange_details(event.size().width() >= self.WIDE_MIN_PX)
        super().resizeEvent(event)

    # ---- properties -----------------------------------------------------------------------------------

    @property
    def note_id(self) -> str:
        return self._state.note_id

    @property
    def client_id(self) -> str:
        return self._state.client_id

    @property
    def key(self) -> str:
        return editor_key(self._state.note_id)

    @property
    def is_signed(self) -> bool:
        return self._detail is not None and self._detail.is_signed

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    def title(self) -> str:
        when = self._state.contact_date.strftime("%b %d").replace(" 0", " ")
        return f"Note {when}" + (" (signed)" if self.is_signed else " (draft)")

    def section_edit(self, section: str) -> QPlainTextEdit:
        return self._section_edits[section]

    # ---- showing ----------------------------------------------------------------------------------------

    def _show_state(self, state: NoteState) -> None:
        self._loading = True
        self.template_combo.setCurrentIndex(max(0, self.template_combo.findData(state.template)))
        self.contact_type_combo.setCurrentIndex(max(0, self.contact_type_combo.findData(state.contact_type)))
        self.date_edit.setDate(QDate(state.contact_date.year, state.contact_date.month, state.contact_date.day))
        self.time_edit.setTime(QTime(state.start_time.hour, state.start_time.minute))
        self.duration_spin.setValue(state.duration_minutes)
        self.location_edit.setText(state.location)
        self.service_code_edit.setText(state.service_code)
        self.units_spin.setValue(state.billable_units)
        self._units_overridden = state.units_overridden
        self._update_units_hint()
        ratings = dict(state.goals)
        for goal_id, row in self.goal_rows.items():
            row.check.setChecked(goal_id in ratings)
            if goal_id in ratings:
                row.rating.setCurrentIndex(max(0, row.rating.findData(ratings[goal_id])))
        self._build_sections(state.template, state.body)
        self._loading = False

    def _build_sections(self, template: str, body: dict[str, str]) -> None:
        while self.sections_layout.rowCount():
            self.sections_layout.removeRow(0)
        self._section_edits.clear()
        self.spelling.clear()
        for section in rules.sections_for(template):
            edit = QPlainTextEdit(body.get(section, ""))
            title = rules.SECTION_TITLES.get(section, section)
            edit.setAccessibleName(f"{title} section")
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(self.fontMetrics().height() * 5)
            edit.textChanged.connect(self.on_edited)
            self._section_edits[section] = edit
            self.spelling[section] = install_spelling(edit, self._context.spelling, self._record_words)
            self.sections_layout.addRow(f"<b>{title}</b>", edit)
        if self.is_signed:
            for edit in self._section_edits.values():
                edit.setReadOnly(True)

    def _apply_mode(self) -> None:
        signed = self.is_signed
        for w in (
            self.template_combo,
            self.contact_type_combo,
            self.date_edit,
            self.time_edit,
            self.duration_spin,
            self.units_spin,
        ):
            w.setEnabled(not signed)
        for line in (self.location_edit, self.service_code_edit):
            line.setReadOnly(signed)
        for row in self.goal_rows.values():
            row.check.setEnabled(not signed)
            row.rating.setEnabled(not signed and row.check.isChecked())
        for edit in self._section_edits.values():
            edit.setReadOnly(signed)
        for highlighter in self.spelling.values():
            highlighter.rehighlight()  # a signed note is not underlined
        self.save_button.setVisible(not signed)
        self.sign_button.setVisible(not signed)
        self.addendum_button.setVisible(signed)
        self.capture_button.setVisible(signed)
        self.addenda_box.setVisible(signed)
        detail = self._detail
        if signed and detail is not None:
            self.banner.setText(
                f"<b>Signed and locked</b> by {detail.signer_name} on {_local(detail.signed_at or dt.datetime.now(dt.UTC))}."
                f"<br>SHA-256: <code>{detail.content_hash}</code>"
                "<br>This note cannot be changed. Use <i>Add addendum</i> to correct or add to it."
            )
            while self.addenda_layout.count():
                item = self.addenda_layout.takeAt(0)
                old = item.widget() if item is not None else None
                if old is not None:
                    old.deleteLater()
            if not detail.addenda:
                self.addenda_layout.addWidget(QLabel(self.tr("No addenda.")))
            for add in detail.addenda:
                label = QLabel(
                    f"<b>{add.author_name}, {_local(add.signed_at)}</b><br>{_html(add.text)}"
                    f"<br><small>SHA-256: {add.content_hash}</small>"
                )
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setAccessibleName("Addendum")
                self.addenda_layout.addWidget(label)
        elif self._state.exists:
            self.banner.setText("<b>Draft.</b> Saved automatically as you type; sign it when it is complete.")
        else:
            self.banner.setText("<b>New note.</b> Saved automatically as you type; sign it when it is complete.")
        self.sig_title_changed.emit(self.title())

    def _update_units_hint(self) -> None:
        rule = "8-minute rule" if self._units_rule == "cms8" else "whole 15-minute blocks"
        self.units_hint.setText("set by hand" if self._units_overridden else f"from duration ({rule})")

    # ---- reading the form -------------------------------------------------------------------------------

    def current_state(self) -> NoteState:
        s = self._state
        qd, qt = self.date_edit.date(), self.time_edit.time()
        return NoteState(
            note_id=s.note_id,
            client_id=s.client_id,
            exists=s.exists,
            template=str(self.template_combo.currentData()),
            contact_date=dt.date(qd.year(), qd.month(), qd.day()),
            start_time=dt.time(qt.hour(), qt.minute()),
            duration_minutes=self.duration_spin.value(),
            contact_type=str(self.contact_type_combo.currentData()),
            location=self.location_edit.text(),
            service_code=self.service_code_edit.text(),
            billable_units=self.units_spin.value(),
            units_overridden=self._units_overridden,
            body={k: e.toPlainText() for k, e in self._section_edits.items()},
            goals=[(gid, str(r.rating.currentData())) for gid, r in self.goal_rows.items() if r.check.isChecked()],
            appointment_id=s.appointment_id,
        )

    # ---- edits ------------------------------------------------------------------------------------------

    def on_edited(self, *_args: object) -> None:
        if self._loading or self.is_signed:
            return
        self._dirty = True
        self._draft_stale = True
        self.message.setVisible(False)
        if not self._autosave_timer.isActive():
            self._autosave_timer.start()  # not restarted by later keystrokes: at most 5 s of work at risk

    def on_template_changed(self, *_args: object) -> None:
        if self._loading:
            return
        old = self._state.template
        new = str(self.template_combo.currentData())
        if old == new:
            return
        body = switch_template({k: e.toPlainText() for k, e in self._section_edits.items()}, old, new)
        self._state.template = new
        self._loading = True
        self._build_sections(new, body)
        self._loading = False
        self.on_edited()

    def on_duration_changed(self, minutes: int) -> None:
        if not self._loading and not self._units_overridden:
            self._loading = True
            self.units_spin.setValue(rules.billable_units(minutes, self._units_rule))
            self._loading = False
        self.on_edited()

    def on_units_edited(self, units: int) -> None:
        if self._loading:
            return
        self._units_overridden = units != rules.billable_units(self.duration_spin.value(), self._units_rule)
        self._update_units_hint()
        self.on_edited()

    def caret(self) -> tuple[str, int] | None:
        """Where the worker was typing: the section last focused and the cursor position in it."""
        edit = self._section_edits.get(self._caret_section or "")
        return (self._caret_section, edit.textCursor().position()) if edit is not None and self._caret_section else None

    def restore_caret(self, section: str, position: int, *, focus: bool) -> None:
        edit = self._section_edits.get(section)
        if edit is None:
            return
        cursor = edit.textCursor()
        cursor.setPosition(max(0, min(position, len(edit.toPlainText()))))
        edit.setTextCursor(cursor)
        edit.ensureCursorVisible()
        self._caret_section = section
        if focus:
            edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if not self._closed and new is not None:
            for section, edit in self._section_edits.items():
                if edit is new:
                    self._caret_section = section
        if self._closed or not self._dirty or old is None:
            return
        try:
            inside = self.isAncestorOf(old)
        except RuntimeError:  # the editor is being destroyed
            return
        if inside:
            self.flush_autosave()

    # ---- autosave ---------------------------------------------------------------------------------------

    def on_autosave_timer(self) -> None:
        if not self._dirty or self.is_signed or self._context.is_locked:
            return
        state = self.current_state()
        payload, key, client_id = state.to_payload(), self.key, state.client_id
        self._dirty = False

        def save(s: Session) -> None:
            notes.autosave(s, key, payload, client_id)

        self._context.submit(save, write=True, serial=True, on_done=self.on_autosaved, on_error=self.on_autosave_failed)

    def on_autosaved(self, _result: object) -> None:
        self.last_autosave = dt.datetime.now().astimezone()
        self.sig_autosaved.emit(self.key)

    def on_autosave_failed(self, exc: BaseException) -> None:
        self._dirty = True
        self._show_message(f"Autosave failed: {user_message(exc)}")

    def flush_autosave(self) -> bool:
        """Write unsaved content now, on this thread (before a close, lock or quit). True if all is saved."""
        self._autosave_timer.stop()
        if not self._dirty or self.is_signed or self._context.is_locked:
            return not self._dirty
        self._context.ops.wait()  # an autosave still in flight must not land after this one
        state = self.current_state()
        try:
            self._context.run_now(lambda s: notes.autosave(s, self.key, state.to_payload(), state.client_id), write=True)
        except Exception as exc:
            self._show_message(f"Autosave failed: {user_message(exc)}")
            return False
        self._dirty = False
        self.last_autosave = dt.datetime.now().astimezone()
        self.sig_autosaved.emit(self.key)
        return True

    # ---- saving and signing ---------------------------------------------------------------------------

    def _write_draft(self, s: Session, state: NoteState) -> None:
        data = state.to_input()
        if state.exists:
            notes.update_draft(s, state.note_id, data)
        else:
            notes.create_draft(s, data, note_id=state.note_id)
        notes.discard_autosave(s, editor_key(state.note_id))

    def _changes(self) -> Changes:
        return Changes.of("progress_note", "draft_autosave", ids={self.note_id}, clients={self.client_id})

    def save_draft(self) -> None:
        """Store the draft (off the UI thread). A signed note is refused by the notes service."""
        self._autosave_timer.stop()
        state = self.current_state()
        self._dirty = False
        self._context.submit(
            lambda s: self._write_draft(s, state),
            write=True,
            serial=True,
            changes=self._changes(),
            on_done=self.on_draft_saved,
            on_error=self.on_save_failed,
        )

    def save_draft_now(self) -> bool:
        """Synchronous save used when the editor closes. True when stored."""
        if self.is_signed or not self._draft_stale:
            return True
        self._autosave_timer.stop()
        state = self.current_state()
        if not state.exists and not state.has_text():
            self._context.run_now(lambda s: notes.discard_autosave(s, self.key), write=True)
            self._dirty = self._draft_stale = False
            return True
        self._context.ops.wait()
        try:
            self._context.run_now(lambda s: self._write_draft(s, state), write=True)
        except Exception as exc:
            self._show_message(user_message(exc))
            return self.flush_autosave()
        self._dirty = self._draft_stale = False
        self._state.exists = True
        self._context.notify(self._changes())
        return True

    def on_draft_saved(self, _result: object) -> None:
        self._state.exists = True
        if not self._dirty:
            self._draft_stale = False
        self._apply_mode()
        self.banner.setText(
            f"<b>Draft saved</b> at {dt.datetime.now().strftime('%H:%M')}. Sign it when it is complete."
        )
        self.sig_saved.emit(self.note_id)

    def on_save_failed(self, exc: BaseException) -> None:
        if not self.is_signed:
            self._dirty = True
        self._show_message(user_message(exc))

    def on_sign_clicked(self) -> None:
        problems = rules.check_signable(self.current_state().body, self.current_state().template, self.duration_spin.value())
        if problems:
            self._show_message("This note cannot be signed yet: " + " ".join(problems))
            return
        dialog = SignDialog(self._context.worker_name(), self)
        dialog.accepted.connect(lambda: self.sign_with(dialog.passphrase, capture=dialog.capture_box.isChecked()))
        dialog.finished.connect(dialog.deleteLater)
        self.sign_dialog = dialog
        dialog.open()

    def sign_with(self, passphrase: str, *, capture: bool = False) -> None:
        """Check the passphrase, store the latest content and sign it, all in one unit of work."""
        state = self.current_state()
        self._autosave_timer.stop()
        store = self._context.require_store()

        def sign(s: Session) -> NoteDetail:
            self._write_draft(s, state)
            notes.sign_note(s, state.note_id)
            return notes.get_note(s, state.note_id, audit_view=False)

        def run() -> NoteDetail:
            if not store.verify_passphrase(passphrase):
                raise WrongPassphraseError("Wrong passphrase: the note was not signed.")
            with store.session() as s:
                return sign(s)

        self.sign_button.setEnabled(False)
        self._context.ops.run(
            run,
            changes=self._changes(),
            on_done=lambda detail: self.on_signed(detail, capture),
            on_error=self.on_sign_failed,
        )

    def on_signed(self, detail: object, capture: bool) -> None:
        assert isinstance(detail, NoteDetail)
        self._detail = detail
        self._state = NoteState.from_detail(detail)
        self._dirty = self._draft_stale = False
        self.sign_button.setEnabled(True)
        self.message.setVisible(False)
        self._apply_mode()
        self.sig_signed.emit(detail.id)
        if capture:
            self.on_capture_clicked()

    def on_sign_failed(self, exc: BaseException) -> None:
        self.sign_button.setEnabled(True)
        self._dirty = True
        self._show_message(user_message(exc))

    # ---- signed notes: addenda and drawn signatures ---------------------------------------------------

    def on_addendum_clicked(self) -> None:
        dialog = AddendumDialog(self)
        dialog.accepted.connect(lambda: self.add_addendum(dialog.text, dialog.passphrase))
        dialog.finished.connect(dialog.deleteLater)
        self.addendum_dialog = dialog
        dialog.open()

    def add_addendum(self, text: str, passphrase: str) -> None:
        store = self._context.require_store()
        note_id = self.note_id

        def run() -> NoteDetail:
            if not store.verify_passphrase(passphrase):
                raise WrongPassphraseError("Wrong passphrase: the addendum was not added.")
            with store.session() as s:
                notes.add_addendum(s, note_id, text)
                return notes.get_note(s, note_id, audit_view=False)

        self._context.ops.run(
            run,
            changes=Changes.of("note_addendum", ids={note_id}, clients={self.client_id}),
            on_done=self.on_addendum_added,
            on_error=lambda exc: self._show_message(user_message(exc)),
        )

    def on_addendum_added(self, detail: object) -> None:
        assert isinstance(detail, NoteDetail)
        self._detail = detail
        self._apply_mode()

    def on_capture_clicked(self) -> None:
        if self._detail is None:
            return
        dialog = SignatureDialog(self.title(), self._detail.signer_name or "", self)
        dialog.accepted.connect(lambda: self.store_signature(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.signature_dialog = dialog
        dialog.open()

    def store_signature(self, dialog: SignatureDialog) -> None:
        detail = self._detail
        if detail is None:
            return
        name, role, png, strokes = dialog.signer_name, dialog.signer_role, dialog.png, dialog.strokes

        def capture(s: Session) -> str:
            return signatures.capture(
                s,
                document_type="note",
                document_id=detail.id,
                signer_name=name,
                signer_role=role,
                image_png=png,
                strokes=strokes,
                document_hash=detail.content_hash,
            )

        self._context.submit(
            capture,
            write=True,
            changes=Changes.of("signature", ids={detail.id}, clients={self.client_id}),
            on_done=lambda _sid: self._show_message(f"Signature of {name} stored with the note.", error=False),
            on_error=lambda exc: self._show_message(user_message(exc)),
        )

    # ---- closing ----------------------------------------------------------------------------------------

    def close_editor(self) -> bool:
        """Save what is unsaved (draft, or at least the autosave) and stop reacting. True when safe to drop."""
        if self._closed:
            return True
        saved = self.save_draft_now() if not self._context.is_locked else True
        self._closed = True
        self._autosave_timer.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self.on_focus_changed)
        return saved

    def _show_message(self, text: str, *, error: bool = True) -> None:
        self.message.setStyleSheet("color: #a01010;" if error else "color: #1a5e20;")
        self.message.setText(text)
        self.message.setVisible(True)


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def goals_for(plan_goals: Sequence[GoalInfo], rated: Sequence[str] = ()) -> list[GoalInfo]:
    """Goals a note can address: the active ones, plus any the note already rates (kept for old notes)."""
    keep = set(rated)
    return [g for g in plan_goals if g.status == "active" or g.id in keep]

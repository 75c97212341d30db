"""FormEditorPane: design agency forms with a live preview; save drafts, publish versions, import XLSForms.

Left: forms and their versions. Middle: the field tree (add, delete, drag to reorder, group into a
group or repeat group) and the problems that keep the form from being saved. Right: the selected
field's properties, and a live preview (a real ``FormFiller``, so relevance and validation work while
you design). Every editing action is one undo step (``undo_stack``). All rules live in
``casedesk.forms`` and ``casedesk.services.forms``; this pane only shows and forwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from casedesk.errors import CaseDeskError
from casedesk.forms import (
    FieldType,
    FillContext,
    FormDefinition,
    FormDefinitionError,
    GoalOption,
    new_response,
)
from casedesk.forms.editing import (
    insert_field,
    move_field,
    new_field,
    position_of,
    remove_field,
    set_form_details,
    type_label,
    unique_key,
    unwrap_group,
    update_field,
    wrap_fields,
)
from casedesk.gui.formeditor.access import StoreSource, store_getter
from casedesk.gui.formeditor.document import FormDocument
from casedesk.gui.formeditor.field_tree import FieldTree
from casedesk.gui.formeditor.filler import FormFiller
from casedesk.gui.formeditor.form_list import FormList
from casedesk.gui.formeditor.properties import PropertiesPanel
from casedesk.gui.ops import OpRunner, user_message
from casedesk.services import forms as form_service

#: What the preview fills client fields and goal pickers with (never a real client).
SAMPLE_CONTEXT = FillContext(
    client={
        "name": "Sample Client",
        "first_name": "Sample",
        "last_name": "Client",
        "preferred_name": "Sam",
        "dob": date(1990, 1, 15),
        "record_number": "R-0000",
        "medicaid_id": "MA000000",
        "address": "1 Example Street, Springfield",
        "phone": "555-000-0000",
        "language": "English",
        "program": "Supported living",
    },
    goals=(
        GoalOption("sample-goal-1", "Sample goal: cook a meal each week"),
        GoalOption("sample-goal-2", "Sample goal: ride the bus alone"),
    ),
)

ADDABLE_TYPES = (
    FieldType.TEXT,
    FieldType.LONG_TEXT,
    FieldType.INTEGER,
    FieldType.DECIMAL,
    FieldType.DATE,
    FieldType.TIME,
    FieldType.YES_NO,
    FieldType.SINGLE_CHOICE,
    FieldType.MULTIPLE_CHOICE,
    FieldType.CLIENT_FIELD,
    FieldType.GOAL_PICKER,
    FieldType.SIGNATURE,
    FieldType.CALCULATE,
    FieldType.HEADING,
    FieldType.NOTE,
    FieldType.GROUP,
    FieldType.REPEAT,
)

PUBLISH_EXPLANATION = (
    "Publishing freezes version {version} of “{name}”. From then on:\n\n"
    "• New responses are filled under version {version}, and every response keeps the version it was "
    "filled with, so it always shows and prints exactly as it was filled.\n"
    "• Version {version} can never be changed. Editing the form later makes version {next} as a draft, "
    "which you publish when it is ready.\n"
    "• Drafts already started stay on their version until someone moves them to a newer one.\n\n"
    "Publish version {version} now?"
)


class FormEditorPane(QWidget):
    """The form designer. ``FormEditorPane(store, parent)``; emits ``sig_forms_changed`` after it stored
    something (a draft saved, a version published, a form imported or created), so other panes can
    refresh their lists of forms.

    ``ask(title, text) -> bool`` and ``tell(title, text, details)`` show the confirmation and message
    boxes; tests and embedding windows may replace them.
    """

    sig_forms_changed = Signal()

    def __init__(self, store: StoreSource, parent: QWidget | None = None, *, ops: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.store = store_getter(store)
        self.ops = ops
        self.document = FormDocument(self)
        self.undo_stack = self.document.undo_stack
        self.ask: Callable[[str, str], bool] = self._ask
        self.tell: Callable[[str, str, str], None] = self._tell
        self.preview_answers: dict[str, Any] = {}
        self._current: tuple[str, int] | None = None
        self._selected: str | None = None
        self._build()
        self.document.sig_changed.connect(self.on_document_changed)
        self.undo_stack.cleanChanged.connect(lambda _clean: self._update_actions())
        self.reload_forms()
        self.on_document_changed(None)

    # --- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.toolbar = QToolBar("Form editor", self)
        outer.addWidget(self.toolbar)

        def action(
            text: str, slot: Callable[[], object], shortcut: QKeySequence | QKeySequence.StandardKey | None = None
        ) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(lambda _checked=False: slot())
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
            return act

        self.new_action = action("New form…", self.new_form)
        self.import_action = action("Import XLSForm…", self.import_xlsform)
        self.save_action = action("Save draft", self.save_draft, QKeySequence.StandardKey.Save)
        self.publish_action = action("Publish…", self.publish)
        self.discard_action = action("Discard draft…", self.discard_draft)
        self.undo_action = self.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for act in (self.undo_action, self.redo_action):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
        self.add_menu = QMenu("Add field", self)
        self.add_actions: dict[FieldType, QAction] = {}
        for field_type in ADDABLE_TYPES:
            act = self.add_menu.addAction(type_label(field_type))
            act.triggered.connect(lambda _checked=False, t=field_type: self.add_field(t))
            self.add_actions[field_type] = act
        self.add_button = QToolButton(self)
        self.add_button.setText("Add field")
        self.add_button.setMenu(self.add_menu)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.delete_action = action("Delete field", self.delete_selected, QKeySequence.StandardKey.Delete)
        self.group_action = action("Group", lambda: self.group_selected(FieldType.GROUP))
        self.repeat_action = action("Repeat group", lambda: self.group_selected(FieldType.REPEAT))
        self.ungroup_action = action("Ungroup", self.ungroup_selected)
        for act in (self.new_action, self.import_action, self.save_action, self.publish_action, self.discard_action):
            self.toolbar.addAction(act)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.undo_action)
        self.toolbar.addAction(self.redo_action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.add_button)
        for act in (self.delete_action, self.group_action, self.repeat_action, self.ungroup_action):
            self.toolbar.addAction(act)

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Form version status")
        outer.addWidget(self.banner)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(splitter, 1)
        self.splitter = splitter

        self.form_list = FormList(splitter)
        self.form_list.sig_open.connect(self.on_open_requested)

        middle = QWidget(splitter)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        details = QFormLayout()
        self.name_edit = QLineEdit(middle)
        self.name_edit.setAccessibleName("Form name")
        self.description_edit = QLineEdit(middle)
        self.description_edit.setAccessibleName("Form description")
        details.addRow("Form name", self.name_edit)
        details.addRow("Description", self.description_edit)
        middle_layout.addLayout(details)
        self.name_edit.editingFinished.connect(self.on_details_edited)
        self.description_edit.editingFinished.connect(self.on_details_edited)
        self.field_tree = FieldTree(middle)
        self.field_tree.sig_selected.connect(self.on_field_selected)
        self.field_tree.sig_move_requested.connect(self.move_field)
        middle_layout.addWidget(self.field_tree, 3)
        self.problems_title = QLabel("Problems", middle)
        middle_layout.addWidget(self.problems_title)
        self.problem_list = QListWidget(middle)
        self.problem_list.setAccessibleName("Problems in this form")
        self.problem_list.itemActivated.connect(self.on_problem_activated)
        self.problem_list.itemClicked.connect(self.on_problem_activated)
        self.problem_list.setMaximumHeight(150)
        middle_layout.addWidget(self.problem_list, 1)
        self.message = QLabel(middle)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        middle_layout.addWidget(self.message)

        self.properties = PropertiesPanel(splitter)
        self.properties.sig_edit.connect(self.on_property_edit)

        preview_box = QWidget(splitter)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.preview_title = QLabel("Preview", preview_box)
        font = self.preview_title.font()
        font.setBold(True)
        self.preview_title.setFont(font)
        header.addWidget(self.preview_title, 1)
        self.preview_issues_check = QCheckBox("Show all problems", preview_box)
        header.addWidget(self.preview_issues_check)
        preview_layout.addLayout(header)
        self.preview_note = QLabel(preview_box)
        self.preview_note.setWordWrap(True)
        preview_layout.addWidget(self.preview_note)
        self.preview = FormFiller(preview_box)
        self.preview.setAccessibleName("Preview of the form")
        self.preview.sig_answers_changed.connect(self.on_preview_answers)
        self.preview_issues_check.toggled.connect(self.preview.show_all_issues)
        preview_layout.addWidget(self.preview, 1)

        for index, stretch in enumerate((2, 4, 3, 4)):
            splitter.setStretchFactor(index, stretch)
        splitter.setSizes([300, 500, 380, 460])

    # --- forms ------------------------------------------------------------------------------------
    def reload_forms(self, select: tuple[str, int] | None = None) -> None:
        """Read the list of forms again (adds the built-in templates on first use)."""
        with self.store().session() as s:
            templates = form_service.list_templates(s)
        self.form_list.show_templates(templates, select or self._current)

    def open_form(self, key: str, version: int | None = None) -> None:
        """Open a form's newest version (or one version). Unsaved changes are asked about first."""
        if not self._leave_current():
            return
        with self.store().session() as s:
            summary = form_service.template_summary(s, key)
            definition = form_service.get_definition(s, key, version)
        newest = definition.version == summary.latest.version
        self._current = (key, definition.version)
        self.preview_answers = {}
        self._selected = None
        self.document.load(definition, newest=newest)
        with QSignalBlocker(self.form_list):
            self.form_list.select_version(key, version)

    def on_open_requested(self, key: str, version: object) -> None:
        wanted = version if isinstance(version, int) else None
        current = self._current
        already_open = current is not None and key == current[0]
        if (
            already_open
            and current is not None
            and (wanted == current[1] or (wanted is None and current[1] == self._newest_version(key)))
        ):
            return
        try:
            self.open_form(key, wanted)
        except CaseDeskError as err:
            self.tell("Cannot open the form", str(err), "")
        if self._current is not None:
            with QSignalBlocker(self.form_list):
                self.form_list.select_version(*self._current)

    def _newest_version(self, key: str) -> int:
        with self.store().read_session() as s:
            return form_service.template_summary(s, key).latest.version

    def _leave_current(self) -> bool:
        """True when it is fine to show another form (saved, or the person chose to discard)."""
        if not self.document.is_dirty:
            return True
        assert self.document.definition is not None
        if not self.document.problems() and self.ask(
            "Unsaved changes",
            f"Save the changes to “{self.document.definition.name}” as a draft before opening another form?",
        ):
            return self.save_draft()
        return self.ask("Discard changes?", "Discard the unsaved changes to this form?")

    def new_form(self, name: str | None = None) -> None:
        """Make a new form (draft version 1) and open it."""
        if name is None:
            text, accepted = QInputDialog.getText(self, "New form", "Name of the new form:")
            if not accepted:
                return
            name = text
        if not name.strip():
            self.tell("New form", "A form needs a name.", "")
            return
        if not self._leave_current():
            return
        key = unique_key(FormDefinition(key="x", name="x"), name, set(self.form_list.form_keys()))
        try:
            with self.store().session() as s:
                created = form_service.create_form(s, key, name)
        except CaseDeskError as err:
            self.tell("New form", str(err), "")
            return
        self.document.unload()
        self.reload_forms((created.key, created.version))
        self.open_form(created.key)
        self.sig_forms_changed.emit()

    def import_xlsform(self, path: str | Path | None = None, *, replace_draft: bool = False) -> None:
        """Import an XLSForm workbook as a draft and open it; show what was left out.

        With an op runner the import runs off the UI thread and the result arrives later.
        """
        if path is None:
            chosen, _filter = QFileDialog.getOpenFileName(self, "Import XLSForm", "", "XLSForm workbooks (*.xlsx)")
            if not chosen:
                return
            path = chosen
        if not self._leave_current():
            return
        source = Path(path)
        store = self.store

        def work() -> form_service.ImportOutcome:
            with store().session() as s:
                return form_service.import_xlsform_file(s, source, replace_draft=replace_draft)

        def failed(exc: BaseException) -> None:
            self.import_action.setEnabled(True)
            self._import_failed(source, exc, replace_draft)

        def done(outcome: form_service.ImportOutcome) -> None:
            self.import_action.setEnabled(True)
            self._imported(outcome)

        if self.ops is not None:
            self.import_action.setEnabled(False)
            self.banner.setText(f"Importing {source.name}…")
            self.ops.run(work, on_done=done, on_error=failed)
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            outcome = work()
        except CaseDeskError as err:
            QGuiApplication.restoreOverrideCursor()
            failed(err)
            return
        QGuiApplication.restoreOverrideCursor()
        done(outcome)

    def _import_failed(self, source: Path, exc: BaseException, replace_draft: bool) -> None:
        self.banner.setText(self._banner_text())
        if isinstance(exc, FormDefinitionError):
            self.tell("The XLSForm could not be imported", f"Nothing was imported from {source.name}.", str(exc))
        elif isinstance(exc, form_service.DraftExistsError) and not replace_draft:
            if self.ask("Replace the draft?", f"{exc}\n\nReplace that draft with the imported form?"):
                self.import_xlsform(source, replace_draft=True)
        else:
            self.tell("The XLSForm could not be imported", user_message(exc), "")

    def _imported(self, outcome: form_service.ImportOutcome) -> None:
        definition = outcome.definition
        self.document.unload()
        self._current = None
        self.reload_forms((definition.key, definition.version))
        self.open_form(definition.key, definition.version)
        self.sig_forms_changed.emit()
        report = "\n".join(str(note) for note in outcome.report)
        left_out = (
            f"{len(outcome.report)} rows or cells were left out or changed; see the details."
            if outcome.report
            else "Every row was imported."
        )
        summary = f"Imported “{definition.name}” as version {definition.version} (a draft). {left_out}"
        self.tell("XLSForm imported", summary, report)

    # --- saving and publishing --------------------------------------------------------------------
    def save_draft(self) -> bool:
        """Store the draft (only when it has no problems). Returns True when it is stored."""
        definition = self.document.definition
        if definition is None or self.document.read_only or definition.is_published:
            return False
        problems = self.document.problems()
        if problems:
            self.tell("Cannot save yet", f"Fix the {len(problems)} problem(s) listed under the fields first.", "")
            return False
        try:
            with self.store().session() as s:
                stored = form_service.save_draft(s, definition)
        except CaseDeskError as err:
            self.tell("The draft was not saved", str(err), "")
            return False
        self._current = (stored.key, stored.version)
        self.document.mark_saved(stored)
        self.reload_forms(self._current)
        self.sig_forms_changed.emit()
        return True

    def publish(self) -> bool:
        """Publish the draft after a confirmation that explains versioning. Returns True when published."""
        definition = self.document.definition
        if definition is None or self.document.read_only or definition.is_published:
            return False
        if self.document.problems():
            self.tell("Cannot publish yet", "Fix the problems listed under the fields first.", "")
            return False
        text = PUBLISH_EXPLANATION.format(version=definition.version, next=definition.version + 1, name=definition.name)
        if not self.ask(f"Publish version {definition.version}?", text):
            return False
        try:
            with self.store().session() as s:
                if self.document.is_dirty or definition.version != (self._current or ("", 0))[1]:
                    form_service.save_draft(s, definition)
                published = form_service.publish_version(s, definition.key, definition.version)
        except CaseDeskError as err:
            self.tell("The form was not published", str(err), "")
            return False
        self._current = (published.key, published.version)
        self.document.mark_saved(published)
        self.reload_forms(self._current)
        self.sig_forms_changed.emit()
        return True

    def discard_draft(self) -> None:
        definition = self.document.definition
        if definition is None or definition.is_published or self.document.read_only:
            return
        stored = self._current is not None and self._current[1] == definition.version
        if not self.ask("Discard draft?", f"Throw away the draft version {definition.version} of “{definition.name}”?"):
            return
        try:
            if stored:
                with self.store().session() as s:
                    form_service.discard_draft(s, definition.key, definition.version)
        except CaseDeskError as err:
            self.tell("The draft was not discarded", str(err), "")
            return
        self.document.unload()
        self._current = None
        self.reload_forms()
        try:
            self.open_form(definition.key)
        except CaseDeskError:
            self.on_document_changed(None)  # the form had only this draft: nothing left to show
        self.sig_forms_changed.emit()

    # --- editing actions --------------------------------------------------------------------------
    def _edit(self, text: str, action: Callable[[FormDefinition], FormDefinition], select: str | None) -> bool:
        self.message.clear()
        try:
            self.document.edit(text, action, select=select, selected_before=self._selected)
        except CaseDeskError as err:
            self.message.setText(str(err))
            return False
        except (ValueError, TypeError, KeyError) as err:
            # a change the definition cannot hold: refuse it, keep the form as it was
            self.message.setText(f"That change could not be made ({type(err).__name__}); the form is unchanged.")
            return False
        return True

    def add_field(self, field_type: FieldType) -> str | None:
        """Add a field after the selected one (inside it, for a group). Returns the new key."""
        definition = self.document.definition
        if definition is None:
            return None
        selected = self._selected
        created: dict[str, str] = {}

        def add(draft: FormDefinition) -> FormDefinition:
            field_def = new_field(draft, field_type)
            created["key"] = field_def.key
            parent: str | None = None
            index: int | None = None
            if selected is not None:
                target = draft.field(selected)
                if target.is_container:
                    parent = selected
                else:
                    where = position_of(draft, selected)
                    parent, index = where.parent, where.index + 1
            return insert_field(draft, field_def, parent, index)

        key = new_field(definition, field_type).key
        if self._edit(f"Add {type_label(field_type).lower()}", add, key):
            return created.get("key", key)
        return None

    def delete_selected(self) -> None:
        keys = self.field_tree.selected_keys()
        if not keys:
            return

        def delete(draft: FormDefinition) -> FormDefinition:
            for key in keys:
                if any(info.field.key == key for info in draft.walk()):
                    draft = remove_field(draft, key)
            return draft

        text = f"Delete '{keys[0]}'" if len(keys) == 1 else f"Delete {len(keys)} fields"
        self._edit(text, delete, None)

    def group_selected(self, container_type: FieldType) -> None:
        keys = self.field_tree.selected_keys()
        if not keys:
            self.message.setText("Select the fields to group first.")
            return
        made: dict[str, str] = {}

        def group(draft: FormDefinition) -> FormDefinition:
            grouped, key = wrap_fields(draft, keys, container_type)
            made["key"] = key
            return grouped

        assert self.document.definition is not None
        guess = unique_key(self.document.definition, "table" if container_type is FieldType.REPEAT else "group")
        self._edit(f"Group {len(keys)} field(s) into a {type_label(container_type).lower()}", group, guess)

    def ungroup_selected(self) -> None:
        key = self._selected
        if key is None:
            return
        self._edit(f"Ungroup '{key}'", lambda d: unwrap_group(d, key), None)

    def move_field(self, key: str, parent: object, index: int) -> None:
        parent_key = parent if isinstance(parent, str) else None
        self._edit(f"Move '{key}'", lambda d: move_field(d, key, parent_key, index), key)

    def on_property_edit(self, key: str, changes: dict[str, Any], text: str) -> None:
        select = str(changes.get("key", key))
        if not self._edit(text, lambda d: update_field(d, key, **changes), select):
            self.properties.show_field(self._field(key), read_only=self.document.read_only)

    def on_details_edited(self) -> None:
        definition = self.document.definition
        if definition is None or self.document.read_only:
            return
        name, description = self.name_edit.text().strip(), self.description_edit.text().strip()
        if name == definition.name and description == definition.description:
            return
        self._edit(
            "Change form name", lambda d: set_form_details(d, name=name, description=description), self._selected
        )

    # --- showing ----------------------------------------------------------------------------------
    def _field(self, key: str | None) -> Any:
        definition = self.document.definition
        if definition is None or key is None:
            return None
        try:
            return definition.field(key)
        except KeyError:
            return None

    def on_document_changed(self, select: object) -> None:
        definition = self.document.definition
        if isinstance(select, str):
            self._selected = select
        if self._field(self._selected) is None:
            self._selected = None
        problems = self.document.problems()
        problem_keys = {path.split(".")[-1].split(":")[0] for path, _ in problems}
        editable = definition is not None and not self.document.read_only
        self.field_tree.show_definition(definition, problem_keys, self._selected, editable=editable)
        with QSignalBlocker(self.name_edit), QSignalBlocker(self.description_edit):
            self.name_edit.setText(definition.name if definition else "")
            self.description_edit.setText(definition.description if definition else "")
            self.name_edit.setCursorPosition(0)
            self.description_edit.setCursorPosition(0)
        self.name_edit.setEnabled(editable)
        self.description_edit.setEnabled(editable)
        self.problem_list.clear()
        for path, message in problems:
            item = QListWidgetItem(f"{path}: {message}" if path else message)
            item.setData(Qt.ItemDataRole.UserRole, path.split(":")[0].split(".")[-1] if path else None)
            self.problem_list.addItem(item)
        self.problems_title.setText(f"Problems ({len(problems)})" if problems else "No problems")
        self.banner.setText(self._banner_text())
        self._update_preview(problems)
        self._update_actions()

    def _banner_text(self) -> str:
        definition = self.document.definition
        if definition is None:
            return "Choose a form on the left, create a new one or import an XLSForm."
        if self.document.read_only:
            return self.document.read_only_reason
        if definition.is_published:
            return (
                f"Version {definition.version} is published and frozen. Editing it makes version "
                f"{definition.version + 1} as a draft; version {definition.version} stays as it is."
            )
        stored = self._current is not None and self._current == (definition.key, definition.version)
        state = "unsaved changes" if self.document.is_dirty else "saved"
        if not stored:
            state = "new draft, not saved yet"
        return f"Version {definition.version}: draft ({state}). Publish it to fill it in."

    def _update_preview(self, problems: list[tuple[str, str]]) -> None:
        definition = self.document.definition
        if definition is None:
            self.preview.clear()
            self.preview_note.setText("")
            return
        if problems:
            self.preview.setEnabled(False)
            self.preview_note.setText(
                "The preview shows the form as it was before the problems; fix them to see changes."
            )
            return
        answers = new_response(definition, SAMPLE_CONTEXT)
        answers.update(self.preview_answers)
        try:
            self.preview.set_form(definition, answers, SAMPLE_CONTEXT)
        except CaseDeskError as err:
            self.preview.setEnabled(False)
            self.preview_note.setText(f"The preview cannot show this form: {err}")
            return
        self.preview.setEnabled(True)
        self.preview_note.setText("Try the form here: answers are not stored. Client fields show a sample client.")
        self.preview.show_all_issues(self.preview_issues_check.isChecked())

    def on_preview_answers(self) -> None:
        self.preview_answers = self.preview.answers()

    def on_field_selected(self, key: object) -> None:
        self._selected = key if isinstance(key, str) else None
        self.properties.show_field(self._field(self._selected), read_only=self.document.read_only)
        self._update_actions()

    def on_problem_activated(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, str) and self._field(key) is not None:
            self.field_tree.select_key(key)

    def _update_actions(self) -> None:
        definition = self.document.definition
        editable = definition is not None and not self.document.read_only
        draft = editable and definition is not None and not definition.is_published
        valid = definition is not None and not self.document.problems()
        selected = self._field(self._selected)
        unsaved = definition is not None and (
            self.document.is_dirty or self._current != (definition.key, definition.version)
        )
        self.save_action.setEnabled(draft and valid and unsaved)
        self.publish_action.setEnabled(draft and valid)
        self.discard_action.setEnabled(draft)
        self.add_button.setEnabled(editable)
        self.delete_action.setEnabled(editable and selected is not None)
        self.group_action.setEnabled(editable and selected is not None)
        self.repeat_action.setEnabled(editable and selected is not None)
        self.ungroup_action.setEnabled(editable and selected is not None and selected.is_container)

    # --- dialogs (replaceable) --------------------------------------------------------------------
    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.exec()

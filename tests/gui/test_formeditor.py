"""The form editor pane with real widgets on a real encrypted profile (pytest-qt, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractItemView

from casedesk.db.store import Store
from casedesk.forms import FieldType
from casedesk.gui.formeditor import FormEditorPane
from casedesk.gui.formeditor.inputs import ChoiceInput, LineInput, RadioInput
from casedesk.services import forms as form_service

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]

PASSPHRASE = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _recovery = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    yield st
    st.close()


@pytest.fixture
def pane(qtbot: object, store: Store) -> FormEditorPane:
    editor = FormEditorPane(store)
    editor.ask = lambda title, text: True  # type: ignore[method-assign]
    editor.told = []  # type: ignore[attr-defined]
    editor.tell = lambda title, text, details: editor.told.append((title, text, details))  # type: ignore[attr-defined,method-assign]
    qtbot.addWidget(editor)  # type: ignore[attr-defined]
    editor.resize(1500, 900)
    editor.show()
    return editor


def choose_type(pane: FormEditorPane, field_type: FieldType) -> None:
    combo = pane.properties.type_combo
    index = combo.findData(field_type.value)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def build_conditional_form(pane: FormEditorPane) -> None:
    """A yes/no question and a follow-up shown only for "no", made through the panes' own widgets."""
    pane.new_form("Home visit check")
    pane.field_tree.select_key("question_1")
    choose_type(pane, FieldType.YES_NO)
    pane.properties.type_into("label", "Seen in person?")
    pane.properties.type_into("key", "seen")
    new_key = pane.add_field(FieldType.LONG_TEXT)
    assert new_key == "question" and pane.field_tree.current_key() == "question"
    pane.properties.type_into("label", "Why not in person?")
    pane.properties.type_into("key", "why_not")
    pane.properties.required_check.click()
    pane.properties.type_into("relevant", "${seen} = 'no'")


def test_conditional_field_in_the_preview_with_undo_and_redo(pane: FormEditorPane) -> None:
    build_conditional_form(pane)
    definition = pane.document.definition
    assert definition is not None
    assert [info.field.key for info in definition.walk()] == ["seen", "why_not"]
    assert definition.field("why_not").relevant == "${seen} = 'no'"
    assert pane.problem_list.count() == 0 and pane.save_action.isEnabled()

    preview = pane.preview
    assert preview.is_shown("seen") and not preview.is_shown("why_not")
    seen = preview.row("seen").editor
    assert isinstance(seen, RadioInput)
    seen.pick("no")
    assert preview.is_shown("why_not")
    assert preview.row("why_not").label.text() == "Why not in person? *"
    seen.pick("yes")
    assert not preview.is_shown("why_not")
    seen.pick("no")

    # undo the relevance: the follow-up always shows; redo hides it again for "yes"
    assert pane.undo_stack.undoText() == "Change show only when of 'why_not'"
    pane.undo_action.trigger()
    assert pane.document.definition is not None and pane.document.definition.field("why_not").relevant is None
    assert pane.preview.is_shown("why_not")
    assert pane.properties.relevant_edit.text() == ""
    pane.redo_action.trigger()
    assert pane.preview.row("seen").editor.value() == "no"  # preview answers survive edits
    assert pane.preview.is_shown("why_not")
    pane.preview.row("seen").editor.pick("yes")  # type: ignore[union-attr]
    assert not pane.preview.is_shown("why_not")

    # every step undoes, back to the form as created
    while pane.undo_stack.canUndo():
        pane.undo_stack.undo()
    assert pane.document.definition is not None
    assert [f.key for f in pane.document.definition.fields] == ["question_1"]
    assert not pane.document.is_dirty


def test_save_publish_and_next_version(pane: FormEditorPane, store: Store) -> None:
    build_conditional_form(pane)
    assert pane.save_draft()
    with store.read_session() as s:
        stored = form_service.get_definition(s, "home_visit_check")
    assert stored.version == 1 and not stored.is_published and stored.field("why_not").required is True

    asked: list[str] = []
    pane.ask = lambda title, text: asked.append(text) or True  # type: ignore[method-assign]
    assert pane.publish()
    assert "can never be changed" in asked[0] and "version 2" in asked[0]
    with store.read_session() as s:
        assert form_service.get_definition(s, "home_visit_check").is_published
    assert "published and frozen" in pane.banner.text()

    # editing the published version makes version 2; version 1 stays
    pane.field_tree.select_key("seen")
    pane.properties.type_into("label", "Did you see the client in person?")
    definition = pane.document.definition
    assert definition is not None and definition.version == 2 and not definition.is_published
    assert "Version 2: draft" in pane.banner.text()
    assert pane.save_draft()
    with store.read_session() as s:
        summary = form_service.template_summary(s, "home_visit_check")
        assert [(v.version, v.status) for v in summary.versions] == [(1, "published"), (2, "draft")]
        assert form_service.get_definition(s, "home_visit_check", 1).field("seen").label == "Seen in person?"

    # an older version opens read-only
    pane.open_form("home_visit_check", 1)
    assert pane.document.read_only and "older version" in pane.banner.text()
    assert not pane.add_button.isEnabled()


def test_a_broken_definition_shows_problems_and_never_crashes(pane: FormEditorPane) -> None:
    build_conditional_form(pane)
    pane.save_draft()
    pane.field_tree.select_key("why_not")
    pane.properties.type_into("relevant", "${nowhere} = 'no' and (")
    problems = [pane.problem_list.item(i).text() for i in range(pane.problem_list.count())]
    assert problems and all(p.startswith("why_not") for p in problems)
    assert not pane.save_action.isEnabled() and not pane.publish_action.isEnabled()
    assert not pane.preview.isEnabled() and "fix them" in pane.preview_note.text()
    assert not pane.save_draft()
    assert pane.told and pane.told[-1][0] == "Cannot save yet"  # type: ignore[attr-defined]
    # a key that clashes is refused with a message, and nothing changes
    count = pane.undo_stack.count()
    pane.properties.type_into("key", "seen")
    assert pane.undo_stack.count() == count and "already used" in pane.message.text()
    pane.undo_stack.undo()
    assert pane.problem_list.count() == 0 and pane.preview.isEnabled()


def test_grouping_dragging_and_deleting(pane: FormEditorPane) -> None:
    build_conditional_form(pane)
    pane.field_tree.select_key("seen")
    pane.add_field(FieldType.DATE)
    assert [f.key for f in pane.document.definition.fields] == ["seen", "question", "why_not"]  # type: ignore[union-attr]

    # a drop below "why_not" moves the date to the end
    parent, index = pane.field_tree.drop_target("why_not", QAbstractItemView.DropIndicatorPosition.BelowItem)
    pane.move_field("question", parent, index)
    assert [f.key for f in pane.document.definition.fields] == ["seen", "why_not", "question"]  # type: ignore[union-attr]

    # group the date into a repeat group (a table of rows); the preview offers rows
    pane.field_tree.select_key("question")
    pane.group_selected(FieldType.REPEAT)
    table = pane.document.definition.fields[-1]  # type: ignore[union-attr]
    assert table.type is FieldType.REPEAT and [c.key for c in table.children] == ["question"]
    assert pane.field_tree.current_key() == table.key
    pane.preview.add_row(table.key)
    date_input = pane.preview.row(f"{table.key}[0].question").editor
    assert isinstance(date_input, LineInput)
    date_input.edit.setText("not a date")
    date_input.edit.textEdited.emit("not a date")
    assert "date" in pane.preview.row(f"{table.key}[0].question").issue_text()

    # a drop onto the group puts the field inside it
    parent, index = pane.field_tree.drop_target(table.key, QAbstractItemView.DropIndicatorPosition.OnItem)
    pane.move_field("why_not", parent, index)
    assert [c.key for c in pane.document.definition.field(table.key).children] == ["question", "why_not"]  # type: ignore[union-attr]

    pane.field_tree.select_key(table.key)
    pane.delete_selected()
    assert [f.key for f in pane.document.definition.fields] == ["seen"]  # type: ignore[union-attr]
    pane.undo_stack.undo()
    assert pane.document.definition.field("why_not") is not None  # type: ignore[union-attr]


def test_choices_and_type_changes_reach_the_preview(pane: FormEditorPane) -> None:
    pane.new_form("Choices")
    pane.field_tree.select_key("question_1")
    choose_type(pane, FieldType.SINGLE_CHOICE)
    pane.properties.choices_editor.on_add()
    choices = pane.document.definition.field("question_1").choices  # type: ignore[union-attr]
    assert [c.value for c in choices] == ["option_1", "option_2", "option_3"]
    editor = pane.preview.row("question_1").editor
    assert isinstance(editor, ChoiceInput) and editor.combo.count() == 4  # blank + three
    pane.properties.type_into("constraint", ". != 'option_2'")
    pane.properties.type_into("constraint_message", "Not that one.")
    editor = pane.preview.row("question_1").editor
    assert isinstance(editor, ChoiceInput)
    editor.pick("option_2")
    assert pane.preview.row("question_1").issue_text() == "Not that one."


def test_xlsform_import_from_the_pane(pane: FormEditorPane, shared_testdata: Path) -> None:
    pane.import_xlsform(shared_testdata / "xlsform" / "valid" / "onadata__tutorial.xlsx")
    title, _text, details = pane.told[-1]  # type: ignore[attr-defined]
    assert title == "XLSForm imported" and "survey row 5" in details
    assert pane.document.definition is not None and pane.document.definition.key == "onadata__tutorial"
    assert "onadata__tutorial" in pane.form_list.form_keys()

    pane.import_xlsform(shared_testdata / "xlsform" / "invalid" / "xlsform-offline__pyxform-error.xlsx")
    title, _text, details = pane.told[-1]  # type: ignore[attr-defined]
    assert title == "The XLSForm could not be imported" and "textX" in details
    assert pane.document.definition.key == "onadata__tutorial"  # still showing what was open


def test_screenshot(pane: FormEditorPane, tmp_path: Path) -> None:
    pane.open_form("consent_release_of_information")
    pane.field_tree.select_key("information_other")
    image = pane.grab()
    target = tmp_path / "form-editor.png"
    assert image.save(str(target)) and target.stat().st_size > 10_000


def test_every_field_type_and_type_change_keeps_the_editor_alive(pane: FormEditorPane) -> None:
    from casedesk.gui.formeditor.pane import ADDABLE_TYPES

    pane.new_form("Everything")
    for field_type in ADDABLE_TYPES:
        pane.field_tree.select_key(None)
        assert pane.add_field(field_type) is not None
        assert pane.problem_list.count() == 0, field_type
        assert pane.preview.isEnabled()
    pane.field_tree.select_key("question_1")
    for field_type in ADDABLE_TYPES:
        choose_type(pane, field_type)
        assert pane.document.definition.field("question_1").type is field_type  # type: ignore[union-attr]
        assert pane.problem_list.count() == 0, field_type
    assert pane.save_draft()


def test_imported_and_builtin_forms_preview(pane: FormEditorPane, shared_testdata: Path) -> None:
    for path in sorted((shared_testdata / "xlsform" / "valid").glob("*.xlsx")):
        pane.import_xlsform(path)
        assert pane.document.definition is not None and pane.preview.isEnabled(), path.name
    pane.open_form("nested_repeats")
    pane.preview.row("has_kids").editor.pick("1")  # type: ignore[union-attr]
    assert pane.preview.is_shown("kids_details")
    pane.preview.add_row("kids_details")
    pane.preview.add_row("kids_details[0].kids_immunization")
    assert pane.preview.is_shown("kids_details[0].kids_immunization[0].immunization_info")
    for key in ("intake_face_sheet", "isp_quarterly_review", "monthly_contact_log", "risk_assessment"):
        pane.open_form(key)
        assert pane.preview.isEnabled() and pane.problem_list.count() == 0, key


def test_a_drop_on_the_field_tree_moves_the_field(pane: FormEditorPane, qtbot: object) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QDropEvent

    build_conditional_form(pane)
    tree = pane.field_tree
    tree.select_key("seen")
    mime = tree.model().mimeData([tree.index_of_key("seen")])
    target = tree.visualRect(tree.index_of_key("why_not"))
    point = QPoint(target.center().x(), target.bottom() - 1)  # the lower edge: "below why_not"
    assert tree.drop_position(point) is QAbstractItemView.DropIndicatorPosition.BelowItem
    drop = QDropEvent(
        point.toPointF(), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    tree.dropEvent(drop)
    assert drop.dropAction() is Qt.DropAction.IgnoreAction  # the tree never moves items itself
    qtbot.waitUntil(lambda: [f.key for f in pane.document.definition.fields] == ["why_not", "seen"])  # type: ignore[attr-defined,union-attr]
    assert pane.undo_stack.undoText() == "Move 'seen'"
    assert [tree.topLevelItem(i).text(2) for i in range(tree.topLevelItemCount())] == ["why_not", "seen"]

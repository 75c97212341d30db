"""Filling a form for a client in the fill dialog: problems next to fields, signing, finalising, PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from casedesk.db.store import Store
from casedesk.forms import FormDefinition
from casedesk.gui.formeditor import FormFillDialog
from casedesk.gui.formeditor.inputs import ChoiceInput, LineInput, LongTextInput, RadioInput, SignatureInput
from casedesk.services import clients, plans
from casedesk.services import forms as form_service

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]

PASSPHRASE = "correct horse battery"
VISIT_FORM: dict[str, Any] = {
    "schema_version": 1,
    "key": "visit_check",
    "name": "Visit check",
    "version": 1,
    "fields": [
        {"key": "client_name", "type": "client_field", "binding": "name", "label": "Client"},
        {"key": "seen", "type": "yes_no", "label": "Seen in person?", "required": True},
        {
            "key": "why_not",
            "type": "long_text",
            "label": "Why not in person?",
            "required": True,
            "relevant": "${seen} = 'no'",
        },
        {
            "key": "mood",
            "type": "integer",
            "label": "Mood (1-5)",
            "constraint": ". >= 1 and . <= 5",
            "constraint_message": "Pick 1 to 5.",
        },
        {"key": "goal", "type": "goal_picker", "label": "Goal worked on"},
        {"key": "signature", "type": "signature", "label": "Case manager", "required": True},
    ],
}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _recovery = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with st.session() as s:
        form_service.create_form(s, "visit_check", "Visit check")
        form_service.save_draft(s, FormDefinition.from_dict(VISIT_FORM))
        form_service.publish_version(s, "visit_check")
    yield st
    st.close()


@pytest.fixture
def client_id(store: Store) -> str:
    with store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", dob=dt.date(1990, 4, 2))
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 1))
        plans.add_goal(s, plan, "Cook a simple meal three times a week.")
    return cid


@pytest.fixture
def dialog(qtbot: Any, store: Store, client_id: str) -> FormFillDialog:
    fill = FormFillDialog(store, client_id)
    fill.ask = lambda title, text: True  # type: ignore[method-assign]
    fill.told = []  # type: ignore[attr-defined]
    fill.tell = lambda title, text, details: fill.told.append((title, text, details))  # type: ignore[attr-defined,method-assign]
    qtbot.addWidget(fill)
    fill.show()
    return fill


def type_line(dialog: FormFillDialog, path: str, text: str) -> None:
    editor = dialog.filler.row(path).editor
    assert isinstance(editor, LineInput)
    editor.edit.setText(text)
    editor.edit.textEdited.emit(text)


def test_fill_with_messages_next_to_fields_then_sign_and_finalise(
    dialog: FormFillDialog, store: Store, client_id: str, tmp_path: Path
) -> None:
    assert dialog.form_combo.findData("visit_check") >= 0
    response_id = dialog.start("visit_check")
    assert response_id is not None
    filler = dialog.filler
    client = filler.row("client_name").editor
    assert isinstance(client, LineInput) and client.edit.text() == "Zoë Nguyễn"  # prefilled from the record
    assert not dialog.finalise_button.isEnabled()
    assert filler.row("seen").issue_text() == ""  # untouched questions are not nagged

    seen = filler.row("seen").editor
    assert isinstance(seen, RadioInput)
    seen.pick("no")
    assert filler.is_shown("why_not")
    type_line(dialog, "mood", "9")
    assert filler.row("mood").issue_text() == "Pick 1 to 5."  # constraint message right under the field
    type_line(dialog, "mood", "lots")
    assert "whole number" in filler.row("mood").issue_text()
    dialog.show_problems_button.click()
    assert "required" in filler.row("why_not").issue_text().lower()
    assert "required" in filler.row("signature").issue_text().lower()
    assert not dialog.finalise_button.isEnabled()
    assert "need attention" in dialog.status.text()

    why = filler.row("why_not").editor
    assert isinstance(why, LongTextInput)
    why.edit.setPlainText("Met at the clinic instead.")
    type_line(dialog, "mood", "4")
    goal = filler.row("goal").editor
    assert isinstance(goal, ChoiceInput) and goal.combo.count() == 2
    goal.pick(goal.combo.itemData(1))
    assert filler.row("mood").issue_text() == "" and filler.row("why_not").issue_text() == ""
    assert not dialog.finalise_button.isEnabled()  # the required signature is still missing

    signature = filler.row("signature").editor
    assert isinstance(signature, SignatureInput) and signature.sign_button.isEnabled()
    assert dialog.sign_field("signature", "Ana Ruiz", "worker", "wet")
    signature = dialog.filler.row("signature").editor
    assert isinstance(signature, SignatureInput)
    assert "Signed on paper by Ana Ruiz" in signature.status.text()
    assert dialog.finalise_button.isEnabled()

    assert dialog.finalise()
    with store.read_session() as s:
        final = form_service.get_response(s, response_id, audit_view=False)
    assert final.is_final and final.answers["mood"] == 4 and final.answers["why_not"] == "Met at the clinic instead."
    assert final.answers["goal"]["label"] == "Cook a simple meal three times a week."
    assert not dialog.finalise_button.isEnabled() and "Final" in dialog.status.text()
    locked = dialog.filler.row("mood").editor
    assert isinstance(locked, LineInput) and locked.edit.isReadOnly()

    pdf = dialog.save_pdf(tmp_path / "visit.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")


def test_drafts_resume_where_they_were_left(dialog: FormFillDialog, store: Store, client_id: str) -> None:
    response_id = dialog.start("visit_check")
    assert response_id is not None
    dialog.filler.row("seen").editor.pick("yes")  # type: ignore[union-attr]
    type_line(dialog, "mood", "3")
    assert dialog.save_button.isEnabled()
    assert dialog.save_draft() and not dialog.save_button.isEnabled()
    with store.read_session() as s:
        assert form_service.get_response(s, response_id, audit_view=False).answers["mood"] == 3

    again = FormFillDialog(store, client_id)
    try:
        assert again.response_list.count() == 1
        again.on_response_chosen(again.response_list.item(0))
        assert again.filler.row("seen").editor.value() == "yes"  # type: ignore[union-attr]
        mood = again.filler.row("mood").editor
        assert isinstance(mood, LineInput) and mood.edit.text() == "3"
    finally:
        again.close()
        again.deleteLater()


def test_moving_a_draft_to_a_new_version(dialog: FormFillDialog, store: Store) -> None:
    response_id = dialog.start("visit_check")
    assert response_id is not None
    type_line(dialog, "mood", "2")
    dialog.save_draft()
    with store.session() as s:
        draft = form_service.new_draft_version(s, "visit_check")
        fields = [f.to_dict() for f in draft.fields if f.key != "mood"]
        form_service.save_draft(s, FormDefinition.from_dict({**draft.to_dict(), "fields": fields}))
        form_service.publish_version(s, "visit_check")
    dialog.reload()
    dialog.open_response(response_id)
    assert "Version 2 of this form is newer" in dialog.title.text()
    assert not dialog.migrate_button.isHidden()
    assert dialog.migrate()
    assert dialog.detail is not None and dialog.detail.template_version == 2
    assert not dialog.filler.has_row("mood")
    _title, text, details = dialog.told[-1]  # type: ignore[attr-defined]
    assert "could not move" in text and details.startswith("mood:")
    assert dialog.migrate_button.isHidden()


def test_buttons_have_names(dialog: FormFillDialog) -> None:
    dialog.start("visit_check")
    for button in dialog.findChildren(QPushButton):
        assert button.text() or button.accessibleName()

"""The forms service on a real encrypted profile: templates, versions, imports, responses, signatures."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from casedesk.db.models import AuditEvent, FormResponse, FormTemplate, OutboxOp, Signature
from casedesk.db.store import Store
from casedesk.domain.print_layout import FieldLine, SignatureLine
from casedesk.errors import ImmutableRecordError, InvalidTransitionError, NotFoundError, ValidationError
from casedesk.forms import FormDefinition, FormDefinitionError, builtin_template
from casedesk.forms.templates import builtin_template_keys
from casedesk.services import clients, plans
from casedesk.services import forms as service

PASSPHRASE = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _recovery = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    yield st
    st.close()


@pytest.fixture
def client_id(store: Store) -> str:
    with store.session() as s:
        cid = clients.create_client(
            s,
            first_name="Zoë",
            last_name="Nguyễn",
            dob=dt.date(1990, 4, 2),
            record_number="R-1",
            program="Supported living",
        )
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 1))
        plans.add_goal(s, plan, "Zoë will cook a simple meal three times a week.")
    return cid


def goal_ids(store: Store, client_id: str) -> list[str]:
    with store.read_session() as s:
        return [goal.id for goal in service.fill_context(s, client_id).goals or ()]


def visit_form(version: int = 1, **changes: Any) -> FormDefinition:
    """A small visit form: a yes/no with a conditional follow-up, a scored question and a signature."""
    fields: list[dict[str, Any]] = [
        {"key": "client_name", "type": "client_field", "binding": "name", "label": "Client"},
        {"key": "seen_in_person", "type": "yes_no", "label": "Seen in person?", "required": True},
        {
            "key": "why_not",
            "type": "long_text",
            "label": "Why not in person?",
            "required": True,
            "relevant": "${seen_in_person} = 'no'",
        },
        {
            "key": "mood",
            "type": "integer",
            "label": "Mood (1-5)",
            "constraint": ". >= 1 and . <= 5",
            "constraint_message": "Pick 1 to 5.",
        },
        {"key": "goal", "type": "goal_picker", "label": "Goal worked on"},
        {"key": "worker_signature", "type": "signature", "label": "Case manager", "required": True},
    ]
    data: dict[str, Any] = {
        "schema_version": 1,
        "key": "visit_check",
        "name": "Visit check",
        "version": version,
        "fields": fields,
    }
    data.update(changes)
    return FormDefinition.from_dict(data)


def publish_visit_form(store: Store) -> FormDefinition:
    with store.session() as s:
        service.create_form(s, "visit_check", "Visit check")
        service.save_draft(s, visit_form())
        return service.publish_version(s, "visit_check")


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def count(store: Store, model: Any) -> int:
    with store.read_session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def audit_actions(store: Store, record_type: str) -> list[tuple[str, dict[str, Any]]]:
    with store.read_session() as s:
        return [
            (e.action, dict(e.detail))
            for e in s.execute(
                select(AuditEvent).where(AuditEvent.record_type == record_type).order_by(AuditEvent.seq)
            ).scalars()
        ]


# --- built-in templates -----------------------------------------------------------------------------


def test_builtin_templates_load_once_published(store: Store) -> None:
    with store.session() as s:
        first = service.list_templates(s)
    assert sorted(t.key for t in first) == sorted(builtin_template_keys())
    assert all(t.builtin and t.published_version == 1 and t.draft_version is None for t in first)
    rows = count(store, FormTemplate)
    with store.session() as s:
        assert service.ensure_builtin_templates(s) == ()
        again = service.list_templates(s)
    assert count(store, FormTemplate) == rows
    assert [(t.key, t.versions) for t in again] == [(t.key, t.versions) for t in first]
    with store.read_session() as s:
        stored = service.get_definition(s, "intake_face_sheet", 1)
    assert stored.is_published and stored.fields == builtin_template("intake_face_sheet").fields


def test_builtin_key_edited_by_the_agency_is_left_alone(store: Store) -> None:
    with store.session() as s:
        service.ensure_builtin_templates(s)
        draft = service.new_draft_version(s, "risk_assessment")
        service.save_draft(s, FormDefinition.from_dict({**draft.to_dict(), "name": "Risk (our version)"}))
        service.publish_version(s, "risk_assessment")
    with store.session() as s:
        assert service.ensure_builtin_templates(s) == ()
        summary = service.template_summary(s, "risk_assessment")
    assert [v.version for v in summary.versions] == [1, 2]
    assert summary.name == "Risk (our version)"


# --- template versions ------------------------------------------------------------------------------


def test_editing_a_published_form_makes_the_next_draft_version(store: Store, client_id: str) -> None:
    v1 = publish_visit_form(store)
    with store.session() as s:
        old_response = service.start_response(s, client_id, "visit_check")
        service.save_answers(s, old_response, {"seen_in_person": "yes", "mood": 4})
        with pytest.raises(ImmutableRecordError, match="published"):
            service.save_draft(s, FormDefinition.from_dict({**v1.to_dict(), "status": "draft"}))
        draft = service.new_draft_version(s, "visit_check")
        assert (draft.version, draft.is_published) == (2, False)
        assert service.new_draft_version(s, "visit_check") == draft  # one draft at a time
        # version 2 drops the mood question and asks for a visit date
        v2_fields = [f.to_dict() for f in draft.fields if f.key != "mood"]
        v2_fields.insert(1, {"key": "visit_date", "type": "date", "label": "Visit date", "required": True})
        service.save_draft(s, FormDefinition.from_dict({**draft.to_dict(), "fields": v2_fields}))
        service.publish_version(s, "visit_check")
        summary = service.template_summary(s, "visit_check")
        new_response = service.start_response(s, client_id, "visit_check")
    assert [(v.version, v.status) for v in summary.versions] == [(1, "published"), (2, "published")]
    with store.session() as s:
        assert service.get_definition(s, "visit_check", 1) == v1  # untouched
        old = service.get_response(s, old_response)
        assert old.template_version == 1 and old.definition == v1
        old_result = service.evaluate_response(s, old_response)
        assert "visit_date" not in old_result.relevant and old_result.values["mood"] == 4
        assert {i.path for i in old_result.issues} == {"worker_signature"}
        labels = [b.label for b in service.response_layout(s, old_response).blocks if isinstance(b, FieldLine)]
        assert "Mood (1-5)" in labels and "Visit date" not in labels
        assert service.get_response(s, new_response).template_version == 2
        assert {i.path for i in service.evaluate_response(s, new_response).issues} >= {"visit_date"}


def test_drafts_are_validated_and_published_rows_are_guarded(store: Store) -> None:
    publish_visit_form(store)
    with store.session() as s:
        draft = service.new_draft_version(s, "visit_check")
        broken = draft.to_dict()
        broken["fields"][2]["relevant"] = "${nowhere} = 'no'"
        with pytest.raises(FormDefinitionError) as caught:
            service.save_draft(s, FormDefinition.from_dict(broken, validate=False))
        assert any("nowhere" in message for _path, message in caught.value.problems)
    with store.session() as s:
        assert service.get_definition(s, "visit_check", 2) == draft  # the bad draft was not stored
    with pytest.raises(ImmutableRecordError, match="published"), store.session() as s:
        row = s.execute(
            select(FormTemplate).where(FormTemplate.key == "visit_check", FormTemplate.form_version == 1)
        ).scalar_one()
        row.name = "Changed behind the service's back"
    with store.read_session() as s:
        assert service.get_definition(s, "visit_check", 1).name == "Visit check"


def test_draft_versions_can_be_discarded_and_made_again(store: Store) -> None:
    publish_visit_form(store)
    with store.session() as s:
        service.new_draft_version(s, "visit_check")
        service.discard_draft(s, "visit_check")
        assert service.template_summary(s, "visit_check").draft_version is None
        with pytest.raises(ImmutableRecordError):
            service.discard_draft(s, "visit_check", 1)
        assert service.new_draft_version(s, "visit_check").version == 2
        # a new form whose only draft was discarded can be made again under the same key
        service.create_form(s, "scratch", "Scratch")
        service.discard_draft(s, "scratch")
        assert "scratch" not in {t.key for t in service.list_templates(s)}
        assert service.create_form(s, "scratch", "Scratch again").name == "Scratch again"
        assert service.template_summary(s, "scratch").versions[0].version == 1


def test_only_published_versions_are_filled(store: Store, client_id: str) -> None:
    with store.session() as s:
        service.create_form(s, "visit_check", "Visit check")
        with pytest.raises(InvalidTransitionError, match="no published version"):
            service.start_response(s, client_id, "visit_check")
        with pytest.raises(InvalidTransitionError, match="draft"):
            service.start_response(s, client_id, "visit_check", 1)
        with pytest.raises(NotFoundError, match="No form 'nothing_here'"):
            service.start_response(s, client_id, "nothing_here")
        with pytest.raises(ValidationError, match="already a form"):
            service.create_form(s, "visit_check", "Again")


# --- XLSForm import ----------------------------------------------------------------------------------


def test_valid_shared_xlsforms_import_as_drafts(store: Store, shared_testdata: Path) -> None:
    files = sorted((shared_testdata / "xlsform" / "valid").glob("*.xlsx"))
    assert len(files) >= 4
    for path in files:
        with store.session() as s:
            outcome = service.import_xlsform_file(s, path)
        assert outcome.new_form and outcome.definition.version == 1 and not outcome.definition.is_published
        assert outcome.report, path.name
        with store.read_session() as s:
            assert service.get_definition(s, outcome.definition.key) == outcome.definition
    imports = [detail for action, detail in audit_actions(store, "form_template") if action == "import"]
    assert sorted(d["file"] for d in imports) == sorted(p.name for p in files)
    assert all(d["unmapped"] > 0 for d in imports)


def test_reimporting_a_form_makes_its_next_version(store: Store, shared_testdata: Path) -> None:
    path = shared_testdata / "xlsform" / "valid" / "onadata__tutorial.xlsx"
    with store.session() as s:
        key = service.import_xlsform_file(s, path).definition.key
    with store.session() as s, pytest.raises(ValidationError, match="unpublished draft"):
        service.import_xlsform_file(s, path)
    with store.session() as s:
        replaced = service.import_xlsform_file(s, path, replace_draft=True)
        assert replaced.replaced_draft and replaced.definition.version == 1
        service.publish_version(s, key)
        again = service.import_xlsform_file(s, path)
    assert (again.new_form, again.definition.version) == (False, 2)
    with store.read_session() as s:
        assert [v.status for v in service.template_summary(s, key).versions] == ["published", "draft"]


def test_invalid_shared_xlsforms_store_nothing(store: Store, shared_testdata: Path) -> None:
    with store.session() as s:
        service.ensure_builtin_templates(s)
    before = (count(store, FormTemplate), count(store, OutboxOp), count(store, AuditEvent))
    files = sorted((shared_testdata / "xlsform" / "invalid").glob("*.xlsx"))
    assert len(files) >= 2
    for path in files:
        with pytest.raises(FormDefinitionError) as caught, store.session() as s:
            service.import_xlsform_file(s, path)
        assert any(where.startswith("survey row") for where, _ in caught.value.problems)
    assert (count(store, FormTemplate), count(store, OutboxOp), count(store, AuditEvent)) == before


def test_a_file_that_is_not_a_workbook_is_refused(store: Store, tmp_path: Path) -> None:
    bogus = tmp_path / "form.xlsx"
    bogus.write_text("name,type\nage,integer\n")
    with pytest.raises(FormDefinitionError), store.session() as s:
        service.import_xlsform_file(s, bogus)
    assert count(store, FormTemplate) == 0


# --- responses ----------------------------------------------------------------------------------------


def test_start_prefills_from_the_client_record(store: Store, client_id: str) -> None:
    with store.session() as s:
        service.ensure_builtin_templates(s)
        rid = service.start_response(s, client_id, "intake_face_sheet")
        answers = service.get_response(s, rid).answers
    assert answers["client_name"] == "Zoë Nguyễn"
    assert answers["dob"] == "1990-04-02" and answers["record_number"] == "R-1"
    assert answers["program"] == "Supported living"


def test_goal_answers_keep_the_goal_text(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    [goal] = goal_ids(store, client_id)
    with store.session() as s:
        rid = service.start_response(s, client_id, "visit_check")
        service.save_answers(s, rid, {"goal": goal})
        stored = service.get_response(s, rid).answers["goal"]
    assert stored == {"id": goal, "label": "Zoë will cook a simple meal three times a week."}


def test_finalise_is_refused_while_invalid_and_final_is_immutable(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    with store.session() as s:
        rid = service.start_response(s, client_id, "visit_check")
        result = service.save_answers(s, rid, {"seen_in_person": "no", "mood": 9})
        assert {(i.path, i.kind) for i in result.issues} == {
            ("why_not", "required"),
            ("mood", "constraint"),
            ("worker_signature", "required"),
        }
    with store.session() as s, pytest.raises(ValidationError, match="cannot be finalised") as refused:
        service.finalise_response(s, rid)
    assert "Pick 1 to 5." in str(refused.value)
    with store.session() as s:
        assert service.get_response(s, rid).status == "draft"
        # the worker changes her mind: seen in person after all; the stale "why not" answer stays in the draft
        service.save_answers(s, rid, {"seen_in_person": "no", "why_not": "Client was at a clinic.", "mood": 4})
        service.save_answers(s, rid, {"seen_in_person": "yes", "why_not": "Client was at a clinic.", "mood": 4})
        service.attach_signature(s, rid, "worker_signature", signer_name="Ana Ruiz", signer_role="worker", method="wet")
        digest = service.finalise_response(s, rid)
    with store.session() as s:
        final = service.get_response(s, rid)
        assert final.is_final and final.content_hash == digest and final.finalised_by is not None
        assert "why_not" not in final.answers  # not relevant: not part of the final record
        assert service.verify_response_hash(s, rid)
        for attempt in (
            lambda: service.save_answers(s, rid, {"seen_in_person": "no"}),
            lambda: service.finalise_response(s, rid),
            lambda: service.migrate_response(s, rid),
            lambda: service.attach_signature(
                s, rid, "worker_signature", signer_name="X", signer_role="worker", method="wet"
            ),
            lambda: service.delete_draft_response(s, rid),
        ):
            with pytest.raises(ImmutableRecordError, match="final"):
                attempt()
    with pytest.raises(ImmutableRecordError, match="final"), store.session() as s:
        s.get(FormResponse, rid).answers = {"seen_in_person": "no"}  # type: ignore[union-attr]
    with store.session() as s:
        assert service.verify_response_hash(s, rid)
        assert service.get_response(s, rid).answers["mood"] == 4
    actions = [action for action, _detail in audit_actions(store, "form_response")]
    assert "sign" in actions and "view" in actions and actions.count("update") == 3


def test_a_changed_final_answer_breaks_the_hash(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    with store.session() as s:
        rid = service.start_response(s, client_id, "visit_check")
        service.save_answers(s, rid, {"seen_in_person": "yes"})
        service.attach_signature(s, rid, "worker_signature", signer_name="Ana Ruiz", signer_role="worker", method="wet")
        service.finalise_response(s, rid)
    edit = f"UPDATE form_response SET answers = '{{\"seen_in_person\": \"no\"}}' WHERE id = '{rid}'"
    # bypassing the ORM, as someone with a SQLCipher shell would, meets the database's own guard...
    with pytest.raises(Exception, match="final form response cannot be changed"):
        store.execute_raw(edit)
    with pytest.raises(Exception, match="final form response cannot be deleted"):
        store.execute_raw(f"DELETE FROM form_response WHERE id = '{rid}'")
    with store.read_session() as s:
        assert service.verify_response_hash(s, rid)
    # ...and one who drops the guard first still leaves a record whose hash no longer matches
    store.execute_raw("DROP TRIGGER form_response_final_immutable")
    store.execute_raw(edit)
    with store.read_session() as s:
        assert not service.verify_response_hash(s, rid)


def test_signatures_are_set_only_by_signing(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    with store.session() as s:
        rid = service.start_response(s, client_id, "visit_check")
        with pytest.raises(ValidationError, match="only be filled by signing"):
            service.save_answers(s, rid, {"worker_signature": "I typed this"})
        with pytest.raises(ValidationError, match="empty"):
            service.attach_signature(
                s, rid, "worker_signature", signer_name="Ana", signer_role="worker", image_png=tiny_png()
            )
        with pytest.raises(ValidationError, match="not a signature field"):
            service.attach_signature(s, rid, "mood", signer_name="Ana", signer_role="worker", method="wet")
        first = service.attach_signature(
            s,
            rid,
            "worker_signature",
            signer_name="Ana Ruiz",
            signer_role="worker",
            image_png=tiny_png(),
            strokes=[[[0, 0], [10, 5], [20, 3]]],
        )
        answers = service.get_response(s, rid).answers
        assert answers["worker_signature"] == first
        service.save_answers(s, rid, {**answers, "seen_in_person": "yes"})  # the marker survives a save
        second = service.attach_signature(
            s, rid, "worker_signature", signer_name="Ana Ruiz", signer_role="worker", method="wet"
        )
        detail = service.get_response(s, rid)
        assert detail.answers["worker_signature"] == second
        assert detail.signatures["worker_signature"].method == "wet"
        assert s.get(Signature, first).deleted_at is not None  # type: ignore[union-attr]
        [line] = [b for b in service.response_layout(s, rid).blocks if isinstance(b, SignatureLine)]
        assert line.signer_name == "Ana Ruiz" and "signed on paper" in (line.signed_at or "")
        service.clear_signature(s, rid, "worker_signature")
        assert "worker_signature" not in service.get_response(s, rid).answers
        assert any(i.path == "worker_signature" for i in service.evaluate_response(s, rid).issues)


def test_drafts_move_to_a_newer_version_only_when_asked(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    with store.session() as s:
        rid = service.start_response(s, client_id, "visit_check")
        service.save_answers(s, rid, {"seen_in_person": "no", "why_not": "At the clinic", "mood": 3})
        with pytest.raises(InvalidTransitionError, match="newest published"):
            service.migrate_response(s, rid)
        draft = service.new_draft_version(s, "visit_check")
        fields = []
        for field in draft.to_dict()["fields"]:
            if field["key"] == "why_not":
                continue  # removed in version 2
            if field["key"] == "mood":
                field = {
                    "key": "mood",
                    "type": "single_choice",
                    "label": "Mood",
                    "choices": [{"value": "good", "label": "Good"}, {"value": "poor", "label": "Poor"}],
                }
            fields.append(field)
        service.save_draft(s, FormDefinition.from_dict({**draft.to_dict(), "fields": fields}))
        with pytest.raises(InvalidTransitionError, match="draft"):
            service.migrate_response(s, rid, 2)
        service.publish_version(s, "visit_check")
        assert service.get_response(s, rid).template_version == 1  # nothing moves by itself
        outcome = service.migrate_response(s, rid)
        moved = service.get_response(s, rid)
    assert (outcome.from_version, outcome.to_version) == (1, 2)
    assert {d.path for d in outcome.dropped} == {"why_not", "mood"}
    assert moved.template_version == 2 and moved.answers["seen_in_person"] == "no"
    assert "why_not" not in moved.answers and "mood" not in moved.answers
    assert any(d.get("to_version") == 2 for a, d in audit_actions(store, "form_response") if a == "update")


def test_list_responses_and_blank_print(store: Store, client_id: str) -> None:
    publish_visit_form(store)
    with store.session() as s:
        first = service.start_response(s, client_id, "visit_check")
        second = service.start_response(s, client_id, "visit_check")
        service.save_answers(s, first, {"seen_in_person": "yes"})
        listed = service.list_responses(s, client_id)
        blank = service.blank_layout(s, "visit_check", client_id=client_id)
    assert [r.id for r in listed] == [first, second]
    assert all(r.form_name == "Visit check" and r.status == "draft" for r in listed)
    assert not blank.filled and blank.form_version == 1
    client_line = next(b for b in blank.blocks if isinstance(b, FieldLine) and b.label == "Client")
    assert client_line.value == "Zoë Nguyễn"
    with store.session() as s:
        service.delete_draft_response(s, second)
        assert [r.id for r in service.list_responses(s, client_id)] == [first]

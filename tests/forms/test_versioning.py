"""Publishing freezes a version, edits go into the next draft, and draft answers move across versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from casedesk.errors import ImmutableRecordError, InvalidTransitionError, ValidationError
from casedesk.forms import (
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    edit_draft,
    fingerprint,
    migrate_answers,
    next_draft_version,
    publish,
)

MakeForm = Callable[..., FormDefinition]

V1_FIELDS: list[dict[str, Any]] = [
    {"key": "name", "type": "text", "label": "Name"},
    {"key": "visits", "type": "integer", "label": "Visits"},
    {"key": "weight", "type": "decimal", "label": "Weight"},
    {
        "key": "mood",
        "type": "single_choice",
        "label": "Mood",
        "choices": [{"value": "good", "label": "Good"}, {"value": "low", "label": "Low"}],
    },
    {
        "key": "supports",
        "type": "multiple_choice",
        "label": "Supports",
        "choices": [
            {"value": "ride", "label": "Rides"},
            {"value": "meals", "label": "Meals"},
            {"value": "phone", "label": "Phone calls"},
        ],
    },
    {"key": "consent", "type": "yes_no", "label": "Consent"},
    {"key": "seen", "type": "date", "label": "Seen"},
    {"key": "old_question", "type": "text", "label": "Old"},
    {"key": "score", "type": "calculate", "calculation": "${visits} * 2"},
    {
        "key": "meds",
        "type": "repeat",
        "label": "Medications",
        "fields": [
            {"key": "med", "type": "text", "label": "Medication"},
            {"key": "mg", "type": "decimal", "label": "mg"},
        ],
    },
]


def test_publish_freezes_and_next_draft_is_editable(make_form: MakeForm) -> None:
    draft = make_form(*V1_FIELDS)
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    published = publish(draft, published_at=moment)
    assert published.is_published and published.published_at == "2024-05-01T12:00:00+00:00"
    assert not draft.is_published  # the input is untouched
    with pytest.raises(ImmutableRecordError, match="version 1 of form 'test_form' is published"):
        edit_draft(published, name="Renamed")
    with pytest.raises(InvalidTransitionError, match="already published"):
        publish(published)

    following = next_draft_version(published)
    assert following.version == 2 and not following.is_published and following.published_at is None
    assert following.fields == published.fields
    renamed = edit_draft(following, name="Monthly check")
    assert renamed.name == "Monthly check" and renamed.version == 2
    with pytest.raises(ValidationError, match="version cannot be changed"):
        edit_draft(following, version=9)
    with pytest.raises(InvalidTransitionError, match="still a draft"):
        next_draft_version(following)


def test_publishing_an_invalid_draft_is_refused(make_form: MakeForm) -> None:
    draft = make_form({"key": "a", "type": "text", "label": "A"})
    broken = edit_draft(draft, fields=(*draft.fields, FieldDef("b", FieldType.TEXT, "B", relevant="${zz}")))
    with pytest.raises(FormDefinitionError, match="no field with that key"):
        publish(broken)


def test_fingerprint_tracks_content(make_form: MakeForm) -> None:
    a = make_form({"key": "a", "type": "text", "label": "A"})
    b = make_form({"key": "a", "type": "text", "label": "A"})
    assert fingerprint(a) == fingerprint(b) and len(fingerprint(a)) == 64
    assert fingerprint(edit_draft(a, name="Other")) != fingerprint(a)


def test_migrate_answers_keeps_compatible_and_lists_the_rest(make_form: MakeForm) -> None:
    v1 = publish(make_form(*V1_FIELDS))
    v2_fields: list[dict[str, Any]] = [
        {"key": "name", "type": "long_text", "label": "Name"},  # text -> long text: kept
        {"key": "visits", "type": "decimal", "label": "Visits"},  # integer -> decimal: kept
        {"key": "weight", "type": "integer", "label": "Weight"},  # 71.5 does not fit a whole number
        {
            "key": "mood",
            "type": "single_choice",
            "label": "Mood",
            "choices": [{"value": "good", "label": "Good"}],
        },  # 'low' removed
        {
            "key": "supports",
            "type": "multiple_choice",
            "label": "Supports",
            "choices": [{"value": "ride", "label": "Rides"}, {"value": "meals", "label": "Meals"}],
        },
        {"key": "consent", "type": "text", "label": "Consent"},  # yes/no -> text: as printed
        {"key": "seen", "type": "integer", "label": "Seen"},  # date -> integer: incompatible
        {"key": "score", "type": "calculate", "calculation": "${visits} * 3"},
        {
            "key": "meds",
            "type": "repeat",
            "label": "Medications",
            "max_rows": 1,
            "fields": [
                {"key": "med", "type": "text", "label": "Medication"},
                {"key": "mg", "type": "integer", "label": "mg"},
            ],
        },
    ]
    v2 = make_form(*v2_fields, version=2)
    answers = {
        "name": "Ana",
        "visits": 3,
        "weight": 71.5,
        "mood": "low",
        "supports": ["ride", "phone"],
        "consent": "yes",
        "seen": "2024-05-01",
        "old_question": "gone",
        "score": 6,
        "stray": "not in v1",
        "meds": [{"med": "Sertraline", "mg": 50}, {"med": "Vitamin D", "mg": 0.5}],
    }
    migrated, dropped = migrate_answers(v1, v2, answers)
    assert migrated == {
        "name": "Ana",
        "visits": 3,
        "supports": ["ride"],
        "consent": "Yes",
        "meds": [{"med": "Sertraline", "mg": 50}],
    }
    reasons = {item.path: item.reason for item in dropped}
    assert reasons == {
        "weight": "the answer is not a whole number",
        "mood": "the answer 'low' is not one of the choices",
        "supports": "'phone' no longer offered",
        "seen": "the question changed from date to integer",
        "old_question": "the question was removed in version 2",
        "stray": "not a question of the old version",
        "meds[1].mg": "the answer is not a whole number",
        "meds[1]": "version 2 allows at most 1 row",
    }
    assert next(item for item in dropped if item.path == "old_question").value == "gone"


def test_migrate_answers_detects_moves_between_repeat_and_top_level(make_form: MakeForm) -> None:
    v1 = make_form(
        {"key": "phone", "type": "text", "label": "Phone"},
        {
            "key": "people",
            "type": "repeat",
            "label": "People",
            "fields": [{"key": "who", "type": "text", "label": "Who"}],
        },
    )
    v2 = make_form(
        {"key": "who", "type": "text", "label": "Who"},
        {
            "key": "people",
            "type": "repeat",
            "label": "People",
            "fields": [{"key": "phone", "type": "text", "label": "P"}],
        },
        version=2,
    )
    migrated, dropped = migrate_answers(v1, v2, {"phone": "555", "people": [{"who": "Mom"}]})
    assert migrated == {"people": [{}]}
    assert {d.path: d.reason for d in dropped} == {
        "phone": "the question moved into or out of a repeat group",
        "people[0].who": "the question moved into or out of a repeat group",
    }


def test_migrate_answers_refuses_a_different_form(make_form: MakeForm) -> None:
    a = make_form({"key": "x", "type": "text", "label": "X"}, key="form_a")
    b = make_form({"key": "x", "type": "text", "label": "X"}, key="form_b")
    with pytest.raises(ValidationError, match="different form"):
        migrate_answers(a, b, {"x": "1"})

"""Form definitions: every field type round-trips; the validator lists every problem with its field path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from casedesk.errors import ValidationError
from casedesk.forms import (
    ClientBinding,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    builtin_templates,
    edit_draft,
    validate_definition,
)
from casedesk.forms.schema import MAX_FIELDS

ALL_TYPES_FORM: dict[str, Any] = {
    "schema_version": 1,
    "key": "every_type",
    "name": "Every field type",
    "description": "One of each",
    "version": 3,
    "status": "draft",
    "metadata": {"owner": "QA"},
    "fields": [
        {"key": "intro", "type": "heading", "label": "About you"},
        {"key": "instructions", "type": "note", "label": "Answer what you can, ${nickname}."},
        {"key": "nickname", "type": "text", "label": "Nickname", "hint": "Optional", "default": "Friend"},
        {"key": "story", "type": "long_text", "label": "Your story", "print": {"lines": 8}},
        {"key": "visits", "type": "integer", "label": "Visits", "constraint": ". >= 0", "constraint_message": "No"},
        {"key": "weight", "type": "decimal", "label": "Weight (kg)", "read_only": True},
        {"key": "seen_on", "type": "date", "label": "Seen on", "default_expression": "today()"},
        {"key": "seen_at", "type": "time", "label": "Seen at"},
        {"key": "consent", "type": "yes_no", "label": "Consent?", "required": True, "required_message": "Ask!"},
        {
            "key": "mood",
            "type": "single_choice",
            "label": "Mood",
            "choices": [{"value": "good", "label": "Good"}, {"value": "bad", "label": "Bad"}],
            "relevant": "${consent} = 'yes'",
        },
        {
            "key": "supports",
            "type": "multiple_choice",
            "label": "Supports",
            "choices": [{"value": "ride", "label": "Rides"}, {"value": "meals", "label": "Meals"}],
            "default": ["ride"],
        },
        {"key": "dob", "type": "client_field", "label": "Date of birth", "binding": "dob"},
        {"key": "goal", "type": "goal_picker", "label": "Goal", "required": "${consent} = 'yes'"},
        {"key": "age", "type": "calculate", "label": "Age", "calculation": "age(${dob})"},
        {
            "key": "section",
            "type": "group",
            "label": "Household",
            "fields": [
                {
                    "key": "members",
                    "type": "repeat",
                    "label": "Members",
                    "max_rows": 12,
                    "print": {"blank_rows": 6},
                    "fields": [{"key": "member_name", "type": "text", "label": "Name"}],
                }
            ],
        },
        {"key": "sign", "type": "signature", "label": "Client", "metadata": {"signer": "client"}},
    ],
}


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(FormDefinitionError) as caught:
        FormDefinition.from_dict(data)
    return caught.value.problems


def form_with(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "key": "f", "name": "F", "fields": list(fields)}


def test_every_field_type_round_trips() -> None:
    definition = FormDefinition.from_dict(ALL_TYPES_FORM)
    used = {info.field.type for info in definition.walk()}
    assert used == set(FieldType)
    assert definition.to_dict() == ALL_TYPES_FORM
    assert FormDefinition.from_json(definition.to_json()) == definition
    assert definition.field("members").max_rows == 12
    assert definition.field("dob").binding is ClientBinding.DOB
    assert definition.field("supports").default == ("ride",)
    assert [info.path for info in definition.walk()][-3:] == ["section.members", "section.members.member_name", "sign"]
    assert next(i for i in definition.walk() if i.field.key == "member_name").repeats == ("members",)


def test_minimal_json_fills_in_defaults() -> None:
    definition = FormDefinition.from_dict(form_with({"key": "a", "type": "text", "label": "A"}))
    assert definition.version == 1
    assert not definition.is_published
    assert definition.to_dict()["schema_version"] == 1


def test_errors_are_validation_errors_and_list_every_problem() -> None:
    with pytest.raises(FormDefinitionError) as caught:
        FormDefinition.from_dict(
            form_with(
                {"key": "a", "type": "text", "label": "A", "relevant": "${nowhere} = 1"},
                {"key": "a", "type": "text", "label": "Again"},
                {"key": "2fast", "type": "text", "label": "Bad key"},
                {"key": "kind", "type": "dropdown", "label": "?"},
                {"key": "pick", "type": "single_choice", "label": "Pick", "choices": []},
                {"key": "calc", "type": "calculate", "calculation": "1 +"},
            )
        )
    error = caught.value
    assert isinstance(error, ValidationError)
    text = str(error)
    paths = [path for path, _ in error.problems]
    assert "a" in paths and "2fast" in paths and "kind" in paths and "pick" in paths and "calc" in paths
    assert "unknown field type 'dropdown'" in text
    assert "duplicate key 'a'" in text and "field 2 ('Again')" in text and "field 1 ('A')" in text
    assert "key '2fast' must be letters" in text
    assert "the choice list is empty" in text
    assert "calculation: '+' needs a value after it (at character 4 of '1 +')" in text
    assert "refers to ${nowhere}, but there is no field with that key" in text


@pytest.mark.parametrize(
    ("fields", "path", "fragment"),
    [
        ([{"key": "x", "type": "text", "label": "X", "relevant": "${x} = 1"}], "x", "refers to the field itself"),
        (
            [
                {"key": "a", "type": "calculate", "calculation": "${b} + 1"},
                {"key": "b", "type": "calculate", "calculation": "${c} + 1"},
                {"key": "c", "type": "integer", "label": "C", "relevant": "${a} > 2"},
            ],
            "a",
            "go round in a circle: a -> b -> c -> a",
        ),
        (
            [
                {
                    "key": "g",
                    "type": "group",
                    "label": "G",
                    "relevant": "${inside} = 'yes'",
                    "fields": [{"key": "inside", "type": "yes_no", "label": "In"}],
                }
            ],
            "g",
            "circle",
        ),
        (
            [
                {"key": "d1", "type": "date", "label": "D1", "default_expression": "${d2}"},
                {"key": "d2", "type": "date", "label": "D2", "default_expression": "${d1}"},
            ],
            "d1",
            "circle: d1 -> d2 -> d1",
        ),
        ([{"key": "g", "type": "group", "label": "G", "fields": []}], "g", "has no fields inside it"),
        ([{"key": "t", "type": "text", "label": "T", "fields": []}], "t", "only group and repeat"),
        ([{"key": "t", "type": "text"}], "t", "needs a label"),
        ([{"key": "c", "type": "client_field", "label": "C"}], "c", "needs a binding"),
        ([{"key": "c", "type": "client_field", "label": "C", "binding": "shoe_size"}], "c", "unknown client binding"),
        ([{"key": "k", "type": "calculate"}], "k", "needs a calculation"),
        ([{"key": "t", "type": "text", "label": "T", "calculation": "1"}], "t", "only for calculate"),
        ([{"key": "h", "type": "heading", "label": "H", "required": True}], "h", "cannot be required"),
        ([{"key": "n", "type": "note", "label": "N", "constraint": "1"}], "n", "cannot have a constraint"),
        ([{"key": "i", "type": "integer", "label": "I", "default": "many"}], "i", "default is not a whole number"),
        ([{"key": "s", "type": "signature", "label": "S", "default": "x"}], "s", "cannot have a default"),
        ([{"key": "t", "type": "text", "label": "T", "relevant": ". = 1"}], "t", "can only be used in a constraint"),
        ([{"key": "t", "type": "text", "label": "T", "max_rows": 3}], "t", "only for repeat groups"),
        ([{"key": "t", "type": "text", "label": "T", "print": {"lines": 0}}], "t", "print lines must be"),
        ([{"key": "t", "type": "text", "label": "T", "requried": True}], "t", "unknown attribute 'requried'"),
        ([{"key": "t", "type": "text", "label": "Hello ${who}"}], "t", "label: refers to ${who}"),
        (
            [
                {
                    "key": "m",
                    "type": "multiple_choice",
                    "label": "M",
                    "choices": [
                        {"value": "a b", "label": "A"},
                        {"value": "c", "label": "C"},
                        {"value": "c", "label": "D"},
                    ],
                }
            ],
            "m",
            "without spaces",
        ),
        (
            [
                {
                    "key": "g",
                    "type": "group",
                    "label": "G",
                    "fields": [{"key": "t", "type": "text", "label": "T", "relevant": "${gone}"}],
                }
            ],
            "g.t",
            "no field with that key",
        ),
        (
            [
                {"key": "g", "type": "group", "label": "G", "fields": [{"key": "t", "type": "text", "label": "T"}]},
                {"key": "u", "type": "text", "label": "U", "relevant": "${g} = 1"},
            ],
            "u",
            "is a group",
        ),
        (
            [
                {
                    "key": "r",
                    "type": "repeat",
                    "label": "R",
                    "fields": [{"key": "d", "type": "date", "label": "D", "default_expression": "today()"}],
                }
            ],
            "r.d",
            "not supported inside a repeat",
        ),
    ],
)
def test_validator_names_the_field(fields: list[dict[str, Any]], path: str, fragment: str) -> None:
    problems = problems_of(form_with(*fields))
    assert any(p == path and fragment in message for p, message in problems), problems


def test_form_level_problems() -> None:
    problems = problems_of({"schema_version": 1, "key": "has space", "name": " ", "version": 0, "fields": []})
    text = " | ".join(f"{p}: {m}" for p, m in problems)
    assert "key: the form key must be" in text
    assert "name: the form needs a name" in text
    assert "version: must be a whole number" in text
    assert "fields: the form has no fields" in text


def test_schema_version_is_checked() -> None:
    assert problems_of({"schema_version": 7, "key": "f", "name": "F", "fields": []}) == [
        ("schema_version", "this form uses schema version 7 from a newer CaseDesk; update CaseDesk")
    ]
    assert problems_of({"key": "f", "name": "F", "fields": []})[0] == ("schema_version", "must be 1")
    assert "must be a JSON object" in problems_of([1, 2])[0][1]


def test_size_limits() -> None:
    too_many = form_with(*({"key": f"q{i}", "type": "text", "label": "Q"} for i in range(MAX_FIELDS + 1)))
    assert any("more than 2000 fields" in message for _, message in problems_of(too_many))
    huge_label = "x" * 4000
    too_big = form_with(*({"key": f"q{i}", "type": "text", "label": huge_label} for i in range(600)))
    assert any("larger than 2 MB" in message for _, message in problems_of(too_big))
    with pytest.raises(FormDefinitionError, match="larger than 2 MB"):
        FormDefinition.from_json(json.dumps(too_big))
    with pytest.raises(FormDefinitionError, match="not valid JSON"):
        FormDefinition.from_json("{not json")


def test_validate_definition_checks_directly_built_definitions(make_form: Callable[..., FormDefinition]) -> None:
    good = make_form({"key": "a", "type": "text", "label": "A"})
    assert validate_definition(good) is good
    broken = edit_draft(good, fields=(*good.fields, good.fields[0]))
    with pytest.raises(FormDefinitionError, match="duplicate key 'a'"):
        validate_definition(broken)


def test_builtin_templates_all_validate() -> None:
    templates = builtin_templates()
    assert [t.key for t in templates] == [
        "intake_face_sheet",
        "consent_release_of_information",
        "monthly_contact_log",
        "risk_assessment",
        "isp_quarterly_review",
    ]
    for template in templates:
        assert template.name and template.description
        assert FormDefinition.from_dict(template.to_dict()) == template

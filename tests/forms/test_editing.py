"""Designer actions on a draft definition: the form editor's undoable steps, without Qt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from casedesk.errors import ImmutableRecordError
from casedesk.forms import FieldType, FormDefinition, evaluate_form, publish, validate_definition
from casedesk.forms.editing import (
    EditError,
    insert_field,
    move_field,
    new_field,
    position_of,
    remove_field,
    rename_key,
    unwrap_group,
    update_field,
    wrap_fields,
)
from casedesk.forms.validation import definition_problems

MakeForm = Callable[..., FormDefinition]


@pytest.fixture
def form(make_form: MakeForm) -> FormDefinition:
    return make_form(
        {"key": "smokes", "type": "yes_no", "label": "Smokes?"},
        {"key": "per_day", "type": "integer", "label": "How many a day, ${smokes}?", "relevant": "${smokes} = 'yes'"},
        {"key": "notes", "type": "long_text", "label": "Notes"},
    )


def keys(definition: FormDefinition) -> list[str]:
    return [info.path for info in definition.walk()]


def test_new_fields_are_valid_for_every_type(form: FormDefinition) -> None:
    for field_type in FieldType:
        field = new_field(form, field_type)
        changed = insert_field(form, field)
        assert definition_problems(changed) == [], field_type
    assert new_field(form, FieldType.TEXT).key == "question"
    assert new_field(insert_field(form, new_field(form, FieldType.TEXT)), FieldType.TEXT).key == "question_2"


def test_insert_remove_and_move(form: FormDefinition) -> None:
    added = insert_field(form, new_field(form, FieldType.DATE), index=1)
    assert keys(added) == ["smokes", "question", "per_day", "notes"]
    assert keys(remove_field(added, "question")) == keys(form)
    assert keys(move_field(form, "notes", None, 0)) == ["notes", "smokes", "per_day"]
    assert keys(move_field(form, "smokes", None, 3)) == ["per_day", "notes", "smokes"]
    with pytest.raises(EditError, match="already used"):
        insert_field(form, new_field(form, FieldType.TEXT).__class__(key="notes", type=FieldType.TEXT, label="x"))


def test_grouping_and_moving_into_groups(form: FormDefinition) -> None:
    grouped, group_key = wrap_fields(form, ["per_day", "smokes"], FieldType.GROUP, "Smoking")
    assert keys(grouped) == [group_key, f"{group_key}.smokes", f"{group_key}.per_day", "notes"]
    validate_definition(grouped)
    moved = move_field(grouped, "notes", group_key, 1)
    assert keys(moved) == [group_key, f"{group_key}.smokes", f"{group_key}.notes", f"{group_key}.per_day"]
    with pytest.raises(EditError, match="inside itself"):
        move_field(grouped, group_key, group_key, 0)
    with pytest.raises(EditError, match="not a group"):
        move_field(grouped, "notes", "smokes", 0)
    with pytest.raises(EditError, match="same parent"):
        wrap_fields(moved, [group_key, "smokes"], FieldType.GROUP)
    assert keys(unwrap_group(grouped, group_key)) == keys(form)


def test_repeat_group_collects_rows(form: FormDefinition) -> None:
    table, table_key = wrap_fields(form, ["notes"], FieldType.REPEAT, "Visits")
    validate_definition(table)
    result = evaluate_form(table, {table_key: [{"notes": "a"}, {"notes": "b"}]})
    assert result.values[f"{table_key}[1].notes"] == "b"


def test_renaming_a_key_follows_references(form: FormDefinition) -> None:
    renamed = rename_key(form, "smokes", "tobacco")
    per_day = renamed.field("per_day")
    assert per_day.relevant == "${tobacco} = 'yes'" and per_day.label == "How many a day, ${tobacco}?"
    validate_definition(renamed)
    also = update_field(form, "smokes", key="tobacco", label="Uses tobacco?")
    assert also.field("tobacco").label == "Uses tobacco?" and also.field("per_day").relevant == per_day.relevant
    with pytest.raises(EditError, match="already used"):
        rename_key(form, "smokes", "notes")
    with pytest.raises(EditError, match="letters"):
        rename_key(form, "smokes", "2 bad")


def test_changing_type_keeps_the_form_valid(form: FormDefinition) -> None:
    choice = update_field(form, "notes", type=FieldType.SINGLE_CHOICE)
    assert [c.value for c in choice.field("notes").choices] == ["option_1", "option_2"]
    validate_definition(choice)
    back = update_field(choice, "notes", type=FieldType.TEXT)
    assert back.field("notes").choices == ()
    validate_definition(back)
    grouped, group_key = wrap_fields(form, ["notes"], FieldType.GROUP)
    with pytest.raises(EditError, match="fields inside it"):
        update_field(grouped, group_key, type=FieldType.TEXT)
    as_repeat = update_field(grouped, group_key, type=FieldType.REPEAT)
    assert as_repeat.field(group_key).type is FieldType.REPEAT


def test_an_invalid_state_is_allowed_and_reported(form: FormDefinition) -> None:
    half_typed: dict[str, Any] = {"relevant": "${smokes} = "}
    changed = update_field(form, "per_day", **half_typed)
    problems = definition_problems(changed)
    assert problems and problems[0][0] == "per_day"
    assert position_of(changed, "per_day").index == 1


def test_published_versions_refuse_edits(form: FormDefinition) -> None:
    with pytest.raises(ImmutableRecordError):
        remove_field(publish(form), "notes")


def test_defaults_typed_by_the_designer(form: FormDefinition) -> None:
    from casedesk.forms.editing import default_from_text, default_text

    with_choice = update_field(form, "notes", type=FieldType.MULTIPLE_CHOICE)
    choice_field = with_choice.field("notes")
    assert default_from_text(choice_field, "option_1, option_2") == ("option_1", "option_2")
    assert default_from_text(form.field("per_day"), " 12 ") == 12
    assert default_from_text(form.field("per_day"), "twelve") == "twelve"  # reported by validation
    assert default_from_text(form.field("smokes"), "Yes") == "yes"
    assert default_from_text(form.field("notes"), "   ") is None
    bad = update_field(form, "per_day", default=default_from_text(form.field("per_day"), "twelve"))
    assert any("default" in message for _path, message in definition_problems(bad))
    good = update_field(with_choice, "notes", default=("option_2",))
    assert default_text(good.field("notes")) == "option_2" and definition_problems(good) == []

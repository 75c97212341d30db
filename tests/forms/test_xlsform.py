"""XLSForm import: real third-party workbooks (valid and invalid) and hand-made edge cases."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from casedesk.forms import (
    FieldType,
    FillContext,
    FormDefinition,
    FormDefinitionError,
    evaluate_form,
    import_xlsform,
    layout_for,
)
from casedesk.forms._xlsform_sheets import MAX_SURVEY_ROWS

CTX = FillContext(today=date(2024, 5, 20))


def workbook_bytes(
    survey: list[list[Any]], choices: list[list[Any]] | None = None, settings: list[list[Any]] | None = None
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices is not None:
        choice_sheet = book.create_sheet("choices")
        for row in choices:
            choice_sheet.append(row)
    if settings is not None:
        settings_sheet = book.create_sheet("settings")
        for row in settings:
            settings_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(FormDefinitionError) as caught:
        import_xlsform(data)
    return caught.value.problems


def notes(result: Any) -> dict[int | None, list[str]]:
    """Report reasons of the survey sheet by row number."""
    grouped: dict[int | None, list[str]] = {}
    for note in result.report:
        if note.sheet != "survey":
            continue
        grouped.setdefault(note.row, []).append(note.reason)
    return grouped


# --- the real files -------------------------------------------------------------------------------------


def test_every_valid_shared_workbook_imports(shared_testdata: Path) -> None:
    files = sorted((shared_testdata / "xlsform" / "valid").glob("*.xlsx"))
    assert len(files) >= 4
    for path in files:
        result = import_xlsform(path)
        assert isinstance(result.definition, FormDefinition)
        assert result.report, f"{path.name}: every shared form has something unsupported to report"
        # What was imported is a normal, storable definition.
        assert FormDefinition.from_json(result.definition.to_json()) == result.definition
        layout_for(result.definition)
        evaluate_form(result.definition, {}, CTX)


def test_every_invalid_shared_workbook_fails_naming_the_row(shared_testdata: Path) -> None:
    files = sorted((shared_testdata / "xlsform" / "invalid").glob("*.xlsx"))
    assert len(files) >= 2
    for path in files:
        with pytest.raises(FormDefinitionError) as caught:
            import_xlsform(path)
        assert any(where.startswith("survey row ") for where, _ in caught.value.problems), caught.value.problems


def test_missing_choice_list_is_named(shared_testdata: Path) -> None:
    path = shared_testdata / "xlsform" / "invalid" / "onadata__transportation.no_choices.xlsx"
    with pytest.raises(FormDefinitionError) as caught:
        import_xlsform(path)
    assert caught.value.problems == [
        (
            "survey row 4",
            "choice list 'transport_types' used by 'available_transportation_types_to_referral_facility' "
            "is not in the workbook (it has no choices sheet)",
        )
    ]


def test_unknown_type_is_named(shared_testdata: Path) -> None:
    with pytest.raises(FormDefinitionError, match=r"survey row 2: unknown question type 'textX'"):
        import_xlsform(shared_testdata / "xlsform" / "invalid" / "xlsform-offline__pyxform-error.xlsx")


def test_tutorial(shared_testdata: Path) -> None:
    result = import_xlsform(shared_testdata / "xlsform" / "valid" / "onadata__tutorial.xlsx")
    definition = result.definition
    assert definition.key == "onadata__tutorial" and definition.metadata["xlsform_version"] == "4444"
    age = definition.field("age")
    assert age.type is FieldType.INTEGER and age.required is True
    assert age.constraint == "${age} > 0 and ${age} < 120"
    assert definition.field("pizza_type").relevant == "${pizza_fan} = 'yes'"
    assert definition.field("test_location2_latitude").label == "blah"
    reported = notes(result)
    assert reported[5] == ["photo capture is not supported"]
    assert reported[7] == ["location capture is not supported"]
    assert reported[12] == ["renamed to 'test_location2_latitude' (keys use letters, digits and _)"]
    for row in (26, 27, 28, 29, 30):
        assert reported[row] == ["device and form metadata is not collected by CaseDesk"]
    answers = {"name": "Sam", "age": 150, "pizza_fan": "no"}
    filled = evaluate_form(definition, answers, CTX)
    assert {i.path: i.message for i in filled.issues} == {"age": "That's not a valid age!"}
    assert filled.relevant["pizza_hater"] and not filled.relevant["favorite_toppings"]
    assert filled.interpolate(definition.field("thanks").label) == "Thanks for your time Sam!"


def test_nested_repeats(shared_testdata: Path) -> None:
    result = import_xlsform(shared_testdata / "xlsform" / "valid" / "onadata__nested_repeats.xlsx")
    definition = result.definition
    paths = [info.path for info in definition.walk()]
    assert "kids.kids_details.kids_immunization.immunization_info" in paths
    assert definition.field("kids_details").type is FieldType.REPEAT
    assert definition.field("kids_details").relevant == "${has_kids}='1'"
    assert [c.value for c in definition.field("has_kids").choices] == ["0", "1"]
    assert definition.field("web_browsers").type is FieldType.MULTIPLE_CHOICE
    assert [str(note) for note in result.report] == ["survey row 17: geopoint 'gps': location capture is not supported"]
    answers = {
        "has_kids": "1",
        "kids_details": [{"kids_name": "Ana", "kids_immunization": [{"immunization_info": "MMR"}]}],
    }
    assert evaluate_form(definition, answers, CTX).relevant["kids_details[0].kids_immunization[0].immunization_info"]


def test_languages_are_kept(shared_testdata: Path) -> None:
    result = import_xlsform(shared_testdata / "xlsform" / "valid" / "pyodk__fav_color.xlsx")
    definition = result.definition
    assert (definition.key, definition.name) == ("fav_color", "Favorite colors")
    assert definition.metadata["language"] == "English (en)"
    assert definition.metadata["other_languages"] == ["French (fr)"]
    first = definition.field("first_name")
    assert first.label == "What is your first name?" and first.required is True
    assert first.metadata["translations"]["French (fr)"]["label"] == "Quel est votre prénom?"
    color = definition.field("favorite_color")
    assert [c.label for c in color.choices] == ["Red", "Yellow", "Green", "Other"]
    assert color.metadata["translations"]["French (fr)"]["choices"]["r"] == "Rouge"
    assert definition.field("favorite_color_other").relevant == "selected(${favorite_color}, 'o')"
    assert {(n.row, n.type) for n in result.report} == {(2, "instance_name"), (6, "geopoint"), (7, "audit")}
    french = import_xlsform(
        shared_testdata / "xlsform" / "valid" / "pyodk__fav_color.xlsx", language="French (fr)"
    ).definition
    assert french.field("first_name").label == "Quel est votre prénom?"


def test_pyxform_spec_workbook(shared_testdata: Path) -> None:
    result = import_xlsform(shared_testdata / "xlsform" / "valid" / "pyxform__xlsform_spec_test.xlsx")
    definition = result.definition
    assert (definition.key, definition.name) == ("spec_test", "Spec test")
    assert definition.field("my_name").type is FieldType.LONG_TEXT and definition.field("my_name").print.lines == 12
    assert definition.field("acknowledge_test").type is FieldType.YES_NO
    assert definition.field("a_decimal").constraint == ". <= ${a_integer}"
    assert definition.field("required_text").required_message == "Custom required message."
    assert definition.field("address").hint is None  # the Chinese hint is a translation, not the hint
    assert definition.field("address").metadata["translations"]["chinese"]["hint"] == "ni hao"
    assert definition.field("compact_test").choices[0].label == "a"
    assert definition.field("repeat_test").print.blank_rows == 2
    reported = notes(result)
    assert "date-and-time questions are not supported; use a date and a time question" in reported[33]
    assert "repeat_count is not supported; rows are added while filling" in reported[15]
    assert "refers to 'start', which was left out; read as blank" in reported[43]
    assert "left out: a note with no text (only media)" in reported[10]
    assert definition.field("start_test_output").label == "start test output: "
    skip = evaluate_form(definition, {"skip_to_end": "yes"}, CTX)
    assert not skip.relevant["my_name"] and skip.calculated["calculate_test"] is None
    filled = evaluate_form(
        definition, {"skip_to_end": "no", "my_name": "Li", "address": "li@agency.org", "repeat_test": [{}]}, CTX
    )
    assert filled.calculated["calculate_test"] == 4
    assert filled.relevant["email_note"]
    assert {i.path for i in filled.issues} == {"repeat_test[0].required_text", "repeat_test[0].list_nolabel_test"}


# --- hand-made workbooks --------------------------------------------------------------------------------


def test_old_spellings_or_other_and_settings() -> None:
    data = workbook_bytes(
        [
            ["type", "name", "label", "required", "default", "calculation", "hint"],
            ["select one from colors", "color", "Color", "yes"],
            ["select all that apply colors", "colors_all", "Colors", None, "red blue"],
            ["select_one(colors)", "color_paren", "Color again"],
            ["select_one colors or_other", "color_other", "Color or other"],
            ["string", "nickname", "Nickname", "false()", None, None, "What friends call you"],
            ["date", "visit", "Visit", None, "today()"],
            ["calculate", "shout", None, None, None, "concat(${nickname}, '!')"],
        ],
        [["list name", "name", "label"], ["colors", "red", "Red"], ["colors", "blue", "Blue"]],
        [["form_title", "form_id", "version", "style"], ["Colour check", "Colour-Check", "7", "pages"]],
    )
    result = import_xlsform(data)
    definition = result.definition
    assert (definition.key, definition.name) == ("colour_check", "Colour check")
    assert definition.field("color").type is FieldType.SINGLE_CHOICE and definition.field("color").required is True
    assert definition.field("colors_all").type is FieldType.MULTIPLE_CHOICE
    assert definition.field("colors_all").default == ("red", "blue")
    assert definition.field("color_paren").type is FieldType.SINGLE_CHOICE
    assert [c.value for c in definition.field("color_other").choices] == ["red", "blue", "other"]
    assert definition.field("color_other_other").relevant == "selected(${color_other}, 'other')"
    assert definition.field("nickname").type is FieldType.TEXT and definition.field("nickname").required is False
    assert definition.field("visit").default_expression == "today()"
    assert definition.field("shout").calculation == "concat(${nickname}, '!')"
    reasons = [str(n) for n in result.report]
    assert "settings row 2: style: setting not used by CaseDesk" in reasons
    assert any("'or other' became an 'Other' choice" in r for r in reasons)


def test_unsupported_things_are_reported_and_references_to_them_read_blank() -> None:
    data = workbook_bytes(
        [
            ["type", "name", "label", "relevant", "calculation", "choice_filter", "constraint", "appearance"],
            ["geopoint", "where", "Where"],
            ["text", "place", "Place near ${where}", "${where} != ''"],
            ["calculate", "lookup", None, None, "pulldata('fruits', 'name', 'key', ${place})"],
            ["text", "uses_lookup", "Uses lookup", "${lookup} = 'x'"],
            ["select_one yn", "pick", "Pick", None, None, "${place} = 'x'"],
            ["begin loop over yn", "loop"],
            ["text", "in_loop", "In loop"],
            ["end loop"],
            ["integer", "n", "N", None, None, None, "/data/n > 3"],
            ["text", "multi", "Multi", None, None, None, None, "multiline"],
            ["range", "slider", "Slider"],
            ["note", "heads_up", "Heads up", None, "1 + 1"],
        ],
        [["list_name", "name", "label", "filter"], ["yn", "y", "Yes", "a"], ["yn", "n", "No", "b"]],
    )
    result = import_xlsform(data)
    definition = result.definition
    reported = notes(result)
    assert reported[2] == ["location capture is not supported"]
    assert "refers to 'where', which was left out; read as blank" in reported[3]
    assert definition.field("place").relevant == "'' != ''"
    assert definition.field("place").label == "Place near "
    assert "the function pulldata() is not supported; the expression was left out" in reported[4]
    assert "left out: its calculation cannot be used" in reported[4]
    assert definition.field("uses_lookup").relevant == "'' = 'x'"
    assert "choice filters are not supported; all choices shown" in reported[6]
    assert reported[7] == ["loops are not supported; the loop was left out"]
    assert reported[8] == ["inside an unsupported loop; left out"]
    assert "XPath paths (/data/...) are not supported; the expression was left out" in reported[10]
    assert definition.field("n").constraint is None
    assert definition.field("multi").type is FieldType.LONG_TEXT
    assert reported[12] == ["range sliders are not supported"]
    assert reported[13] == ["not used on a note; ignored"]
    assert any(n.sheet == "choices" and "filter" in n.type for n in result.report)
    assert {info.field.key for info in definition.walk()} == {"place", "uses_lookup", "pick", "n", "multi", "heads_up"}


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        (
            [["type", "name", "label"], ["begin group", "g", "G"], ["text", "a", "A"]],
            None,
            ("survey row 2", "'begin group' is never closed with 'end group'"),
        ),
        (
            [["type", "name", "label"], ["text", "a", "A"], ["end group"]],
            None,
            ("survey row 3", "'end group' has no matching 'begin group'"),
        ),
        (
            [["type", "name", "label"], ["begin repeat", "r", "R"], ["text", "a", "A"], ["end group"]],
            None,
            ("survey row 4", "'end group' closes the 'begin repeat' of row 2; expected 'end repeat'"),
        ),
        ([["type", "name", "label"], ["text", None, "No name"]], None, ("survey row 2", "'text' needs a name")),
        (
            [["type", "name", "label"], [None, "orphan", "Orphan"]],
            None,
            ("survey row 2", "the row has no type (name 'orphan')"),
        ),
        (
            [["type", "name", "label", "relevant"], ["text", "a", "A", "${a} = (1"]],
            None,
            (
                "survey row 2",
                "'a' relevant: expected ')' but found the end of the expression (at character 10 of '${a} = (1')",
            ),
        ),
        (
            [["type", "name", "label", "relevant"], ["text", "a", "A", "${nobody} = 1"]],
            None,
            ("survey row 2", "'a': relevant: refers to ${nobody}, but there is no field with that key"),
        ),
        ([["type", "name", "label"], ["calculate", "c"]], None, ("survey row 2", "calculate 'c' has no calculation")),
        (
            [["type", "name", "label"], ["select_one yn", "p", "P"]],
            [["list_name", "name", "label"], ["yn", "y", "Y"], ["yn", "y", "Again"]],
            ("choices row 3", "choice 'y' appears twice in list 'yn' (also row 2)"),
        ),
        (
            [["type", "name", "label"], ["select_multiple yn", "p", "P"]],
            [["list_name", "name", "label"], ["yn", "a b", "AB"]],
            ("choices row 2", "choice name 'a b' in list 'yn' must be 1-100 characters without spaces"),
        ),
        (
            [["type", "name", "label"], ["select_one missing", "p", "P"]],
            [["list_name", "name", "label"], ["yn", "y", "Y"]],
            ("survey row 2", "choice list 'missing' used by 'p' is not in the choices sheet"),
        ),
        (
            [["type", "name", "label", "relevant"], ["integer", "a", "A", "${b} > 1"], ["calculate", "b", None, None]],
            None,
            ("survey row 3", "calculate 'b' has no calculation"),
        ),
    ],
)
def test_malformed_workbooks_name_the_row(
    survey: list[list[Any]], choices: list[list[Any]] | None, expected: tuple[str, str]
) -> None:
    assert expected in problems(workbook_bytes(survey, choices))


def test_a_cycle_in_an_xlsform_names_the_row() -> None:
    data = workbook_bytes(
        [
            ["type", "name", "label", "relevant", "calculation"],
            ["calculate", "a", None, None, "${b} + 1"],
            ["integer", "b", "B", "${a} > 1"],
        ]
    )
    assert ("survey row 2", "'a': relevance/calculation/default references go round in a circle: a -> b -> a") in (
        problems(data)
    )


def test_duplicate_names_are_renamed_and_reported() -> None:
    data = workbook_bytes(
        [
            ["type", "name", "label"],
            ["begin group", "first", "First"],
            ["text", "phone", "Phone"],
            ["end group"],
            ["begin group", "second", "Second"],
            ["text", "phone", "Phone again"],
            ["end group"],
        ]
    )
    result = import_xlsform(data)
    assert result.definition.field("phone_2").label == "Phone again"
    assert notes(result)[6] == [
        "the name is used again (first at row 3); renamed to 'phone_2', and ${phone} refers to the first"
    ]


def test_files_that_are_not_xlsforms() -> None:
    assert problems(b"type,name,label\ntext,a,A\n") == [("", "not an Excel .xlsx workbook")]
    assert "old Excel .xls file" in problems(b"\xd0\xcf\x11\xe0" + b"\0" * 100)[0][1]
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "questions"
    buffer = io.BytesIO()
    book.save(buffer)
    assert problems(buffer.getvalue()) == [("", "the workbook has no 'survey' sheet, so it is not an XLSForm")]
    assert problems(workbook_bytes([["name", "label"], ["a", "A"]])) == [
        ("survey row 1", "the survey sheet has no 'type' column")
    ]
    with pytest.raises(FormDefinitionError, match="cannot read"):
        import_xlsform(Path("/nonexistent/form.xlsx"))


def test_huge_survey_is_refused_by_row_count(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("survey")
    sheet.append(["type", "name", "label"])
    for number in range(MAX_SURVEY_ROWS + 5):
        sheet.append(["text", f"q{number}", f"Question {number}"])
    path = tmp_path / "huge.xlsx"
    book.save(path)
    with pytest.raises(FormDefinitionError) as caught:
        import_xlsform(path)
    assert caught.value.problems == [
        (
            f"survey row {MAX_SURVEY_ROWS + 2}",
            f"the survey sheet has more than {MAX_SURVEY_ROWS} rows; that is too large",
        )
    ]


def test_division_is_not_mistaken_for_an_xpath_path() -> None:
    data = workbook_bytes(
        [
            ["type", "name", "label", "calculation", "relevant"],
            ["integer", "a", "A"],
            ["integer", "b", "B"],
            ["calculate", "ratio", None, "${a} /count(${b})"],
            ["text", "t", "T", None, "/data/a > 1"],
        ]
    )
    result = import_xlsform(data)
    assert result.definition.field("ratio").calculation == "${a} /count(${b})"
    assert evaluate_form(result.definition, {"a": 6, "b": 1}, CTX).calculated["ratio"] == 6
    assert result.definition.field("t").relevant is None
    assert notes(result)[5] == ["XPath paths (/data/...) are not supported; the expression was left out"]

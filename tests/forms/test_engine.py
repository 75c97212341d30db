"""Filling forms: relevance, calculations, defaults, client prefills, validation per field path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from casedesk.forms import (
    FillContext,
    FormDefinition,
    builtin_template,
    can_finalise,
    evaluate_form,
    format_answer,
    new_repeat_row,
    new_response,
)

MakeForm = Callable[..., FormDefinition]


def issue_map(definition: FormDefinition, answers: dict[str, Any], context: FillContext) -> dict[str, str]:
    result = evaluate_form(definition, answers, context)
    return {issue.path: issue.message for issue in result.issues}


@pytest.mark.parametrize(
    ("field", "good", "bad", "message"),
    [
        ({"type": "text"}, "hello", ["a", "list"], "must be text"),
        ({"type": "long_text"}, "line 1\nline 2", {"a": 1}, "must be text"),
        ({"type": "integer"}, "42", "4.5", "is not a whole number"),
        ({"type": "integer"}, -3, "12abc", "is not a whole number"),
        ({"type": "decimal"}, "4.75", "4,75", "is not a number"),
        ({"type": "date"}, "2024-02-29", "2023-02-29", "is not a valid date (use YYYY-MM-DD)"),
        ({"type": "date"}, date(2024, 1, 1), "05/01/2024", "is not a valid date"),
        ({"type": "time"}, "9:05", "25:00", "is not a valid time (use HH:MM, 24-hour clock)"),
        ({"type": "yes_no"}, True, "maybe", "must be yes or no"),
        (
            {"type": "single_choice", "choices": [{"value": "a", "label": "A"}]},
            "a",
            "z",
            "'z' is not one of the choices",
        ),
        (
            {"type": "multiple_choice", "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            ["b", "a"],
            ["a", "q"],
            "includes 'q', which is not among the choices",
        ),
        ({"type": "client_field", "binding": "dob"}, "1990-01-01", "last spring", "is not a valid date"),
        ({"type": "client_field", "binding": "phone"}, "555-0100", ["x"], "must be text"),
        ({"type": "goal_picker"}, "g2", "g404", "is not one of the client's current plan goals"),
        ({"type": "signature"}, "sig-123", 17, "is not a signature"),
    ],
)
def test_each_input_type_checks_its_answers(
    make_form: MakeForm, context: FillContext, field: dict[str, Any], good: Any, bad: Any, message: str
) -> None:
    definition = make_form({"key": "q", "label": "Question", **field})
    assert issue_map(definition, {"q": good}, context) == {}
    problems = issue_map(definition, {"q": bad}, context)
    assert message in problems["q"]
    assert problems["q"].startswith("The answer ")


def test_answers_are_normalised_for_saving(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "n", "type": "integer", "label": "N"},
        {"key": "d", "type": "decimal", "label": "D"},
        {"key": "day", "type": "date", "label": "Day"},
        {"key": "at", "type": "time", "label": "At"},
        {"key": "ok", "type": "yes_no", "label": "OK"},
        {"key": "m", "type": "multiple_choice", "label": "M", "choices": [{"value": "a", "label": "A"}]},
    )
    result = evaluate_form(
        definition, {"n": " 12 ", "d": "2.50", "day": date(2024, 5, 1), "at": "7:05", "ok": False, "m": "a a"}, context
    )
    assert result.answers == {"n": 12, "d": 2.5, "day": "2024-05-01", "at": "07:05", "ok": "no", "m": ["a"]}
    bad = evaluate_form(definition, {"n": "twelve"}, context)
    assert bad.answers["n"] == "twelve"  # a draft keeps what was typed, so nothing is lost
    assert bad.values["n"] is None


def test_required_and_conditional_required(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "smoker", "type": "yes_no", "label": "Smokes?", "required": True},
        {"key": "packs", "type": "integer", "label": "Packs a day", "required": "${smoker} = 'yes'"},
        {"key": "note", "type": "text", "label": "Note", "required": True, "required_message": "Say something."},
    )
    assert issue_map(definition, {}, context) == {
        "smoker": "This question is required.",
        "note": "Say something.",
    }
    assert issue_map(definition, {"smoker": "yes", "note": "x"}, context) == {"packs": "This question is required."}
    assert issue_map(definition, {"smoker": "no", "note": "  "}, context) == {"note": "Say something."}


def test_constraints_use_the_answer_and_other_fields(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "start", "type": "date", "label": "Start"},
        {
            "key": "end",
            "type": "date",
            "label": "End",
            "constraint": ". >= ${start}",
            "constraint_message": "End must not be before ${start}.",
        },
        {"key": "age", "type": "integer", "label": "Age", "constraint": ". > 0 and . < 120"},
    )
    assert issue_map(definition, {"start": "2024-05-01", "end": "2024-05-01", "age": 33}, context) == {}
    assert issue_map(definition, {"start": "2024-05-01", "end": "2024-04-30", "age": 0}, context) == {
        "end": "End must not be before 2024-05-01.",
        "age": "This answer is not allowed.",
    }
    # A blank answer is never constraint-checked; a badly typed one reports only the type problem.
    assert issue_map(definition, {"age": "old"}, context) == {"age": "The answer is not a whole number."}


def test_non_relevant_fields_are_blank_and_never_validated(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "harm", "type": "yes_no", "label": "Harm?", "required": True},
        {
            "key": "details",
            "type": "group",
            "label": "Details",
            "relevant": "${harm} = 'yes'",
            "fields": [
                {"key": "what", "type": "text", "label": "What happened", "required": True},
                {"key": "times", "type": "integer", "label": "How many times", "constraint": ". > 0"},
            ],
        },
        {"key": "score", "type": "calculate", "calculation": "coalesce(${times}, 0) * 2"},
    )
    answers = {"harm": "no", "what": "old text", "times": -5}
    result = evaluate_form(definition, answers, context)
    assert result.issues == ()
    assert result.relevant == {
        "harm": True,
        "details": False,
        "what": False,
        "times": False,
        "score": True,
    }
    assert result.calculated == {"score": 0}
    assert "what" in result.answers  # the draft keeps it in case the answer flips back
    assert "what" not in result.final_answers and "times" not in result.final_answers
    assert can_finalise(result)

    result = evaluate_form(definition, {**answers, "harm": "yes"}, context)
    assert {issue.path for issue in result.issues} == {"times"}
    assert result.calculated == {"score": -10}
    assert not can_finalise(result)


def test_calculations_chain_in_dependency_order(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "total", "type": "calculate", "label": "Total", "calculation": "${sub} + ${tax}"},
        {"key": "tax", "type": "calculate", "calculation": "round(${sub} * 0.1, 2)"},
        {"key": "sub", "type": "calculate", "calculation": "${price} * ${qty}"},
        {"key": "price", "type": "decimal", "label": "Price"},
        {"key": "qty", "type": "integer", "label": "Qty"},
        {"key": "big", "type": "note", "label": "Big order", "relevant": "${total} > 100"},
    )
    result = evaluate_form(definition, {"price": "20", "qty": 5}, context)
    assert result.calculated == {"total": 110, "tax": 10, "sub": 100}
    assert result.relevant["big"] is True
    blank = evaluate_form(definition, {}, context)
    assert blank.calculated == {"total": None, "tax": None, "sub": None}
    assert blank.relevant["big"] is False


def test_new_response_applies_defaults_prefills_and_default_expressions(
    make_form: MakeForm, context: FillContext
) -> None:
    definition = make_form(
        {"key": "name", "type": "client_field", "label": "Name", "binding": "name"},
        {"key": "dob", "type": "client_field", "label": "DOB", "binding": "dob"},
        {"key": "medicaid", "type": "client_field", "label": "Medicaid", "binding": "medicaid_id", "default": "none"},
        {"key": "age", "type": "calculate", "label": "Age", "calculation": "age(${dob})"},
        {"key": "visit", "type": "date", "label": "Visit", "default_expression": "today()"},
        {"key": "follow_up", "type": "date", "label": "Follow up", "default_expression": "${visit} + 30"},
        {
            "key": "kind",
            "type": "single_choice",
            "label": "Kind",
            "default": "home",
            "choices": [{"value": "home", "label": "Home"}, {"value": "office", "label": "Office"}],
        },
        {"key": "ok", "type": "yes_no", "label": "OK", "default": True},
    )
    answers = new_response(definition, context)
    assert answers == {
        "name": "Zoë Nguyễn",
        "dob": "1988-03-14",
        "medicaid": "MA123456",
        "age": 36,
        "visit": "2024-05-20",
        "follow_up": "2024-06-19",
        "kind": "home",
        "ok": "yes",
    }
    without_client = new_response(definition, FillContext(today=date(2024, 1, 1)))
    assert without_client["medicaid"] == "none"
    assert "name" not in without_client


def test_client_fields_show_the_record_until_answered(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form({"key": "phone", "type": "client_field", "label": "Phone", "binding": "phone"})
    prefilled = evaluate_form(definition, {}, context)
    assert prefilled.prefills == {"phone": "555-201-3344"}
    assert prefilled.answers == {"phone": "555-201-3344"}
    corrected = evaluate_form(definition, {"phone": "555-999-0000"}, context)
    assert corrected.prefills == {}
    assert corrected.values["phone"] == "555-999-0000"


def test_repeat_groups(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "month", "type": "date", "label": "Month"},
        {
            "key": "contacts",
            "type": "repeat",
            "label": "Contacts",
            "required": True,
            "max_rows": 3,
            "fields": [
                {"key": "when", "type": "date", "label": "When", "required": True, "constraint": ". >= ${month}"},
                {"key": "minutes", "type": "integer", "label": "Minutes", "default": 30},
                {"key": "long_visit", "type": "calculate", "calculation": "${minutes} >= 60"},
                {
                    "key": "why",
                    "type": "text",
                    "label": "Why so long",
                    "relevant": "${minutes} >= 60",
                    "required": True,
                },
            ],
        },
        {"key": "total", "type": "calculate", "label": "Total", "calculation": "sum(${minutes})"},
        {"key": "count", "type": "calculate", "label": "Count", "calculation": "count(${contacts})"},
        {"key": "any_long", "type": "calculate", "calculation": "${minutes} >= 60"},
    )
    empty = evaluate_form(definition, {"month": "2024-05-01"}, context)
    assert {i.path: i.message for i in empty.issues} == {"contacts": "Add at least one row."}
    assert empty.calculated == {"total": 0, "count": 0, "any_long": "false"}

    row = new_repeat_row(definition, "contacts", context)
    assert row == {"minutes": 30}
    answers = {
        "month": "2024-05-01",
        "contacts": [
            {"when": "2024-05-02", "minutes": 30},
            {"when": "2024-04-30", "minutes": 90},
            {"minutes": "ten"},
            {"when": "2024-05-09", "minutes": 15},
        ],
    }
    result = evaluate_form(definition, answers, context)
    assert {i.path: i.message for i in result.issues} == {
        "contacts": "No more than 3 rows.",
        "contacts[1].when": "This answer is not allowed.",
        "contacts[1].why": "This question is required.",
        "contacts[2].when": "This question is required.",
        "contacts[2].minutes": "The answer is not a whole number.",
    }
    assert result.calculated == {
        "contacts[0].long_visit": "false",
        "contacts[1].long_visit": "true",
        "contacts[2].long_visit": "false",
        "contacts[3].long_visit": "false",
        "total": 135,
        "count": 4,
        "any_long": "true",
    }
    assert result.relevant["contacts[1].why"] and not result.relevant["contacts[0].why"]
    assert result.row_count("contacts") == 4
    with pytest.raises(KeyError):
        new_repeat_row(definition, "month")


def test_nested_repeats_resolve_references_row_by_row(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {
            "key": "kids",
            "type": "repeat",
            "label": "Children",
            "fields": [
                {"key": "kid_name", "type": "text", "label": "Name"},
                {
                    "key": "shots",
                    "type": "repeat",
                    "label": "Immunizations",
                    "fields": [
                        {"key": "vaccine", "type": "text", "label": "Vaccine"},
                        {"key": "whose", "type": "calculate", "calculation": "concat(${kid_name}, ': ', ${vaccine})"},
                    ],
                },
                {"key": "shot_count", "type": "calculate", "calculation": "count(${shots})"},
            ],
        },
        {"key": "all_shots", "type": "calculate", "calculation": "count(${vaccine})"},
    )
    answers = {
        "kids": [
            {"kid_name": "Ana", "shots": [{"vaccine": "MMR"}, {"vaccine": "Polio"}]},
            {"kid_name": "Ben", "shots": [{"vaccine": "Flu"}]},
        ]
    }
    result = evaluate_form(definition, answers, context)
    assert result.calculated["kids[0].shots[1].whose"] == "Ana: Polio"
    assert result.calculated["kids[1].shots[0].whose"] == "Ben: Flu"
    assert result.calculated["kids[0].shot_count"] == 2
    assert result.calculated["kids[1].shot_count"] == 1
    assert result.calculated["all_shots"] == 3


def test_malformed_answers_are_reported_not_crashing(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "rows", "type": "repeat", "label": "Rows", "fields": [{"key": "x", "type": "text", "label": "X"}]},
    )
    result = evaluate_form(definition, {"rows": "not a list", "stray": 1}, context)
    assert {i.path: i.message for i in result.issues} == {"rows": "The answer must be a list of rows."}
    assert evaluate_form(definition, None, context).issues == ()


def test_goal_picker_offers_the_clients_goals(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form({"key": "goal", "type": "goal_picker", "label": "Goal", "required": True})
    assert format_answer(definition.field("goal"), "g2", context) == "Ride the bus alone"
    assert format_answer(definition.field("goal"), {"id": "old", "label": "Old goal text"}, context) == "Old goal text"
    assert issue_map(definition, {"goal": {"id": "g1", "label": "Cook"}}, context) == {}
    unknown_goals = FillContext(today=context.today)  # goals not known: any id is accepted
    assert issue_map(definition, {"goal": "g404"}, unknown_goals) == {}
    assert issue_map(definition, {}, context) == {"goal": "This question is required."}


def test_signatures_block_finalising_until_present(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "summary", "type": "text", "label": "Summary"},
        {"key": "cm_sign", "type": "signature", "label": "Case manager", "required": True},
    )
    draft = evaluate_form(definition, {"summary": "Met at home."}, context)
    assert not can_finalise(draft)
    assert draft.issues[0].message == "A signature is required."
    assert str(draft.issues[0]) == "Case manager (cm_sign): A signature is required."
    assert can_finalise(evaluate_form(definition, {"summary": "Met at home.", "cm_sign": "sig-77"}, context))


def test_labels_interpolate_answers(make_form: MakeForm, context: FillContext) -> None:
    definition = make_form(
        {"key": "first", "type": "client_field", "label": "First name", "binding": "first_name"},
        {"key": "mood", "type": "single_choice", "label": "Mood", "choices": [{"value": "ok", "label": "Doing okay"}]},
        {"key": "thanks", "type": "note", "label": "Thanks, ${first}. Mood: ${mood}."},
    )
    result = evaluate_form(definition, {"mood": "ok"}, context)
    assert result.interpolate(definition.field("thanks").label) == "Thanks, Zoë. Mood: Doing okay."


def test_builtin_contact_log_totals_and_face_to_face_rule(context: FillContext) -> None:
    log = builtin_template("monthly_contact_log")
    answers = new_response(log, context)
    answers.update(
        month_start="2024-05-01",
        case_manager_signature="sig-1",
        contacts=[
            {
                "contact_date": "2024-05-03",
                "contact_type": "phone",
                "with_whom": ["client"],
                "minutes": 15,
                "summary": "Check-in",
            },
            {
                "contact_date": "2024-05-10",
                "contact_type": "collateral",
                "with_whom": ["provider"],
                "minutes": 45,
                "summary": "Day program",
                "goal": "g1",
            },
        ],
    )
    result = evaluate_form(log, answers, context)
    assert result.calculated["total_minutes"] == 60
    assert result.calculated["total_hours"] == 1
    assert result.calculated["face_to_face_contacts"] == 0
    assert {i.path for i in result.issues} == {"no_face_to_face_reason"}
    answers["contacts"][1]["contact_type"] = "home_visit"
    assert can_finalise(evaluate_form(log, answers, context))


def test_builtin_risk_assessment_levels(context: FillContext) -> None:
    risk = builtin_template("risk_assessment")
    base = {
        "reason": "annual",
        "self_harm_thoughts": "no",
        "aggression": "no",
        "falls": 0,
        "choking_risk": "no",
        "medication_refusal": "no",
        "wandering": "no",
        "exploitation": "no",
        "home_concerns": ["none"],
        "supervision": "independent",
        "assessor_signature": "sig",
    }
    low = evaluate_form(risk, new_response(risk, context) | base, context)
    assert low.calculated["risk_level"] == "Low" and can_finalise(low)
    high = evaluate_form(
        risk,
        base
        | {
            "self_harm_thoughts": "yes",
            "self_harm_details": "Said so",
            "self_harm_attempt": "yes",
            "self_harm_attempt_date": "2024-01-05",
        },
        context,
    )
    assert high.calculated["risk_score"] == 6 and high.calculated["risk_level"] == "High"
    assert {i.path for i in high.issues} == {"assessment_date", "safety_plan", "supervisor_notified", "follow_up"}
    refused = evaluate_form(
        risk,
        base
        | {
            "exploitation": "yes",
            "exploitation_reported": "no",
            "wandering": "yes",
            "falls": 3,
            "supervisor_notified": "no",
        },
        context,
    )
    assert refused.calculated["risk_level"] == "High"
    assert "must be reported to your supervisor" in {i.path: i.message for i in refused.issues}["supervisor_notified"]

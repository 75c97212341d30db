"""Print layouts: blank forms for paper, filled forms showing what was answered."""

from __future__ import annotations

from collections.abc import Callable

from casedesk.domain.print_layout import (
    ChoiceField,
    FieldLine,
    FormPrintLayout,
    Heading,
    NoteText,
    RepeatTable,
    SignatureLine,
)
from casedesk.forms import FillContext, FormDefinition, SignatureCapture, builtin_template, layout_for

MakeForm = Callable[..., FormDefinition]

PNG = b"\x89PNG\r\n\x1a\nfake-signature"


def sample(make_form: MakeForm) -> FormDefinition:
    return make_form(
        {"key": "top", "type": "heading", "label": "Visit"},
        {"key": "how_to", "type": "note", "label": "Fill in for ${client} after each visit."},
        {"key": "client", "type": "client_field", "label": "Client", "binding": "name"},
        {"key": "dob", "type": "client_field", "label": "Date of birth", "binding": "dob"},
        {"key": "visit_date", "type": "date", "label": "Visit date", "required": True},
        {"key": "summary", "type": "long_text", "label": "Summary", "hint": "What happened", "print": {"lines": 6}},
        {"key": "ok", "type": "yes_no", "label": "Client safe?", "required": True},
        {"key": "worry", "type": "text", "label": "What is the worry?", "relevant": "${ok} = 'no'"},
        {
            "key": "kind",
            "type": "single_choice",
            "label": "Kind",
            "choices": [{"value": "home", "label": "Home visit"}, {"value": "phone", "label": "Phone"}],
        },
        {
            "key": "with",
            "type": "multiple_choice",
            "label": "With",
            "choices": [
                {"value": "client", "label": "Client"},
                {"value": "guardian", "label": "Guardian"},
                {"value": "provider", "label": "Provider"},
            ],
        },
        {"key": "goal", "type": "goal_picker", "label": "Goal worked on"},
        {"key": "minutes_total", "type": "calculate", "label": "Total minutes", "calculation": "sum(${minutes})"},
        {"key": "hidden_calc", "type": "calculate", "calculation": "1"},
        {"key": "internal", "type": "text", "label": "Office use", "print": {"hidden": True}},
        {
            "key": "details",
            "type": "group",
            "label": "Medications",
            "fields": [
                {
                    "key": "meds",
                    "type": "repeat",
                    "label": "Medication list",
                    "print": {"blank_rows": 3},
                    "fields": [
                        {"key": "med", "type": "text", "label": "Medication"},
                        {"key": "minutes", "type": "integer", "label": "Minutes"},
                        {
                            "key": "sub",
                            "type": "group",
                            "fields": [
                                {"key": "given", "type": "yes_no", "label": "Given"},
                            ],
                        },
                    ],
                },
            ],
        },
        {"key": "cm_sign", "type": "signature", "label": "Case manager"},
        {"key": "client_sign", "type": "signature", "label": "Client"},
    )


def test_blank_layout_for_paper(make_form: MakeForm) -> None:
    layout = layout_for(sample(make_form))
    assert isinstance(layout, FormPrintLayout)
    assert (layout.title, layout.form_key, layout.form_version, layout.filled) == ("Test form", "test_form", 1, False)
    assert layout.blocks == (
        Heading("Visit", 1),
        NoteText("Fill in for ________ after each visit."),
        FieldLine("Client", None, False, 1, None),
        FieldLine("Date of birth", None, False, 1, None),
        FieldLine("Visit date", None, True, 1, None),
        FieldLine("Summary", None, False, 6, "What happened"),
        ChoiceField("Client safe?", ("Yes", "No"), required=True),
        FieldLine("What is the worry?", None, False, 1, None),  # paper cannot skip: every question prints
        ChoiceField("Kind", ("Home visit", "Phone")),
        ChoiceField("With", ("Client", "Guardian", "Provider"), multiple=True),
        FieldLine("Goal worked on", None, False, 2, None),
        FieldLine("Total minutes", None, False, 1, None),
        Heading("Medications", 2),
        RepeatTable("Medication list", ("Medication", "Minutes", "Given"), (), blank_rows=3),
        SignatureLine("Case manager"),
        SignatureLine("Client"),
    )


def test_blank_layout_with_a_client_carries_their_details(make_form: MakeForm, context: FillContext) -> None:
    layout = layout_for(sample(make_form), context=context, date_format="%m/%d/%Y")
    lines = {block.label: block for block in layout.blocks if isinstance(block, FieldLine | ChoiceField)}
    assert lines["Client"] == FieldLine("Client", "Zoë Nguyễn", False, 1, None)
    assert lines["Date of birth"].value == "03/14/1988"  # type: ignore[union-attr]
    assert lines["Goal worked on"] == ChoiceField("Goal worked on", ("Cook two meals a week", "Ride the bus alone"))


def test_filled_layout_shows_answers_and_skips_what_is_not_relevant(make_form: MakeForm, context: FillContext) -> None:
    answers = {
        "visit_date": "2024-05-20",
        "summary": "Talked about the bus pass.",
        "ok": "yes",
        "worry": "left over from an earlier draft",
        "kind": "home",
        "with": ["client", "provider"],
        "goal": "g2",
        "meds": [
            {"med": "Sertraline", "minutes": 5, "given": "yes"},
            {"med": "Vitamin D", "minutes": 2},
        ],
        "cm_sign": "sig-1",
    }
    signatures = {"cm_sign": SignatureCapture("Dana Case", "2024-05-20 10:15", PNG)}
    layout = layout_for(sample(make_form), answers, context, signatures, status="final", date_format="%m/%d/%Y")
    assert layout.filled and layout.status == "final"
    assert layout.blocks == (
        Heading("Visit", 1),
        NoteText("Fill in for Zoë Nguyễn after each visit."),
        FieldLine("Client", "Zoë Nguyễn", False, 1, None),
        FieldLine("Date of birth", "03/14/1988", False, 1, None),
        FieldLine("Visit date", "05/20/2024", True, 1, None),
        FieldLine("Summary", "Talked about the bus pass.", False, 1, "What happened"),
        ChoiceField("Client safe?", ("Yes", "No"), selected=("Yes",), required=True),
        ChoiceField("Kind", ("Home visit", "Phone"), selected=("Home visit",)),
        ChoiceField("With", ("Client", "Guardian", "Provider"), selected=("Client", "Provider"), multiple=True),
        FieldLine("Goal worked on", "Ride the bus alone", False, 1, None),
        FieldLine("Total minutes", "7", False, 1, None),
        Heading("Medications", 2),
        RepeatTable(
            "Medication list",
            ("Medication", "Minutes", "Given"),
            (("Sertraline", "5", "Yes"), ("Vitamin D", "2", "")),
            blank_rows=0,
        ),
        SignatureLine("Case manager", "Dana Case", "2024-05-20 10:15", PNG),
        SignatureLine("Client"),
    )


def test_filled_layout_leaves_writing_lines_for_unanswered_questions(make_form: MakeForm) -> None:
    layout = layout_for(sample(make_form), {"ok": "no", "worry": "Fridge empty"})
    lines = {block.label: block for block in layout.blocks if isinstance(block, FieldLine)}
    assert lines["Summary"] == FieldLine("Summary", None, False, 6, "What happened")
    assert lines["What is the worry?"].value == "Fridge empty"
    assert next(b for b in layout.blocks if isinstance(b, RepeatTable)).rows == ()


def test_nested_repeats_print_inside_their_row(make_form: MakeForm) -> None:
    definition = make_form(
        {
            "key": "kids",
            "type": "repeat",
            "label": "Children",
            "fields": [
                {"key": "kid", "type": "text", "label": "Name"},
                {
                    "key": "shots",
                    "type": "repeat",
                    "label": "Shots",
                    "fields": [
                        {"key": "vaccine", "type": "text", "label": "Vaccine"},
                        {"key": "on", "type": "date", "label": "On"},
                    ],
                },
            ],
        },
    )
    answers = {"kids": [{"kid": "Ana", "shots": [{"vaccine": "MMR", "on": "2020-01-02"}, {"vaccine": "Flu"}]}]}
    table = layout_for(definition, answers).blocks[0]
    assert table == RepeatTable("Children", ("Name", "Shots"), (("Ana", "MMR / 2020-01-02; Flu"),), blank_rows=0)


def test_builtin_isp_review_prints_goals_and_signatures(context: FillContext) -> None:
    isp = builtin_template("isp_quarterly_review")
    blank = layout_for(isp, context=context)
    goals_table = next(b for b in blank.blocks if isinstance(b, RepeatTable))
    assert goals_table.columns[:2] == ("Goal", "Progress this quarter") and goals_table.blank_rows == 4
    assert [b.role for b in blank.blocks if isinstance(b, SignatureLine)] == [
        "Client",
        "Guardian",
        "Case manager",
        "Supervisor",
    ]
    filled = layout_for(
        isp,
        {"has_guardian": "no", "goal_reviews": [{"goal": "g1", "progress": "progressing", "decision": "continue"}]},
        context,
        {"case_manager_signature": SignatureCapture("Dana Case", "2024-05-20", PNG)},
    )
    table = next(b for b in filled.blocks if isinstance(b, RepeatTable))
    assert table.rows[0][:2] == ("Cook two meals a week", "Progressing")
    roles = [(b.role, b.image_png) for b in filled.blocks if isinstance(b, SignatureLine)]
    assert roles == [("Client", None), ("Case manager", PNG), ("Supervisor", None)]  # no guardian: not shown

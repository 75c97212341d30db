"""Printed forms (blank and filled) and the caseload due/overdue list, parsed back with pypdf."""

from __future__ import annotations

from datetime import date, timedelta

from reportlab.lib.rl_accel import fp_str

from casedesk.domain.print_layout import (
    ChoiceField,
    FieldLine,
    FormPrintLayout,
    Heading,
    NoteText,
    RepeatTable,
    SignatureLine,
)
from casedesk.reports import (
    AgencyInfo,
    ClientInfo,
    DueItem,
    DueListDoc,
    DueStatus,
    render_due_list,
    render_form,
)
from casedesk.reports.styles import OVERDUE_FILL
from tests.reports.report_pdf_helpers import (
    all_text,
    flat,
    image_xobjects,
    large_text,
    page_labels,
    page_texts,
    render,
    tiny_png,
)

AGENCY = AgencyInfo(name="Sunrise Community Services")
CLIENT = ClientInfo(name="Zoë Nguyễn", date_of_birth=date(1990, 2, 3), record_number="R-5")


def intake(*, filled: bool, status: str = "draft", signature_png: bytes | None = None) -> FormPrintLayout:
    def answer(text: str) -> str | None:
        return text if filled else None

    return FormPrintLayout(
        title="Client intake & consent",
        form_key="intake",
        form_version=3,
        filled=filled,
        status=status,
        blocks=(
            Heading(text="About you"),
            NoteText(text="Answer every question marked *."),
            FieldLine(label="Preferred name", value=answer("Zoë"), required=True),
            FieldLine(label="What would you like help with?", value=answer("Rent < $900 & a job"), lines=4),
            ChoiceField(label="Interpreter needed?", options=("Yes", "No"), selected=("Sí",) if filled else ()),
            ChoiceField(
                label="Contact by",
                options=("Phone", "Text", "Email"),
                multiple=True,
                selected=("Text", "Email") if filled else (),
            ),
            RepeatTable(
                label="Household",
                columns=("Name", "Relationship"),
                rows=(("José Peña", "Brother"),) if filled else (),
                blank_rows=0 if filled else 3,
            ),
            SignatureLine(
                role="Client",
                signer_name="Zoë Nguyễn" if filled else None,
                signed_at="2025-07-14 10:40" if filled else None,
                image_png=signature_png,
            ),
        ),
    )


def test_blank_form_has_writing_space_tick_boxes_and_header_lines_but_no_draft_mark() -> None:
    reader = render(render_form, intake(filled=False), agency=AGENCY)
    text = all_text(reader)
    assert "Client intake & consent" in text
    assert "Blank form for completion by hand" in flat(text)
    assert "Preferred name *" in text
    assert text.count("☐") == 5 and "☒" not in text
    assert "(choose one)" in text and "(choose all that apply)" in text
    assert "Client" in text and "DOB" in text and "Record #" in text  # header lines to fill by hand
    assert "Form intake, version 3" in text
    assert "DRAFT" not in text
    assert all(large_text(reader, i) == [] for i in range(len(reader.pages)))


def test_filled_final_form_prints_answers_ticks_and_the_captured_signature() -> None:
    layout = intake(filled=True, status="final", signature_png=tiny_png())
    reader = render(render_form, layout, agency=AGENCY, client=CLIENT)
    text = flat(all_text(reader))
    assert "Zoë Nguyễn" in text and "DOB 1990-02-03" in text
    assert "Rent < $900 & a job" in text
    assert "☒ Text" in text and "☒ Email" in text and "☐ Phone" in text
    assert "☒ Sí" in text  # a stored answer outside today's options still prints
    assert "José Peña Brother" in text
    assert "Status: final" in text and "DRAFT" not in text
    assert len(image_xobjects(reader)) == 1


def test_filled_draft_form_is_marked_draft_and_final_form_prints_unanswered_questions() -> None:
    draft = render(render_form, intake(filled=True), agency=AGENCY, client=CLIENT)
    assert large_text(draft, 0) == ["DRAFT"]
    final_layout = FormPrintLayout(
        title="Check",
        form_key="k",
        form_version=1,
        filled=True,
        status="final",
        blocks=(FieldLine(label="Allergies", value=None),),
    )
    text = all_text(render(render_form, final_layout, agency=AGENCY, client=CLIENT))
    assert "(not answered)" in text


def test_long_repeat_table_repeats_its_header_on_every_page() -> None:
    rows = tuple((f"Person {i:03d}", "Cousin", "2001-01-01") for i in range(150))
    layout = FormPrintLayout(
        title="Household",
        form_key="household",
        form_version=2,
        filled=True,
        status="final",
        blocks=(RepeatTable(label="Members", columns=("Full name", "Relation", "Born"), rows=rows),),
    )
    reader = render(render_form, layout, agency=AGENCY, client=CLIENT)
    texts = page_texts(reader)
    assert len(texts) >= 3
    for text in texts:
        assert text.count("Full name") == 1
    assert all(f"Person {i:03d}" in " ".join(texts) for i in range(150))
    assert page_labels(reader) == [(n, len(texts)) for n in range(1, len(texts) + 1)]


def due(client: str, days: int, status: DueStatus, kind: str = "Quarterly report") -> DueItem:
    return DueItem(
        client_name=client,
        kind=kind,
        due_date=date(2025, 10, 6) + timedelta(days=days),
        status=status,
        record_number="R-1",
    )


def test_due_list_is_sorted_by_date_with_overdue_rows_highlighted() -> None:
    doc = DueListDoc(
        agency=AGENCY,
        as_of=date(2025, 10, 6),
        worker_name="Ana Lucía Gómez",
        items=(
            due("Zoltán Kovács", 10, DueStatus.UPCOMING),
            due("Zoë Nguyễn", -12, DueStatus.OVERDUE, "Plan review"),
            due("José Peña", 0, DueStatus.DUE_SOON),
            due("Åsa Øberg", -1, DueStatus.OVERDUE),
        ),
    )
    reader = render(render_due_list, doc)
    text = flat(all_text(reader))
    order = [text.index(name) for name in ("Zoë Nguyễn", "Åsa Øberg", "José Peña", "Zoltán Kovács")]
    assert order == sorted(order)
    assert "Overdue 12 days" in text and "Overdue 1 day " in text
    assert "Due today" in text and "Due in 10 days" in text
    assert "2 overdue, 1 due soon, 1 upcoming" in text
    assert "Caseload: Ana Lucía Gómez" in text
    fill = f"{fp_str(*OVERDUE_FILL.rgb())} rg".encode()
    assert fill in reader.pages[0].get_contents().get_data()  # type: ignore[union-attr]

    calm = DueListDoc(agency=AGENCY, as_of=date(2025, 10, 6), items=(due("José Peña", 3, DueStatus.DUE_SOON),))
    calm_page = render(render_due_list, calm).pages[0]
    assert fill not in calm_page.get_contents().get_data()  # type: ignore[union-attr]


def test_empty_due_list_says_nothing_is_due() -> None:
    text = all_text(render(render_due_list, DueListDoc(agency=AGENCY, as_of=date(2025, 10, 6), items=())))
    assert "Nothing is due." in text


def test_every_built_in_form_prints_blank_and_filled_from_the_forms_engine() -> None:
    from casedesk.forms.printing import layout_for
    from casedesk.forms.templates import builtin_templates

    templates = builtin_templates()
    assert templates
    for definition in templates:
        blank = render(render_form, layout_for(definition), agency=AGENCY)
        blank_text = flat(all_text(blank))
        assert definition.name in blank_text and "Blank form for completion by hand" in blank_text
        assert page_labels(blank) == [(n, len(blank.pages)) for n in range(1, len(blank.pages) + 1)]
        filled = render(render_form, layout_for(definition, {}, status="final"), agency=AGENCY, client=CLIENT)
        assert "Status: final" in all_text(filled)

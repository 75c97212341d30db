"""StripedTable behaviour, and documents with absurdly long values still printing."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.rl_accel import fp_str
from reportlab.platypus import SimpleDocTemplate

from casedesk.domain.print_layout import ChoiceField, FieldLine, FormPrintLayout, RepeatTable
from casedesk.reports import (
    DueItem,
    DueListDoc,
    DueStatus,
    GoalEvidence,
    ReportError,
    fonts,
    render_due_list,
    render_form,
    render_progress_note,
    render_quarterly_report,
)
from casedesk.reports import styles as report_styles
from casedesk.reports.samples import (
    sample_agency,
    sample_client,
    sample_progress_note,
    sample_quarterly_report,
)
from casedesk.reports.table import Cell, Column, StripedTable
from casedesk.reports.text import text_width
from tests.reports.report_pdf_helpers import all_text, flat, page_labels, render

COLUMNS = (Column("Name", 120), Column("Count", 60, align="right"))


def test_split_keeps_the_header_and_all_rows_and_continues_the_stripes() -> None:
    rows = [(f"Row {i}", str(i)) for i in range(100)]
    table = StripedTable(COLUMNS, rows)
    _, height = table.wrap(500, 10_000)
    first, rest = table.split(500, height / 3)
    assert isinstance(first, StripedTable) and isinstance(rest, StripedTable)
    assert first.row_count + rest.row_count == 100
    assert first.wrap(500, 1000)[1] <= height / 3
    # the continuation starts with its own header row and the stripes carry on where they stopped
    assert rest._layout.header is table._layout.header
    assert rest._layout.rows[0].fill == table._layout.rows[first.row_count].fill
    assert table.split(500, 5) == []  # not even the header and one row fit: move to the next page


def test_rows_must_match_the_columns() -> None:
    with pytest.raises(ReportError, match="row 2 has 1 cells for 2 columns"):
        StripedTable(COLUMNS, [("a", "1"), ("b",)])


def test_right_aligned_numbers_share_their_right_edge_and_styled_cells_print() -> None:
    buffer = io.BytesIO()
    report_styles.report_styles()
    table = StripedTable(
        COLUMNS, [("Short", "7"), (Cell("Bold", bold=True), Cell("12345", color=report_styles.DRAFT_INK))]
    )
    SimpleDocTemplate(buffer).build([table])
    positions: dict[str, float] = {}

    def visit(text: str, _cm: object, tm: list[float], _font: object, _size: float) -> None:
        if text.strip():
            positions[text.strip()] = tm[4]

    reader = PdfReader(buffer)
    reader.pages[0].extract_text(visitor_text=visit)
    right_7 = positions["7"] + text_width("7", fonts.REGULAR, 8.5)
    right_big = positions["12345"] + text_width("12345", fonts.REGULAR, 8.5)
    assert right_7 == pytest.approx(right_big, abs=0.01)
    assert positions["Short"] == pytest.approx(positions["Bold"])
    content = reader.pages[0].get_contents().get_data()  # type: ignore[union-attr]
    assert f"{fp_str(*report_styles.DRAFT_INK.rgb())} rg".encode() in content  # the coloured cell


def test_long_cells_are_cut_to_the_column_limit_with_an_ellipsis() -> None:
    table = StripedTable((Column("Excerpt", 100, max_lines=2),), [("word " * 500,)])
    lines = table._layout.rows[0].lines[0]
    assert len(lines) == 2 and lines[-1].endswith("…")
    unlimited = StripedTable((Column("Excerpt", 100),), [("word " * 5000,)])
    assert len(unlimited._layout.rows[0].lines[0]) == 30  # a row never outgrows a page


HUGE = "Zoë " + "enormous " * 3000
HUGE_WORD = "x" * 30_000


def test_a_note_with_absurdly_long_values_still_prints() -> None:
    note = sample_progress_note(paragraphs=1)
    note = dataclasses.replace(
        note,
        location=HUGE,
        contact_type=HUGE_WORD,
        client=dataclasses.replace(note.client, name="Zoë " * 200),
        agency=dataclasses.replace(note.agency, name="Agency " * 100),
        goals=(dataclasses.replace(note.goals[0], comment=HUGE),),
        sections=(dataclasses.replace(note.sections[0], text=HUGE_WORD + "\n\n" + HUGE),),
    )
    reader = render(render_progress_note, note)
    pages = len(reader.pages)
    assert 3 <= pages < 60
    assert page_labels(reader) == [(n, pages) for n in range(1, pages + 1)]


def test_a_quarterly_report_with_absurdly_long_values_still_prints() -> None:
    report = sample_quarterly_report(notes=5)
    goal = dataclasses.replace(
        report.goals[0],
        text=HUGE,
        narrative=HUGE_WORD,
        evidence=(GoalEvidence(contact_date=date(2025, 7, 2), contact_type=HUGE, rating=HUGE, excerpt=HUGE),),
    )
    report = dataclasses.replace(report, goals=(goal,), missing_evidence=(HUGE,), summary=HUGE)
    reader = render(render_quarterly_report, report)
    assert len(reader.pages) >= 3
    assert "Quarterly report: Q3 2025" in all_text(reader)


def test_a_form_and_a_due_list_with_absurdly_long_values_still_print() -> None:
    layout = FormPrintLayout(
        title="T" * 500,
        form_key="k",
        form_version=1,
        filled=True,
        status="final",
        blocks=(
            FieldLine(label=HUGE[:3000], value=HUGE),
            FieldLine(label="Short", value=HUGE_WORD),
            ChoiceField(label="Pick", options=(HUGE, "Yes"), selected=(HUGE,)),
            RepeatTable(label="Rows", columns=("A", "B"), rows=((HUGE, HUGE_WORD),)),
        ),
    )
    assert len(render(render_form, layout, agency=sample_agency(), client=sample_client()).pages) >= 2
    due = DueListDoc(
        agency=sample_agency(),
        as_of=date(2025, 10, 6),
        items=(
            DueItem(
                client_name=HUGE,
                kind=HUGE_WORD,
                due_date=date(2025, 10, 1),
                status=DueStatus.OVERDUE,
                detail=HUGE,
            ),
        ),
    )
    text = flat(all_text(render(render_due_list, due)))
    assert "Overdue 5 days" in text

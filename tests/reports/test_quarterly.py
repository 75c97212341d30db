"""Quarterly report PDFs (single and batch), parsed back with pypdf."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from casedesk.reports import (
    AgencyInfo,
    ClientInfo,
    ContactCount,
    GoalEvidence,
    GoalOutcome,
    QuarterGoal,
    QuarterlyReportDoc,
    ReportError,
    ServiceUnits,
    SignatureBlock,
    SignedStamp,
    render_quarterly_batch,
    render_quarterly_report,
)
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

ZONE = timezone(timedelta(hours=-5), "EST")
HEADER = "From the note"


def evidence(count: int, start: date = date(2025, 7, 1)) -> tuple[GoalEvidence, ...]:
    return tuple(
        GoalEvidence(
            contact_date=start + timedelta(days=i % 90),
            contact_type="Home visit",
            rating="Progressing",
            excerpt=f"Visit {i:03d}: client paid rent & met the landlord <in person>.",
        )
        for i in range(count)
    )


def make_report(name: str = "Zoë Nguyễn", **changes: object) -> QuarterlyReportDoc:
    report = QuarterlyReportDoc(
        agency=AgencyInfo(name="Sunrise Community Services"),
        client=ClientInfo(name=name, date_of_birth=date(1975, 1, 2), record_number="R-77"),
        worker_name="José Peña",
        period_label="Q3 2025",
        period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30),
        due_date=date(2025, 10, 15),
        plan_name="ISP 2025-2026",
        goals=(
            QuarterGoal(
                label="Goal 1",
                text="Keep stable housing",
                narrative="Paid rent every month.",
                evidence=evidence(3),
            ),
            QuarterGoal(
                label="Goal 2",
                text="Take medication as prescribed",
                narrative="Uses the organiser.",
                evidence=evidence(2),
                outcome=GoalOutcome.MET,
                outcome_note="Met in August",
            ),
            QuarterGoal(
                label="Goal 3",
                text="Join the Tuesday group",
                narrative="",
                outcome=GoalOutcome.CHANGED,
                outcome_note="Now weekly, not monthly",
            ),
        ),
        contacts_by_type=(
            ContactCount(contact_type="Home visit", count=7),
            ContactCount(contact_type="Phone", count=4),
        ),
        face_to_face_visits=7,
        units_by_service=(
            ServiceUnits(service_code="T1017", units=22.5, description="Case management"),
            ServiceUnits(service_code="H2015", units=8),
        ),
        next_plan_review=date(2026, 1, 20),
        summary="Steady progress. La clienta está contenta con su apartamento.",
        missing_evidence=("No face-to-face visit in September.",),
    )
    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def header_client(page_text: str) -> str:
    """The client named in a page's header: the line just above "DOB ... Record # ..."."""
    lines = page_text.splitlines()
    dob = next(i for i, line in enumerate(lines) if line.startswith("DOB "))
    return lines[dob - 1]


def stamp() -> SignedStamp:
    return SignedStamp(
        signer_name="José Peña", content_hash="0f" * 32, signed_at=datetime(2025, 10, 8, 15, 30, tzinfo=ZONE)
    )


def test_prints_period_goals_in_plan_order_evidence_counts_units_and_summary() -> None:
    text = flat(all_text(render(render_quarterly_report, make_report())))
    assert "Quarterly report: Q3 2025" in text
    assert "2025-07-01 to 2025-09-30" in text and "Due date 2025-10-15" in text
    goal_positions = [text.index(f"Goal {n}:") for n in (1, 2, 3)]
    assert goal_positions == sorted(goal_positions)
    assert "Visit 000: client paid rent & met the landlord <in person>." in text
    assert "3 note(s) this quarter addressed this goal." in text
    assert "No note this quarter addressed this goal." in text  # goal 3
    assert "(No progress narrative written yet.)" in text
    assert "Home visit 7" in text and "Phone 4" in text and "All contacts 11" in text
    assert "Face-to-face visits: 7" in text
    assert "T1017 Case management 22.5" in text and "Total 30.5" in text
    assert "Met: Goal 2: Take medication as prescribed. Met in August" in text
    assert "Changed: Goal 3: Join the Tuesday group. Now weekly, not monthly" in text
    assert "Next service plan review: 2026-01-20" in text
    assert "La clienta está contenta con su apartamento." in text
    for role in ("Case manager", "Supervisor", "Client or guardian"):
        assert role in text


def test_missing_evidence_is_listed_on_drafts_only() -> None:
    draft = flat(all_text(render(render_quarterly_report, make_report())))
    assert "Missing evidence: resolve before signing" in draft
    assert "No face-to-face visit in September." in draft
    signed_reader = render(render_quarterly_report, make_report(signed=stamp()))
    signed = flat(all_text(signed_reader))
    assert "Missing evidence" not in signed and "No face-to-face visit in September." not in signed
    assert "DRAFT" not in signed
    assert large_text(signed_reader, 0) == []
    assert "0f" * 32 in signed


def test_long_evidence_table_repeats_its_header_row_on_each_page() -> None:
    doc = make_report(goals=(QuarterGoal(label="Goal 1", text="Housing", narrative="n", evidence=evidence(120)),))
    reader = render(render_quarterly_report, doc)
    texts = page_texts(reader)
    pages_with_rows = [i for i, text in enumerate(texts) if "Visit " in text]
    assert len(pages_with_rows) >= 3
    for index in pages_with_rows:
        assert texts[index].count(HEADER) == 1, f"page {index + 1} lacks the table header"
    whole = flat(" ".join(texts))
    assert all(f"Visit {i:03d}:" in whole for i in range(120))
    pages = len(reader.pages)
    assert page_labels(reader) == [(n, pages) for n in range(1, pages + 1)]


def test_captured_signatures_are_embedded() -> None:
    doc = make_report(
        signatures=(
            SignatureBlock(role="Case manager", name="José Peña", image_png=tiny_png()),
            SignatureBlock(role="Guardian", name="Åsa Øberg", image_png=tiny_png(30, 12, (10, 10, 10))),
            SignatureBlock(role="Supervisor"),
        )
    )
    reader = render(render_quarterly_report, doc)
    assert len(image_xobjects(reader)) == 2
    assert "Åsa Øberg" in all_text(reader)


def test_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ReportError, match="ends \\(2025-06-30\\) before it starts \\(2025-07-01\\)"):
        make_report(period_end=date(2025, 6, 30))


def test_batch_starts_each_report_on_a_new_page_numbered_on_its_own() -> None:
    long_one = make_report(
        name="Nguyễn Văn An",
        goals=(QuarterGoal(label="Goal 1", text="Housing", narrative="n", evidence=evidence(90)),),
    )
    docs = [make_report(name="Zoë Nguyễn"), long_one, make_report(name="José Peña", signed=stamp())]
    reader = render(render_quarterly_batch, docs)
    sizes = [len(render(render_quarterly_report, d).pages) for d in docs]
    assert sizes[1] >= 3
    assert len(reader.pages) == sum(sizes)

    expected = [(n, size) for size in sizes for n in range(1, size + 1)]
    assert page_labels(reader) == expected
    texts = page_texts(reader)
    owners = [name for doc, size in zip(docs, sizes, strict=True) for name in [doc.client.name] * size]
    assert [header_client(text) for text in texts] == owners
    # each report starts on its own page with its title at the top of that page
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    for start in starts:
        assert "Quarterly report: Q3 2025" in texts[start]
    # the draft mark follows each report's own status
    last = starts[2]
    assert large_text(reader, 0) == ["DRAFT"]
    assert large_text(reader, last) == []
    # one bookmark per report
    assert [item.title for item in reader.outline] == [f"{d.client.name}: Q3 2025" for d in docs]


def test_empty_batch_is_a_clear_error() -> None:
    with pytest.raises(ReportError, match="no quarterly reports"):
        render_quarterly_batch([], io.BytesIO())

"""Quarterly report PDF (one client), and a batch of them in one PDF, each numbered on its own."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.platypus import CondPageBreak, Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from casedesk.reports import styles
from casedesk.reports.blocks import (
    KEEP_WITH_NEXT,
    fact_grid,
    heading,
    status_line,
    warning_box,
)
from casedesk.reports.documents import (
    GoalOutcome,
    PageSize,
    QuarterGoal,
    QuarterlyReportDoc,
    SignatureBlock,
)
from casedesk.reports.errors import ReportError
from casedesk.reports.page import DocumentPart, Letterhead, PdfTarget, build_pdf, frame_width
from casedesk.reports.signatures import signature_section
from casedesk.reports.table import Column, StripedTable
from casedesk.reports.text import fmt_date, fmt_units, markup, paragraphs, plain, shorten

EXCERPT_LINES = 2  # a note's excerpt in the evidence table: at most this many lines
EXCERPT_SOURCE_LIMIT = 400

_OUTCOME_TEXT = {
    GoalOutcome.ONGOING: "Ongoing",
    GoalOutcome.MET: "Met",
    GoalOutcome.CHANGED: "Changed",
    GoalOutcome.DISCONTINUED: "Discontinued",
}


def _goal_story(goal: QuarterGoal, width: float) -> list[Flowable]:
    st = styles.report_styles()
    outcome = f"Outcome this quarter: <b>{_OUTCOME_TEXT[goal.outcome]}</b>"
    if goal.outcome_note:
        outcome += f". {markup(goal.outcome_note)}"
    story: list[Flowable] = [
        CondPageBreak(KEEP_WITH_NEXT),
        plain(f"{goal.label}: {goal.text}", st.h2),
        Paragraph(outcome, st.small),
    ]
    story += paragraphs(goal.narrative, st.body, empty="(No progress narrative written yet.)", empty_color=styles.MUTED)
    if goal.evidence:
        columns = (
            Column("Date", width * 0.13),
            Column("Contact", width * 0.17),
            Column("Rating", width * 0.15),
            Column("From the note", width * 0.55, max_lines=EXCERPT_LINES),
        )
        rows = [
            (
                fmt_date(e.contact_date),
                e.contact_type,
                e.rating or "—",
                shorten(e.excerpt, EXCERPT_SOURCE_LIMIT),
            )
            for e in goal.evidence
        ]
        story.append(Spacer(1, 2))
        story.append(StripedTable(columns, rows))
        story.append(plain(f"{len(goal.evidence)} note(s) this quarter addressed this goal.", st.muted))
    else:
        story.append(plain("No note this quarter addressed this goal.", st.muted))
    story.append(Spacer(1, 6))
    return story


def _activity_story(doc: QuarterlyReportDoc, width: float) -> list[Flowable]:
    st = styles.report_styles()
    story: list[Flowable] = heading("Contacts this quarter", st.h1)
    if doc.contacts_by_type:
        rows: list[tuple[str, str]] = [(c.contact_type, str(c.count)) for c in doc.contacts_by_type]
        rows.append(("All contacts", str(sum(c.count for c in doc.contacts_by_type))))
        columns = (Column("Contact type", width * 0.45), Column("Contacts", width * 0.15, align="right"))
        story.append(StripedTable(columns, rows, bold_rows=[len(rows) - 1]))
    else:
        story.append(plain("No contacts were recorded this quarter.", st.body, color=styles.MUTED))
    story.append(Paragraph(f"Face-to-face visits: <b>{doc.face_to_face_visits}</b>", st.body))

    story += heading("Billable units by service code", st.h1)
    if doc.units_by_service:
        unit_rows = [(u.service_code, u.description or "", fmt_units(u.units)) for u in doc.units_by_service]
        unit_rows.append(("Total", "", fmt_units(sum(u.units for u in doc.units_by_service))))
        unit_columns = (
            Column("Service code", width * 0.2),
            Column("Service", width * 0.5),
            Column("Units", width * 0.12, align="right"),
        )
        story.append(StripedTable(unit_columns, unit_rows, bold_rows=[len(unit_rows) - 1]))
    else:
        story.append(plain("No billable units were recorded this quarter.", st.body, color=styles.MUTED))
    return story


def _outcomes_story(doc: QuarterlyReportDoc) -> list[Flowable]:
    st = styles.report_styles()
    story: list[Flowable] = heading("Goals met and changed", st.h1)
    for outcome, outcome_name in (
        (GoalOutcome.MET, "Met"),
        (GoalOutcome.CHANGED, "Changed"),
        (GoalOutcome.DISCONTINUED, "Discontinued"),
    ):
        goals = [g for g in doc.goals if g.outcome is outcome]
        if not goals:
            continue
        for goal in goals:
            line = f"<b>{outcome_name}:</b> {markup(goal.label)}: {markup(goal.text)}"
            if goal.outcome_note:
                line += f". {markup(goal.outcome_note)}"
            story.append(Paragraph(line, st.body))
    if len(story) == 2:  # just the heading
        story.append(plain("No goal was met or changed this quarter; all goals continue.", st.body))
    story += heading("Upcoming plan review", st.h1)
    review = fmt_date(doc.next_plan_review) if doc.next_plan_review else "Not scheduled"
    story.append(Paragraph(f"Next service plan review: <b>{markup(review)}</b>", st.body))
    return story


def _signature_blocks(doc: QuarterlyReportDoc) -> tuple[SignatureBlock, ...]:
    if doc.signatures:
        return doc.signatures
    worker = SignatureBlock(role="Case manager", name=doc.worker_name)
    if doc.signed is not None:
        worker = SignatureBlock(
            role=doc.signed.signer_role or "Case manager",
            name=doc.signed.signer_name,
            signed_at=doc.signed.signed_at,
        )
    return (worker, SignatureBlock(role="Supervisor"), SignatureBlock(role="Client or guardian"))


def quarterly_part(doc: QuarterlyReportDoc, width: float) -> DocumentPart:
    st = styles.report_styles()
    story: list[Flowable] = [
        plain(f"Quarterly report: {doc.period_label}", st.title),
        status_line(doc.signed, draft_text="This report is not signed and may still change."),
        fact_grid(
            [
                ("Period", f"{fmt_date(doc.period_start)} to {fmt_date(doc.period_end)}"),
                ("Due date", fmt_date(doc.due_date)),
                ("Case manager", doc.worker_name),
                ("Service plan", doc.plan_name or "—"),
                ("Next plan review", fmt_date(doc.next_plan_review)),
                ("Face-to-face visits", str(doc.face_to_face_visits)),
            ],
            width,
        ),
    ]
    if doc.signed is None and doc.missing_evidence:
        story += [
            Spacer(1, 6),
            warning_box("Missing evidence: resolve before signing", doc.missing_evidence, width),
        ]
    story += heading("Progress on plan goals", st.h1)
    if not doc.goals:
        story.append(plain("The service plan has no goals.", st.body, color=styles.MUTED))
    for goal in doc.goals:
        story += _goal_story(goal, width)
    story += _activity_story(doc, width)
    story += _outcomes_story(doc)
    story += heading("Summary", st.h1)
    story += paragraphs(doc.summary, st.body, empty="(No summary written yet.)", empty_color=styles.MUTED)
    if doc.signed is not None:
        story.append(plain(f"Content hash (SHA-256): {doc.signed.content_hash}", st.mono_small))
    story.append(Spacer(1, 6))
    story += signature_section(_signature_blocks(doc), width)

    letterhead = Letterhead(
        agency=doc.agency,
        title=f"Quarterly report {doc.period_label}",
        client=doc.client,
        draft=doc.signed is None,
        content_hash=doc.signed.content_hash if doc.signed else None,
        outline_title=f"{doc.client.name}: {doc.period_label}",
    )
    return DocumentPart(letterhead, story)


def render_quarterly_report(
    doc: QuarterlyReportDoc,
    out: PdfTarget,
    *,
    page_size: PageSize | str = PageSize.LETTER,
    printed_at: datetime | None = None,
) -> None:
    """Write one client's quarterly report as a PDF to ``out`` (path or binary file object)."""
    part = quarterly_part(doc, frame_width(page_size))
    build_pdf(
        [part],
        page_size=page_size,
        printed_at=printed_at,
        meta_title=f"Quarterly report {doc.period_label}: {doc.client.name}",
        out=out,
    )


def render_quarterly_batch(
    docs: Sequence[QuarterlyReportDoc],
    out: PdfTarget,
    *,
    page_size: PageSize | str = PageSize.LETTER,
    printed_at: datetime | None = None,
    title: str | None = None,
) -> None:
    """Many quarterly reports in one PDF: each starts on a new page with its own header, its pages
    are numbered "Page X of Y" within that report, and each has a bookmark."""
    if not docs:
        raise ReportError("There are no quarterly reports to print in this batch.")
    width = frame_width(page_size)
    parts = [quarterly_part(doc, width) for doc in docs]
    build_pdf(
        parts,
        page_size=page_size,
        printed_at=printed_at,
        meta_title=title or f"Quarterly reports ({len(docs)})",
        out=out,
    )

"""Caseload due / overdue list: one table sorted by due date, overdue rows highlighted."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

from casedesk.reports import styles
from casedesk.reports.documents import DueItem, DueListDoc, DueStatus, PageSize
from casedesk.reports.page import DocumentPart, Letterhead, PdfTarget, build_pdf, frame_width
from casedesk.reports.table import Cell, Column, StripedTable
from casedesk.reports.text import fmt_date, markup, plain

COLUMN_SHARES = (0.13, 0.2, 0.27, 0.12, 0.28)  # due date, status, client, record #, what


def status_text(item: DueItem, as_of_days: int) -> str:
    """'Overdue 12 days', 'Due today', 'Due in 3 days' (days counted from the list's date)."""
    if item.status is DueStatus.OVERDUE:
        late = -as_of_days
        return f"Overdue {late} day{'s' if late != 1 else ''}" if late > 0 else "Overdue"
    if as_of_days == 0:
        return "Due today"
    if as_of_days < 0:  # past its date but not marked overdue (e.g. within a grace period)
        return f"Due ({-as_of_days} d ago)"
    return f"Due in {as_of_days} day{'s' if as_of_days != 1 else ''}"


def sorted_items(doc: DueListDoc) -> list[DueItem]:
    """By due date (so overdue work comes first), then client, then kind."""
    return sorted(doc.items, key=lambda i: (i.due_date, i.client_name.casefold(), i.kind.casefold()))


def due_list_part(doc: DueListDoc, width: float) -> DocumentPart:
    st = styles.report_styles()
    items = sorted_items(doc)
    overdue = sum(1 for i in items if i.status is DueStatus.OVERDUE)
    soon = sum(1 for i in items if i.status is DueStatus.DUE_SOON)
    upcoming = len(items) - overdue - soon
    subtitle = f"As of {fmt_date(doc.as_of)}"
    if doc.worker_name:
        subtitle += f". Caseload of {doc.worker_name}"
    story: list[Flowable] = [
        Paragraph(markup(doc.title), st.title),
        Paragraph(markup(subtitle), st.muted),
        Paragraph(
            f'<font color="#a11d1d"><b>{overdue} overdue</b></font>, {soon} due soon, {upcoming} upcoming',
            st.body,
        ),
    ]
    if not items:
        story.append(plain("Nothing is due.", st.body, color=styles.MUTED))
    else:
        titles = ("Due date", "Status", "Client", "Record #", "What is due")
        columns = [Column(title, width * share) for title, share in zip(titles, COLUMN_SHARES, strict=True)]
        rows: list[tuple[str | Cell, ...]] = []
        highlight: list[int] = []
        for index, item in enumerate(items):
            days = (item.due_date - doc.as_of).days
            status: str | Cell = status_text(item, days)
            if item.status is DueStatus.OVERDUE:
                status = Cell(status_text(item, days), bold=True, color=styles.OVERDUE_INK)
                highlight.append(index)
            what = item.kind if not item.detail else f"{item.kind}: {item.detail}"
            rows.append((fmt_date(item.due_date), status, item.client_name, item.record_number or "—", what))
        story.append(StripedTable(columns, rows, highlight=highlight))
    letterhead = Letterhead(
        agency=doc.agency,
        title=doc.title,
        subject_lines=tuple(
            line
            for line in (doc.worker_name and f"Caseload: {doc.worker_name}", f"As of {fmt_date(doc.as_of)}")
            if line
        ),
    )
    return DocumentPart(letterhead, story)


def render_due_list(
    doc: DueListDoc,
    out: PdfTarget,
    *,
    page_size: PageSize | str = PageSize.LETTER,
    printed_at: datetime | None = None,
) -> None:
    """Print the caseload due / overdue list to ``out`` (path or binary file object)."""
    part = due_list_part(doc, frame_width(page_size))
    build_pdf(
        [part],
        page_size=page_size,
        printed_at=printed_at,
        meta_title=f"{doc.title} as of {fmt_date(doc.as_of)}",
        out=out,
    )

"""Caseload due / overdue list: one table sorted by due date, overdue rows highlighted."""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

from casedesk.reports import fonts, styles
from casedesk.reports.blocks import CELL_PADDING, data_table
from casedesk.reports.documents import DueItem, DueListDoc, DueStatus, PageSize
from casedesk.reports.page import DocumentPart, Letterhead, PdfTarget, build_pdf, frame_width
from casedesk.reports.text import cell_text, fmt_date, markup

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
        story.append(Paragraph("<i>Nothing is due.</i>", st.body))
    else:
        widths = [width * share for share in COLUMN_SHARES]
        inner = [w - 2 * CELL_PADDING for w in widths]
        font, size = st.cell.fontName, st.cell.fontSize
        rows: list[list[str | Flowable]] = []
        highlight: list[int] = []
        for index, item in enumerate(items):
            days = (item.due_date - doc.as_of).days
            what = item.kind if not item.detail else f"{item.kind}: {item.detail}"
            rows.append(
                [
                    fmt_date(item.due_date),
                    cell_text(
                        status_text(item, days),
                        fonts.BOLD if item.status is DueStatus.OVERDUE else font,
                        size,
                        inner[1],
                    ),
                    cell_text(item.client_name, font, size, inner[2]),
                    cell_text(item.record_number or "—", font, size, inner[3]),
                    cell_text(what, font, size, inner[4]),
                ]
            )
            if item.status is DueStatus.OVERDUE:
                highlight.append(index)
        emphasis: list[tuple[object, ...]] = []
        for index in highlight:
            emphasis.append(("FONT", (1, index + 1), (1, index + 1), fonts.BOLD, size, st.cell.leading))
            emphasis.append(("TEXTCOLOR", (1, index + 1), (1, index + 1), styles.OVERDUE_INK))
        story.append(
            data_table(
                ("Due date", "Status", "Client", "Record #", "What is due"),
                rows,
                widths,
                highlight_rows=highlight,
                extra_style=emphasis,
            )
        )
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

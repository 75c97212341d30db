"""Flowable builders shared by the documents: fact grids, data tables, status lines, warnings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from casedesk.reports import fonts, styles
from casedesk.reports.documents import SignedStamp
from casedesk.reports.text import cell_text, fmt_datetime, plain

Cell: TypeAlias = str | Flowable
FACT_GAP = 6
KEEP_WITH_NEXT = 90.0  # points
WARNING_PADDING = 8


def heading(text: str, style: ParagraphStyle) -> list[Flowable]:
    """A heading that never sits alone at the foot of a page: it starts a new page when less than
    KEEP_WITH_NEXT points are left (room for it and the first lines of what follows)."""
    return [CondPageBreak(KEEP_WITH_NEXT), plain(text, style)]


def fact_grid(facts: Sequence[tuple[str, str]], width: float, *, columns: int = 2) -> Table:
    """Label/value pairs laid out ``columns`` pairs to a row (labels bold, values wrap)."""
    st = styles.report_styles()
    label_w = width / columns * 0.34
    value_w = width / columns - label_w
    label_font, label_size = fonts.BOLD, st.label.fontSize
    value_font, value_size = st.body.fontName, st.body.fontSize
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    for label, value in facts:
        row += [
            cell_text(label, label_font, label_size, label_w - FACT_GAP),
            cell_text(value, value_font, value_size, value_w - FACT_GAP),
        ]
        if len(row) == 2 * columns:
            rows.append(row)
            row = []
    if row:
        rows.append(row + [""] * (2 * columns - len(row)))
    table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), value_font, value_size, st.body.leading - 1),
        ("TEXTCOLOR", (0, 0), (-1, -1), styles.INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), FACT_GAP),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for column in range(0, 2 * columns, 2):
        commands.append(("FONT", (column, 0), (column, -1), label_font, label_size, st.body.leading - 1))
    table.setStyle(TableStyle(commands))
    return table


def status_line(signed: SignedStamp | None, *, draft_text: str) -> Flowable:
    st = styles.report_styles()
    if signed is None:
        return plain(f"Status: DRAFT. {draft_text}", st.status_draft)
    role = f" ({signed.signer_role})" if signed.signer_role else ""
    return plain(f"Status: signed by {signed.signer_name}{role} on {fmt_datetime(signed.signed_at)}", st.status_signed)


def warning_box(title: str, lines: Sequence[str], width: float) -> Table:
    """A shaded box listing ``lines`` under ``title``; one row per line, so a long list can split."""
    st = styles.report_styles()
    inner = width - 2 * WARNING_PADDING
    size, leading = st.warning.fontSize, st.warning.leading
    rows: list[list[Cell]] = [[cell_text(title, fonts.BOLD, size, inner)]]
    rows += [[cell_text(f"• {line}", st.warning.fontName, size, inner)] for line in lines]
    box = Table(rows, colWidths=[width], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), st.warning.fontName, size, leading),
                ("FONT", (0, 0), (-1, 0), fonts.BOLD, size, leading),
                ("TEXTCOLOR", (0, 0), (-1, -1), styles.WARNING_INK),
                ("BACKGROUND", (0, 0), (-1, -1), styles.WARNING_FILL),
                ("BOX", (0, 0), (-1, -1), 0.6, styles.WARNING_INK),
                ("LEFTPADDING", (0, 0), (-1, -1), WARNING_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), WARNING_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
    )
    return box

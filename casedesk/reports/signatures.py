"""Signature blocks: the captured signature image, or a line to sign on paper; printed name, role, date."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from casedesk.domain.print_layout import SignatureLine
from casedesk.reports import fonts, styles
from casedesk.reports.documents import SignatureBlock
from casedesk.reports.errors import ReportError
from casedesk.reports.styles import BASE_FONT
from casedesk.reports.text import cell_text, fmt_datetime, plain

SIGN_AREA_HEIGHT: float = 0.55 * inch
COLUMN_GAP: float = 0.35 * inch


def signature_image(png: bytes, *, max_width: float, max_height: float, what: str) -> Image:
    """A flowable drawing ``png`` scaled to fit the box, keeping its proportions and transparency."""
    try:
        px_w, px_h = ImageReader(io.BytesIO(png)).getSize()
    except Exception as exc:
        raise ReportError(f"{what} could not be read as a PNG image ({exc}).") from None
    if px_w <= 0 or px_h <= 0:
        raise ReportError(f"{what} is an empty image.")
    scale = min(max_width / px_w, max_height / px_h)
    image = Image(io.BytesIO(png), width=px_w * scale, height=px_h * scale, mask="auto")
    image.hAlign = "LEFT"
    return image


def _date_text(block: SignatureBlock | SignatureLine) -> str:
    if isinstance(block, SignatureLine):  # forms carry the signing time as display text
        return block.signed_at or ""
    return fmt_datetime(block.signed_at) if block.signed_at else ""


def _block(block: SignatureBlock | SignatureLine, width: float) -> Table:
    st = styles.report_styles()
    gap = 10.0
    sign_width = width * 0.64
    date_width = width - sign_width - gap
    if block.image_png is not None:
        mark: Flowable = signature_image(
            block.image_png,
            max_width=sign_width - 2,
            max_height=SIGN_AREA_HEIGHT,
            what=f"The captured signature of the {block.role}",
        )
        sign_caption = "Signature (captured on screen)"
    else:
        mark = Spacer(sign_width - 2, SIGN_AREA_HEIGHT)
        sign_caption = "Signature"
    name = block.signer_name if isinstance(block, SignatureLine) else block.name
    date_text = _date_text(block)
    font, size = st.body.fontName, st.body.fontSize
    rows: list[list[Flowable | str]] = [
        [cell_text(block.role, fonts.BOLD, st.label.fontSize, width), "", ""],
        [mark, "", cell_text(date_text, font, st.small.fontSize, date_width)],
        [sign_caption, "", "Date"],
        [cell_text(name or "", font, size, width), "", ""],
        ["Printed name", "", ""],
    ]
    table = Table(
        rows,
        colWidths=[sign_width, gap, date_width],
        rowHeights=[None, SIGN_AREA_HEIGHT + 4, None, None if name else 16, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, size, st.body.leading),
                ("FONT", (0, 0), (-1, 0), fonts.BOLD, st.label.fontSize, st.label.leading),
                ("FONT", (2, 1), (2, 1), font, st.small.fontSize, st.small.leading),
                ("FONT", (0, 2), (-1, 2), font, st.muted.fontSize, st.muted.leading),
                ("FONT", (0, 4), (-1, 4), font, st.muted.fontSize, st.muted.leading),
                ("TEXTCOLOR", (0, 0), (-1, -1), styles.INK),
                ("TEXTCOLOR", (0, 2), (-1, 2), styles.MUTED),
                ("TEXTCOLOR", (0, 4), (-1, 4), styles.MUTED),
                ("SPAN", (0, 0), (-1, 0)),
                ("SPAN", (0, 3), (-1, 3)),
                ("SPAN", (0, 4), (-1, 4)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 1), (-1, 1), "BOTTOM"),
                ("VALIGN", (0, 3), (-1, 3), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LINEABOVE", (0, 2), (0, 2), 0.8, styles.INK),
                ("LINEABOVE", (2, 2), (2, 2), 0.8, styles.INK),
                ("LINEABOVE", (0, 4), (0, 4), 0.8, styles.INK),
            ]
        )
    )
    return table


def signature_section(
    blocks: Sequence[SignatureBlock | SignatureLine], width: float, *, heading: str = "Signatures"
) -> list[Flowable]:
    """A heading and the blocks two to a row; a row never splits across pages."""
    if not blocks:
        return []
    st = styles.report_styles()
    column = (width - COLUMN_GAP) / 2
    cells = [_block(block, column) for block in blocks]
    rows: list[list[Flowable | str]] = []
    for i in range(0, len(cells), 2):
        pair: list[Flowable | str] = list(cells[i : i + 2])
        rows.append(pair + [""] * (2 - len(pair)))
    grid = Table(rows, colWidths=[column + COLUMN_GAP, column])
    grid.setStyle(
        TableStyle(
            [
                BASE_FONT,
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, -1), COLUMN_GAP),
                ("RIGHTPADDING", (1, 0), (1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 14),
            ]
        )
    )
    return [KeepTogether([plain(heading, st.h1), Spacer(1, 4), grid])]

"""Paragraph and table styles shared by every report, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from casedesk.reports import fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#e6ebf0")
ZEBRA_FILL = colors.HexColor("#eff2f5")
WARNING_FILL = colors.HexColor("#fff4d6")
WARNING_INK = colors.HexColor("#7a4b00")
OVERDUE_FILL = colors.HexColor("#fde2e1")
OVERDUE_INK = colors.HexColor("#a11d1d")
DRAFT_INK = colors.HexColor("#c0392b")
SIGNED_INK = colors.HexColor("#1e6b34")


# First command of every TableStyle: plain-string cells (even empty ones) otherwise select Helvetica,
# which would put an unembedded standard font into the PDF.
BASE_FONT = ("FONT", (0, 0), (-1, -1), fonts.REGULAR, 8.5)


@dataclass(frozen=True)
class ReportStyles:
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    status_draft: ParagraphStyle
    status_signed: ParagraphStyle
    warning: ParagraphStyle
    mono_small: ParagraphStyle


@cache
def report_styles() -> ReportStyles:
    family = fonts.register_fonts()
    base = ParagraphStyle(
        "cd-body",
        fontName=family,
        fontSize=10,
        leading=13.5,
        textColor=INK,
        alignment=TA_LEFT,
        spaceAfter=4,
        bulletFontName=family,
    )

    def derive(name: str, **overrides: object) -> ParagraphStyle:
        return ParagraphStyle(f"cd-{name}", parent=base, **overrides)

    return ReportStyles(
        title=derive("title", fontName=fonts.BOLD, fontSize=16, leading=20, spaceAfter=2),
        h1=derive("h1", fontName=fonts.BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4),
        h2=derive("h2", fontName=fonts.BOLD, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2),
        body=base,
        small=derive("small", fontSize=8.5, leading=11, spaceAfter=2),
        muted=derive("muted", fontSize=8.5, leading=11, textColor=MUTED, spaceAfter=2),
        label=derive("label", fontName=fonts.BOLD, fontSize=9, leading=12, spaceAfter=0),
        cell=derive("cell", fontSize=8.5, leading=10.5, spaceAfter=0),
        cell_head=derive("cell-head", fontName=fonts.BOLD, fontSize=8.5, leading=10.5, spaceAfter=0),
        status_draft=derive("status-draft", fontName=fonts.BOLD, textColor=DRAFT_INK, spaceAfter=6),
        status_signed=derive("status-signed", fontName=fonts.BOLD, textColor=SIGNED_INK, spaceAfter=6),
        warning=derive("warning", fontSize=9, leading=12, textColor=WARNING_INK, spaceAfter=1),
        mono_small=derive("mono-small", fontSize=7.5, leading=10, textColor=MUTED, spaceAfter=0),
    )

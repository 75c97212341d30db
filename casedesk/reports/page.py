"""The page template every CaseDesk PDF uses, and the one function that builds a PDF from flowables.

Every page gets a header (agency name and logo, document title; client name, DOB and record number)
and a footer (print time, "Page X of Y", and the content hash of a signed document). Unsigned
documents carry a large diagonal, semi-transparent DRAFT mark on every page.

A PDF is built from one or more *parts*. Each part (one quarterly report of a batch, say) starts on a
new page with its own header, and its pages are numbered "Page X of Y" within the part. The totals
are known only at the end, so the canvas holds the pages back and writes the page numbers when the
document is saved: one layout pass, however many parts.
"""

from __future__ import annotations

import io
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ActionFlowable, BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.flowables import Flowable

from casedesk import __version__
from casedesk.fileio import atomic_write_bytes
from casedesk.reports import fonts, styles
from casedesk.reports.documents import AgencyInfo, ClientInfo, PageSize
from casedesk.reports.errors import ReportError
from casedesk.reports.text import clean, fmt_date, fmt_datetime

PdfTarget = str | os.PathLike[str] | BinaryIO

MARGIN_X: float = 0.75 * inch
HEADER_TOP: float = 0.45 * inch  # from the top edge to the top of the header
HEADER_HEIGHT: float = 0.62 * inch
BODY_TOP: float = HEADER_TOP + HEADER_HEIGHT + 0.22 * inch
FOOTER_BASELINE: float = 0.5 * inch  # first footer line, from the bottom edge
BODY_BOTTOM: float = 0.95 * inch
LOGO_MAX_WIDTH: float = 1.3 * inch
LOGO_MAX_HEIGHT: float = HEADER_HEIGHT - 4
FOOTER_SIZE = 7.5
PAGE_LABEL = "Page {number} of {total}"

# Binary (Flate only) streams instead of ASCII85 on top: smaller files, and reportlab's pure-Python
# ASCII85 encoder was the largest single cost of writing a report (font subsets, images).
rl_config.useA85 = 0


def page_dimensions(page_size: PageSize | str) -> tuple[float, float]:
    try:
        size = PageSize(str(page_size).strip().lower())
    except ValueError:
        choices = " or ".join(repr(s.value) for s in PageSize)
        raise ReportError(f"Unknown page size {page_size!r}; use {choices}.") from None
    width, height = LETTER if size is PageSize.LETTER else A4
    return float(width), float(height)


@dataclass(frozen=True, kw_only=True)
class Letterhead:
    """What the header and footer of one part's pages show."""

    agency: AgencyInfo
    title: str  # "Progress note", "Quarterly report Q3 2025", ...
    client: ClientInfo | None = None
    subject_lines: tuple[str, ...] = ()  # header right side when there is no client
    blank_client: bool = False  # blank paper form: Client / DOB / Record lines to fill by hand
    draft: bool = False
    content_hash: str | None = None
    footer_note: str | None = None
    outline_title: str | None = None  # bookmark for this part (batches)


@dataclass(frozen=True)
class DocumentPart:
    letterhead: Letterhead
    story: list[Flowable]


# --- canvas: holds pages back until the totals are known ----------------------------------------


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Keeps each finished page aside; on save, stamps "Page X of Y" (per part) and bookmarks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self.part_index = 0
        self.part_outline: str | None = None

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()
        self.part_outline = None

    def save(self) -> None:
        totals = Counter(page["part_index"] for page in self._held_pages)
        numbers: Counter[int] = Counter()
        for page in self._held_pages:
            self.__dict__.update(page)
            numbers[self.part_index] += 1
            if self.part_outline:
                key = f"part-{self.part_index}"
                self.bookmarkPage(key)
                self.addOutlineEntry(self.part_outline, key, level=0)
            self._stamp_page_label(numbers[self.part_index], totals[self.part_index])
            Canvas.showPage(self)
        Canvas.save(self)

    def _stamp_page_label(self, number: int, total: int) -> None:
        width = self._pagesize[0]
        self.saveState()
        self.setFont(fonts.REGULAR, FOOTER_SIZE + 0.5)
        self.setFillColor(styles.INK)
        self.drawRightString(width - MARGIN_X, FOOTER_BASELINE, PAGE_LABEL.format(number=number, total=total))
        self.restoreState()


# --- document template ------------------------------------------------------------------------


class _ReportDocTemplate(BaseDocTemplate):  # type: ignore[misc]
    def __init__(
        self,
        buffer: BinaryIO,
        *,
        pagesize: tuple[float, float],
        first: Letterhead,
        printed_at: datetime,
        meta_title: str,
    ) -> None:
        width, height = pagesize
        super().__init__(
            buffer,
            pagesize=pagesize,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=BODY_TOP,
            bottomMargin=BODY_BOTTOM,
            title=meta_title,
            author=first.agency.name,
            creator=f"CaseDesk {__version__}",
            producer=f"CaseDesk {__version__} (reportlab)",
            initialFontName=fonts.REGULAR,
            initialFontSize=10,
        )
        frame = Frame(
            MARGIN_X,
            BODY_BOTTOM,
            width - 2 * MARGIN_X,
            height - BODY_TOP - BODY_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=self._begin_page)])
        self._letterhead = first
        self._pending: Letterhead | None = None
        self._part_index = 0
        self._part_started = True
        self._printed = f"Printed {fmt_datetime(printed_at)}"
        self._logos: dict[bytes, ImageReader] = {}
        self._forms: set[str] = set()

    # Called through ActionFlowable(("nextPart", letterhead)): the next page starts a new part.
    def handle_nextPart(self, letterhead: Letterhead) -> None:
        self._pending = letterhead
        self.handle_pageBreak()

    def _begin_page(self, canv: Canvas, _doc: BaseDocTemplate) -> None:
        if self._pending is not None:
            self._letterhead, self._pending = self._pending, None
            self._part_index += 1
            self._part_started = True
        assert isinstance(canv, _NumberedCanvas)
        canv.part_index = self._part_index
        if self._part_started:
            canv.part_outline = self._letterhead.outline_title
            self._part_started = False
        width, height = canv._pagesize
        lh = self._letterhead
        if lh.draft:  # on the page itself: reportlab's form XObjects cannot carry transparency
            _draw_draft_mark(canv, width, height)
        # Header and footer are the same on every page of a part: drawn once into a form XObject
        # and placed on each page (much cheaper than redrawing, and a smaller file).
        form_name = f"cdPart{self._part_index}"
        if form_name not in self._forms:
            canv.beginForm(form_name)
            self._draw_header(canv, lh, width, height)
            self._draw_footer(canv, lh, width)
            canv.endForm()
            self._forms.add(form_name)
        canv.doForm(form_name)

    def _logo(self, png: bytes) -> ImageReader:
        reader = self._logos.get(png)
        if reader is None:
            try:
                reader = ImageReader(io.BytesIO(png))
                reader.getSize()
            except Exception as exc:
                raise ReportError(f"The agency logo could not be read as a PNG image ({exc}).") from None
            self._logos[png] = reader
        return reader

    def _draw_header(self, canv: Canvas, lh: Letterhead, width: float, height: float) -> None:
        top = height - HEADER_TOP
        bottom = top - HEADER_HEIGHT
        x = MARGIN_X
        canv.saveState()
        if lh.agency.logo_png:
            logo = self._logo(lh.agency.logo_png)
            px_w, px_h = logo.getSize()
            scale = min(LOGO_MAX_WIDTH / px_w, LOGO_MAX_HEIGHT / px_h)
            w, h = px_w * scale, px_h * scale
            canv.drawImage(logo, x, top - h, w, h, mask="auto")
            x += w + 8
        half = (width - 2 * MARGIN_X) / 2
        left_room = MARGIN_X + half - x - 6
        canv.setFillColor(styles.INK)
        canv.setFont(fonts.BOLD, 11)
        canv.drawString(x, top - 12, _fit(lh.agency.name, fonts.BOLD, 11, left_room))
        canv.setFont(fonts.REGULAR, 9)
        canv.setFillColor(styles.MUTED)
        canv.drawString(x, top - 26, _fit(lh.title, fonts.REGULAR, 9, left_room))

        right = width - MARGIN_X
        right_room = half - 6
        canv.setFillColor(styles.INK)
        if lh.client is not None:
            canv.setFont(fonts.BOLD, 11)
            canv.drawRightString(right, top - 12, _fit(lh.client.name, fonts.BOLD, 11, right_room))
            details = f"DOB {fmt_date(lh.client.date_of_birth)}   ·   Record # {lh.client.record_number or '—'}"
            canv.setFont(fonts.REGULAR, 8.5)
            canv.drawRightString(right, top - 26, _fit(details, fonts.REGULAR, 8.5, right_room))
        elif lh.blank_client:
            _draw_blank_client_fields(canv, right - right_room, right, top)
        else:
            for i, line in enumerate(lh.subject_lines[:3]):
                font, size = (fonts.BOLD, 11) if i == 0 else (fonts.REGULAR, 8.5)
                canv.setFont(font, size)
                canv.drawRightString(right, top - 12 - 14 * i, _fit(line, font, size, right_room))
        canv.setStrokeColor(styles.RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_X, bottom, width - MARGIN_X, bottom)
        canv.restoreState()

    def _draw_footer(self, canv: Canvas, lh: Letterhead, width: float) -> None:
        canv.saveState()
        canv.setStrokeColor(styles.RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_X, FOOTER_BASELINE + 11, width - MARGIN_X, FOOTER_BASELINE + 11)
        canv.setFillColor(styles.MUTED)
        canv.setFont(fonts.REGULAR, FOOTER_SIZE)
        canv.drawString(MARGIN_X, FOOTER_BASELINE, self._printed)
        if lh.footer_note:
            canv.drawCentredString(
                width / 2,
                FOOTER_BASELINE,
                _fit(lh.footer_note, fonts.REGULAR, FOOTER_SIZE, (width - 2 * MARGIN_X) / 3),
            )
        if lh.content_hash:
            canv.setFont(fonts.REGULAR, FOOTER_SIZE - 0.5)
            canv.drawString(MARGIN_X, FOOTER_BASELINE - 10, f"Signed. Content hash (SHA-256): {lh.content_hash}")
        elif lh.draft:
            canv.setFillColor(styles.DRAFT_INK)
            canv.setFont(fonts.BOLD, FOOTER_SIZE)
            canv.drawString(MARGIN_X, FOOTER_BASELINE - 10, "DRAFT: not signed; not a final record.")
        canv.restoreState()


def _fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` on one line, cut with an ellipsis to fit ``room`` points."""
    text = " ".join(clean(text).split())
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _draw_blank_client_fields(canv: Canvas, left: float, right: float, top: float) -> None:
    canv.setFont(fonts.REGULAR, 8.5)
    canv.setStrokeColor(styles.INK)
    canv.setLineWidth(0.5)
    rows = (
        ("Client", left, right),
        ("DOB", left, left + (right - left) * 0.45),
        ("Record #", left + (right - left) * 0.5, right),
    )
    for i, (label, x0, x1) in enumerate(rows):
        y = top - 12 if i == 0 else top - 30
        canv.drawString(x0, y, label)
        canv.line(x0 + stringWidth(label, fonts.REGULAR, 8.5) + 4, y - 1.5, x1, y - 1.5)


def _draw_draft_mark(canv: Canvas, width: float, height: float) -> None:
    canv.saveState()
    canv.setFillColor(styles.DRAFT_INK)
    canv.setFillAlpha(0.13)
    canv.translate(width / 2, height / 2)
    canv.rotate(math.degrees(math.atan2(height, width)))
    size = min(width, height) * 0.3
    canv.setFont(fonts.BOLD, size)
    canv.drawCentredString(0, -size * 0.36, "DRAFT")
    canv.restoreState()


# --- building -----------------------------------------------------------------------------------


def frame_width(page_size: PageSize | str) -> float:
    """Width available to flowables on a page of this size."""
    return page_dimensions(page_size)[0] - 2 * MARGIN_X


def build_pdf(
    parts: Sequence[DocumentPart],
    *,
    page_size: PageSize | str,
    printed_at: datetime | None,
    meta_title: str,
    out: PdfTarget,
) -> None:
    """Lay out ``parts`` (each from a new page, numbered on its own) and write the PDF to ``out``:
    a path (written atomically, readable by the owner only) or a binary file object."""
    if not parts:
        raise ReportError("There is nothing to print: the document has no parts.")
    fonts.register_fonts()
    pagesize = page_dimensions(page_size)
    buffer = io.BytesIO()
    doc = _ReportDocTemplate(
        buffer,
        pagesize=pagesize,
        first=parts[0].letterhead,
        printed_at=printed_at or datetime.now().astimezone(),
        meta_title=meta_title,
    )
    story: list[Flowable] = list(parts[0].story)
    for part in parts[1:]:
        story.append(ActionFlowable(("nextPart", part.letterhead)))
        story.extend(part.story)
    doc.build(story, canvasmaker=_NumberedCanvas)
    write_pdf(buffer.getvalue(), out)


def write_pdf(data: bytes, out: PdfTarget) -> None:
    if isinstance(out, str | os.PathLike):
        atomic_write_bytes(Path(os.fspath(out)), data)
    else:
        out.write(data)

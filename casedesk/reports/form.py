"""Agency forms on paper: blank (writing lines and tick boxes to fill by hand) or filled in.

Input is the forms engine's FormPrintLayout (casedesk.domain.print_layout), a flat list of blocks.
A filled form that is not final carries the DRAFT mark; a blank form never does (it is meant to be
printed and filled by hand). On a final form an unanswered question prints "(not answered)"
instead of writing lines, so nothing can be added to the record on paper afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from casedesk.domain.print_layout import (
    Block,
    ChoiceField,
    FieldLine,
    FormPrintLayout,
    Heading,
    NoteText,
    RepeatTable,
    SignatureLine,
)
from casedesk.reports import fonts, styles
from casedesk.reports.documents import AgencyInfo, ClientInfo, PageSize
from casedesk.reports.errors import ReportError
from casedesk.reports.page import DocumentPart, Letterhead, PdfTarget, build_pdf, frame_width
from casedesk.reports.signatures import signature_section
from casedesk.reports.text import cell_text, markup, paragraphs, shorten, text_width

LINE_SPACING = 22.0  # between handwriting lines
BLANK_ROW_HEIGHT = 20.0
KEEP_WITH_NEXT = 90.0  # points: a heading or label starts a new page when less than this is left
MAX_KEEP_HEIGHT = 240.0
HEADING_HEIGHT = 30.0
LABEL_SHARE = 0.36  # of the width, for a one-line question's label
OPTION_LIMIT = 200  # characters of one choice option (options sit in a table row, which cannot split)
SIDE_BY_SIDE_LIMIT = 160  # characters: longer labels or answers are stacked, so they can split
BOX_EMPTY = "☐"
BOX_TICKED = "☒"
REQUIRED_INK = "#c0392b"


class WritingLines(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """``count`` ruled lines to write on; splits between lines across pages."""

    def __init__(self, count: int, width: float, spacing: float = LINE_SPACING) -> None:
        super().__init__()
        self.count = count
        self.line_width = width
        self.spacing = spacing

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.line_width, self.count * self.spacing

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        fits = int(avail_height // self.spacing)
        if fits < 1 or fits >= self.count:
            return []
        return [
            WritingLines(fits, self.line_width, self.spacing),
            WritingLines(self.count - fits, self.line_width, self.spacing),
        ]

    def draw(self) -> None:
        canv = self.canv
        canv.setStrokeColor(styles.INK)
        canv.setLineWidth(0.5)
        for index in range(self.count):
            y = self.count * self.spacing - (index + 1) * self.spacing + 3
            canv.line(0, y, self.line_width, y)


class _FormBuilder:
    def __init__(self, layout: FormPrintLayout, width: float) -> None:
        self.layout = layout
        self.width = width
        self.st = styles.report_styles()
        self.final = layout.filled and layout.status == "final"
        self.answer = ParagraphStyle("cd-answer", parent=self.st.body, leftIndent=10, spaceAfter=2)

    def story(self) -> list[Flowable]:
        layout = self.layout
        st = self.st
        story: list[Flowable] = [Paragraph(markup(layout.title), st.title)]
        if not layout.filled:
            story.append(
                Paragraph(
                    f"Blank form for completion by hand. Form {markup(layout.form_key)}, version "
                    f"{layout.form_version}. Questions marked * must be answered.",
                    st.muted,
                )
            )
        elif self.final:
            story.append(Paragraph("Status: final", st.status_signed))
        else:
            story.append(Paragraph("Status: DRAFT. This form is not final and may still change.", st.status_draft))
        pending_signatures: list[SignatureLine] = []
        for index, block in enumerate(layout.blocks):
            if isinstance(block, SignatureLine):
                pending_signatures.append(block)
                continue
            if pending_signatures:
                story += signature_section(pending_signatures, self.width)
                pending_signatures = []
            if isinstance(block, Heading):  # a heading starts a page only together with what follows it
                following = layout.blocks[index + 1 : index + 2]
                story.append(CondPageBreak(HEADING_HEIGHT + (self.start_height(following[0]) if following else 0)))
            story += self.block(block)
        if pending_signatures:
            story += signature_section(pending_signatures, self.width)
        return story

    def start_height(self, block: Block) -> float:
        """Room a block needs at the foot of a page before it is worth starting there."""
        if isinstance(block, FieldLine):
            if block.value is None and not self.final and block.lines > 1:
                return min(40 + block.lines * LINE_SPACING, MAX_KEEP_HEIGHT)
            return 40.0
        if isinstance(block, ChoiceField):
            return min(40 + 18 * -(-len(block.options) // 3), MAX_KEEP_HEIGHT)
        if isinstance(block, SignatureLine):
            return 150.0
        if isinstance(block, Heading):
            return HEADING_HEIGHT
        return KEEP_WITH_NEXT if isinstance(block, RepeatTable) else 30.0

    def block(self, block: Block) -> list[Flowable]:
        if isinstance(block, Heading):
            return [Paragraph(markup(block.text), self.st.h1 if block.level <= 1 else self.st.h2)]
        if isinstance(block, NoteText):
            return paragraphs(block.text, self.st.small)
        if isinstance(block, FieldLine):
            return self.field(block)
        if isinstance(block, ChoiceField):
            return self.choice(block)
        if isinstance(block, RepeatTable):
            return self.repeat(block)
        raise ReportError(
            f"The form {self.layout.form_key!r} has a block this printer does not know: {type(block).__name__}."
        )

    def label(self, text: str, required: bool, hint: str | None = None) -> Paragraph:
        body = f"<b>{markup(text)}</b>"
        if required:
            body += f' <font color="{REQUIRED_INK}">*</font>'
        if hint:
            body += f'<br/><font size="8" color="#555555">{markup(hint)}</font>'
        return Paragraph(body, self.st.body)

    def field(self, field: FieldLine) -> list[Flowable]:
        label = self.label(field.label, field.required, field.hint)
        lines = max(field.lines, 1)
        if field.value is None and self.final:
            answer: list[Flowable] = [Paragraph("<i>(not answered)</i>", self.st.muted)]
        elif field.value is None:
            answer = [WritingLines(lines, self.width * (1 - LABEL_SHARE) if lines == 1 else self.width)]
        else:
            answer = paragraphs(
                field.value,
                self.answer if lines > 1 else self.st.body,
                empty="(empty)",
                empty_color=styles.MUTED,
            )
        short = len(field.label) + len(field.hint or "") <= SIDE_BY_SIDE_LIMIT and (
            field.value is None or (len(field.value) <= SIDE_BY_SIDE_LIMIT and "\n" not in field.value.strip())
        )
        if lines == 1 and len(answer) == 1 and short:  # label and answer side by side (a row cannot split)
            row = Table([[label, answer[0]]], colWidths=[self.width * LABEL_SHARE, self.width * (1 - LABEL_SHARE)])
            row.setStyle(
                TableStyle(
                    [
                        styles.BASE_FONT,
                        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (0, 0), 8),
                        ("RIGHTPADDING", (1, 0), (1, 0), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 3),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            return [row]
        # keep a label with its writing space (up to a third of a page; longer spaces split by line)
        return [CondPageBreak(self.start_height(field)), label, *answer, Spacer(1, 6)]

    def choice(self, field: ChoiceField) -> list[Flowable]:
        how = "choose all that apply" if field.multiple else "choose one"
        label = self.label(field.label, field.required)
        options = list(field.options) + [s for s in field.selected if s not in field.options]
        if not options:
            return [label, Paragraph("<i>(no options)</i>", self.st.muted)]
        chosen = set(field.selected)
        widest = max(text_width(option, fonts.BOLD, self.st.body.fontSize) for option in options) + 30
        column_width = max(widest, self.width / 4)
        columns = max(1, min(len(options), int(self.width // column_width)))
        column_width = self.width / columns if columns > 1 and widest > self.width / 4 else column_width
        cells: list[Flowable | str] = []
        for option in options:
            ticked = option in chosen
            box = BOX_TICKED if ticked else BOX_EMPTY
            option_text = markup(shorten(option, OPTION_LIMIT))
            text = f"<b>{option_text}</b>" if ticked else option_text
            cells.append(Paragraph(f'<font size="15">{box}</font>&nbsp;{text}', self.st.body))
        rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
        rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))
        grid = Table(rows, colWidths=[min(column_width, self.width)] * columns, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    styles.BASE_FONT,
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 10),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        instruction = Paragraph(f"<i>({how})</i>", self.st.muted)
        return [KeepTogether([label, instruction, grid]), Spacer(1, 6)]

    def repeat(self, table: RepeatTable) -> list[Flowable]:
        st = self.st
        if not table.columns:
            raise ReportError(f"The repeat group {table.label!r} of form {self.layout.form_key!r} has no columns.")
        count = len(table.columns)
        col_width = self.width / count
        font, size = st.cell.fontName, st.cell.fontSize
        head: list[Flowable | str] = [cell_text(c, fonts.BOLD, size, col_width - 8) for c in table.columns]
        rows: list[list[Flowable | str]] = [head]
        for row in table.rows:
            values = list(row[:count]) + [""] * (count - len(row))
            rows.append([cell_text(v, font, size, col_width - 8) for v in values])
        blank = table.blank_rows if not self.final else 0
        rows += [[""] * count for _ in range(blank)]
        heading = Paragraph(markup(table.label), st.h2)
        if len(rows) == 1:
            return [heading, Paragraph("<i>(none)</i>", st.muted)]
        heights: Sequence[float | None] = [None] * (1 + len(table.rows)) + [BLANK_ROW_HEIGHT] * blank
        grid = Table(rows, colWidths=[col_width] * count, rowHeights=list(heights), repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, size, st.cell.leading),
                    ("FONT", (0, 0), (-1, 0), fonts.BOLD, size, st.cell.leading),
                    ("BACKGROUND", (0, 0), (-1, 0), styles.HEADER_FILL),
                    ("GRID", (0, 0), (-1, -1), 0.5, styles.RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        # heading, column titles and a few rows start together; longer tables then split by row
        return [CondPageBreak(KEEP_WITH_NEXT), heading, grid, Spacer(1, 6)]


def form_part(
    layout: FormPrintLayout, width: float, *, agency: AgencyInfo, client: ClientInfo | None = None
) -> DocumentPart:
    story = _FormBuilder(layout, width).story()
    letterhead = Letterhead(
        agency=agency,
        title=layout.title,
        client=client,
        blank_client=client is None,
        draft=layout.filled and layout.status != "final",
        footer_note=f"Form {layout.form_key}, version {layout.form_version}",
        outline_title=layout.title,
    )
    return DocumentPart(letterhead, story)


def render_form(
    layout: FormPrintLayout,
    out: PdfTarget,
    *,
    agency: AgencyInfo,
    client: ClientInfo | None = None,
    page_size: PageSize | str = PageSize.LETTER,
    printed_at: datetime | None = None,
) -> None:
    """Print a form, blank (``layout.filled`` False) or filled, to ``out`` (path or binary file).
    Without ``client`` the header has Client / DOB / Record lines to fill by hand."""
    part = form_part(layout, frame_width(page_size), agency=agency, client=client)
    who = f": {client.name}" if client is not None else ""
    build_pdf([part], page_size=page_size, printed_at=printed_at, meta_title=f"{layout.title}{who}", out=out)

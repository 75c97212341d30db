"""User text to reportlab paragraphs, printed literally, and the date/number formats reports use.

reportlab's Paragraph reads a small XML-like markup, so '<' and '&' typed in a note would be parsed
(or raise) instead of printed; every piece of user text goes through ``markup()`` first.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache, lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

# C0 controls (except tab and newline) and DEL: invisible, and some break the PDF text layer.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def clean(text: str) -> str:
    """Normalise newlines, expand tabs, drop control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text).expandtabs(4)


def markup(text: str) -> str:
    """Paragraph markup that prints ``text`` literally; single newlines become line breaks."""
    return escape(clean(text).strip()).replace("\n", "<br/>")


class PlainText(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A block of user text in one font: wrapped to the frame, split between lines across pages,
    and drawn as a single PDF text object. Nothing in the text is interpreted as markup, and it is
    several times cheaper than a Paragraph, which matters for long notes and batches."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        *,
        color: object = None,
        _lines: list[str] | None = None,
        _width: float | None = None,
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.color = color if color is not None else style.textColor
        self.font = style.fontName
        self.size = float(style.fontSize)
        self.leading = float(style.leading)
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._lines = _lines
        self._wrapped_width = _width
        self.height = 0.0

    def _text_width(self, avail_width: float) -> float:
        return float(avail_width - self.style.leftIndent - self.style.rightIndent)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width = self._text_width(avail_width)
        if self._lines is None or self._wrapped_width != width:
            lines: list[str] = []
            for hard_line in self.text.split("\n"):
                lines += wrap_lines(hard_line, self.font, self.size, width)
            self._lines, self._wrapped_width = lines, width
        self.width = avail_width
        self.height = len(self._lines) * self.leading
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        assert self._lines is not None
        count = len(self._lines)
        fits = int((avail_height + 1e-6) // self.leading)
        if fits >= count:
            return [self]
        if count - fits == 1 and fits > 2:  # no single widowed line at the top of the next page
            fits -= 1
        if fits < 2:  # no single orphaned line at the foot of this page
            return []
        head = PlainText(self.text, self.style, color=self.color, _lines=self._lines[:fits], _width=self._wrapped_width)
        tail = PlainText(self.text, self.style, color=self.color, _lines=self._lines[fits:], _width=self._wrapped_width)
        head.spaceAfter = 0
        tail.spaceBefore = 0
        return [head, tail]

    def draw(self) -> None:
        assert self._lines is not None
        text = self.canv.beginText(self.style.leftIndent, self.height - self.size)
        text.setFont(self.font, self.size, self.leading)
        text.setFillColor(self.color)
        for line in self._lines:
            text.textLine(line)
        self.canv.drawText(text)


def plain(text: str, style: ParagraphStyle, *, color: object = None) -> PlainText:
    """One block of literal text in ``style`` (its font, size, leading, colour and spacing)."""
    return PlainText(clean(text).strip(), style, color=color)


def paragraphs(
    text: str, style: ParagraphStyle, *, empty: str | None = None, empty_color: object = None
) -> list[Flowable]:
    """User ``text`` printed literally: one PlainText block per blank-line-separated paragraph (so
    long text splits between paragraphs as well as between lines). Empty text gives ``empty`` (in
    ``empty_color``), or nothing."""
    blocks = [block.strip("\n") for block in _BLANK_LINES.split(clean(text).strip()) if block.strip()]
    if not blocks:
        return [PlainText(empty, style, color=empty_color)] if empty else []
    return [PlainText(block, style) for block in blocks]


def para(text: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    body = markup(text)
    return Paragraph(f"<b>{body}</b>" if bold else body, style)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters with an ellipsis."""
    flat = " ".join(clean(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value is not None else "—"


def fmt_time(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else "—"


def fmt_datetime(value: datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M")
    zone = value.tzname() if value.tzinfo is not None else None
    return f"{text} {zone}" if zone else text


def fmt_units(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def fmt_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


@cache
def _glyph_widths(font: str) -> tuple[dict[int, float], float]:
    face = getFont(font).face  # registered TrueType font: widths in 1/1000 em by code point
    return face.charWidths, float(face.defaultWidth)


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points in a registered TrueType ``font`` (same as reportlab's stringWidth,
    without its per-call overhead; wrapping table cells calls this once per word)."""
    em = _word_em_width(text, font) if len(text) <= _CACHED_WORD_LENGTH else _em_width(text, font)
    return em * size * 0.001


_CACHED_WORD_LENGTH = 40


def _em_width(text: str, font: str) -> float:
    """Width of ``text`` in 1/1000 em."""
    widths, default = _glyph_widths(font)
    get = widths.get
    return float(sum([get(ord(ch), default) for ch in text]))


# The same words recur across cells, notes and the reports of a batch.
_word_em_width = lru_cache(maxsize=32768)(_em_width)


def _fit_end(word: str, start: int, font: str, size: float, width: float) -> int:
    """End index of the longest piece of ``word`` from ``start`` that fits in ``width`` points
    (at least one character); ``len(word)`` when the rest fits."""
    widths, default = _glyph_widths(font)
    scale = size * 0.001
    used = 0.0
    for index in range(start, len(word)):
        used += widths.get(ord(word[index]), default) * scale
        if used > width:
            return max(index, start + 1)
    return len(word)


def wrap_lines(text: str, font: str, size: float, width: float, *, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap of one-line ``text`` to ``width`` points; words too long for a line are cut
    by character. With ``max_lines``, the last kept line ends in an ellipsis when text was dropped.

    Much cheaper than a Paragraph for short table cells, and needs no markup escaping."""
    space = text_width(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    current_width = 0.0
    limit = None if max_lines is None else max_lines + 1
    for word in clean(text).split():
        if limit is not None and len(lines) >= limit:
            break
        word_width = text_width(word, font, size)
        if word_width > width:  # a word longer than a whole line: cut it into line-sized pieces
            if current:
                lines.append(" ".join(current))
                current, current_width = [], 0.0
            piece_start = 0
            while limit is None or len(lines) < limit:
                piece_end = _fit_end(word, piece_start, font, size, width)
                if piece_end >= len(word):
                    break
                lines.append(word[piece_start:piece_end])
                piece_start = piece_end
            word = word[piece_start:]
            word_width = text_width(word, font, size)
        added = word_width if not current else current_width + space + word_width
        if current and added > width:
            lines.append(" ".join(current))
            current, current_width = [word], word_width
        else:
            current.append(word)
            current_width = added
    if current:
        lines.append(" ".join(current))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip(" ,;:.-") + "…"
    return lines or [""]


# A table row never splits across pages, so one cell may hold at most this many lines (the rest is cut
# with an ellipsis); without a cap, one enormous value would make a row taller than a page.
CELL_MAX_LINES = 30


def cell_text(text: str, font: str, size: float, width: float, *, max_lines: int = CELL_MAX_LINES) -> str:
    """Table-cell string for ``text`` wrapped to ``width`` (newlines separate the lines)."""
    return "\n".join(wrap_lines(text, font, size, width, max_lines=max_lines))

"""User text to reportlab paragraphs, printed literally, and the date/number formats reports use.

reportlab's Paragraph reads a small XML-like markup, so '<' and '&' typed in a note would be parsed
(or raise) instead of printed; every piece of user text goes through ``markup()`` first.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import cache
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


def paragraphs(text: str, style: ParagraphStyle, *, empty: str | None = None) -> list[Flowable]:
    """One Paragraph per blank-line-separated block of ``text`` (so long text splits between
    paragraphs as well as between lines). Empty text gives ``empty`` in italics, or nothing."""
    blocks = [block for block in _BLANK_LINES.split(clean(text).strip()) if block.strip()]
    if not blocks:
        return [Paragraph(f"<i>{escape(empty)}</i>", style)] if empty else []
    return [Paragraph(markup(block), style) for block in blocks]


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
    widths, default = _glyph_widths(font)
    get = widths.get
    return sum([get(ord(ch), default) for ch in text]) * size * 0.001


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


def cell_text(text: str, font: str, size: float, width: float, *, max_lines: int | None = None) -> str:
    """Table-cell string for ``text`` wrapped to ``width`` (newlines separate the lines)."""
    return "\n".join(wrap_lines(text, font, size, width, max_lines=max_lines))

"""Pure helpers: escaping user text for reportlab's markup, wrapping table cells, fonts."""

from __future__ import annotations

import io

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate

from casedesk.reports import fonts
from casedesk.reports.styles import report_styles
from casedesk.reports.text import markup, paragraphs, shorten, text_width, wrap_lines


def test_markup_prints_user_text_literally() -> None:
    assert markup("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert markup("line one\nline two") == "line one<br/>line two"
    assert markup("a\tb\x00\x07c") == "a   bc"  # tabs expanded, control characters dropped
    assert markup("<b>not bold</b>") == "&lt;b&gt;not bold&lt;/b&gt;"


def test_paragraphs_split_on_blank_lines_and_parse_any_text() -> None:
    style = report_styles().body
    parts = paragraphs("first\r\n\r\n\n second <i> & </b>\n\n   \n", style)
    assert len(parts) == 2
    assert paragraphs("", style) == []
    (placeholder,) = paragraphs("  ", style, empty="(left blank)")
    assert "(left blank)" in placeholder.text


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("short", 20) == "short"
    cut = shorten("The client paid the rent on time and met the landlord", 30)
    assert cut.endswith("…") and len(cut) <= 30 and " " in cut and not cut[:-1].endswith(" ")


def test_wrap_lines_fits_the_width_and_cuts_overlong_words() -> None:
    fonts.register_fonts()
    width = 90.0
    text = "Zoë Nguyễn paid the rent & met the landlord " + "x" * 80 + " end"
    lines = wrap_lines(text, fonts.REGULAR, 8.5, width)
    assert " ".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(stringWidth(line, fonts.REGULAR, 8.5) <= width for line in lines)
    assert len(lines) > 3


def test_wrap_lines_limits_lines_with_an_ellipsis_quickly_even_for_huge_words() -> None:
    fonts.register_fonts()
    lines = wrap_lines("y" * 200_000, fonts.REGULAR, 8.5, 100, max_lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert stringWidth(lines[-1], fonts.REGULAR, 8.5) <= 100
    assert wrap_lines("", fonts.REGULAR, 8.5, 100) == [""]


def test_text_width_matches_reportlab() -> None:
    fonts.register_fonts()
    for text in ("Zoë Nguyễn", "José Peña ¿Cómo está?", "☐ ☒ …"):
        assert abs(text_width(text, fonts.BOLD, 9) - stringWidth(text, fonts.BOLD, 9)) < 1e-9


def test_font_family_gives_bold_and_italic_faces_for_markup() -> None:
    family = fonts.register_fonts()
    assert fonts.register_fonts() == family  # idempotent
    assert getFont(fonts.BOLD).face.name != getFont(fonts.REGULAR).face.name
    buffer = io.BytesIO()
    style = report_styles().body
    SimpleDocTemplate(buffer).build([Paragraph("plain <b>bold</b> <i>italic</i> <b><i>both</i></b>", style)])
    names = " ".join(str(f["/BaseFont"]) for f in PdfReader(buffer).pages[0]["/Resources"]["/Font"].values())
    for face in ("DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"):
        assert face in names

"""Embedded Unicode fonts for every PDF CaseDesk prints.

reportlab's standard fonts only cover WinAnsi and draw a black box for anything else ("Nguyễn"), so
every document uses DejaVu Sans, shipped in resources/fonts/ with its licence. The four faces are
registered once per process as one family, so ``<b>`` and ``<i>`` in paragraph markup pick the bold
and oblique faces instead of silently falling back to the regular one.
"""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from casedesk.reports.errors import ReportError
from casedesk.resources import resource_path

FAMILY = "CaseDeskSans"
REGULAR = "CaseDeskSans"
BOLD = "CaseDeskSans-Bold"
ITALIC = "CaseDeskSans-Oblique"
BOLD_ITALIC = "CaseDeskSans-BoldOblique"

_FACE_FILES: dict[str, str] = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the report font family (idempotent, thread-safe, parsed once) and return its name."""
    global _registered
    if _registered:
        return FAMILY
    with _lock:
        if _registered:
            return FAMILY
        for face_name, file_name in _FACE_FILES.items():
            try:
                path = resource_path("fonts", file_name)
                pdfmetrics.registerFont(TTFont(face_name, str(path)))
            except (FileNotFoundError, TTFError) as exc:
                raise ReportError(
                    f"The report font {file_name} is missing or damaged ({exc}); reinstall CaseDesk."
                ) from None
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
        _registered = True
    return FAMILY

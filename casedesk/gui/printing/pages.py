"""PDF pages as images (pypdfium2) and painting them onto a printer.

pypdfium2 is a few MB and renders the PDFs CaseDesk makes exactly as a viewer would, so the preview
and the printout show the same pages without PySide6-Addons' QtPdf. PDFium is not thread-safe: use a
document from the UI thread only. It is loaded with the first document, not with the main window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from casedesk.errors import CaseDeskError

POINTS_PER_INCH = 72.0
MAX_PRINT_DPI = 300  # enough for text and signatures; more only makes the print job larger


class PdfPages:
    """A PDF held in memory, page by page."""

    def __init__(self, pdf: bytes) -> None:
        import pypdfium2 as pdfium

        try:
            self._document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise CaseDeskError(f"The document could not be read for printing ({exc}).") from None

    def __len__(self) -> int:
        return len(self._document)

    def size_points(self, index: int) -> tuple[float, float]:
        width, height = self._document[index].get_size()
        return float(width), float(height)

    def image(self, index: int, dpi: float) -> QImage:
        """Page ``index`` (0-based) rendered at ``dpi`` dots per inch, white background."""
        page = self._document[index]
        bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True, prefer_bgrx=True)
        formats = {"RGBX": QImage.Format.Format_RGBX8888, "RGBA": QImage.Format.Format_RGBA8888}
        fmt = formats.get(bitmap.mode, QImage.Format.Format_RGB888)
        # QImage does not own the buffer: copy before the bitmap goes away.
        return QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()

    def close(self) -> None:
        self._document.close()


def prepare_printer(printer: QPrinter, pages: PdfPages) -> None:
    """Paper size and orientation from the document's first page; the whole sheet is ours (the PDF has
    its own margins)."""
    width, height = pages.size_points(0)
    size = QPageSize(QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageSize(size)
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)


def page_range(printer: QPrinter, count: int) -> range:
    """The 0-based pages the printer dialog asked for (all when no range was chosen)."""
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0 or last <= 0:
        return range(count)
    return range(min(first, count) - 1, min(last, count))


def paint_pages(printer: QPrinter, pages: PdfPages, wanted: range, on_page: Callable[[int], bool] | None = None) -> int:
    """Paint the ``wanted`` pages onto ``printer``, each scaled to fit the sheet. ``on_page(done)`` is
    called before each page; returning False stops (the job is then aborted). Returns pages printed."""
    dpi = float(min(printer.resolution(), MAX_PRINT_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        raise CaseDeskError("The printer could not be started; check that it is connected and try again.")
    printed = 0
    try:
        for index in wanted:
            if on_page is not None and not on_page(printed):
                printer.abort()
                break
            if printed:
                printer.newPage()
            image = pages.image(index, dpi)
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            width, height = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF(target.x(), target.y(), width, height), image)
            printed += 1
    finally:
        painter.end()
    return printed

"""The window side of printing: build a document off the UI thread, preview it, print it, save it.

    service = PrintService(context, window)
    service.show_preview(lambda s: printing.note_pdf(s, note_id, action=None))

The PDF is built by casedesk.services.printing without an audit event; printing it records "print",
saving it or opening it in the system viewer records "export" (kind and id only). Printing paints the
pages straight from memory onto the printer, so no file is written. Save as PDF writes the chosen file
atomically (QSaveFile). Open in viewer needs a file: it goes to a private folder (owner-only) that is
emptied when CaseDesk locks or quits, so no client document stays behind in temp space.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QIODevice, QObject, QSaveFile, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QProgressDialog, QWidget
from sqlalchemy.orm import Session

from casedesk.errors import CaseDeskError
from casedesk.gui.context import AppContext
from casedesk.gui.ops import NO_CHANGES, Changes, user_message
from casedesk.gui.printing.pages import PdfPages, page_range, paint_pages, prepare_printer
from casedesk.gui.printing.preview import PrintPreviewDialog
from casedesk.services import printing
from casedesk.services.printing import PrintAction, PrintedDocument

# Asks for a printer (and page range) for a document of N pages: True to print. Replaced in tests.
AskPrinter = Callable[[QPrinter, int, QWidget | None], bool]
# Asks where to save: the suggested file name in, the chosen path (or None) out. Replaced in tests.
AskSavePath = Callable[[QWidget | None, str], str | None]

SUGGESTED_NAMES = {
    "progress_note": "progress-note",
    "quarterly_report": "quarterly-report",
    "quarterly_batch": "quarterly-reports",
    "form_response": "form",
    "blank_form": "blank-form",
    "due_list": "due-list",
}


def ask_printer_with_dialog(printer: QPrinter, page_count: int, parent: QWidget | None) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print")
    dialog.setMinMax(1, max(page_count, 1))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_save_path_with_dialog(parent: QWidget | None, suggested: str) -> str | None:
    path, _filter = QFileDialog.getSaveFileName(parent, "Save as PDF", suggested, "PDF documents (*.pdf)")
    if not path:
        return None
    return path if path.lower().endswith(".pdf") else path + ".pdf"


def suggested_name(document: PrintedDocument) -> str:
    """A file name that says what the document is without naming the client."""
    stem = SUGGESTED_NAMES.get(document.kind, "casedesk-document")
    quarter = document.audit_detail.get("quarter")
    return f"{stem}-{quarter}.pdf" if quarter else f"{stem}.pdf"


class PrintService(QObject):
    sig_message = Signal(str)
    sig_failed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self._context = context
        self._parent = parent
        self.ask_printer: AskPrinter = ask_printer_with_dialog
        self.ask_save_path: AskSavePath = ask_save_path_with_dialog
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.dialog: PrintPreviewDialog | None = None
        self._viewer_folder: Path | None = None
        context.sig_about_to_lock.connect(self.on_about_to_lock)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.remove_viewer_files)

    # ---- building and previewing ------------------------------------------------------------------

    def show_preview(
        self,
        build: Callable[[Session], PrintedDocument],
        *,
        write: bool = False,
        changes: Changes = NO_CHANGES,
    ) -> None:
        """Build the document in a unit of work off the UI thread, then open the preview."""
        self.sig_message.emit("Preparing the document…")
        self._context.submit(build, write=write, changes=changes, on_done=self.on_built, on_error=self.on_build_failed)

    def on_built(self, document: object) -> None:
        assert isinstance(document, PrintedDocument)
        if self._context.is_locked:
            return
        if self.dialog is not None:
            self.dialog.close()
        try:
            dialog = PrintPreviewDialog(self, document, self._parent)
        except CaseDeskError as exc:
            self.sig_failed.emit(str(exc))
            return
        dialog.finished.connect(self.on_preview_finished)
        self.dialog = dialog
        self.sig_message.emit("")
        dialog.open()

    def on_build_failed(self, exc: BaseException) -> None:
        self.sig_failed.emit(user_message(exc))

    def on_preview_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _tell(self, parent: QWidget | None, text: str) -> None:
        if isinstance(parent, PrintPreviewDialog):
            parent.show_message(text)
        self.sig_message.emit(text)

    # ---- printing, saving, viewing -----------------------------------------------------------------

    def _record(self, document: PrintedDocument, action: PrintAction) -> None:
        self._context.run_now(lambda s: printing.record_output(s, document, action), write=True)

    def print_document(self, document: PrintedDocument, parent: QWidget | None = None) -> bool:
        """Ask for a printer and print from memory. True when the pages went to the printer."""
        pages = PdfPages(document.pdf)
        try:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setDocName(suggested_name(document).removesuffix(".pdf"))
            prepare_printer(printer, pages)
            if not self.ask_printer(printer, len(pages), parent):
                return False
            wanted = page_range(printer, len(pages))
            progress = QProgressDialog("Printing…", "Cancel", 0, len(wanted), parent)
            progress.setWindowTitle("Printing")
            progress.setMinimumDuration(800)

            def on_page(done: int) -> bool:
                progress.setValue(done)
                QApplication.processEvents()
                return not progress.wasCanceled()

            try:
                printed = paint_pages(printer, pages, wanted, on_page)
            except CaseDeskError as exc:
                self._tell(parent, str(exc))
                return False
            finally:
                progress.close()
                progress.deleteLater()
            if printed < len(wanted):
                self._tell(parent, "Printing was cancelled.")
                return False
            self._record(document, "print")
            self._tell(parent, f"Sent {printed} page{'s' if printed != 1 else ''} to the printer.")
            return True
        finally:
            pages.close()

    def save_document(self, document: PrintedDocument, parent: QWidget | None = None) -> Path | None:
        """Save as PDF where the worker chooses (written atomically). Returns the path, or None."""
        chosen = self.ask_save_path(parent, suggested_name(document))
        if not chosen:
            return None
        path = Path(chosen)
        out = QSaveFile(str(path))
        if not out.open(QIODevice.OpenModeFlag.WriteOnly):
            self._tell(parent, f"Could not write {path}: {out.errorString()}")
            return None
        out.write(document.pdf)
        if not out.commit():
            self._tell(parent, f"Could not write {path}: {out.errorString()}")
            return None
        with contextlib.suppress(OSError):
            path.chmod(0o600)
        self._record(document, "export")
        self._tell(parent, f"Saved {path.name}.")
        return path

    def open_in_viewer(self, document: PrintedDocument) -> Path | None:
        """Hand the PDF to the system's PDF viewer through an owner-only file removed on lock or quit."""
        if self._viewer_folder is None or not self._viewer_folder.is_dir():
            self._viewer_folder = Path(tempfile.mkdtemp(prefix="casedesk-view-"))
        stem = suggested_name(document).removesuffix(".pdf")
        handle, name = tempfile.mkstemp(prefix=f"{stem}-", suffix=".pdf", dir=self._viewer_folder)
        with os.fdopen(handle, "wb") as out:  # mkstemp creates it owner-only
            out.write(document.pdf)
        path = Path(name)
        self._record(document, "export")
        if not self.open_url(QUrl.fromLocalFile(str(path))):
            path.unlink(missing_ok=True)
            self.sig_failed.emit("No PDF viewer could be started; use Save as PDF… instead.")
            return None
        self.sig_message.emit("Opened in the PDF viewer. The copy is removed when CaseDesk locks or quits.")
        return path

    @property
    def viewer_folder(self) -> Path | None:
        return self._viewer_folder

    # ---- cleaning up ------------------------------------------------------------------------------

    def on_about_to_lock(self) -> None:
        if self.dialog is not None:
            self.dialog.done(QDialog.DialogCode.Rejected)
        self.remove_viewer_files()

    def remove_viewer_files(self) -> None:
        folder, self._viewer_folder = self._viewer_folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

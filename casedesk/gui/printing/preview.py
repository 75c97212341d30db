"""Print preview: one page at a time (a batch of hundreds of pages opens at once), zoom, page buttons,
and Print…, Save as PDF… and Open in viewer. The dialog only shows; the print service does the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from casedesk.gui.printing.pages import PdfPages
from casedesk.services.printing import PrintedDocument

if TYPE_CHECKING:
    from casedesk.gui.printing.service import PrintService

ZOOMS = (("Fit width", 0), ("75%", 75), ("100%", 100), ("150%", 150))
SCREEN_DPI = 96.0


class PrintPreviewDialog(QDialog):
    def __init__(self, service: PrintService, document: PrintedDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(f"Print preview: {document.title}")
        self.setAccessibleName("Print preview")
        self.document = document
        self._service = service
        self.pages = PdfPages(document.pdf)

        self.page_view = QLabel()
        self.page_view.setObjectName("preview_page")
        self.page_view.setAccessibleName("Page")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_area = QScrollArea()
        self.page_area.setWidget(self.page_view)
        self.page_area.setWidgetResizable(True)
        self.page_area.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.previous_button = QPushButton("◀ &Previous")
        self.next_button = QPushButton("&Next ▶")
        self.page_spin = QSpinBox()
        self.page_spin.setAccessibleName("Page number")
        self.page_spin.setRange(1, max(len(self.pages), 1))
        self.page_label = QLabel()
        self.zoom_box = QComboBox()
        self.zoom_box.setAccessibleName("Zoom")
        for text, percent in ZOOMS:
            self.zoom_box.addItem(text, percent)
        self.status_label = QLabel(self._status_text())
        self.status_label.setWordWrap(True)

        navigation = QHBoxLayout()
        navigation.addWidget(self.previous_button)
        navigation.addWidget(self.page_spin)
        navigation.addWidget(self.page_label)
        navigation.addWidget(self.next_button)
        navigation.addStretch(1)
        navigation.addWidget(QLabel("Zoom:"))
        navigation.addWidget(self.zoom_box)

        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton("&Print…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button = self.buttons.addButton("&Save as PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button = self.buttons.addButton("&Open in viewer", QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.print_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addLayout(navigation)
        layout.addWidget(self.page_area, 1)
        layout.addWidget(self.buttons)

        self.previous_button.clicked.connect(lambda: self.show_page(self.page_spin.value() - 2))
        self.next_button.clicked.connect(lambda: self.show_page(self.page_spin.value()))
        self.page_spin.valueChanged.connect(lambda number: self.show_page(number - 1))
        self.zoom_box.currentIndexChanged.connect(lambda _index: self.show_page(self.page_spin.value() - 1))
        self.print_button.clicked.connect(lambda: self._service.print_document(self.document, self))
        self.save_button.clicked.connect(lambda: self._service.save_document(self.document, self))
        self.open_button.clicked.connect(lambda: self._service.open_in_viewer(self.document))
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.MoveToNextPage), self, lambda: self.next_button.click())
        QShortcut(QKeySequence(QKeySequence.StandardKey.MoveToPreviousPage), self, lambda: self.previous_button.click())
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, lambda: self.print_button.click())

        self.resize(760, 900)
        self.current_page = -1
        self.show_page(0)

    def _status_text(self) -> str:
        parts = f", {self.document.parts} reports" if self.document.parts > 1 else ""
        draft = " Pages marked DRAFT are not signed." if self.document.draft else ""
        return f"{len(self.pages)} page{'s' if len(self.pages) != 1 else ''}{parts}.{draft}"

    def _dpi(self, index: int) -> float:
        percent = int(self.zoom_box.currentData() or 0)
        if percent:
            return SCREEN_DPI * percent / 100
        width_points = self.pages.size_points(index)[0]
        room = max(self.page_area.viewport().width() - 24, 200)
        return float(room) / (width_points / 72.0)

    def show_page(self, index: int) -> None:
        """Show page ``index`` (0-based, clamped to the document)."""
        count = len(self.pages)
        if count == 0:
            return
        index = max(0, min(index, count - 1))
        self.current_page = index
        image = self.pages.image(index, self._dpi(index))
        self.page_view.setPixmap(QPixmap.fromImage(image))
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(index + 1)
        self.page_spin.blockSignals(False)
        self.page_label.setText(f"of {count}")
        self.previous_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < count - 1)

    def _refit(self) -> None:
        if self.current_page >= 0 and not self.zoom_box.currentData():
            self.show_page(self.current_page)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refit()  # "Fit width" needs the real width, known once shown

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self._refit()

    def show_message(self, text: str) -> None:
        self.status_label.setText(text)

    def done(self, result: int) -> None:
        self.page_view.clear()
        self.current_page = -1
        super().done(result)
        self.pages.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.page_view.clear()
        super().closeEvent(event)

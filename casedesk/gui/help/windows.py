"""Help windows: the user guide (HTML from resources/help in a QTextBrowser), keyboard shortcuts, About."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from casedesk import __version__
from casedesk.gui.help.licences import FONT_LICENCE, LIBRARIES, library_version
from casedesk.resources import resource_path


class HelpWindow(QDialog):
    """The user guide. Non-modal, so it can stay open beside the main window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("CaseDesk user guide"))
        self.setAccessibleName(self.tr("CaseDesk user guide"))
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(self.tr("User guide text"))
        self.browser.setOpenExternalLinks(False)
        guide = resource_path("help", "index.html")
        self.browser.setSearchPaths([str(guide.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(guide)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 640)


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what it does, keys) for every action that has a shortcut, in menu order."""
    rows = []
    for action in actions:
        keys = action.shortcut()
        if keys.isEmpty():
            continue
        rows.append((action.text().replace("&", "").rstrip("…"), keys.toString(QKeySequence.SequenceFormat.NativeText)))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.setAccessibleName(self.tr("Keyboard shortcuts"))
        save_keys = QKeySequence(QKeySequence.StandardKey.Save).toString(QKeySequence.SequenceFormat.NativeText)
        rows = [*shortcut_rows(actions), (self.tr("Save the note draft"), save_keys)]
        self.table = QTableWidget(len(rows), 2)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Keys")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 420)


def libraries_html() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(lib.name)}</td><td>{html.escape(library_version(lib))}</td>"
        f"<td>{html.escape(lib.licence)}</td><td>{html.escape(lib.purpose)}</td></tr>"
        for lib in LIBRARIES
    )
    return (
        "<table cellspacing='0' cellpadding='3'><tr><th align='left'>Library</th><th align='left'>Version</th>"
        f"<th align='left'>Licence</th><th align='left'>Used for</th></tr>{rows}</table>"
    )


class AboutDialog(QDialog):
    def __init__(self, profile_folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About CaseDesk"))
        self.setAccessibleName(self.tr("About CaseDesk"))
        self.summary = QLabel(
            f"<h2>CaseDesk {html.escape(__version__)}</h2><p>"
            + self.tr("Offline-first case management. Your caseload is encrypted on this computer.")
            + "</p><p>"
            + self.tr("Licence: GPL-3.0-or-later.")
            + "</p><p>"
            + self.tr("Profile: {0}").format(html.escape(profile_folder))
            + "</p>"
        )
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("About CaseDesk"))
        self.tabs = QTabWidget()
        self.libraries = QTextBrowser()
        self.libraries.setAccessibleName(self.tr("Bundled libraries and their licences"))
        self.libraries.setHtml(libraries_html())
        self.fonts = QTextBrowser()
        self.fonts.setAccessibleName(self.tr("Font licence"))
        self.fonts.setPlainText(FONT_LICENCE + "\n\n" + resource_path("fonts", "DejaVu-LICENSE.txt").read_text("utf-8"))
        self.tabs.addTab(self.libraries, self.tr("Libraries"))
        self.tabs.addTab(self.fonts, self.tr("Fonts"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(680, 560)

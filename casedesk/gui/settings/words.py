"""The worker's own spelling words ("Add to my dictionary" puts them here): see them, remove some."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class PersonalWordsDialog(QDialog):
    def __init__(self, words: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My dictionary")
        self.setAccessibleName("My dictionary")
        intro = QLabel(
            "Words you added with <i>Add to my dictionary</i>. They are never underlined in notes, and they "
            "are kept encrypted in your profile. Remove a word to have it checked again."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Your words")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.addItems(sorted(words, key=str.casefold))
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove the selected words")
        self.remove_button.clicked.connect(self.on_remove)
        self.remove_button.setEnabled(False)
        self.list.itemSelectionChanged.connect(lambda: self.remove_button.setEnabled(bool(self.list.selectedItems())))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(buttons)

    def on_remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def words(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

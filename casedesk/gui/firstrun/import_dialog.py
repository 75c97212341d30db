"""Import clients from a CSV file: pick the file, check the guessed column mapping on a preview, import.

The preview shows each column's heading with a list of client fields above it; the guess from
casedesk.services.client_import can be changed per column. Importing stores every row or none: when any
row has a problem, each problem is listed with its row number and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from casedesk.db.store import Store
from casedesk.errors import ValidationError
from casedesk.gui.ops import OpRunner, user_message
from casedesk.services import client_import

IGNORE = ""
_ROW_SPLIT = re.compile(r";\s(?=row \d+: )")


def field_label(name: str) -> str:
    return name.replace("_", " ").replace("dob", "date of birth").capitalize()


def split_row_errors(message: str) -> list[str]:
    """The per-row problems in the import service's message, one entry per row ("row 3: ...")."""
    match = re.search(r"row \d+: ", message)
    if match is None:
        return [message]
    body = message[match.start() :].rstrip(".")
    return [part.strip() for part in _ROW_SPLIT.split(body)]


class ImportClientsDialog(QDialog):
    sig_imported = Signal(int)  # number of clients stored

    def __init__(self, store: Store, ops: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import clients from CSV"))
        self.setAccessibleName(self.tr("Import clients from CSV"))
        self._store = store
        self._ops = ops
        self._data: bytes | None = None
        self.imported = 0
        self.mapping_combos: list[QComboBox] = []
        self.header: tuple[str, ...] = ()

        self.file_label = QLabel(self.tr("No file chosen."))
        self.file_label.setAccessibleName(self.tr("Chosen file"))
        self.choose_button = QPushButton(self.tr("&Choose CSV file…"))
        self.choose_button.clicked.connect(self.on_choose)
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.choose_button)

        hint = QLabel(
            self.tr(
                "Check which client field each column holds: change a guess with the list above the column, "
                "or choose “(ignore)”. First and last name are required."
            )
        )
        hint.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setAccessibleName(self.tr("Preview of the first rows"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary_label = QLabel()
        self.summary_label.setAccessibleName(self.tr("Import summary"))
        self.errors_list = QListWidget()
        self.errors_list.setAccessibleName(self.tr("Rows with problems"))
        self.errors_list.setVisible(False)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setAccessibleName(self.tr("Import message"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = buttons.addButton(self.tr("&Import"), QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.on_import)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.on_close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.errors_list)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.resize(760, 480)

    # ---- loading ----------------------------------------------------------------------------------

    def on_choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose a CSV file"), str(Path.home()), self.tr("CSV files (*.csv);;All files (*)")
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        self.errors_list.clear()
        self.errors_list.setVisible(False)
        self.message_label.clear()
        try:
            data = path.read_bytes()
            preview = client_import.preview_csv(data)
        except OSError as exc:
            self._fail(self.tr("Could not read {0}: {1}.").format(path.name, exc.strerror or exc))
            return
        except ValidationError as exc:
            self._fail(str(exc))
            return
        self._data = data
        self.file_label.setText(path.name)
        self.show_preview(preview)

    def _fail(self, message: str) -> None:
        self._data = None
        self.import_button.setEnabled(False)
        self.message_label.setText(message)

    def show_preview(self, preview: client_import.CsvPreview) -> None:
        self.header = preview.header
        self.table.clear()
        self.table.setColumnCount(len(preview.header))
        self.table.setRowCount(len(preview.rows) + 1)
        self.table.setHorizontalHeaderLabels(list(preview.header))
        self.mapping_combos = []
        choices = [(IGNORE, self.tr("(ignore)"))] + [(name, field_label(name)) for name in client_import.FIELD_ALIASES]
        for column, heading in enumerate(preview.header):
            combo = QComboBox()
            combo.setAccessibleName(self.tr("Client field for column {0}").format(heading))
            for value, label in choices:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(preview.mapping.get(heading, IGNORE))))
            combo.currentIndexChanged.connect(self.on_mapping_changed)
            self.table.setCellWidget(0, column, combo)
            self.mapping_combos.append(combo)
        for row, values in enumerate(preview.rows, start=1):
            for column, value in enumerate(values[: len(preview.header)]):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.setVerticalHeaderLabels([self.tr("Field")] + [str(n) for n in range(2, len(preview.rows) + 2)])
        self.table.resizeColumnsToContents()
        self.summary_label.setText(
            self.tr("{0} rows in the file; the first {1} are shown.").format(preview.total_rows, len(preview.rows))
        )
        self.on_mapping_changed()

    def mapping(self) -> dict[str, str]:
        return {
            heading: str(combo.currentData()) for heading, combo in zip(self.header, self.mapping_combos, strict=True)
        }

    def on_mapping_changed(self) -> None:
        targets = [t for t in self.mapping().values() if t]
        duplicates = sorted({field_label(t) for t in targets if targets.count(t) > 1})
        if duplicates:
            self.message_label.setText(self.tr("More than one column is mapped to: {0}.").format(", ".join(duplicates)))
        elif "first_name" not in targets or "last_name" not in targets:
            self.message_label.setText(self.tr("Map one column to First name and one to Last name."))
        else:
            self.message_label.clear()
        self.import_button.setEnabled(self._data is not None and not self.message_label.text())

    # ---- importing --------------------------------------------------------------------------------

    def on_import(self) -> None:
        if self._data is None:
            return
        data, mapping, store = self._data, self.mapping(), self._store
        self.import_button.setEnabled(False)
        self.errors_list.clear()
        self.errors_list.setVisible(False)
        self.message_label.setText(self.tr("Importing…"))

        def work() -> int:
            with store.session() as s:
                return client_import.import_clients(s, data, mapping).imported

        self._ops.run(work, on_done=self.on_imported, on_error=self.on_import_failed)

    def on_imported(self, count: object) -> None:
        self.imported = int(str(count))
        self.message_label.setText(self.tr("{0} clients imported.").format(self.imported))
        self._data = None
        self.sig_imported.emit(self.imported)

    def on_import_failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            rows = split_row_errors(str(exc))
            self.message_label.setText(self.tr("Nothing was imported. Fix these rows in the file and try again."))
            self.errors_list.addItems(rows)
            self.errors_list.setVisible(True)
        else:
            self.message_label.setText(user_message(exc))

    def on_close(self) -> None:
        if self.imported:
            self.accept()
        else:
            self.reject()


def open_import_dialog(
    store: Store, ops: OpRunner, parent: QWidget | None, done: Callable[[int], None]
) -> ImportClientsDialog:
    dialog = ImportClientsDialog(store, ops, parent)
    dialog.sig_imported.connect(done)
    dialog.open()
    return dialog

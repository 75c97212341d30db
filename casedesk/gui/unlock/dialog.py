"""Start-up unlock dialog: the unlock form in a window of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from casedesk.db.store import Store
from casedesk.gui.context import AppContext
from casedesk.gui.unlock.form import UnlockForm


class UnlockDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("CaseDesk — Unlock") + (" (demo)" if context.demo else ""))
        self.setAccessibleName("Unlock CaseDesk")
        self.store: Store | None = None
        self.form = UnlockForm(context, self)
        self.form.sig_unlocked.connect(self.on_unlocked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        self.setMinimumWidth(460)

    def on_unlocked(self, store: object) -> None:
        assert isinstance(store, Store)
        self.store = store
        self.accept()

"""Start-up unlock dialog: the unlock form in a window of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from casedesk.gui.context import AppContext
from casedesk.gui.unlock.form import UnlockForm

if TYPE_CHECKING:
    from casedesk.db.store import Store


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
        self.store = store  # type: ignore[assignment]  # the form emits the open Store
        self.accept()

"""The last page of the first-run wizard: what to do next (import clients, connect to a server, the demo)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget, QWizardPage

from casedesk.db.store import Store
from casedesk.gui.ops import OpRunner


def demo_command() -> list[str]:
    """How to start `casedesk --demo` as its own process, from source, a wheel or the bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--demo"]
    return [sys.executable, "-m", "casedesk", "--demo"]


class GetStartedPage(QWizardPage):
    """Optional next steps once the profile exists; Finish opens the (empty or imported) caseload."""

    def __init__(
        self,
        store_getter: Callable[[], Store | None],
        ops: OpRunner,
        launch: Callable[[list[str]], object] = subprocess.Popen,
    ) -> None:
        super().__init__()
        self._store_getter = store_getter
        self._ops = ops
        self._launch = launch
        self.dialog: QWidget | None = None
        self.setTitle(self.tr("Get started"))
        self.setSubTitle(
            self.tr("Your profile is ready. You can bring in your caseload now, or later from the File menu.")
        )
        self.import_button = QPushButton(self.tr("&Import clients from CSV…"))
        self.import_button.clicked.connect(self.on_import)
        self.enrol_button = QPushButton(self.tr("&Connect to an agency server…"))
        self.enrol_button.clicked.connect(self.on_enrol)
        self.demo_button = QPushButton(self.tr("Open the &demo"))
        self.demo_button.setToolTip(
            self.tr("Opens a separate demo profile with a made-up caseload (passphrase: demo).")
        )
        self.demo_button.clicked.connect(self.on_demo)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("What was done"))
        layout = QVBoxLayout(self)
        for button in (self.import_button, self.enrol_button, self.demo_button):
            layout.addWidget(button)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def _store(self) -> Store:
        store = self._store_getter()
        if store is None:
            raise RuntimeError("the profile must exist before the get-started page is shown")
        return store

    def on_import(self) -> None:
        from casedesk.gui.firstrun.import_dialog import ImportClientsDialog

        dialog = ImportClientsDialog(self._store(), self._ops, self)
        dialog.sig_imported.connect(
            lambda count: self.status_label.setText(self.tr("{0} clients imported.").format(count))
        )
        self.dialog = dialog
        dialog.open()

    def on_enrol(self) -> None:
        from casedesk.gui.firstrun.enrol_dialog import EnrolDialog

        dialog = EnrolDialog(self._store(), self._ops, self)
        dialog.sig_enrolled.connect(lambda url: self.status_label.setText(self.tr("Connected to {0}.").format(url)))
        self.dialog = dialog
        dialog.open()

    def on_demo(self) -> None:
        self._launch(demo_command())
        self.status_label.setText(self.tr("The demo opens in a window of its own (passphrase: demo)."))

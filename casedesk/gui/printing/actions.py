"""The Reports menu: print the open note, a client's quarterly report, a quarter's batch, the due list,
a blank form (to fill on paper). Each opens the print preview; nothing is stored by printing (a quarter without a stored
report prints a DRAFT made for the printout)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu, QWidget

from casedesk.gui.context import AppContext

if TYPE_CHECKING:
    # The document builders (reports, forms, Qt's print support) load at the first print, not with the
    # window: a worker who never prints in a session never pays their memory.
    from sqlalchemy.orm import Session

    from casedesk.gui.caseload.workspace import ClientWorkspace
    from casedesk.gui.printing.service import PrintService
    from casedesk.services.printing import PrintedDocument

DUE_WITHIN_DAYS = 30
# Asks the worker to pick one of several choices (or type one): title, prompt, choices, suggested index.
AskChoice = Callable[[QWidget, str, str, Sequence[str], int, bool], str | None]


def ask_choice_with_dialog(
    parent: QWidget, title: str, prompt: str, choices: Sequence[str], current: int, editable: bool
) -> str | None:
    text, ok = QInputDialog.getItem(parent, title, prompt, list(choices), current, editable)
    return text.strip() if ok and text.strip() else None


class PrintActions(QObject):
    """Creates the print actions and the Reports menu of a main window (``window.menuBar()``)."""

    def __init__(
        self,
        window: QMainWindow,
        context: AppContext,
        current_workspace: Callable[[], ClientWorkspace | None],
        show_message: Callable[[str], None],
        show_error: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self._current_workspace = current_workspace
        self._show_message = show_message
        self.ask_choice: AskChoice = ask_choice_with_dialog
        self._show_error = show_error
        self._service: PrintService | None = None

        self.print_note_action = self._action("&Print note…", self.on_print_note, QKeySequence.StandardKey.Print)
        self.print_quarterly_action = self._action("Print &quarterly report…", self.on_print_quarterly)
        self.print_batch_action = self._action("Print all quarterly reports of a quarter…", self.on_print_batch)
        self.print_due_action = self._action("Print &due list…", self.on_print_due)
        self.print_blank_form_action = self._action("Print &blank form…", self.on_print_blank_form)
        self.actions = (
            self.print_note_action,
            self.print_quarterly_action,
            self.print_batch_action,
            self.print_due_action,
            self.print_blank_form_action,
        )
        self.menu = self._install_menu(window)
        context.sig_locked.connect(lambda: self._enable(False))
        context.sig_unlocked.connect(lambda: self._enable(True))
        self._enable(not context.is_locked)

    @property
    def service(self) -> PrintService:
        """Previews, printers and PDF files (made at the first print)."""
        if self._service is None:
            from casedesk.gui.printing.service import PrintService

            self._service = PrintService(self._context, self._window)
            self._service.sig_message.connect(self._show_message)
            self._service.sig_failed.connect(self._show_error)
        return self._service

    def _action(self, text: str, slot: Callable[[], None], shortcut: QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self._window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(text.replace("&", "").rstrip("…"))
        action.setStatusTip(action.toolTip())
        action.triggered.connect(slot)
        self._window.addAction(action)
        return action

    def _install_menu(self, window: QMainWindow) -> QMenu:
        menu = QMenu("&Reports", window)
        menu.setObjectName("reports_menu")
        for action in self.actions:
            menu.addAction(action)
            if action is self.print_note_action:
                menu.addSeparator()
        bar = window.menuBar()
        view = next((a for a in bar.actions() if a.text().replace("&", "") == "View"), None)
        if view is not None:
            bar.insertMenu(view, menu)
        else:
            bar.addMenu(menu)
        return menu

    def _enable(self, enabled: bool) -> None:
        for action in self.actions:
            action.setEnabled(enabled)

    def _preview(self, build: Callable[[Session], PrintedDocument]) -> None:
        self.service.show_preview(build)

    # ---- the actions ------------------------------------------------------------------------------

    def on_print_note(self) -> None:
        ws = self._current_workspace()
        editor = ws.current_editor() if ws is not None else None
        if editor is None:
            self._show_message("Open a note first (a client's Notes section), then print it.")
            return
        if not editor.save_draft_now() or not editor.current_state().exists:
            self._show_message("There is nothing to print yet: write the note first.")
            return
        note_id = editor.note_id
        from casedesk.services import printing

        self._preview(lambda s: printing.note_pdf(s, note_id, action=None))

    def _ask_quarter(self, title: str, client_id: str | None) -> str | None:
        from casedesk.services import quarterly as quarterly_service

        labels, suggested = self._context.run_now(lambda s: quarterly_service.quarter_choices(s, client_id))
        return self.ask_choice(self._window, title, "Quarter (like 2026Q3):", labels, suggested, True)

    def on_print_quarterly(self) -> None:
        ws = self._current_workspace()
        if ws is None:
            self._show_message("Open a client first (Ctrl+F to find one), then print a quarterly report.")
            return
        client_id = ws.client_id
        label = self._ask_quarter("Print quarterly report", client_id)
        if label is None:
            return
        from casedesk.services import printing

        self._preview(lambda s: printing.client_quarter_pdf(s, client_id, label, action=None, store_draft=False))

    def on_print_batch(self) -> None:
        label = self._ask_quarter("Print all quarterly reports", None)
        if label is None:
            return
        from casedesk.services import printing

        self._preview(lambda s: printing.quarterly_batch_pdf(s, label, action=None)[0])

    def on_print_due(self) -> None:
        from casedesk.services import printing

        self._preview(lambda s: printing.due_list_pdf(s, within_days=DUE_WITHIN_DAYS, action=None))

    def on_print_blank_form(self) -> None:
        from casedesk.services import printing
        from casedesk.services.forms import available_form_keys

        keys = self._context.run_now(available_form_keys)
        key = self.ask_choice(self._window, "Print blank form", "Form:", keys, 0, False)
        if key is None:
            return
        self._preview(lambda s: printing.blank_form_pdf(s, key, action=None))

"""Printing from the window: preview pages, print to a (PDF) printer, Save as PDF, Open in viewer,
the Reports menu. Documents are audited only once printed or saved; viewer copies go on lock."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casedesk.db.models import AuditEvent, Client, ProgressNote, QuarterlyReport
from casedesk.services import printing

pytestmark = pytest.mark.gui


def _last_event(context: Any) -> AuditEvent:
    return context.run_now(
        lambda s: s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    )


def _signed_note(context: Any) -> tuple[str, str]:
    row = context.run_now(
        lambda s: s.execute(
            select(ProgressNote.client_id, ProgressNote.id).where(ProgressNote.status == "signed").limit(1)
        ).one()
    )
    return str(row[0]), str(row[1])


def test_preview_then_print_save_and_view(qtbot: Any, unlocked: Any, tmp_path: Path) -> None:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QWidget

    from casedesk.gui.printing.service import PrintService

    parent = QWidget()
    qtbot.addWidget(parent)
    service = PrintService(unlocked, parent)
    _client_id, note_id = _signed_note(unlocked)
    before = _last_event(unlocked).seq

    service.show_preview(lambda s: printing.note_pdf(s, note_id, action=None))
    qtbot.waitUntil(lambda: service.dialog is not None)
    dialog = service.dialog
    assert dialog is not None
    pages = len(PdfReader(io.BytesIO(dialog.document.pdf)).pages)
    assert dialog.page_label.text() == f"of {pages}"
    assert not dialog.page_view.pixmap().isNull()
    if pages > 1:
        dialog.next_button.click()
        assert dialog.page_spin.value() == 2 and dialog.current_page == 1
    assert _last_event(unlocked).seq == before  # a preview is not a print

    printed = tmp_path / "printed.pdf"

    def pdf_printer(printer: QPrinter, count: int, _parent: object) -> bool:
        assert count == pages
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    service.ask_printer = pdf_printer
    dialog.print_button.click()
    assert len(PdfReader(str(printed)).pages) == pages
    event = _last_event(unlocked)
    assert (event.action, event.record_type, event.record_id) == ("print", "progress_note", note_id)

    saved = tmp_path / "saved.pdf"
    service.ask_save_path = lambda _parent, suggested: str(saved) if suggested == "progress-note.pdf" else None
    dialog.save_button.click()
    assert saved.read_bytes() == dialog.document.pdf
    assert saved.stat().st_mode & 0o777 == 0o600
    assert _last_event(unlocked).action == "export"

    opened: list[Any] = []
    service.open_url = lambda url: opened.append(url) or True
    dialog.open_button.click()
    viewed = Path(opened[0].toLocalFile())
    assert viewed.read_bytes() == dialog.document.pdf and viewed.stat().st_mode & 0o777 == 0o600
    assert service.viewer_folder is not None and viewed.parent == service.viewer_folder
    assert "Zoë" not in viewed.name and note_id not in viewed.name

    unlocked.lock()  # the preview closes and the viewer copy is removed
    assert not viewed.exists() and not viewed.parent.exists()
    assert service.dialog is None or not service.dialog.isVisible()


def test_cancelled_print_dialog_prints_nothing(qtbot: Any, unlocked: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from casedesk.gui.printing.service import PrintService

    parent = QWidget()
    qtbot.addWidget(parent)
    service = PrintService(unlocked, parent)
    _client_id, note_id = _signed_note(unlocked)
    document = unlocked.run_now(lambda s: printing.note_pdf(s, note_id, action=None))
    before = _last_event(unlocked).seq
    service.ask_printer = lambda _printer, _count, _parent: False
    assert service.print_document(document) is False
    service.ask_save_path = lambda _parent, _suggested: None
    assert service.save_document(document) is None
    assert _last_event(unlocked).seq == before


def test_reports_menu_prints_note_quarterly_batch_and_due_list(qtbot: Any, window: Any) -> None:
    actions = window.print_actions
    titles = [a.text() for a in window.menuBar().actions()]
    assert "&Reports" in titles and titles.index("&Reports") < titles.index("&View")
    service = actions.service
    context = window.context

    def preview_of(trigger: Any) -> Any:
        if service.dialog is not None:
            service.dialog.done(0)
        qtbot.waitUntil(lambda: service.dialog is None)
        trigger()
        qtbot.waitUntil(lambda: service.dialog is not None, timeout=20000)
        return service.dialog.document

    # Without an open client or note the worker is told what to do.
    actions.print_quarterly_action.trigger()
    assert "Open a client first" in window.statusBar().currentMessage()

    assert preview_of(actions.print_due_action.trigger).kind == "due_list"

    chosen: list[tuple[str, ...]] = []

    def pick(_parent: object, _title: str, _prompt: str, choices: Any, current: int, _editable: bool) -> str:
        chosen.append(tuple(choices))
        return str(choices[current])

    actions.ask_choice = pick
    batch = preview_of(actions.print_batch_action.trigger)
    clients = context.run_now(lambda s: s.execute(select(func.count()).select_from(Client)).scalar_one())
    assert batch.kind == "quarterly_batch" and batch.parts == clients

    client_id, note_id = _signed_note(context)
    reports_before = context.run_now(
        lambda s: s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one()
    )
    window.open_note(client_id, note_id)
    qtbot.waitUntil(
        lambda: window.current_workspace() is not None and window.current_workspace().current_editor() is not None
    )
    note = preview_of(actions.print_note_action.trigger)
    assert (note.kind, note.record_id) == ("progress_note", note_id)
    quarterly = preview_of(actions.print_quarterly_action.trigger)
    assert quarterly.kind == "quarterly_report" and quarterly.audit_detail["quarter"] == chosen[-1][1]
    reports_after = context.run_now(lambda s: s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one())
    assert reports_after == reports_before  # printing stores nothing

    form = preview_of(actions.print_blank_form_action.trigger)
    assert form.kind == "blank_form" and not form.draft

    window.lock()
    assert not actions.print_note_action.isEnabled()

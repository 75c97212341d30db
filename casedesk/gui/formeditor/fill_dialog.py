"""FormFillDialog: fill agency forms for one client: start, resume, sign, finalise, print.

Each response keeps the form version it was started under. Drafts save on "Save draft", a few seconds
after the last change, and when the dialog closes. "Finalise" stays disabled while any answer has a
problem; finalising locks the response. A draft started under an older version can be moved to the
newest published version on request (the dialog lists any answers that could not move).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from casedesk.errors import CaseDeskError
from casedesk.forms import FormResult
from casedesk.gui.formeditor.access import StoreSource, store_getter
from casedesk.gui.formeditor.filler import FormFiller
from casedesk.services import forms as form_service

AUTOSAVE_MS = 3000
ROLE_LABELS = {
    "worker": "Case manager",
    "client": "Client",
    "guardian": "Guardian",
    "supervisor": "Supervisor",
    "other": "Other",
}


class SignDialog(QDialog):
    """Who signs, in what role, and how: on paper (wet) or drawn on screen (when a pad is available)."""

    def __init__(self, field_label: str, default_name: str, can_draw: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Sign: {field_label}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(default_name, self)
        self.name_edit.setAccessibleName("Name of the person signing")
        self.role_combo = QComboBox(self)
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role)
        form.addRow("Signed by", self.name_edit)
        form.addRow("Role", self.role_combo)
        layout.addLayout(form)
        self.paper = QRadioButton("Signed on the printed paper form (wet signature)", self)
        self.drawn = QRadioButton("Draw the signature on screen", self)
        self.paper.setChecked(True)
        self.drawn.setEnabled(can_draw)
        if not can_draw:
            self.drawn.setToolTip("Drawing signatures needs the signature pad of the notes editor.")
        layout.addWidget(self.paper)
        layout.addWidget(self.drawn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def signer_name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def signer_role(self) -> str:
        return str(self.role_combo.currentData())

    @property
    def method(self) -> str:
        return "drawn" if self.drawn.isChecked() else "wet"


def _drawn_signature(label: str, name: str, parent: QWidget) -> tuple[str, str, bytes, list[Any]] | None:
    """Capture a drawn signature with the notes editor's pad (name, role, PNG, strokes), when present."""
    try:
        from casedesk.gui.notes.signature_pad import SignatureDialog
    except ImportError:
        return None
    dialog = SignatureDialog(label, name, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.png is None:
        return None
    return str(dialog.signer_name), str(dialog.signer_role), bytes(dialog.png), list(dialog.strokes)


def drawing_available() -> bool:
    try:
        import casedesk.gui.notes.signature_pad  # noqa: F401
    except ImportError:
        return False
    return True


class FormFillDialog(QDialog):
    """Fill forms for one client. ``FormFillDialog(store, client_id, parent)``; ``exec()`` or ``show()``.

    ``open_response(id)`` resumes a response, ``start(key)`` starts one under the newest published
    version. ``ask`` / ``tell`` show confirmations and messages (replaceable, as in the editor pane).
    """

    def __init__(self, store: StoreSource, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store_getter(store)
        self.client_id = client_id
        self.response_id: str | None = None
        self.detail: form_service.ResponseDetail | None = None
        self.ask: Callable[[str, str], bool] = self._ask
        self.tell: Callable[[str, str, str], None] = self._tell
        self._dirty = False
        self._newest: dict[str, int] = {}
        self.setWindowTitle("Forms")
        self.resize(1000, 720)
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.save_draft)
        self._build()
        self.reload()

    # --- layout -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.client_label = QLabel(self)
        font = self.client_label.font()
        font.setBold(True)
        self.client_label.setFont(font)
        top.addWidget(self.client_label, 1)
        top.addWidget(QLabel("Start a form:", self))
        self.form_combo = QComboBox(self)
        self.form_combo.setAccessibleName("Form to start")
        top.addWidget(self.form_combo)
        self.start_button = QPushButton("Start", self)
        self.start_button.clicked.connect(self.on_start)
        top.addWidget(self.start_button)
        outer.addLayout(top)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(splitter, 1)
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("This client's forms", left))
        self.response_list = QListWidget(left)
        self.response_list.setAccessibleName("This client's forms")
        self.response_list.itemActivated.connect(self.on_response_chosen)
        self.response_list.itemClicked.connect(self.on_response_chosen)
        left_layout.addWidget(self.response_list)
        right = QWidget(splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(right)
        self.title.setWordWrap(True)
        right_layout.addWidget(self.title)
        self.filler = FormFiller(right)
        self.filler.setAccessibleName("Form")
        self.filler.sig_answers_changed.connect(self.on_answers_changed)
        self.filler.sig_result_changed.connect(self.on_result)
        self.filler.sig_sign_requested.connect(self.request_signature)
        self.filler.sig_clear_signature_requested.connect(self.clear_signature)
        right_layout.addWidget(self.filler, 1)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([280, 720])

        bottom = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setAccessibleName("Form status")
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.show_problems_button = QPushButton("Show problems", self)
        self.show_problems_button.clicked.connect(self.on_show_problems)
        self.migrate_button = QPushButton("Move to newest version…", self)
        self.migrate_button.clicked.connect(self.migrate)
        self.pdf_button = QPushButton("Save PDF…", self)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.save_button = QPushButton("Save draft", self)
        self.save_button.clicked.connect(self.save_draft)
        self.finalise_button = QPushButton("Finalise…", self)
        self.finalise_button.clicked.connect(self.finalise)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.accept)
        for button in (
            self.show_problems_button,
            self.migrate_button,
            self.pdf_button,
            self.save_button,
            self.finalise_button,
            self.close_button,
        ):
            bottom.addWidget(button)
        outer.addLayout(bottom)

    # --- lists ------------------------------------------------------------------------------------
    def reload(self) -> None:
        with self.store().session() as s:
            templates = form_service.list_templates(s)
            responses = form_service.list_responses(s, self.client_id)
            context = form_service.fill_context(s, self.client_id)
        self.client_label.setText(f"Forms for {context.client.get('name', '')}")
        self._newest = {t.key: t.published_version for t in templates if t.published_version is not None}
        current = self.form_combo.currentData()
        self.form_combo.clear()
        for template in templates:
            if template.published_version is not None:
                self.form_combo.addItem(template.name, template.key)
        if current is not None and self.form_combo.findData(current) >= 0:
            self.form_combo.setCurrentIndex(self.form_combo.findData(current))
        self.start_button.setEnabled(self.form_combo.count() > 0)
        self._show_responses(responses)
        self._update_buttons()

    def _show_responses(self, responses: Sequence[form_service.ResponseSummary]) -> None:
        self.response_list.clear()
        for summary in responses:
            when = (summary.finalised_at or summary.updated_at).astimezone().strftime("%Y-%m-%d %H:%M")
            state = "final" if summary.is_final else "draft"
            item = QListWidgetItem(f"{summary.form_name} (v{summary.template_version}) — {state}, {when}")
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            self.response_list.addItem(item)
            if summary.id == self.response_id:
                self.response_list.setCurrentItem(item)

    # --- responses --------------------------------------------------------------------------------
    def on_start(self) -> None:
        key = self.form_combo.currentData()
        if isinstance(key, str):
            self.start(key)

    def start(self, key: str) -> str | None:
        """Start a new response for the client under the form's newest published version."""
        if not self._leave_current():
            return None
        try:
            with self.store().session() as s:
                response_id = form_service.start_response(s, self.client_id, key)
        except CaseDeskError as err:
            self.tell("The form was not started", str(err), "")
            return None
        self.open_response(response_id)
        self.reload()
        return response_id

    def on_response_chosen(self, item: QListWidgetItem) -> None:
        response_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(response_id, str) and response_id != self.response_id and self._leave_current():
            self.open_response(response_id)

    def open_response(self, response_id: str) -> None:
        with self.store().session() as s:
            detail = form_service.get_response(s, response_id)
            context = form_service.fill_context(s, detail.client_id)
        self.response_id = response_id
        self.detail = detail
        self._dirty = False
        self.filler.set_form(detail.definition, detail.answers, context, read_only=detail.is_final)
        self.filler.set_signing_available(not detail.is_final)
        self.filler.set_signature_texts(self._signature_texts(detail))
        self.filler.show_all_issues(False)
        self.title.setText(self._title_text(detail))
        self._update_buttons()

    def _title_text(self, detail: form_service.ResponseDetail) -> str:
        text = f"{detail.definition.name} — version {detail.template_version}"
        if detail.is_final:
            finalised = detail.finalised_at.astimezone().strftime("%Y-%m-%d %H:%M") if detail.finalised_at else ""
            return f"{text}. Final (locked) since {finalised}; content hash {detail.content_hash}."
        newest = self._newest.get(detail.template_key)
        if newest is not None and newest > detail.template_version:
            text += f". Version {newest} of this form is newer; the draft stays on version {detail.template_version} until you move it."
        return text

    @staticmethod
    def _signature_texts(detail: form_service.ResponseDetail) -> dict[str, str]:
        texts = {}
        for path, info in detail.signatures.items():
            when = info.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
            how = "on paper" if info.method == "wet" else "on screen"
            texts[path] = (
                f"Signed {how} by {info.signer_name} ({ROLE_LABELS.get(info.signer_role, info.signer_role)}), {when}"
            )
        return texts

    def _leave_current(self) -> bool:
        if self._dirty and self.detail is not None and not self.detail.is_final:
            return self.save_draft()
        return True

    # --- editing ----------------------------------------------------------------------------------
    def on_answers_changed(self) -> None:
        if self.detail is None or self.detail.is_final:
            return
        self._dirty = True
        self._autosave.start()
        self._update_buttons()

    def on_result(self, result: object) -> None:
        self._update_buttons()

    def on_show_problems(self) -> None:
        self.filler.show_all_issues(True)
        self.filler.focus_first_issue()

    def save_draft(self) -> bool:
        """Store the answers (whatever their problems). Returns True when stored."""
        self._autosave.stop()
        if self.response_id is None or self.detail is None or self.detail.is_final:
            return False
        if not self._dirty:
            return True
        try:
            with self.store().session() as s:
                form_service.save_answers(s, self.response_id, self.filler.answers())
        except CaseDeskError as err:
            self.tell("The draft was not saved", str(err), "")
            return False
        self._dirty = False
        self._update_buttons()
        return True

    def finalise(self) -> bool:
        """Finalise after a confirmation. Only possible when every relevant answer is valid."""
        if self.response_id is None or self.detail is None or self.detail.is_final:
            return False
        if not self._can_finalise():
            self.on_show_problems()
            return False
        if not self.ask(
            "Finalise this form?",
            "Finalising locks the form: its answers can no longer be changed, and it prints without the DRAFT "
            "mark. Finalise now?",
        ):
            return False
        if not self.save_draft():
            return False
        try:
            with self.store().session() as s:
                form_service.finalise_response(s, self.response_id)
        except CaseDeskError as err:
            self.tell("The form was not finalised", str(err), "")
            return False
        self.open_response(self.response_id)
        self.reload()
        return True

    def migrate(self) -> bool:
        if self.response_id is None or self.detail is None or self.detail.is_final:
            return False
        newest = self._newest.get(self.detail.template_key)
        if newest is None or newest <= self.detail.template_version:
            return False
        if not self.ask(
            f"Move to version {newest}?",
            f"Move this draft from version {self.detail.template_version} to version {newest} of the form? "
            "Answers to questions that still exist are kept; CaseDesk lists the ones that cannot move.",
        ):
            return False
        if not self.save_draft():
            return False
        try:
            with self.store().session() as s:
                outcome = form_service.migrate_response(s, self.response_id)
        except CaseDeskError as err:
            self.tell("The draft was not moved", str(err), "")
            return False
        self.open_response(self.response_id)
        self.reload()
        if outcome.dropped:
            details = "\n".join(f"{d.path}: {d.reason}" for d in outcome.dropped)
            self.tell(
                f"Moved to version {outcome.to_version}",
                f"{len(outcome.dropped)} answer(s) could not move to version {outcome.to_version}; see the details.",
                details,
            )
        return True

    # --- signatures -------------------------------------------------------------------------------
    def request_signature(self, path: str) -> None:
        if self.detail is None:
            return
        label = self.detail.definition.field(path.split(".")[-1]).label or path
        dialog = SignDialog(label, "", drawing_available(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if dialog.method == "drawn":
            drawn = _drawn_signature(label, dialog.signer_name, self)
            if drawn is None:
                return
            name, role, png, strokes = drawn
            self.sign_field(path, name, role, "drawn", png, strokes)
        else:
            self.sign_field(path, dialog.signer_name, dialog.signer_role, "wet")

    def sign_field(
        self,
        path: str,
        signer_name: str,
        signer_role: str,
        method: str,
        image_png: bytes | None = None,
        strokes: Sequence[Any] = (),
    ) -> bool:
        """Store a signature for the field at ``path`` (the draft's answers are saved first)."""
        if self.response_id is None or not self.save_draft():
            return False
        try:
            with self.store().session() as s:
                form_service.attach_signature(
                    s,
                    self.response_id,
                    path,
                    signer_name=signer_name,
                    signer_role=signer_role,
                    method=method,
                    image_png=image_png,
                    strokes=strokes,
                )
        except CaseDeskError as err:
            self.tell("The signature was not stored", str(err), "")
            return False
        self.open_response(self.response_id)
        return True

    def clear_signature(self, path: str) -> None:
        if self.response_id is None or not self.save_draft():
            return
        if not self.ask("Remove the signature?", "Remove this signature from the draft?"):
            return
        try:
            with self.store().session() as s:
                form_service.clear_signature(s, self.response_id, path)
        except CaseDeskError as err:
            self.tell("The signature was not removed", str(err), "")
            return
        self.open_response(self.response_id)

    # --- printing ---------------------------------------------------------------------------------
    def save_pdf(self, path: str | Path | None = None) -> Path | None:
        if self.response_id is None:
            return None
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(self, "Save the form as PDF", "", "PDF files (*.pdf)")
            if not chosen:
                return None
            path = chosen
        if self.detail is not None and not self.detail.is_final and not self.save_draft():
            return None
        target = Path(path)
        try:
            with self.store().session() as s:
                form_service.render_response_pdf(s, self.response_id, target)
        except CaseDeskError as err:
            self.tell("The PDF was not written", str(err), "")
            return None
        return target

    # --- state ------------------------------------------------------------------------------------
    def _can_finalise(self) -> bool:
        result: FormResult | None = self.filler.result
        return result is not None and not result.issues

    def _update_buttons(self) -> None:
        detail = self.detail
        draft = detail is not None and not detail.is_final
        result = self.filler.result
        problems = len(result.issues) if result is not None else 0
        self.save_button.setEnabled(draft and self._dirty)
        self.finalise_button.setEnabled(draft and problems == 0)
        self.show_problems_button.setEnabled(draft and problems > 0)
        self.pdf_button.setEnabled(detail is not None)
        newest = self._newest.get(detail.template_key) if detail is not None else None
        self.migrate_button.setVisible(
            draft and newest is not None and detail is not None and newest > detail.template_version
        )
        if detail is None:
            self.status.setText("Start a form or open one of this client's forms.")
        elif detail.is_final:
            self.status.setText("Final: locked. It can be printed but not changed.")
        elif problems:
            self.status.setText(f"{problems} answer(s) need attention before the form can be finalised.")
        else:
            saved = "unsaved changes" if self._dirty else "saved"
            self.status.setText(f"Ready to finalise ({saved}).")

    def done(self, result: int) -> None:
        self.save_draft()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        super().closeEvent(event)

    # --- dialogs (replaceable) --------------------------------------------------------------------
    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.exec()

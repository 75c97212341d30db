"""`casedesk --self-test`: prove an installation works, from a source checkout, a wheel or the bundle.

Each check prints one line: "ok    <what>: <detail>" or "FAIL  <what>: <reason>". Exit code 0 when every
check passed, 1 otherwise. Everything happens in a temporary folder that is removed afterwards; the only
"client" is a made-up self-test record, so no client data is read or written anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

SELF_TEST_PASSPHRASE = "self-test passphrase that is long enough 42"
REQUIRED_RESOURCES: tuple[tuple[str, ...], ...] = (
    ("fonts", "DejaVuSans.ttf"),
    ("fonts", "DejaVu-LICENSE.txt"),
    ("icons", "casedesk.svg"),
    ("forms", "intake_face_sheet.json"),
    ("help", "index.html"),
    ("translations", "casedesk_es.qm"),
    ("linux", "casedesk.desktop"),
    ("spelling", "field_words.txt"),
)


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


class CheckFailed(Exception):
    """A check ran and found a problem (the message says which)."""


@dataclass
class SelfTest:
    """Runs the checks in order; a check that depends on an earlier failed one is reported as failed."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    outcomes: list[CheckOutcome] = field(default_factory=list)

    def check(self, name: str, probe: Callable[[], str]) -> bool:
        try:
            detail = probe()
            outcome = CheckOutcome(name, True, detail)
        except Exception as exc:  # a self-test reports every failure, whatever raised it
            reason = str(exc) if isinstance(exc, CheckFailed) else f"{type(exc).__name__}: {exc}"
            outcome = CheckOutcome(name, False, reason.splitlines()[0] if reason else type(exc).__name__)
        self.outcomes.append(outcome)
        print(outcome.line(), file=self.out, flush=True)
        return outcome.ok

    def skip_after(self, name: str, cause: str) -> None:
        outcome = CheckOutcome(name, False, f"not run: {cause} failed")
        self.outcomes.append(outcome)
        print(outcome.line(), file=self.out, flush=True)

    @property
    def passed(self) -> bool:
        return all(o.ok for o in self.outcomes)


# ---- checks without Qt ---------------------------------------------------------------------------------


def check_version() -> str:
    from casedesk import __version__

    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    return f"CaseDesk {__version__}, Python {sys.version.split()[0]}{frozen}"


def check_resources() -> str:
    from casedesk.resources import resource_path, resources_dir

    missing = []
    for parts in REQUIRED_RESOURCES:
        try:
            resource_path(*parts)
        except FileNotFoundError:
            missing.append("/".join(parts))
    if missing:
        raise CheckFailed(f"missing {', '.join(missing)} in {resources_dir()}")
    return f"{len(REQUIRED_RESOURCES)} found in {resources_dir()}"


def check_spelling() -> str:
    """The word lists the note editors check against (data files of pyspellchecker) are there."""
    from casedesk.services.spelling import WORD_LISTS, Dictionary

    for language in sorted(set(WORD_LISTS.values())):
        dictionary = Dictionary.load(language)
        word, typo = {"en": ("medication", "medicaton"), "es": ("medicamento", "medicamneto")}[language]
        if not dictionary.known(word) or dictionary.known(typo):
            raise CheckFailed(f"the {language} word list does not read as expected")
    return f"word lists: {', '.join(sorted(set(WORD_LISTS.values())))}"


def check_sqlcipher() -> str:
    import sqlcipher3

    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    if not row or not row[0]:
        raise CheckFailed("the SQLite library has no SQLCipher encryption")
    return f"SQLCipher {row[0]}"


@dataclass
class ProfileRun:
    """State shared by the profile checks: the open store and what was written."""

    root: Path
    store: Any = None
    note_id: str | None = None


def check_profile(run: ProfileRun) -> str:
    from casedesk.db.store import Store

    store, _recovery = Store.create(
        run.root / "profile", SELF_TEST_PASSPHRASE, agency_name="Self-test agency", worker_name="Self-test worker"
    )
    run.store = store
    header = store.paths.database.read_bytes()[:16]
    if header.startswith(b"SQLite format 3"):
        raise CheckFailed("the database file is not encrypted")
    return "temporary profile created, database encrypted, migrations at head"


def check_note(run: ProfileRun) -> str:
    from casedesk.services import clients, notes

    store = run.store
    with store.session() as s:
        client_id = clients.create_client(s, first_name="Self", last_name="Test")
        note_id = notes.create_draft(
            s,
            notes.NoteInput(
                client_id=client_id,
                contact_start=dt.datetime(2024, 3, 4, 10, 0, tzinfo=dt.UTC),
                duration_minutes=45,
                contact_type="phone",
                template="dap",
                body={"data": "Self-test data.", "assessment": "Self-test assessment.", "plan": "Self-test plan."},
            ),
        )
    with store.session() as s:
        digest = notes.sign_note(s, note_id)
    with store.read_session() as s:
        if not notes.verify_note_hash(s, note_id):
            raise CheckFailed("the signed note does not match its content hash")
    run.note_id = note_id
    return f"note written and signed (sha256 {digest[:12]}…)"


def check_pdf(run: ProfileRun) -> str:
    from casedesk.reports import (
        AgencyInfo,
        ClientInfo,
        NoteTemplate,
        ProgressNoteDoc,
        SignedStamp,
        note_sections,
        render_progress_note,
    )
    from casedesk.services import notes

    assert run.note_id is not None
    with run.store.read_session() as s:
        detail = notes.get_note(s, run.note_id, audit_view=False)
    template = NoteTemplate(detail.template)
    start = detail.contact_start
    doc = ProgressNoteDoc(
        agency=AgencyInfo(name="Self-test agency"),
        client=ClientInfo(name="Self Test"),
        worker_name=detail.signer_name or "Self-test worker",
        contact_date=start.date(),
        start_time=start.time().replace(tzinfo=None),
        duration_minutes=detail.duration_minutes,
        contact_type=detail.contact_type,
        template=template,
        sections=note_sections(template, detail.body),
        signed=SignedStamp(
            signer_name=detail.signer_name or "Self-test worker",
            signed_at=detail.signed_at or start,
            content_hash=detail.content_hash or "",
        ),
    )
    target = run.root / "note.pdf"
    render_progress_note(doc, target)
    data = target.read_bytes()
    if not data.startswith(b"%PDF") or b"%%EOF" not in data[-64:]:
        raise CheckFailed("the PDF file is incomplete")
    return f"progress note PDF rendered ({len(data) // 1024} KB, DejaVu fonts embedded)"


def check_integrity(run: ProfileRun) -> str:
    results = run.store.check()
    bad = [f"{r.name} ({r.message})" for r in results if not r.ok]
    if bad:
        raise CheckFailed("; ".join(bad))
    return ", ".join(r.name for r in results)


def check_keyring() -> str:
    from casedesk.vault import keychain

    return f"backend {keychain.backend_name() or 'none'}"


# ---- Qt checks -----------------------------------------------------------------------------------------


def choose_qt_platform(env: dict[str, str] | os._Environ[str], platform: str = sys.platform) -> str | None:
    """The QT_QPA_PLATFORM to force for the self-test: offscreen on Linux without a display, else None."""
    if env.get("QT_QPA_PLATFORM"):
        return None
    if platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return "offscreen"
    return None


def check_qt_widget(root: Path) -> str:
    forced = choose_qt_platform(os.environ)
    if forced:
        os.environ["QT_QPA_PLATFORM"] = forced
    from PySide6.QtCore import QCoreApplication, qVersion
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QLabel

    from casedesk.resources import resource_path

    app = QCoreApplication.instance() or QApplication(["casedesk-self-test"])
    if not isinstance(app, QApplication):
        raise CheckFailed("a non-GUI Qt application is already running")
    label = QLabel("CaseDesk self-test")
    label.resize(200, 40)
    image = label.grab().toImage()
    if image.isNull() or image.width() < 1:
        raise CheckFailed("a widget could not be rendered")
    icon = QIcon(str(resource_path("icons", "casedesk.svg")))
    if icon.pixmap(48, 48).isNull():
        raise CheckFailed("the SVG icon could not be drawn (Qt svg image format plugin missing)")
    return f"Qt {qVersion()} on the {QApplication.platformName()} platform: widget and SVG icon rendered"


def check_print_support(root: Path) -> str:
    from PySide6.QtGui import QPageSize, QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    target = root / "qt-print.pdf"
    printer.setOutputFileName(str(target))
    painter = QPainter()
    if not painter.begin(printer):
        raise CheckFailed("could not start printing to a PDF file")
    painter.drawText(100, 100, "CaseDesk self-test")
    painter.end()
    if not target.is_file() or not target.read_bytes().startswith(b"%PDF"):
        raise CheckFailed("Qt printing produced no PDF")
    printers = len(QPrinterInfo.availablePrinters())
    return f"QtPrintSupport loaded, printed a test page to PDF ({printers} printer(s) installed)"


def check_translations() -> str:
    from PySide6.QtCore import QTranslator

    from casedesk.gui.i18n import translation_file

    translator = QTranslator()
    path = translation_file("es")
    if path is None or not translator.load(str(path)):
        raise CheckFailed("the Spanish translation could not be loaded")
    sample = translator.translate("MainWindow", "&Help")
    if not sample or sample == "&Help":
        raise CheckFailed("the Spanish translation has no text for the main window")
    return f"Spanish interface loads ({path.name})"


# ---- driver --------------------------------------------------------------------------------------------


@contextmanager
def _temporary_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="casedesk-selftest-") as name:
        yield Path(name)


def run_self_test(out: TextIO | None = None) -> int:
    test = SelfTest(out=out or sys.stdout)
    test.check("version", check_version)
    test.check("resources", check_resources)
    test.check("sqlcipher", check_sqlcipher)
    test.check("spelling", check_spelling)
    with _temporary_root() as root:
        run = ProfileRun(root)
        try:
            steps: list[tuple[str, Callable[[], str]]] = [
                ("encrypted profile", lambda: check_profile(run)),
                ("note signed", lambda: check_note(run)),
                ("pdf", lambda: check_pdf(run)),
                ("integrity checks", lambda: check_integrity(run)),
            ]
            failed: str | None = None
            for name, probe in steps:
                if failed is not None:
                    test.skip_after(name, failed)
                elif not test.check(name, probe):
                    failed = name
        finally:
            if run.store is not None:
                run.store.close()
        test.check("keyring", check_keyring)
        if test.check("qt widgets", lambda: check_qt_widget(root)):
            test.check("qt print support", lambda: check_print_support(root))
            test.check("translations", check_translations)
        else:
            test.skip_after("qt print support", "qt widgets")
            test.skip_after("translations", "qt widgets")
    passed = sum(o.ok for o in test.outcomes)
    print(f"self-test: {passed} passed, {len(test.outcomes) - passed} failed", file=test.out)
    return 0 if test.passed else 1

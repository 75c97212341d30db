"""Help window, About, shortcuts, diagnostics from the menu, the first-run CSV import, the Spanish interface."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

PASSPHRASE = "packaging tests passphrase 2024"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[object]:
    from casedesk.db.store import Store

    opened, _recovery = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test agency", worker_name="Worker")
    yield opened
    opened.close()


@pytest.fixture
def ops(qapp: object) -> Iterator[object]:
    from casedesk.gui.ops import OpRunner

    runner = OpRunner()
    yield runner
    runner.wait()


def _client_count(store: object) -> int:
    from casedesk.db.models import Client

    with store.read_session() as s:  # type: ignore[attr-defined]
        return s.query(Client).count()


# ---- help -------------------------------------------------------------------------------------------------


def test_user_guide_opens_the_shipped_html(qtbot: object) -> None:
    from casedesk.gui.help.windows import HelpWindow

    window = HelpWindow()
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    window.show()
    text = window.browser.toPlainText()
    assert "CaseDesk user guide" in text
    assert "Importing clients from a spreadsheet" in text


def test_about_lists_font_and_library_licences(qtbot: object) -> None:
    from casedesk.gui.help.windows import AboutDialog

    dialog = AboutDialog("/tmp/profile")
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    libraries = dialog.libraries.toPlainText()
    assert "PySide6-Essentials" in libraries and "LGPL-3.0-only" in libraries
    assert "SQLAlchemy" in libraries and "reportlab" in libraries
    fonts = dialog.fonts.toPlainText()
    assert "Bitstream Vera" in fonts
    assert "CaseDesk 0.1.0" in dialog.summary.text()


def test_shortcuts_list_and_diagnostics_from_the_main_window(qtbot: object, tmp_path: Path, store: object) -> None:
    from PySide6.QtCore import QSettings

    from casedesk.gui.context import AppContext
    from casedesk.gui.main_window import MainWindow

    context = AppContext(tmp_path / "profile")
    context.attach(store)  # type: ignore[arg-type]
    window = MainWindow(context, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    dialog = window.help_menu.show_shortcuts()
    rows = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert rows["Lock now"] == "Ctrl+L"
    assert rows["User guide"] == "F1"
    about = window.help_menu.show_about()
    assert about.windowTitle() == "About CaseDesk"

    target = tmp_path / "diag.txt"
    window.help_menu.write_diagnostics(target)
    qtbot.waitUntil(lambda: target.exists())  # type: ignore[attr-defined]
    text = target.read_text()
    assert "units_rule = cms8" in text and "CaseDesk diagnostic report" in text
    context.ops.wait()
    context.store = None  # the fixture closes the store


# ---- first-run CSV import ---------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(["Given Name,Surname,DOB,Case Number", *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_import_with_a_bad_row_imports_nothing_and_lists_the_row(
    qtbot: object, tmp_path: Path, store: object, ops: object
) -> None:
    from casedesk.gui.firstrun.import_dialog import ImportClientsDialog

    dialog = ImportClientsDialog(store, ops)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    csv_file = _write_csv(tmp_path / "clients.csv", ["Ana,Lopez,1980-02-03,R1", "Ben,Ortiz,31/31/1990,R2", "Cy,Ng,,R3"])
    dialog.load_file(csv_file)
    assert dialog.mapping() == {
        "Given Name": "first_name",
        "Surname": "last_name",
        "DOB": "dob",
        "Case Number": "record_number",
    }
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.errors_list.count() > 0)  # type: ignore[attr-defined]
    assert dialog.errors_list.item(0).text().startswith("row 3: ")
    assert "31/31/1990" in dialog.errors_list.item(0).text()
    assert dialog.message_label.text().startswith("Nothing was imported")
    assert _client_count(store) == 0


def test_csv_import_mapping_is_editable_and_a_clean_file_imports_every_row(
    qtbot: object, tmp_path: Path, store: object, ops: object
) -> None:
    from casedesk.gui.firstrun.import_dialog import ImportClientsDialog

    dialog = ImportClientsDialog(store, ops)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.load_file(_write_csv(tmp_path / "ok.csv", ["Ana,Lopez,not a date,R1", "Ben,Ortiz,,R2"]))
    dob_combo = dialog.mapping_combos[2]
    dob_combo.setCurrentIndex(dob_combo.findData(""))  # ignore the DOB column
    last_combo = dialog.mapping_combos[1]
    last_combo.setCurrentIndex(last_combo.findData(""))
    assert not dialog.import_button.isEnabled()
    assert "Last name" in dialog.message_label.text()
    last_combo.setCurrentIndex(last_combo.findData("last_name"))
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.sig_imported, timeout=10000) as signal:  # type: ignore[attr-defined]
        dialog.import_button.click()
    assert signal.args == [2]
    assert _client_count(store) == 2


def test_first_run_wizard_ends_with_the_get_started_options(qtbot: object, tmp_path: Path) -> None:
    from casedesk.gui.context import AppContext
    from casedesk.gui.firstrun.page import GetStartedPage, demo_command
    from casedesk.gui.unlock.wizard import FirstRunWizard

    context = AppContext(tmp_path / "new-profile")
    wizard = FirstRunWizard(context)
    qtbot.addWidget(wizard)  # type: ignore[attr-defined]
    page = wizard.page(wizard.pageIds()[-1])
    assert isinstance(page, GetStartedPage)
    launched: list[list[str]] = []
    page._launch = launched.append
    page.demo_button.click()
    assert launched == [demo_command()]
    assert launched[0][-1] == "--demo"
    context.ops.wait()


# ---- translations -----------------------------------------------------------------------------------------


def test_switching_to_spanish_changes_visible_labels(qtbot: object, tmp_path: Path, qapp: object) -> None:
    from PySide6.QtCore import QSettings

    from casedesk.gui import i18n
    from casedesk.gui.context import AppContext
    from casedesk.gui.unlock.dialog import UnlockDialog
    from casedesk.gui.unlock.wizard import FirstRunWizard

    prefs = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    context = AppContext(tmp_path / "p")
    try:
        english = UnlockDialog(context)
        qtbot.addWidget(english)  # type: ignore[attr-defined]
        assert english.form.unlock_button.text() == "&Unlock"
        assert i18n.apply_choice(prefs, "es")
        assert i18n.remembered_language(prefs) == "es"
        spanish = UnlockDialog(context)
        qtbot.addWidget(spanish)  # type: ignore[attr-defined]
        assert spanish.form.unlock_button.text() == "&Desbloquear"
        assert spanish.windowTitle() == "CaseDesk — Desbloquear"
        wizard = FirstRunWizard(context)
        qtbot.addWidget(wizard)  # type: ignore[attr-defined]
        assert wizard.about_page.title() == "Bienvenido a CaseDesk"
    finally:
        i18n.install("en")
    again = UnlockDialog(context)
    qtbot.addWidget(again)  # type: ignore[attr-defined]
    assert again.form.unlock_button.text() == "&Unlock"
    context.ops.wait()


def test_remembered_language_is_installed_at_start_up(tmp_path: Path, qapp: object) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings

    from casedesk.gui import i18n

    prefs = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    assert i18n.install_remembered(prefs) == "en"
    i18n.remember_language(prefs, "es")
    try:
        assert i18n.install_remembered(prefs) == "es"
        assert QCoreApplication.translate("MainWindow", "&Help") == "A&yuda"
        assert QCoreApplication.translate("NoteEditor", "&Save draft") == "&Guardar borrador"
        assert QCoreApplication.translate("SpellingMenu", "Add “%1” to my dictionary") == "Añadir «%1» a mi diccionario"
    finally:
        i18n.install("en")
    with pytest.raises(ValueError, match="unknown interface language 'fr'"):
        i18n.remember_language(prefs, "fr")

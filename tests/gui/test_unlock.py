"""Unlocking: right and wrong passphrase, growing delay, damaged files, recovery key, first-run wizard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from casedesk.db.profile import ProfilePaths
from casedesk.db.store import Store
from casedesk.gui.context import AppContext
from casedesk.gui.unlock.form import UnlockForm
from casedesk.gui.unlock.wizard import FirstRunWizard

pytestmark = pytest.mark.gui


@pytest.fixture
def form(qtbot, context: AppContext) -> UnlockForm:
    widget = UnlockForm(context)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _try(qtbot, form: UnlockForm, passphrase: str) -> None:
    form.passphrase_edit.clear()
    qtbot.keyClicks(form.passphrase_edit, passphrase)
    qtbot.mouseClick(form.unlock_button, Qt.MouseButton.LeftButton)


def test_right_passphrase_unlocks(qtbot, form: UnlockForm) -> None:
    with qtbot.waitSignal(form.sig_unlocked, timeout=10000) as blocker:
        _try(qtbot, form, "demo")
    store = blocker.args[0]
    assert isinstance(store, Store)
    assert form.passphrase_edit.text() == ""  # the typed secret is not kept in the widget
    store.close()


def test_wrong_passphrase_explains_and_slows_down(qtbot, form: UnlockForm, context: AppContext) -> None:
    unlocked = []
    form.sig_unlocked.connect(unlocked.append)
    for attempt in range(1, 4):
        _try(qtbot, form, f"not it {attempt}")
        qtbot.waitUntil(lambda: form.error_label.isVisible() and form.passphrase_edit.isEnabled(), timeout=10000)
        assert "Wrong passphrase" in form.error_label.text()
    # after the third wrong try the button waits before the next try
    assert not form.unlock_button.isEnabled()
    assert form.unlock_button.text().startswith("Wait")
    assert ProfilePaths(context.data_dir).read_state()["failed_unlocks"] == 3
    # a new form (e.g. after restarting the app) keeps the delay
    again = UnlockForm(context)
    qtbot.addWidget(again)
    assert not again.unlock_button.isEnabled()
    qtbot.waitUntil(form.unlock_button.isEnabled, timeout=5000)
    assert unlocked == []


def test_demo_passphrase_is_shown_and_keyring_box_hidden_without_keyring(form: UnlockForm) -> None:
    assert form.demo_label.isVisible()
    assert "demo" in form.demo_label.text()
    # tests run with keyring's fail backend: "remember" must not be offered
    assert not form.remember_box.isVisible()


def test_damaged_database_is_reported_with_its_path(qtbot, form: UnlockForm, context: AppContext) -> None:
    db = ProfilePaths(context.data_dir).database
    size = db.stat().st_size
    db.write_bytes(b"\0" * size)
    _try(qtbot, form, "demo")
    qtbot.waitUntil(form.error_label.isVisible, timeout=10000)
    text = form.error_label.text()
    assert "cannot be opened" in text and str(db) in text
    assert db.read_bytes() == b"\0" * size  # untouched


def test_missing_key_file_is_reported(qtbot, form: UnlockForm, context: AppContext) -> None:
    ProfilePaths(context.data_dir).key_file.unlink()
    _try(qtbot, form, "demo")
    qtbot.waitUntil(form.error_label.isVisible, timeout=10000)
    assert "key file" in form.error_label.text().lower()


def test_recovery_key_unlocks_and_sets_a_new_passphrase(qtbot, qapp, tmp_path: Path) -> None:
    store, recovery = Store.create(tmp_path / "p", "first passphrase here")
    store.close()
    ctx = AppContext(tmp_path / "p")
    form = UnlockForm(ctx)
    qtbot.addWidget(form)
    form.show()
    qtbot.mouseClick(form.recovery_toggle, Qt.MouseButton.LeftButton)
    assert form.recovery_edit.isVisible() and not form.passphrase_edit.isVisible()
    qtbot.keyClicks(form.recovery_edit, recovery.lower())
    qtbot.keyClicks(form.new_edit, "a brand new passphrase")
    qtbot.keyClicks(form.confirm_edit, "a brand new passphrase")
    with qtbot.waitSignal(form.sig_unlocked, timeout=10000) as blocker:
        qtbot.mouseClick(form.unlock_button, Qt.MouseButton.LeftButton)
    blocker.args[0].close()
    Store.open(tmp_path / "p", passphrase="a brand new passphrase").close()


def test_first_run_wizard_creates_the_profile_and_shows_the_recovery_key_once(qtbot, qapp, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QWizard

    ctx = AppContext(tmp_path / "new")
    wizard = FirstRunWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    qtbot.keyClicks(wizard.about_page.name_edit, "Alex Morgan")
    qtbot.keyClicks(wizard.about_page.agency_edit, "Riverbend")
    assert next_button.isEnabled()
    wizard.next()

    page = wizard.passphrase_page
    create = wizard.button(QWizard.WizardButton.CommitButton)
    qtbot.keyClicks(page.passphrase_edit, "password")
    assert "common" in page.strength_label.text()
    assert not create.isEnabled()
    page.passphrase_edit.clear()
    qtbot.keyClicks(page.passphrase_edit, "kettle orbit maple 7 lantern")
    qtbot.keyClicks(page.confirm_edit, "kettle orbit maple 7 lantern")
    assert page.meter.value() >= 3
    assert create.isEnabled()
    qtbot.mouseClick(create, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=15000)

    key = wizard.recovery_page.key_edit.text()
    assert key.count("-") == 7 and wizard.recovery_page.key_edit.isReadOnly()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    wizard.reject()  # cannot walk away before confirming the key is stored
    assert wizard.isVisible()
    wizard.recovery_page.stored_box.setChecked(True)
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert wizard.store is not None
    with wizard.store.read_session() as s:
        assert wizard.store.current_worker(s).name == "Alex Morgan"
    wizard.store.close()
    # the key shown opens the profile
    Store.open(tmp_path / "new", recovery_key=key).close()


@pytest.mark.parametrize(
    ("error", "heading"),
    [
        ("WrongPassphraseError", "Not unlocked"),
        ("DatabaseDamagedError", "The database cannot be opened"),
        ("NewerVersionError", "This profile needs a newer CaseDesk"),
        ("KeyFileError", "The key file is missing or damaged"),
        ("StorageError", "The profile folder cannot be written"),
    ],
)
def test_each_unlock_failure_gets_a_plain_heading_and_its_sentence(error: str, heading: str) -> None:
    from casedesk import errors
    from casedesk.gui.unlock.form import describe_failure

    exc = getattr(errors, error)("Something specific happened to /some/path.")
    assert describe_failure(exc) == (heading, "Something specific happened to /some/path.")
    unexpected = describe_failure(RuntimeError("client name inside"))
    assert "client name" not in unexpected[1] and "RuntimeError" in unexpected[1]


def test_remember_on_this_computer_stores_and_reuses_the_key(qtbot, context: AppContext, monkeypatch) -> None:
    from casedesk.gui.unlock import form as form_module

    kept: dict[str, bytes] = {}
    monkeypatch.setattr(form_module.keychain, "available", lambda: True)
    monkeypatch.setattr(form_module.keychain, "remember", lambda pid, kek: kept.__setitem__(pid, kek) or True)
    monkeypatch.setattr(form_module.keychain, "recall", lambda pid: kept.get(pid))
    first = UnlockForm(context)
    qtbot.addWidget(first)
    first.show()
    assert first.remember_box.isVisible() and not first.remember_box.isChecked()  # off by default
    first.remember_box.setChecked(True)
    with qtbot.waitSignal(first.sig_unlocked, timeout=10000) as blocker:
        _try(qtbot, first, "demo")
    blocker.args[0].close()
    assert len(kept) == 1 and len(next(iter(kept.values()))) == 32

    second = UnlockForm(context)
    qtbot.addWidget(second)
    with qtbot.waitSignal(second.sig_unlocked, timeout=10000) as blocker:
        assert second.try_remembered()
    blocker.args[0].close()

    # a key that no longer fits (passphrase changed elsewhere) is not used and says so
    kept[next(iter(kept))] = b"\0" * 32
    third = UnlockForm(context)
    qtbot.addWidget(third)
    assert third.try_remembered()
    qtbot.waitUntil(lambda: bool(third.error_label.text()), timeout=10000)
    assert "no longer opens" in third.error_label.text()

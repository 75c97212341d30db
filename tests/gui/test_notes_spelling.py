"""Spell-check in the note editor: underlines as you type, corrections and "Add to my dictionary" on the
right-click menu, the client's own names known, nothing underlined in a signed note or with it off."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from casedesk.gui.main_window import MainWindow
from casedesk.gui.notes.spelling import spelling_menu
from casedesk.gui.ops import Changes
from casedesk.services import settings, spelling
from tests.gui.test_notes import new_editor, open_client, write_note

pytestmark = pytest.mark.gui


def underlined(edit: QPlainTextEdit) -> list[str]:
    """The words shown with a spell-check underline, in order (read through Qt's own positions)."""
    found = []
    block = edit.document().firstBlock()
    while block.isValid():
        for fmt in block.layout().formats():
            if fmt.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                cursor = QTextCursor(edit.document())
                cursor.setPosition(block.position() + fmt.start)
                cursor.setPosition(block.position() + fmt.start + fmt.length, QTextCursor.MoveMode.KeepAnchor)
                found.append(cursor.selectedText())
        block = block.next()
    return found


def point_at(edit: QPlainTextEdit, word: str):
    """The middle of `word` on screen (found with Qt's own search, so its positions are Qt's)."""
    cursor = edit.document().find(word)
    assert not cursor.isNull(), word
    cursor.setPosition(cursor.selectionStart() + 1)
    return edit.cursorRect(cursor).center()


def test_typos_are_underlined_and_the_menu_corrects_them(qtbot, window: MainWindow) -> None:
    english = spelling.Dictionary.load("en")
    model = window.caseload.model
    # a client whose surname no word list knows: only her record makes it a known word
    row = next(r for r in range(model.rowCount()) if not english.known(model.entry(model.client_id(r)).row.sort_name.split(",")[0]))
    ws = open_client(qtbot, window, row)
    window.new_note_action.trigger()
    editor = ws.current_editor()
    assert editor is not None
    last_name = ws.data.detail.last_name  # type: ignore[union-attr]
    edit = editor.section_edit("data")
    qtbot.keyClicks(edit, "Met Ms ")
    edit.insertPlainText(last_name)  # QTest types ASCII only; names may have accents
    qtbot.keyClicks(edit, " at home. She recieved her medicaton from the SSI office at 3pm.")
    qtbot.waitUntil(lambda: underlined(edit) == ["recieved", "medicaton"], timeout=20_000)
    assert not english.known(last_name)  # not underlined: a word of her record

    menu = spelling_menu(edit, editor.spelling["data"], point_at(edit, "recieved"))
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "received" and "Add “recieved” to my dictionary" in texts
    assert any("Copy" in t for t in texts)  # the editor's own actions stay below
    menu.actions()[0].trigger()
    assert "She received her medicaton" in edit.toPlainText()
    qtbot.waitUntil(lambda: underlined(edit) == ["medicaton"], timeout=10_000)
    edit.undo()  # a correction is one undo step
    assert "She recieved her" in edit.toPlainText()


def test_an_added_word_is_known_at_once_and_kept_in_the_profile(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    edit = editor.section_edit("data")
    qtbot.keyClicks(edit, "Spoke with Ms Wrobleska from the Brightpath day program.")
    qtbot.waitUntil(lambda: "Wrobleska" in underlined(edit), timeout=20_000)

    menu = spelling_menu(edit, editor.spelling["data"], point_at(edit, "Wrobleska"))
    next(a for a in menu.actions() if a.text().startswith("Add “Wrobleska”")).trigger()
    qtbot.waitUntil(lambda: "Wrobleska" not in underlined(edit), timeout=10_000)

    def kept() -> list[str]:
        with window.context.require_store().read_session() as s:
            return spelling.personal_words(s)

    qtbot.waitUntil(lambda: kept() == ["Wrobleska"], timeout=10_000)


def test_a_signed_note_is_not_underlined(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    write_note(qtbot, editor)
    qtbot.keyClicks(editor.section_edit("data"), " Reviewd the budget.")
    qtbot.waitUntil(lambda: "Reviewd" in underlined(editor.section_edit("data")), timeout=20_000)
    with qtbot.waitSignal(editor.sig_signed, timeout=10_000):
        editor.sign_with("demo")
    assert editor.is_signed and "Reviewd" in editor.section_edit("data").toPlainText()
    assert underlined(editor.section_edit("data")) == []


def test_nothing_is_underlined_when_spell_check_is_off(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    edit = editor.section_edit("data")
    qtbot.keyClicks(edit, "Reviewd the budget.")
    qtbot.waitUntil(lambda: underlined(edit) == ["Reviewd"], timeout=20_000)

    window.context.submit(
        lambda s: settings.set_many(s, {"spell_check": False}), write=True, changes=Changes.of("setting")
    )
    qtbot.waitUntil(lambda: underlined(edit) == [], timeout=10_000)
    qtbot.keyClicks(edit, " Anothr typo.")
    assert underlined(edit) == []


def test_an_emoji_does_not_shift_the_underline_or_the_correction(qtbot, window: MainWindow) -> None:
    """Qt counts an emoji as two positions, Python as one: the word underlined and replaced must agree."""
    _ws, editor = new_editor(qtbot, window)
    edit = editor.section_edit("data")
    edit.insertPlainText("Mom texted \N{THUMBS UP SIGN} and she recieved her pills.")
    qtbot.waitUntil(lambda: underlined(edit) == ["recieved"], timeout=20_000)
    menu = spelling_menu(edit, editor.spelling["data"], point_at(edit, "recieved"))
    assert menu.actions()[0].text() == "received"
    menu.actions()[0].trigger()
    assert edit.toPlainText() == "Mom texted \N{THUMBS UP SIGN} and she received her pills."


def test_locking_forgets_the_dictionary_with_its_own_words(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    qtbot.keyClicks(editor.section_edit("data"), "Home visit.")
    support = window.context.spelling
    qtbot.waitUntil(lambda: support.dictionary() is not None, timeout=20_000)
    window.lock()
    assert support.dictionary() is None


def test_a_word_removed_from_my_dictionary_is_checked_again(qtbot, window: MainWindow) -> None:
    _ws, editor = new_editor(qtbot, window)
    edit = editor.section_edit("data")
    qtbot.keyClicks(edit, "Called Wrobleska and Szczepanik.")
    qtbot.waitUntil(lambda: underlined(edit) == ["Wrobleska", "Szczepanik"], timeout=20_000)
    for word in ("Wrobleska", "Szczepanik"):
        menu = spelling_menu(edit, editor.spelling["data"], point_at(edit, word))
        next(a for a in menu.actions() if a.text().startswith("Add “")).trigger()
    qtbot.waitUntil(lambda: underlined(edit) == [], timeout=10_000)

    def kept() -> list[str]:
        with window.context.require_store().read_session() as s:
            return spelling.personal_words(s)

    qtbot.waitUntil(lambda: len(kept()) == 2, timeout=10_000)
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(), timeout=10_000)
    dialog = window.settings_dialog
    assert dialog is not None
    assert dialog.words_label.text() == "2 words of your own"
    dialog.words_button.click()
    words = dialog.words_dialog
    assert words is not None and words.words() == ["Szczepanik", "Wrobleska"]
    words.list.setCurrentRow(1)
    words.remove_button.click()
    words.accept()
    assert dialog.words_label.text() == "1 word of your own"
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        dialog.save_button.click()

    qtbot.waitUntil(lambda: underlined(edit) == ["Wrobleska"], timeout=20_000)
    assert kept() == ["Szczepanik"]


def test_a_dictionary_that_fails_to_load_is_not_retried_at_every_keystroke(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken word list (a damaged install, no memory left): notes are written without underlines."""
    attempts: list[str] = []

    def broken(language: str, personal: object = ()) -> spelling.Dictionary:
        attempts.append(language)
        raise MemoryError

    monkeypatch.setattr(spelling.Dictionary, "load", broken)
    _ws, editor = new_editor(qtbot, window)
    edit = editor.section_edit("data")
    qtbot.keyClicks(edit, "Reviewd")
    qtbot.waitUntil(lambda: bool(attempts) and not window.context.ops.busy, timeout=10_000)
    qtbot.keyClicks(edit, " the budget with her.")
    window.context.ops.wait()
    assert attempts == ["en"] and underlined(edit) == []
    assert edit.toPlainText() == "Reviewd the budget with her."


def test_settings_and_my_dictionary_close_when_casedesk_locks(qtbot, window: MainWindow) -> None:
    """The worker's own words are often names of clients: nothing of them stays on screen once locked."""
    with window.context.require_store().session() as s:
        spelling.add_personal_word(s, "Szczepanik")
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(), timeout=10_000)
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.words_button.click()
    words = dialog.words_dialog
    assert words is not None and words.isVisible() and words.words() == ["Szczepanik"]

    window.lock()

    assert not dialog.isVisible() and not words.isVisible()
    assert window.stack.currentWidget() is window.lock_screen

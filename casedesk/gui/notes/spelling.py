"""Spell-check as you type in note editors: red wavy underlines, suggestions and "Add to my dictionary"
on the right-click menu (or the menu key).

One dictionary serves every editor (`SpellingSupport`, kept by the AppContext): it loads in the
background when the first editor opens, and is dropped when CaseDesk locks, because the worker's own
words are often names of clients. Signed notes are not underlined: they can no longer change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from casedesk.domain.spelling import WordSpan, dictionary_form, misspelled

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from casedesk.gui.context import AppContext
    from casedesk.services.spelling import Dictionary

UNDERLINE = QColor("#d0021b")
_BEYOND_BMP = re.compile("[\U00010000-\U0010FFFF]")


class SpellingSupport(QObject):
    """The shared dictionary. `dictionary()` is None until it has loaded (or when spell-check is off)."""

    sig_changed = Signal()  # loaded, a word added, dropped: editors underline again

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._context = context
        self._dictionary: Dictionary | None = None
        self._loading = False
        self._failed = False
        self._choice: Choice | None = None  # the settings the dictionary was loaded with
        context.sig_locked.connect(self.drop)
        context.sig_changed.connect(self._on_changes)

    def dictionary(self) -> Dictionary | None:
        off = self._choice is not None and not self._choice[0]
        idle = not self._loading and not self._failed and not off
        if self._dictionary is None and idle and not self._context.is_locked:
            self._loading = True
            self._context.submit(_load, on_done=self._on_loaded, on_error=self._on_failed)
        return self._dictionary

    def _on_loaded(self, loaded: object) -> None:
        self._loading = False
        assert isinstance(loaded, tuple)
        choice, dictionary = loaded
        if self._context.is_locked:
            return
        self._choice = choice
        if dictionary is not None:
            self._dictionary = dictionary
            self.sig_changed.emit()

    def _on_changes(self, changes: object) -> None:
        """Spell-check turned off or on, another language, words removed: the dictionary is made again."""
        from casedesk.gui.ops import Changes

        if not isinstance(changes, Changes) or not changes.touches("setting") or self._context.is_locked:
            return
        if self._choice is None and not self._failed:
            return
        self._context.submit(_choice, on_done=self._on_choice)

    def _on_choice(self, choice: object) -> None:
        if choice != self._choice:
            self.drop()
            self.sig_changed.emit()

    def _on_failed(self, _exc: BaseException) -> None:
        # No underlines; writing goes on (the op runner logs the failure). Tried again after a settings
        # change or the next unlock, not at every keystroke.
        self._loading = False
        self._failed = True

    def add_word(self, word: str) -> None:
        """Into the worker's own words: known at once here, kept in the profile for next time."""
        from casedesk.services import spelling

        if self._dictionary is not None:
            self._dictionary.add(word)
            self.sig_changed.emit()
        if self._choice is not None:
            enabled, language, words = self._choice
            self._choice = (enabled, language, words | {dictionary_form(word)})
        self._context.submit(lambda s: spelling.add_personal_word(s, word), write=True, serial=True)

    def drop(self) -> None:
        self._dictionary = None
        self._loading = False
        self._failed = False
        self._choice = None


# (spell-check on, language, the worker's own words in dictionary form)
Choice = tuple[bool, str, frozenset[str]]


def _choice(session: Session) -> Choice:
    from casedesk.services import settings, spelling

    words = frozenset(dictionary_form(w) for w in spelling.personal_words(session))
    return bool(settings.get(session, "spell_check")), str(settings.get(session, "language")), words


def _load(session: Session) -> tuple[Choice, Dictionary | None]:
    from casedesk.services import spelling

    choice = _choice(session)
    enabled, language, words = choice
    if not enabled:
        return choice, None
    return choice, spelling.Dictionary.load(language, words)


class SpellingHighlighter(QSyntaxHighlighter):
    """Underlines the words `support`'s dictionary does not know (nor `record_words`) in `edit`."""

    def __init__(self, edit: QPlainTextEdit, support: SpellingSupport, record_words: frozenset[str] = frozenset()) -> None:
        super().__init__(edit.document())
        self._edit = edit
        self.support = support
        self._record = {dictionary_form(w) for w in record_words}
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(UNDERLINE)
        support.sig_changed.connect(self.rehighlight)

    def known(self, word: str) -> bool:
        dictionary = self.support.dictionary()
        return dictionary is None or dictionary_form(word) in self._record or dictionary.known(word)

    def underlined(self, text: str) -> list[WordSpan]:
        """The words of one block of `text` to underline, in Qt's positions (none in a signed note, or
        while no dictionary is loaded)."""
        if self._edit.isReadOnly() or self.support.dictionary() is None:
            return []
        return qt_spans(text, misspelled(text, self.known))

    def highlightBlock(self, text: str) -> None:
        for span in self.underlined(text):
            self.setFormat(span.start, span.length, self._format)

    def misspelled_at(self, cursor: QTextCursor) -> WordSpan | None:
        """The underlined word under `cursor`, with its place in the whole document (in Qt's units)."""
        block = cursor.block()
        column = cursor.position() - block.position()
        for span in self.underlined(block.text()):
            if span.start <= column <= span.start + span.length:
                return WordSpan(block.position() + span.start, span.length, span.word)
        return None


def qt_spans(text: str, spans: list[WordSpan]) -> list[WordSpan]:
    """`spans` (Python string indexes into `text`) in Qt's positions, which count UTF-16 code units: each
    character beyond the Basic Multilingual Plane (an emoji, say) takes two of them."""
    if not _BEYOND_BMP.search(text):
        return spans
    before = [0]  # UTF-16 units before each Python index
    for ch in text:
        before.append(before[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return [WordSpan(before[s.start], before[s.start + s.length] - before[s.start], s.word) for s in spans]


def install_spelling(edit: QPlainTextEdit, support: SpellingSupport, record_words: frozenset[str]) -> SpellingHighlighter:
    """Spell-check `edit`: underlines, and suggestions on its context menu."""
    highlighter = SpellingHighlighter(edit, support, record_words)
    edit.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    edit.customContextMenuRequested.connect(lambda pos: spelling_menu(edit, highlighter, pos).popup(edit.mapToGlobal(pos)))
    return highlighter


def spelling_menu(edit: QPlainTextEdit, highlighter: SpellingHighlighter, pos: QPoint) -> QMenu:
    """The editor's own menu, headed by corrections when the word at `pos` is underlined."""
    menu = edit.createStandardContextMenu(pos)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    span = highlighter.misspelled_at(edit.cursorForPosition(pos))
    dictionary = highlighter.support.dictionary()
    if span is None or dictionary is None:
        return menu
    first = menu.actions()[0] if menu.actions() else None
    suggestions = dictionary.suggestions(span.word)
    for word in suggestions:
        action = QAction(word, menu)
        action.triggered.connect(lambda _checked=False, w=word: replace_word(edit, span, w))
        menu.insertAction(first, action)  # type: ignore[arg-type]
    if not suggestions:
        none = QAction(QCoreApplication.translate("SpellingMenu", "No suggestions"), menu)
        none.setEnabled(False)
        menu.insertAction(first, none)  # type: ignore[arg-type]
    label = QCoreApplication.translate("SpellingMenu", "Add “%1” to my dictionary").replace("%1", span.word)
    add = QAction(label, menu)
    add.triggered.connect(lambda _checked=False: highlighter.support.add_word(span.word))
    menu.insertAction(first, add)  # type: ignore[arg-type]
    menu.insertSeparator(first)  # type: ignore[arg-type]
    return menu


def replace_word(edit: QPlainTextEdit, span: WordSpan, word: str) -> None:
    """Put `word` in place of the misspelled one (one undo step, like typing it)."""
    cursor = QTextCursor(edit.document())
    cursor.setPosition(span.start)
    cursor.setPosition(span.start + span.length, QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText(word)

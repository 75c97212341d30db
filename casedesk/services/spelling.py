"""Spell-checking for notes: the language's word list, the worker's own words, the words of the record.

The word lists come with pyspellchecker (English and Spanish here, offline). Loading one takes about a
tenth of a second and some 40 MB, so `Dictionary.load` runs off the UI thread, once, when the first note
editor opens. The worker's own words ("Add to my dictionary") are a profile setting, encrypted with the
rest of the profile: they are often names of clients and places. The words of the open client's record
(names of the client, family, guardians, agencies and their contacts) are known too, without being added
anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from casedesk.domain.spelling import checkable_words, dictionary_form, is_word
from casedesk.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from casedesk.services.clients import ClientDetail

PERSONAL_WORDS_SETTING = "spelling_words"
MAX_PERSONAL_WORDS = 5000
SUGGESTIONS = 5
FIELD_WORDS_FILE = "field_words.txt"
# The interface languages and the word list each one checks notes against.
WORD_LISTS = {"en": "en", "es": "es"}


class Dictionary:
    """One language's words plus the worker's own. `known` and `suggestions` take a word as written."""

    def __init__(self, language: str, frequencies: object, personal: Iterable[str] = ()) -> None:
        self.language = language
        self._checker = frequencies  # a spellchecker.SpellChecker
        self._personal = {dictionary_form(w) for w in personal}

    @classmethod
    def load(cls, language: str, personal: Iterable[str] = ()) -> Dictionary:
        """Read the word list of `language` (an interface language; unknown ones get English), plus the
        field's own words (resources/spelling/field_words.txt: terms of the trade, medication names)."""
        from spellchecker import SpellChecker

        code = WORD_LISTS.get(language, "en")
        checker = SpellChecker(language=code)
        checker.word_frequency.load_words(field_words())
        return cls(code, checker, personal)

    def known(self, word: str) -> bool:
        form = dictionary_form(word)
        return form in self._personal or form in self._checker  # type: ignore[operator]

    def add(self, word: str) -> None:
        self._personal.add(dictionary_form(word))

    def suggestions(self, word: str, limit: int = SUGGESTIONS) -> list[str]:
        """The likeliest corrections, most frequent first, in the word's own capitalisation.

        Only words one edit away (a letter left out, added, changed, or two swapped), which is what most
        typing slips are: looking two edits away takes pyspellchecker 0.1 to 2 s, too long for a menu."""
        form = dictionary_form(word)
        checker = self._checker
        found = set(checker.known(checker.edit_distance_1(form)))  # type: ignore[attr-defined]
        found.discard(form)
        ranked = sorted(found, key=lambda w: (-checker[w], w))[:limit]  # type: ignore[index]
        if word[:1].isupper():
            ranked = [w[:1].upper() + w[1:] for w in ranked]
        return ranked


def field_words() -> list[str]:
    """The words of case notes that general word lists lack, shipped with CaseDesk."""
    from casedesk.resources import resource_path

    lines = resource_path("spelling", FIELD_WORDS_FILE).read_text("utf-8").splitlines()
    return [dictionary_form(line.strip()) for line in lines if line.strip() and not line.startswith("#")]


def record_words(detail: ClientDetail) -> frozenset[str]:
    """The words of a client's record that notes about her are bound to use: names of the client, her
    contacts, her agencies and their contact people, her program."""
    texts = [detail.first_name, detail.last_name, detail.preferred_name or "", detail.program or ""]
    texts += [c.name for c in detail.contacts]
    texts += [a.agency_name for a in detail.agencies] + [a.contact_name or "" for a in detail.agencies]
    return frozenset(dictionary_form(span.word) for text in texts for span in checkable_words(text))


def personal_words(session: Session) -> list[str]:
    from casedesk.services import settings

    return list(settings.get(session, PERSONAL_WORDS_SETTING))


def add_personal_word(session: Session, word: str) -> list[str]:
    """Add `word` to the worker's own words (kept in the profile); returns them all."""
    from casedesk.services import settings

    word = word.strip()
    if not is_word(word):
        raise ValidationError("Only a single word can go into your dictionary.")
    words = personal_words(session)
    if dictionary_form(word) not in {dictionary_form(w) for w in words}:
        words = sorted([*words, word], key=str.casefold)
        settings.set_many(session, {PERSONAL_WORDS_SETTING: words})
    return words


def validate_personal_words(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(w, str) and is_word(w) for w in value):
        raise ValidationError("spelling_words must be a list of single words.")
    if len(value) > MAX_PERSONAL_WORDS:
        raise ValidationError(f"A dictionary holds at most {MAX_PERSONAL_WORDS} words of your own.")
    return value

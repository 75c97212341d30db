"""Which words of a note to spell-check, and which of them are misspelled.

Pure rules over plain text: the note editor underlines what `misspelled` returns, whatever dictionary
`known` consults. Left alone: acronyms and codes in capitals (SSI, ISP, H2015), words glued to digits
(3pm, 2nd), one-letter words, words with capitals inside (McKenzie, iPhone), and anything in an e-mail
address or a web address. A possessive ('s) is checked without its ending, so "Zoë's" is as right as
"Zoë".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# A run of letters, with apostrophes inside (don't, client's), not touching a digit or an underscore.
_WORD = re.compile(r"(?<![\w'’])[^\W\d_]+(?:['’][^\W\d_]+)*(?![\w])")
_ADDRESS = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


@dataclass(frozen=True, slots=True)
class WordSpan:
    start: int
    length: int
    word: str  # as written, with straight apostrophes


def checkable_words(text: str) -> Iterator[WordSpan]:
    """The words of `text` that spell-checking looks at, with where they are."""
    skip = [m.span() for m in _ADDRESS.finditer(text)]
    for match in _WORD.finditer(text):
        start, end = match.span()
        if any(a <= start < b for a, b in skip):
            continue
        word = match.group().translate(_APOSTROPHES)
        if len(word) < 2 or word.isupper() or any(ch.isupper() for ch in word[1:]):
            continue
        yield WordSpan(start, end - start, word)


def dictionary_form(word: str) -> str:
    """The form to look up: lower case, straight apostrophes, without a possessive ending."""
    word = word.translate(_APOSTROPHES).lower()
    return word[:-2] if word.endswith("'s") and len(word) > 3 else word


def misspelled(text: str, known: Callable[[str], bool]) -> list[WordSpan]:
    """The checkable words of `text` that `known` does not know. `known` gets the word as written and
    may look up `dictionary_form(word)`; its answers are asked once per distinct word."""
    answers: dict[str, bool] = {}
    wrong = []
    for span in checkable_words(text):
        ok = answers.get(span.word)
        if ok is None:
            ok = answers[span.word] = known(span.word)
        if not ok:
            wrong.append(span)
    return wrong


def is_word(text: str) -> bool:
    """Whether `text` is one word that may go into a personal dictionary."""
    return 1 < len(text) <= 64 and _WORD.fullmatch(text.translate(_APOSTROPHES)) is not None

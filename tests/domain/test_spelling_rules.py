"""Which words of a note spell-check looks at, and which it calls misspelled."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain.spelling import checkable_words, dictionary_form, is_word, misspelled

KNOWN = {"the", "client", "received", "her", "medication", "at", "pm", "don't", "zoë", "visit", "on"}


def known(word: str) -> bool:
    return dictionary_form(word) in KNOWN


def words(text: str) -> list[str]:
    return [span.word for span in checkable_words(text)]


def test_misspelled_words_are_found_with_their_places() -> None:
    text = "The client recieved her medicaton at 3pm."
    found = misspelled(text, known)
    assert [(s.word, text[s.start : s.start + s.length]) for s in found] == [
        ("recieved", "recieved"),
        ("medicaton", "medicaton"),
    ]


def test_acronyms_codes_numbers_and_addresses_are_left_alone() -> None:
    text = "SSI and ISP renewal, code H2015, 2nd visit at 3pm, mail ana.ruiz@agency.org or www.agency.org/forms, iPhone, McKenzie, a"
    assert words(text) == ["and", "renewal", "code", "visit", "at", "mail", "or"]


def test_apostrophes_and_possessives() -> None:
    assert words("Don’t visit Zoë's flat") == ["Don't", "visit", "Zoë's", "flat"]
    assert misspelled("Don’t visit Zoë’s", known) == []
    assert dictionary_form("Zoë’s") == "zoë" and dictionary_form("is") == "is"


def test_each_distinct_word_is_looked_up_once() -> None:
    asked: list[str] = []

    def counting(word: str) -> bool:
        asked.append(word)
        return False

    assert len(misspelled("foo bar foo foo bar", counting)) == 5
    assert asked == ["foo", "bar"]


def test_what_a_personal_dictionary_takes() -> None:
    assert is_word("Nguyễn") and is_word("O'Connor") and is_word("Zoë’s")
    assert not is_word("two words") and not is_word("a") and not is_word("R2D2") and not is_word("")


@given(st.text())
def test_spans_always_point_at_their_words(text: str) -> None:
    for span in checkable_words(text):
        assert text[span.start : span.start + span.length].replace("’", "'").replace("‘", "'") == span.word

"""The spelling dictionary: the language's word list, the worker's own words kept in the profile, and
the words of a client's record."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.db.store import Store
from casedesk.errors import ValidationError
from casedesk.services import clients, settings, spelling

PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def english() -> spelling.Dictionary:
    return spelling.Dictionary.load("en")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _ = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    yield st
    st.close()


def test_common_words_are_known_and_typos_get_likely_corrections(english: spelling.Dictionary) -> None:
    for word in ("guardian", "Medication", "pharmacy", "don't", "client's", "psychiatrist"):
        assert english.known(word), word
    assert not english.known("recieved") and not english.known("medicaton")
    assert english.suggestions("recieved")[0] == "received"
    assert english.suggestions("Recieved")[0] == "Received"  # as the worker wrote it
    assert "medication" in english.suggestions("medicaton")


def test_the_fields_own_words_are_known(english: spelling.Dictionary) -> None:
    """Terms of case notes and medication names that general word lists lack ship with CaseDesk."""
    for word in ("telehealth", "psychoeducation", "biopsychosocial", "dysregulation", "Seroquel", "Abilify's"):
        assert english.known(word), word
    assert english.suggestions("Seroquil") == ["Seroquel"]
    words = spelling.field_words()
    assert len(words) > 100 and all(w == w.lower() and " " not in w for w in words)


def test_spanish_notes_get_the_spanish_word_list() -> None:
    spanish = spelling.Dictionary.load("es")
    assert spanish.known("medicamento") and spanish.known("visita")
    assert not spanish.known("medicamneto")


def test_own_words_are_kept_encrypted_in_the_profile_and_known_next_time(store: Store) -> None:
    with store.session() as s:
        assert spelling.add_personal_word(s, "Nguyễn") == ["Nguyễn"]
        assert spelling.add_personal_word(s, "nguyễn") == ["Nguyễn"]  # no duplicates by case
        spelling.add_personal_word(s, "Abdi")
    with store.read_session() as s:
        words = spelling.personal_words(s)
    assert words == ["Abdi", "Nguyễn"]
    dictionary = spelling.Dictionary.load("en", words)
    assert dictionary.known("Nguyễn") and dictionary.known("Abdi's")
    store.close()  # everything written reaches the database file (and nothing stays in the log)
    files = [p for p in store.paths.root.iterdir() if p.name.startswith("casedesk.db")]
    assert files and not any(b"Abdi" in p.read_bytes() or "Nguyễn".encode() in p.read_bytes() for p in files)
    reopened = Store.open(store.paths.root, passphrase=PASSPHRASE)
    with reopened.read_session() as s:
        assert spelling.personal_words(s) == ["Abdi", "Nguyễn"]  # kept, and readable with the key only
    reopened.close()


def test_only_single_words_go_into_the_dictionary(store: Store) -> None:
    with store.session() as s, pytest.raises(ValidationError):
        spelling.add_personal_word(s, "two words")
    with store.session() as s, pytest.raises(ValidationError):
        settings.set_many(s, {"spelling_words": ["ok", "not ok"]})


def test_the_words_of_a_record_are_its_names(store: Store) -> None:
    with store.session() as s:
        cid = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", preferred_name="Zo", program="IDD waiver")
        clients.add_contact(s, cid, name="Thandiwe Okonkwo", relation="mother", is_guardian=True)
        detail = clients.client_detail(s, cid)
    words = spelling.record_words(detail)
    assert {"zoë", "nguyễn", "zo", "thandiwe", "okonkwo", "waiver"} <= words

"""Importing clients from CSV: guessed mapping, row errors, all-or-nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casedesk.db.models import Client
from casedesk.db.store import Store
from casedesk.errors import ValidationError
from casedesk.services import client_import

GOOD = (
    "First Name,Last Name,DOB,Record #,City,Program,Notes\n"
    "Zoë,Nguyễn,1990-04-02,R-1,Springfield,IDD targeted case management,ignored column\n"
    "José,Peña,03/15/1985,R-2,Decatur,,\n"
).encode()


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    st, _ = Store.create(tmp_path / "p", "correct horse battery")
    yield st
    st.close()


def _count(store: Store) -> int:
    with store.read_session() as s:
        return int(s.execute(select(func.count()).select_from(Client)).scalar_one())


def test_preview_guesses_the_mapping() -> None:
    preview = client_import.preview_csv(GOOD)
    assert preview.total_rows == 2
    assert preview.mapping == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "DOB": "dob",
        "Record #": "record_number",
        "City": "city",
        "Program": "program",
        "Notes": "",
    }


def test_import_stores_every_row_with_parsed_dates(store: Store) -> None:
    preview = client_import.preview_csv(GOOD)
    with store.session() as s:
        outcome = client_import.import_clients(s, GOOD, preview.mapping)
    assert outcome.imported == 2
    with store.read_session() as s:
        jose = s.execute(select(Client).where(Client.record_number == "R-2")).scalar_one()
    assert (jose.first_name, jose.dob) == ("José", dt.date(1985, 3, 15))


def test_one_bad_row_means_nothing_is_imported(store: Store) -> None:
    bad = GOOD + b"Ana,,not a date,R-3,,,\n"
    expected = r"Nothing was imported.*row 4: .*not a date.*first and last name"
    with pytest.raises(ValidationError, match=expected), store.session() as s:
        client_import.import_clients(s, bad, client_import.preview_csv(bad).mapping)
    assert _count(store) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\xff\xfe\x00" * 10, "not"),
        (b"a,a\n1,2\n", "same heading"),
    ],
)
def test_malformed_files(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        client_import.preview_csv(data)


def test_mapping_must_name_first_and_last_name(store: Store) -> None:
    with pytest.raises(ValidationError, match="first name"), store.session() as s:
        client_import.import_clients(s, GOOD, {"First Name": "first_name"})
    with pytest.raises(ValidationError, match="Unknown client field"), store.session() as s:
        client_import.import_clients(s, GOOD, {"First Name": "first_name", "Last Name": "surname"})


def test_semicolon_and_cp1252_files_from_spreadsheets(store: Store) -> None:
    data = "Nombre;Apellido;Estado\nLucía;Muñoz;active\n".encode("cp1252")
    preview = client_import.preview_csv(data)
    assert preview.mapping["Nombre"] == "first_name" and preview.mapping["Apellido"] == "last_name"
    with store.session() as s:
        client_import.import_clients(s, data, preview.mapping)
    with store.read_session() as s:
        assert s.execute(select(Client.last_name)).scalar_one() == "Muñoz"

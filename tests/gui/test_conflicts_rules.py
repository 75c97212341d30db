"""Pure rules of the conflict pane: per-field choices to a resolve() call, and how values read (no Qt)."""

from __future__ import annotations

import pytest

from casedesk.errors import ValidationError
from casedesk.gui.conflicts.rules import EDIT, MINE, THEIRS, format_value, resolution_for
from casedesk.sync.conflicts import FieldConflict

PHONE = FieldConflict("phone", "555-1111", "555-2222", "555-2222")
CITY = FieldConflict("city", "Decatur", "Springfield", "Springfield")
BODY = FieldConflict("body", {"data": "a"}, {"data": "b"}, {"data": "b"})


def test_all_one_side_is_a_plain_choice() -> None:
    assert resolution_for((PHONE, CITY), {"phone": MINE, "city": MINE}) == (MINE, None)
    assert resolution_for((PHONE, CITY), {"phone": THEIRS, "city": THEIRS}) == (THEIRS, None)


def test_a_mix_or_an_edit_gives_each_value() -> None:
    assert resolution_for((PHONE, CITY), {"phone": MINE, "city": THEIRS}) == (
        EDIT, {"phone": "555-1111", "city": "Springfield"})
    assert resolution_for((PHONE,), {"phone": EDIT}, {"phone": "555-9999"}) == (EDIT, {"phone": "555-9999"})
    assert resolution_for((PHONE,), {"phone": EDIT}, {"phone": "  "}) == (EDIT, {"phone": None})


def test_structured_fields_cannot_be_typed_over_and_every_field_needs_a_choice() -> None:
    with pytest.raises(ValidationError, match="cannot be typed over"):
        resolution_for((BODY,), {"body": EDIT}, {"body": "x"})
    with pytest.raises(ValidationError, match="City"):
        resolution_for((PHONE, CITY), {"phone": MINE})


def test_values_read_plainly() -> None:
    assert format_value(None) == "(empty)"
    assert format_value({"data": "Visit.", "plan": ""}) == "Data: Visit.\nPlan: (empty)"
    assert format_value(True) == "yes" and format_value(3) == "3" and format_value(["a", "b"]) == "a, b"

"""Pure note rules: state machine, billable units, canonical content hash."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.domain import notes as rules
from casedesk.domain.notes import NoteAction, NoteStatus
from casedesk.errors import ImmutableRecordError, InvalidTransitionError, ValidationError


@given(st.lists(st.sampled_from(list(NoteAction)), max_size=30))
def test_state_machine_once_signed_always_signed_and_only_addenda(actions: list[NoteAction]) -> None:
    status = NoteStatus.DRAFT
    signed_seen = False
    for action in actions:
        try:
            new = rules.next_status(status, action)
        except (ImmutableRecordError, InvalidTransitionError):
            assert action not in rules.allowed_actions(status)
            if status is NoteStatus.SIGNED:
                assert action in (NoteAction.EDIT, NoteAction.SIGN, NoteAction.DELETE)
            continue
        assert action in rules.allowed_actions(status)
        if signed_seen:
            assert new is NoteStatus.SIGNED and action is NoteAction.ADD_ADDENDUM
        signed_seen = signed_seen or new is NoteStatus.SIGNED
        status = new


def test_signed_note_refusal_tells_the_worker_about_addenda() -> None:
    with pytest.raises(ImmutableRecordError, match="addendum"):
        rules.next_status(NoteStatus.SIGNED, NoteAction.EDIT)


@pytest.mark.parametrize(
    ("minutes", "cms8", "whole"),
    [
        (0, 0, 0),
        (7, 0, 0),
        (8, 1, 0),
        (14, 1, 0),
        (15, 1, 1),
        (22, 1, 1),
        (23, 2, 1),
        (37, 2, 2),
        (38, 3, 2),
        (60, 4, 4),
        (68, 5, 4),
    ],
)
def test_billable_units(minutes: int, cms8: int, whole: int) -> None:
    assert rules.billable_units(minutes, "cms8") == cms8
    assert rules.billable_units(minutes, "whole") == whole


@given(st.integers(min_value=0, max_value=24 * 60))
def test_units_never_exceed_rounded_quarter_hours_and_grow_with_time(minutes: int) -> None:
    units = rules.billable_units(minutes)
    assert 0 <= units <= (minutes + 14) // 15
    assert rules.billable_units(minutes + 1) >= units


def test_units_reject_negative_and_unknown_rule() -> None:
    with pytest.raises(ValidationError):
        rules.billable_units(-1)
    with pytest.raises(ValidationError, match="units rule"):
        rules.billable_units(30, "hourly")


def _canonical(**over: object) -> bytes:
    base: dict[str, object] = dict(
        note_id="n1",
        client_id="c1",
        contact_start=dt.datetime(2026, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
        duration_minutes=45,
        contact_type="face_to_face",
        location="Home",
        template="dap",
        body={"plan": "p", "data": "d", "assessment": "a"},
        service_code="T1017",
        billable_units=3,
        goals=[rules.GoalRating("g2", "good"), rules.GoalRating("g1", "some")],
        signer_id="w1",
        signer_name="Ana",
        signed_at=dt.datetime(2026, 3, 1, 18, tzinfo=dt.UTC),
    )
    base.update(over)
    return rules.canonical_note_content(**base)  # type: ignore[arg-type]


def test_hash_is_independent_of_dict_and_goal_order_and_time_zone_spelling() -> None:
    a = _canonical()
    b = _canonical(
        body={"data": "d", "assessment": "a", "plan": "p"},
        goals=[rules.GoalRating("g1", "some"), rules.GoalRating("g2", "good")],
        contact_start=dt.datetime(2026, 3, 1, 15, tzinfo=dt.UTC),
    )
    assert rules.content_hash(a) == rules.content_hash(b)


@given(st.text(min_size=1))
def test_any_change_to_signed_text_changes_the_hash(extra: str) -> None:
    assert rules.content_hash(_canonical()) != rules.content_hash(
        _canonical(body={"plan": "p" + extra, "data": "d", "assessment": "a"})
    )


def test_check_signable_lists_each_empty_section() -> None:
    problems = rules.check_signable({"subjective": "s", "objective": " "}, "soap", 0)
    assert problems == [
        "The Objective section is empty.",
        "The Assessment section is empty.",
        "The Plan section is empty.",
        "The contact duration is missing.",
    ]

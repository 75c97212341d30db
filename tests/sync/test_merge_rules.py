"""The server's merge rules as pure functions: what merges, what conflicts, what a signed record does."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from casedesk.sync.backoff import RetryPolicy
from casedesk.sync.merge import IncomingOp, RowState, merge
from casedesk.sync.protocol import ConflictKind, OpStatus


def row(data: dict[str, object], meta: dict[str, list[object]], version: int) -> RowState:
    return RowState(dict(data), version, {k: list(v) for k, v in meta.items()})


def op(fields: dict[str, object], base: int, origin: str = "A", table: str = "client", kind: str = "update") -> IncomingOp:
    return IncomingOp("op", table, "r1", kind, base, fields, origin)


CLIENT = row(
    {"phone": "1", "city": "Peoria", "deleted_at": None},
    {"phone": [1, "A"], "city": [1, "A"], "deleted_at": [1, "A"]},
    1,
)


def test_insert_creates_version_one() -> None:
    out = merge(None, op({"phone": "1"}, 0, kind="insert"))
    assert out.status == OpStatus.APPLIED and out.row is not None
    assert out.row.version == 1 and out.row.field_meta == {"phone": [1, "A"]}


def test_update_of_a_row_the_server_lacks_waits() -> None:
    assert merge(None, op({"phone": "2"}, 3)).status == OpStatus.DEFERRED


def test_disjoint_edits_merge() -> None:
    theirs = merge(CLIENT, op({"city": "Decatur"}, 1, origin="B")).row
    assert theirs is not None
    out = merge(theirs, op({"phone": "2"}, 1, origin="A"))
    assert out.status == OpStatus.APPLIED and out.row is not None
    assert out.row.data == {"phone": "2", "city": "Decatur", "deleted_at": None}
    assert out.row.version == 3


def test_same_field_edit_is_a_conflict_and_the_server_keeps_its_value() -> None:
    theirs = merge(CLIENT, op({"phone": "B"}, 1, origin="B")).row
    assert theirs is not None
    out = merge(theirs, op({"phone": "A", "city": "Decatur"}, 1, origin="A"))
    assert out.status == OpStatus.CONFLICT and out.conflict_kind == ConflictKind.UPDATE
    assert out.conflict_fields == {"phone": {"mine": "A", "theirs": "B"}}
    assert out.row is not None and out.row.data["phone"] == "B" and out.row.data["city"] == "Decatur"


def test_same_value_on_both_sides_is_no_conflict_and_no_new_version() -> None:
    theirs = merge(CLIENT, op({"phone": "9"}, 1, origin="B")).row
    assert theirs is not None
    out = merge(theirs, op({"phone": "9"}, 1, origin="A"))
    assert out.status == OpStatus.APPLIED and out.changed == [] and out.row is theirs


def test_a_devices_own_earlier_changes_never_conflict_with_its_later_ones() -> None:
    first = merge(CLIENT, op({"phone": "2"}, 1)).row
    assert first is not None
    out = merge(first, op({"phone": "3"}, 1))  # same base: both made offline on device A
    assert out.status == OpStatus.APPLIED and out.row is not None and out.row.data["phone"] == "3"


def test_delete_against_an_edit_elsewhere_is_a_conflict() -> None:
    edited = merge(CLIENT, op({"city": "Decatur"}, 1, origin="B")).row
    assert edited is not None
    out = merge(edited, op({"deleted_at": "2026-03-01T00:00:00+00:00"}, 1, kind="delete"))
    assert out.status == OpStatus.CONFLICT and out.conflict_kind == ConflictKind.DELETE_EDIT
    assert out.row is None  # nothing applied: the record stays


def test_edit_against_a_delete_elsewhere_is_a_conflict_but_two_deletes_agree() -> None:
    deleted = merge(CLIENT, op({"deleted_at": "2026-03-01T00:00:00+00:00"}, 1, origin="B", kind="delete")).row
    assert deleted is not None and deleted.deleted
    out = merge(deleted, op({"phone": "2"}, 1))
    assert out.status == OpStatus.CONFLICT and out.conflict_kind == ConflictKind.DELETE_EDIT
    assert out.conflict_fields["deleted_at"]["theirs"] == "2026-03-01T00:00:00+00:00"
    both = merge(deleted, op({"deleted_at": "2026-03-02T00:00:00+00:00"}, 1, kind="delete"))
    assert both.status == OpStatus.APPLIED and both.row is deleted


NOTE = row(
    {"status": "draft", "body": {"data": "x"}, "location": "home", "deleted_at": None},
    {"status": [1, "A"], "body": [1, "A"], "location": [1, "A"]},
    1,
)


def test_signing_op_stands_over_a_concurrent_draft_edit_and_keeps_it_aside() -> None:
    edited = merge(NOTE, op({"body": {"data": "supervisor"}}, 1, origin="S", table="progress_note")).row
    assert edited is not None
    signing = op({"status": "signed", "body": {"data": "signed text"}, "location": "home"}, 1, table="progress_note")
    out = merge(edited, signing)
    assert out.row is not None and out.row.data["body"] == {"data": "signed text"} and out.row.data["status"] == "signed"
    assert out.conflict_kind == ConflictKind.SIGNED
    assert out.conflict_fields == {"body": {"mine": {"data": "signed text"}, "theirs": {"data": "supervisor"}}}


def test_a_signed_note_never_changes() -> None:
    signed = merge(NOTE, op({"status": "signed"}, 1, table="progress_note")).row
    assert signed is not None
    out = merge(signed, op({"body": {"data": "late"}, "deleted_at": "2026-01-01T00:00:00+00:00"}, 1, origin="B",
                           table="progress_note"))
    assert out.status == OpStatus.CONFLICT and out.conflict_kind == ConflictKind.SIGNED
    assert out.row is signed and set(out.conflict_fields) == {"body", "deleted_at"}


def test_an_addendum_is_immutable() -> None:
    add = row({"text": "x"}, {"text": [1, "A"]}, 1)
    assert merge(add, op({"text": "y"}, 1, table="note_addendum")).status == OpStatus.REJECTED
    assert merge(add, op({"text": "x"}, 1, table="note_addendum")).status == OpStatus.APPLIED


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["phone", "city", "email"]), st.integers(0, 5)),
        min_size=1,
        max_size=25,
    )
)
def test_nothing_is_lost_every_pushed_value_is_kept_or_recorded(edits: list[tuple[str, str, int]]) -> None:
    state = row({"phone": "0", "city": "0", "email": "0", "deleted_at": None}, {}, 1)
    seen = {"A": 1, "B": 1, "C": 1}  # each device's base: the version it last pulled
    for device, name, value in edits:
        out = merge(state, IncomingOp("o", "client", "r", "update", seen[device], {name: str(value)}, device))
        assert out.row is not None
        kept = out.row.data[name] == str(value)
        recorded = out.conflict_fields.get(name, {}).get("mine") == str(value)
        assert kept or recorded
        assert out.row.version in (state.version, state.version + 1)
        state = out.row
        if random.Random(value).random() < 0.5:
            seen[device] = state.version  # this device pulls now


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(attempts=8, base=0.5, cap=4.0)
    rng = random.Random(1)
    delays = [max(policy.delay(n, rng) for _ in range(200)) for n in range(7)]
    assert delays[0] <= 0.5 and 0.9 < delays[2] <= 2.0 and all(d <= 4.0 for d in delays)
    assert len(policy.schedule(random.Random(2))) == 7


def test_a_final_form_response_never_changes_and_a_late_edit_is_kept_aside() -> None:
    draft = row(
        {"answers": {"mood": 3}, "status": "draft", "deleted_at": None},
        {"answers": [1, "A"], "status": [1, "A"], "deleted_at": [1, "A"]},
        1,
    )
    final = merge(draft, op({"status": "final", "answers": {"mood": 4}}, 1, table="form_response")).row
    assert final is not None and final.data["status"] == "final"
    # another device, offline, changed the answers of the draft it had
    out = merge(final, op({"answers": {"mood": 1}}, 1, origin="B", table="form_response"))
    assert out.status == OpStatus.CONFLICT and out.conflict_kind == ConflictKind.SIGNED
    assert out.row is final and final.data["answers"] == {"mood": 4}
    assert out.conflict_fields == {"answers": {"mine": {"mood": 1}, "theirs": {"mood": 4}}}

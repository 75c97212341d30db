"""Progress notes through the services on a real encrypted store: draft, sign, lock, addenda, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from casedesk.db.models import AuditEvent, NoteGoal, OutboxOp, ProgressNote
from casedesk.db.store import Store
from casedesk.domain.notes import GoalRating
from casedesk.errors import CaseDeskError, ImmutableRecordError, InvalidTransitionError, ValidationError
from casedesk.services import audit, notes, search
from casedesk.services.notes import NoteInput

WHEN = dt.datetime(2026, 9, 14, 15, 30, tzinfo=dt.UTC)


def _input(cid: str, goal_ids: list[str], **over: object) -> NoteInput:
    base = NoteInput(
        client_id=cid,
        contact_start=WHEN,
        duration_minutes=50,
        contact_type="face_to_face",
        template="dap",
        body={
            "data": "Met Zoë at home; she showed the meal log with three dinners cooked.",
            "assessment": "Steady progress toward cooking independently.",
            "plan": "Next visit in two weeks; practise the bus route to work.",
        },
        location="Home",
        service_code="T1017",
        goals=(GoalRating(goal_ids[0], "good"), GoalRating(goal_ids[1], "minimal", "needed prompts")),
    )
    return NoteInput(**{**base.__dict__, **over})  # type: ignore[arg-type]


def test_draft_gets_units_from_duration_and_goal_links(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
    with store.session() as s:
        detail = notes.get_note(s, nid)
    assert detail.status == "draft"
    assert detail.billable_units == 3  # 50 minutes under the 8-minute rule
    assert [(g.goal_id, g.rating) for g in detail.goals] == [(goals[0], "good"), (goals[1], "minimal")]


def test_sign_locks_the_note_and_records_hash(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
    with store.session() as s:
        digest = notes.sign_note(s, nid)
    with store.session() as s:
        detail = notes.get_note(s, nid)
        assert notes.verify_note_hash(s, nid)
    assert detail.is_signed and detail.signer_name == "Ana Ruiz" and detail.content_hash == digest
    assert len(digest) == 64

    # the service refuses edits...
    with pytest.raises(ImmutableRecordError, match="addendum"), store.session() as s:
        notes.update_draft(s, nid, _input(cid, goals, duration_minutes=10))
    # ...a direct ORM update is refused by the session guard...
    with pytest.raises(ImmutableRecordError), store.session() as s:
        s.get(ProgressNote, nid).body = {"data": "rewritten", "assessment": "x", "plan": "y"}  # type: ignore[union-attr]
    # ...and raw SQL is refused by the database trigger
    with pytest.raises(ImmutableRecordError, match="cannot be changed"), store.session() as s:
        s.execute(text("UPDATE progress_note SET body = '{}' WHERE id = :id"), {"id": nid})
    with pytest.raises(ImmutableRecordError), store.session() as s:
        s.execute(text("DELETE FROM progress_note WHERE id = :id"), {"id": nid})
    with pytest.raises(ImmutableRecordError), store.session() as s:
        notes.delete_draft(s, nid)
    with store.session() as s:
        assert notes.get_note(s, nid).body == detail.body
        assert notes.verify_note_hash(s, nid)


def test_corrections_are_addenda(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
        with pytest.raises(InvalidTransitionError):
            notes.add_addendum(s, nid, "too early")
    with store.session() as s:
        notes.sign_note(s, nid)
    with store.session() as s:
        aid = notes.add_addendum(s, nid, "Correction: the visit lasted 45 minutes, not 50.")
    with store.session() as s:
        detail = notes.get_note(s, nid)
        summary = notes.list_notes(s, cid)[0]
    assert [a.id for a in detail.addenda] == [aid]
    assert detail.addenda[0].author_name == "Ana Ruiz" and len(detail.addenda[0].content_hash) == 64
    assert summary.addenda == 1
    with pytest.raises(ImmutableRecordError), store.session() as s:
        s.execute(text("UPDATE note_addendum SET text = 'changed' WHERE id = :id"), {"id": aid})


def test_signing_needs_every_section(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals, body={"data": "Only data so far."}))
    with pytest.raises(ValidationError, match="Assessment section is empty"), store.session() as s:
        notes.sign_note(s, nid)


def test_bad_note_input_is_refused_with_a_reason(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    cases = [
        (dict(template="bogus"), "Unknown note template"),
        (dict(contact_type="telepathy"), "Unknown contact type"),
        (dict(contact_start=dt.datetime(2026, 1, 1, 9)), "time zone"),
        (dict(duration_minutes=-5), "between 0 and 1440"),
        (dict(body={"subjective": "x"}), "do not belong"),
        (dict(goals=(GoalRating("no-such-goal", "good"),)), "Unknown goal"),
        (dict(client_id="no-such-client"), "No client"),
    ]
    for over, message in cases:
        with pytest.raises(CaseDeskError, match=message), store.session() as s:
            notes.create_draft(s, _input(cid, goals, **over))
    with store.read_session() as s:
        assert s.execute(select(ProgressNote)).first() is None


def test_editing_a_draft_updates_goals_and_search(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
    with store.session() as s:
        detail = notes.get_note(s, nid)
        notes.update_draft(
            s,
            nid,
            notes.note_input_from(
                detail,
                body={**detail.body, "plan": "Call the pharmacy about the hibiscus tea interaction."},
                goals=(GoalRating(goals[1], "good"),),
            ),
        )
    with store.read_session() as s:
        hits = search.search_notes(s, "hibiscus")
        old_hits = search.search_notes(s, "bus route")
        live_links = s.execute(select(NoteGoal).where(NoteGoal.deleted_at.is_(None))).scalars().all()
    assert [h.note_id for h in hits] == [nid] and "[hibiscus]" in hits[0].snippet
    assert old_hits == []
    assert [(link.goal_id, link.rating) for link in live_links] == [(goals[1], "good")]


def test_search_finds_clients_by_name_without_accents(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    with store.read_session() as s:
        assert [h.display_name for h in search.search_clients(s, "zoe nguyen")] == ["Zoë Nguyễn"]
        assert search.search_clients(s, '"*()') == []


def test_audit_chain_detects_edited_and_deleted_rows(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
        notes.sign_note(s, nid)
    assert all(r.ok for r in store.check())

    # The log refuses changes outright...
    with pytest.raises(ImmutableRecordError, match="append-only"), store.session() as s:
        s.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE seq = 3"))
    with pytest.raises(ImmutableRecordError), store.session() as s:
        s.delete(s.execute(select(AuditEvent).limit(1)).scalar_one())
    # ...and someone who drops the guard trigger is still caught by the hash chain.
    store.execute_raw("DROP TRIGGER audit_event_no_update")
    store.execute_raw("UPDATE audit_event SET actor = 'someone else' WHERE seq = 3")
    with store.read_session() as s:
        report = audit.verify_chain(s)
    assert not report.ok and "event 3 was altered" in (report.problem or "")

    store.execute_raw("DROP TRIGGER audit_event_no_delete")
    store.execute_raw("DELETE FROM audit_event WHERE seq = 2")
    with store.read_session() as s:
        report = audit.verify_chain(s)
    assert not report.ok and "event 2 is missing" in (report.problem or "")
    assert not next(r for r in store.check() if r.name == "audit chain").ok


def test_views_are_audited_without_client_data(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, _ = client_with_goals
    from casedesk.services import clients

    with store.session() as s:
        clients.client_detail(s, cid)
    with store.read_session() as s:
        events = audit.recent_events(s, 50)
    view = events[0]
    assert (view.action, view.record_type, view.record_id) == ("view", "client", cid)
    assert "Zo" not in repr([e.detail for e in events])


def test_drafts_and_sign_each_leave_outbox_ops(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
    with store.session() as s:
        notes.sign_note(s, nid)
    with store.read_session() as s:
        ops = s.execute(select(OutboxOp).where(OutboxOp.row_id == nid).order_by(OutboxOp.seq)).scalars().all()
    assert [o.kind for o in ops] == ["insert", "update"]
    assert ops[1].fields["status"] == "signed" and "content_hash" in ops[1].fields
    assert "search_text" not in ops[0].fields


def test_autosave_round_trip_and_discard_on_sign(store: Store, client_with_goals: tuple[str, list[str]]) -> None:
    cid, goals = client_with_goals
    with store.session() as s:
        nid = notes.create_draft(s, _input(cid, goals))
        notes.autosave(s, f"note:{nid}", {"data": "typed before the battery died"}, cid)
    with store.read_session() as s:
        saved = notes.pending_autosaves(s)
    assert [a.payload["data"] for a in saved] == ["typed before the battery died"]
    with store.session() as s:
        notes.sign_note(s, nid)
    with store.read_session() as s:
        assert notes.pending_autosaves(s) == []

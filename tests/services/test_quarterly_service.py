"""Quarterly reports on hand-built data: evidence, quarter boundaries, warnings, editing, signing, locking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casedesk.db.models import AuditEvent, QuarterlyReport, Setting
from casedesk.db.store import Store
from casedesk.domain.quarters import QuarterLabelError
from casedesk.errors import ImmutableRecordError, InvalidTransitionError, NotFoundError, ValidationError
from casedesk.services import plans, settings
from casedesk.services import quarterly as q
from tests.services.quarterly_data import Caseload, at, make_store

Q3_DONE = dt.date(2026, 10, 20)  # a day after Q3 2026 ended
Q3_MIDDLE = dt.date(2026, 8, 20)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = make_store(tmp_path / "profile")
    yield st
    st.close()


@pytest.fixture
def case(store: Store) -> Caseload:
    return Caseload(store)


def full_quarter(case: Caseload) -> None:
    """Signed face-to-face notes in July, August and September addressing Goals 1 and 2."""
    case.note(at(dt.date(2026, 7, 8), 10), goals=[(case.bus, "some"), (case.cook, "minimal")])
    case.note(at(dt.date(2026, 8, 12), 10), goals=[(case.bus, "good")])
    case.note(at(dt.date(2026, 9, 15), 14), goals=[(case.bus, "good"), (case.cook, "some")])


def test_goals_in_plan_order_with_only_signed_notes_of_the_quarter(store: Store, case: Caseload) -> None:
    full_quarter(case)
    case.note(at(dt.date(2026, 8, 20), 9), goals=[(case.budget, "good")], sign=False)  # a draft: no evidence
    case.note(at(dt.date(2026, 6, 30), 23, 45), goals=[(case.budget, "good")])  # 04:45 UTC on Jul 1: still Q2
    case.note(at(dt.date(2026, 7, 1), 0, 15), goals=[(case.cook, "good")])  # first local minutes of Q3
    case.note(at(dt.date(2026, 9, 30), 23, 30), goals=[(case.cook, "met")], contact_type="phone")  # Oct 1 UTC
    case.note(at(dt.date(2026, 10, 1), 0, 30), goals=[(case.budget, "good")])  # Q4
    with store.session() as s:
        view = q.preview(s, case.client_id, "2026Q3", today=Q3_DONE)
    evidence = view.evidence
    assert [g.goal_id for g in evidence.goals] == [case.bus, case.cook, case.budget]
    assert [g.label for g in evidence.goals] == ["Goal 1", "Goal 2", "Goal 3"]
    assert [e.contact_date for e in evidence.goal(case.bus).entries] == [
        dt.date(2026, 7, 8),
        dt.date(2026, 8, 12),
        dt.date(2026, 9, 15),
    ]
    assert [e.contact_date for e in evidence.goal(case.cook).entries] == [
        dt.date(2026, 7, 1),
        dt.date(2026, 7, 8),
        dt.date(2026, 9, 15),
        dt.date(2026, 9, 30),
    ]
    assert evidence.goal(case.budget).entries == ()
    assert dict(evidence.contacts_by_type) == {"face_to_face": 4, "phone": 1}
    assert evidence.face_to_face == 4
    assert dict(evidence.units_by_service) == {"T1017": 20}  # five signed hours, 4 units each
    assert evidence.unsigned_note_dates == (dt.date(2026, 8, 20),)
    assert (view.period_start, view.period_end, view.due_date) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 15),
    )
    narrative = view.narratives[case.bus]
    assert narrative.startswith("In this quarter Zoë had 5 contacts (4 face-to-face).")
    assert "3 notes addressed this goal, from Jul 8 to Sep 15." in narrative
    assert "rated good in 2 of 3 notes and some in 1" in narrative
    assert "Goal 3 was not addressed" in view.summary
    assert any("Goal 3" in w and "no signed progress note" in w for w in view.warnings)
    assert any("1 progress note in this period is an unsigned draft (Aug 20)" in w for w in view.warnings)


def test_month_without_face_to_face_visit_is_a_warning(store: Store, case: Caseload) -> None:
    case.note(at(dt.date(2026, 7, 8), 10), goals=[(case.bus, "some"), (case.cook, "some"), (case.budget, "some")])
    case.note(at(dt.date(2026, 8, 12), 10), goals=[(case.bus, "good")], contact_type="phone")
    case.note(at(dt.date(2026, 9, 15), 14), goals=[(case.bus, "good")])
    with store.session() as s:
        done = q.preview(s, case.client_id, "2026Q3", today=Q3_DONE)
        middle = q.preview(s, case.client_id, "2026Q3", today=Q3_MIDDLE)
    assert done.warnings == ("No face-to-face visit is documented in August 2026 (one is required every month).",)
    assert done.evidence.months_without_visit == ("2026-08",)
    # On Aug 20 August is not over yet: no visit warning for it, but the quarter is still running.
    assert middle.evidence.months_without_visit == ()
    assert any("The quarter ends on Sep 30, 2026" in w for w in middle.warnings)


def test_quarter_labels_and_clients_are_checked(store: Store, case: Caseload) -> None:
    with store.session() as s:
        with pytest.raises(QuarterLabelError, match="not a quarter label"):
            q.preview(s, case.client_id, "2026Q5")
        with pytest.raises(QuarterLabelError, match="needs the service plan"):
            q.preview(s, case.client_id, "PY2026Q1")
        with pytest.raises(NotFoundError, match="No client with id nobody"):
            q.preview(s, "nobody", "2026Q3")
        assert q.check_label(s, " 2026q3 ") == "2026Q3"


def test_due_date_follows_the_report_due_days_setting(store: Store, case: Caseload) -> None:
    with store.session() as s:
        settings.set_many(s, {"report_due_days": 30})
        view = q.preview(s, case.client_id, "2026Q4", today=dt.date(2027, 1, 5))
    assert view.due_date == dt.date(2027, 1, 30)


def test_plan_year_quarters_are_counted_from_the_plan_start(store: Store) -> None:
    case = Caseload(store, plan_start=dt.date(2026, 2, 15))
    case.note(at(dt.date(2026, 5, 14), 10), goals=[(case.bus, "good")])  # last day of PY2026Q1
    case.note(at(dt.date(2026, 5, 15), 10), goals=[(case.bus, "some")])  # first day of PY2026Q2
    with store.session() as s:
        settings.set_many(s, {"quarter_definition": "plan_year"})
        view = q.preview(s, case.client_id, "PY2026Q2", today=dt.date(2026, 9, 1))
        with pytest.raises(QuarterLabelError, match="plan-year quarters"):
            q.preview(s, case.client_id, "2026Q2")
        with pytest.raises(QuarterLabelError, match="does not fall within any service plan"):
            q.preview(s, case.client_id, "PY2025Q4")
    assert (view.period_start, view.period_end) == (dt.date(2026, 5, 15), dt.date(2026, 8, 14))
    assert [e.contact_date for e in view.evidence.goal(case.bus).entries] == [dt.date(2026, 5, 15)]
    assert view.due_date == dt.date(2026, 8, 29)


def test_goal_outcomes_met_in_quarter_and_closed_before(store: Store, case: Caseload) -> None:
    full_quarter(case)
    with store.session() as s:
        plans.mark_goal_met(s, case.cook, on=dt.date(2026, 9, 20))
        plans.mark_goal_met(s, case.budget, on=dt.date(2026, 3, 1))  # met before Q3: not reported on
        view = q.preview(s, case.client_id, "2026Q3", today=Q3_DONE)
    assert [g.goal_id for g in view.evidence.goals] == [case.bus, case.cook]
    cook = view.evidence.goal(case.cook)
    assert (cook.outcome, cook.outcome_date) == ("met", dt.date(2026, 9, 20))
    assert view.narratives[case.cook].endswith("The goal was met on Sep 20, 2026.")
    assert "Goal 2 was met this quarter." in view.summary


def test_draft_follows_new_evidence_but_keeps_edited_text(store: Store, case: Caseload) -> None:
    case.note(at(dt.date(2026, 7, 8), 10), goals=[(case.bus, "some"), (case.cook, "some"), (case.budget, "some")])
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=Q3_DONE)
        with pytest.raises(ValidationError, match="already has a quarterly report for 2026Q3"):
            q.create_draft(s, case.client_id, "2026q3", today=Q3_DONE)
        q.save_edits(s, report_id, narratives={case.cook: "Zoë now cooks pasta on her own."}, today=Q3_DONE)
        with pytest.raises(ValidationError, match="not part of this report"):
            q.save_edits(s, report_id, narratives={"not-a-goal": "text"}, today=Q3_DONE)
    # A note of the quarter signed after drafting:
    case.note(at(dt.date(2026, 8, 12), 10), goals=[(case.bus, "good"), (case.cook, "good")])
    with store.session() as s:
        view = q.get_report(s, report_id, today=Q3_DONE)
    assert len(view.evidence.goal(case.bus).entries) == 2
    assert "2 notes addressed this goal" in view.narratives[case.bus]  # generated text followed the evidence
    assert view.narratives[case.cook] == "Zoë now cooks pasta on her own."  # edited text stayed
    assert "had 2 contacts" in view.summary
    with store.session() as s:
        q.save_edits(s, report_id, summary="A good quarter.", today=Q3_DONE)
        assert q.get_report(s, report_id, today=Q3_DONE).summary == "A good quarter."


def test_signing_checks_warnings_and_text_then_locks_the_report(store: Store, case: Caseload) -> None:
    full_quarter(case)
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=Q3_DONE)
    with store.session() as s, pytest.raises(q.MissingEvidenceError, match="Goal 3") as refused:
        q.sign_report(s, report_id, today=Q3_DONE)
    assert len(refused.value.warnings) == 1
    with store.session() as s:
        q.save_edits(s, report_id, narratives={case.bus: "   "}, today=Q3_DONE)
    with store.session() as s, pytest.raises(ValidationError, match="The narrative for Goal 1 is empty"):
        q.sign_report(s, report_id, accept_warnings=True, today=Q3_DONE)
    with store.session() as s:
        q.save_edits(s, report_id, narratives={case.bus: "Rides the bus with a coach."}, today=Q3_DONE)
        digest = q.sign_report(s, report_id, accept_warnings=True, today=Q3_DONE)
        assert q.verify_report_hash(s, report_id)
    assert len(digest) == 64

    # The signed report is frozen: a later note of the quarter does not change it.
    case.note(at(dt.date(2026, 9, 28), 10), goals=[(case.budget, "good")])
    with store.session() as s:
        view = q.get_report(s, report_id)
        assert view.status == "signed" and view.signer_name == "Ana Ruiz" and view.content_hash == digest
        assert view.evidence.goal(case.budget).entries == ()
        assert view.narratives[case.bus] == "Rides the bus with a coach."
        assert view.warnings == ()

    # The service refuses changes ...
    with store.session() as s, pytest.raises(ImmutableRecordError, match="signed and locked"):
        q.save_edits(s, report_id, summary="changed")
    with store.session() as s, pytest.raises(ImmutableRecordError, match="already signed"):
        q.sign_report(s, report_id, accept_warnings=True)
    # ... so does the ORM hook for code that goes around the service ...
    with pytest.raises(ImmutableRecordError, match="signed and locked"), store.session() as s:
        row = s.get(QuarterlyReport, report_id)
        assert row is not None
        row.summary = "rewritten"
        s.flush()
    # ... and the database trigger for raw SQL.
    with pytest.raises(Exception, match="signed quarterly report cannot be changed"):
        store.execute_raw(f"UPDATE quarterly_report SET summary = 'rewritten' WHERE id = '{report_id}'")
    with store.session() as s:
        assert q.get_report(s, report_id).summary != "rewritten"
        assert q.verify_report_hash(s, report_id)

    # Submitting changes the status only; twice is refused.
    with store.session() as s:
        q.submit_report(s, report_id)
        with pytest.raises(InvalidTransitionError, match="already submitted"):
            q.submit_report(s, report_id)
        row = s.get(QuarterlyReport, report_id)
        assert row is not None and row.status == "submitted" and row.submitted_at is not None
        assert q.verify_report_hash(s, report_id)


def test_a_draft_cannot_be_submitted(store: Store, case: Caseload) -> None:
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=Q3_DONE)
        with pytest.raises(InvalidTransitionError, match="sign it first"):
            q.submit_report(s, report_id)


def test_audit_records_create_update_sign_without_client_data(store: Store, case: Caseload) -> None:
    full_quarter(case)
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=Q3_DONE)
        q.save_edits(s, report_id, summary="Edited summary.", today=Q3_DONE)
        q.sign_report(s, report_id, accept_warnings=True, today=Q3_DONE)
        q.submit_report(s, report_id)
    with store.read_session() as s:
        events = list(
            s.execute(select(AuditEvent).where(AuditEvent.record_id == report_id).order_by(AuditEvent.seq)).scalars()
        )
    assert [e.action for e in events] == ["create", "update", "sign", "update"]
    assert all(e.record_type == "quarterly_report" for e in events)
    assert "Zoë" not in repr([e.detail for e in events])
    assert events[-1].detail == {"status": "submitted"}


def test_local_zone_comes_from_the_profile_setting(store: Store) -> None:
    with store.session() as s:
        assert q.local_zone_name(s) == "America/Chicago"
        row = s.get(Setting, "local.timezone")
        assert row is not None
        row.value = "Mars/Olympus"
    with store.session() as s, pytest.raises(ValidationError, match="Unknown time zone 'Mars/Olympus'"):
        q.local_zone(s)

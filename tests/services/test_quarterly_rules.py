"""The pure drafting rules (casedesk.domain.quarterly_draft): evidence, words, warnings, snapshot, hash."""

from __future__ import annotations

import datetime as dt

import pytest

from casedesk.domain import quarterly_draft as rules
from casedesk.domain.quarterly_draft import DraftInputs, GoalMark, GoalRecord, NoteRecord
from casedesk.errors import ValidationError

GOALS = (
    GoalRecord("g-bus", "Ride the bus to work alone."),
    GoalRecord("g-cook", "Cook a simple meal three times a week."),
    GoalRecord("g-old", "Attend the intake appointment.", status="met", closed_on=dt.date(2026, 2, 1)),
)


def note(day: int, month: int = 7, *, kind: str = "face_to_face", signed: bool = True, **marks: str) -> NoteRecord:
    return NoteRecord(
        id=f"n-{month}-{day}-{kind}",
        contact_date=dt.date(2026, month, day),
        contact_type=kind,
        signed=signed,
        excerpt=f"Visit of {month}/{day}.",
        service_code="T1017",
        billable_units=4,
        goals=tuple(GoalMark(f"g-{goal}", rating) for goal, rating in marks.items()),
    )


def inputs(*notes: NoteRecord, today: dt.date = dt.date(2026, 10, 10), **extra: object) -> DraftInputs:
    return DraftInputs(
        quarter_label="2026Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        today=today,
        goals=GOALS,
        notes=notes,
        plan_title="Individual Service Plan",
        next_plan_review=dt.date(2026, 12, 1),
        **extra,  # type: ignore[arg-type]
    )


def test_the_pre_written_text_reads_the_evidence() -> None:
    evidence = rules.build_evidence(
        inputs(
            note(3, bus="some", cook="minimal"),
            note(5, 8, bus="good"),
            note(9, 8, kind="phone", bus="good"),
            note(14, 9, bus="good", cook="met"),
        )
    )
    bus, cook = evidence.goals
    assert rules.goal_narrative(evidence, bus, "Zoë") == (
        "In this quarter Zoë had 4 contacts (3 face-to-face). 4 notes addressed this goal, from Jul 3 to Sep 14. "
        "Progress on this goal was rated good in 3 of 4 notes and some in 1. Ratings improved over the quarter; "
        "the latest rating (Sep 14) was good progress."
    )
    assert rules.goal_narrative(evidence, cook, "Zoë") == (
        "In this quarter Zoë had 4 contacts (3 face-to-face). 2 notes addressed this goal, from Jul 3 to Sep 14. "
        "Progress on this goal was rated met in 1 of 2 notes and minimal in 1. The latest rating (Sep 14) was met. "
        "The note of Sep 14 rated this goal as met; if it is met, record that in the service plan."
    )
    assert rules.summary_text(evidence, "Zoë") == (
        "Zoë had 4 contacts this quarter (3 face-to-face and 1 phone), for 16 billable units. "
        "2 of 2 plan goals were addressed in the quarter's progress notes. "
        "The next service plan review is due on Dec 1, 2026."
    )
    # Same evidence, same words.
    assert rules.goal_narrative(evidence, bus, "Zoë") == rules.goal_narrative(rules.build_evidence(inputs(
        note(3, bus="some", cook="minimal"), note(5, 8, bus="good"), note(9, 8, kind="phone", bus="good"),
        note(14, 9, bus="good", cook="met"),
    )), bus, "Zoë")  # fmt: skip


def test_a_goal_closed_before_the_quarter_is_left_out_and_one_without_notes_is_flagged() -> None:
    evidence = rules.build_evidence(inputs(note(3, bus="some"), note(5, 8), note(9, 9)))
    assert [g.goal_id for g in evidence.goals] == ["g-bus", "g-cook"]
    cook = evidence.goal("g-cook")
    assert rules.goal_narrative(evidence, cook, "Zoë").endswith(
        "No signed progress note this quarter addressed this goal."
    )
    assert rules.missing_evidence(evidence) == (
        "Goal 2 (Cook a simple meal three times a week.) has no signed progress note this quarter.",
    )
    assert "Goal 2 was not addressed." in rules.summary_text(evidence, "Zoë")


def test_drafts_and_notes_outside_the_period_are_not_evidence() -> None:
    evidence = rules.build_evidence(
        inputs(
            note(30, 6, bus="good"),
            note(3, bus="some", signed=False),
            note(1, 10, bus="good"),
            note(4, bus="some", cook="some"),
        )
    )
    assert [e.contact_date for e in evidence.goal("g-bus").entries] == [dt.date(2026, 7, 4)]
    assert evidence.contacts == 1
    assert evidence.unsigned_note_dates == (dt.date(2026, 7, 3),)
    assert any("is an unsigned draft (Jul 3)" in w for w in rules.missing_evidence(evidence))


def test_monthly_visits_count_whole_months_within_the_clients_service() -> None:
    # A phone call is not a visit; an August visit outside the (shorter) period still counts for August.
    data = inputs(note(3, kind="phone", bus="some"), note(20, 9, bus="good"), today=dt.date(2026, 9, 25))
    assert rules.build_evidence(data).months_without_visit == ("2026-07", "2026-08")  # September is not over
    later = inputs(note(3, kind="phone", bus="some"), note(20, 9, bus="good"), in_service_from=dt.date(2026, 8, 10))
    assert rules.build_evidence(later).months_without_visit == ("2026-08",)
    gone = inputs(note(3, bus="some"), in_service_until=dt.date(2026, 7, 31))
    assert rules.build_evidence(gone).months_without_visit == ()
    assert rules.build_evidence(inputs(monthly_visit_required=False)).months_without_visit == ()


def test_no_contacts_and_no_goals_say_so() -> None:
    evidence = rules.build_evidence(
        DraftInputs("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), today=dt.date(2026, 9, 1))
    )
    assert rules.summary_text(evidence, "José").startswith("No contact with José was documented")
    warnings = rules.missing_evidence(evidence)
    assert warnings[0].startswith("No service plan goals cover this quarter")
    assert warnings[-1] == "The quarter ends on Sep 30, 2026: contacts after today will not be in this report."


def test_snapshot_round_trips_and_damage_is_reported() -> None:
    evidence = rules.build_evidence(inputs(note(3, bus="some", cook="good"), note(8, 8, kind="phone", bus="good")))
    data = evidence.to_json()
    assert rules.QuarterEvidence.from_json(data) == evidence
    with pytest.raises(ValidationError, match="unknown format"):
        rules.QuarterEvidence.from_json({})
    broken = dict(data, goals=[{"label": "Goal 1"}])
    with pytest.raises(ValidationError, match="damaged"):
        rules.QuarterEvidence.from_json(broken)


def test_the_content_hash_covers_text_evidence_and_signer() -> None:
    base = {
        "report_id": "r1",
        "client_id": "c1",
        "plan_id": "p1",
        "quarter_label": "2026Q3",
        "period_start": dt.date(2026, 7, 1),
        "period_end": dt.date(2026, 9, 30),
        "summary": "Zoë did well.",
        "goal_narratives": {"g2": "b", "g1": "a"},
        "draft_data": {"evidence": {"face_to_face": 3}},
        "signer_id": "w1",
        "signer_name": "Ana Ruiz",
        "signed_at": dt.datetime(2026, 10, 3, 16, 0, tzinfo=dt.UTC),
    }
    digest = rules.report_hash(rules.canonical_report_content(**base))  # type: ignore[arg-type]
    same_moment = dict(base, signed_at=dt.datetime(2026, 10, 3, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))))
    assert rules.report_hash(rules.canonical_report_content(**same_moment)) == digest  # type: ignore[arg-type]
    for change in (
        {"summary": "Zoë did very well."},
        {"goal_narratives": {"g1": "a", "g2": "c"}},
        {"draft_data": {"evidence": {"face_to_face": 4}}},
        {"signer_name": "Someone Else"},
    ):
        assert rules.report_hash(rules.canonical_report_content(**dict(base, **change))) != digest  # type: ignore[arg-type]
    assert "Zoë".encode() in rules.canonical_report_content(**base)  # type: ignore[arg-type]


def test_excerpts_are_cut_at_a_word() -> None:
    text = "word " * 100
    cut = rules.excerpt_of(text, 40)
    assert len(cut) <= 40 and cut.endswith("…") and not cut.endswith(" …")
    assert rules.excerpt_of("  short\n text ") == "short text"

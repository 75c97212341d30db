"""Deadline rules, one kind at a time, with the boundaries a case manager would notice."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from casedesk.domain.deadline_facts import (
    AppointmentFacts,
    ClientFacts,
    DeadlineSettings,
    FollowUpFacts,
    GoalFacts,
    NoteFacts,
    PlanFacts,
    ReportFacts,
)
from casedesk.domain.deadlines import (
    DeadlineEngine,
    DueItem,
    compute_caseload_due_items,
    compute_due_items,
    due_local_date,
    open_items,
    sort_due_items,
)
from casedesk.errors import ValidationError

D = dt.date
UTC = dt.UTC
NEW_YORK = ZoneInfo("America/New_York")


def local(zone: ZoneInfo | str, *parts: int) -> dt.datetime:
    """An aware datetime from local wall-clock parts (year, month, day, hour, minute)."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return dt.datetime(*parts, tzinfo=tz)


def client(**kwargs: Any) -> ClientFacts:
    kwargs.setdefault("client_id", "c1")
    kwargs.setdefault("name", "Zoë Nguyễn")
    return ClientFacts(**kwargs)


def run(facts: ClientFacts, now: dt.datetime, **settings: Any) -> list[DueItem]:
    settings.setdefault("timezone", "America/New_York")
    return compute_due_items(facts, DeadlineSettings(**settings), now)


def of_kind(items: list[DueItem], kind: str) -> list[DueItem]:
    return [item for item in items if item.kind == kind]


def by_ref(items: list[DueItem]) -> dict[tuple[str, ...], DueItem]:
    return {item.resolves: item for item in items}


def signed_report(label: str, start: dt.date, end: dt.date, at: dt.datetime, status: str = "signed") -> ReportFacts:
    return ReportFacts(label, start, end, status, signed_at=at)


# ---------------------------------------------------------------------------------------------
# Quarterly reports
# ---------------------------------------------------------------------------------------------


def test_every_quarter_since_intake_is_due_15_days_after_it_ends() -> None:
    items = run(client(intake_date=D(2026, 2, 10)), local(NEW_YORK, 2026, 7, 20, 9))
    reports = of_kind(items, "quarterly_report")
    assert [(i.resolves[2], i.due, i.status) for i in reports] == [
        ("2026Q1", D(2026, 4, 15), "overdue"),
        ("2026Q2", D(2026, 7, 15), "overdue"),
        ("2026Q3", D(2026, 10, 15), "upcoming"),
    ]
    assert reports[0].title == "Quarterly report 2026Q1"
    assert reports[0].resolves == ("quarterly_report", "c1", "2026Q1")


def test_signed_or_submitted_report_is_done_and_late_is_flagged() -> None:
    facts = client(
        intake_date=D(2026, 1, 5),
        reports=(
            signed_report("2026Q1", D(2026, 1, 1), D(2026, 3, 31), local(NEW_YORK, 2026, 4, 10, 16)),
            signed_report("2026Q2", D(2026, 4, 1), D(2026, 6, 30), local(NEW_YORK, 2026, 7, 20, 9), "submitted"),
        ),
    )
    items = by_ref(run(facts, local(NEW_YORK, 2026, 8, 1, 9)))
    q1, q2 = items[("quarterly_report", "c1", "2026Q1")], items[("quarterly_report", "c1", "2026Q2")]
    assert (q1.status, q1.late) == ("done", False)
    assert (q2.status, q2.late) == ("done", True)
    assert q2.done_at == local(NEW_YORK, 2026, 7, 20, 9)


def test_signed_late_in_the_evening_of_the_due_day_is_on_time() -> None:
    # 23:30 in New York on the due day is already the next day in UTC.
    signed_at = local(NEW_YORK, 2026, 4, 15, 23, 30)
    assert signed_at.astimezone(UTC).date() == D(2026, 4, 16)
    facts = client(
        intake_date=D(2026, 1, 5), reports=(signed_report("2026Q1", D(2026, 1, 1), D(2026, 3, 31), signed_at),)
    )
    item = by_ref(run(facts, local(NEW_YORK, 2026, 5, 1)))[("quarterly_report", "c1", "2026Q1")]
    assert (item.status, item.late) == ("done", False)
    late = client(
        intake_date=D(2026, 1, 5),
        reports=(signed_report("2026Q1", D(2026, 1, 1), D(2026, 3, 31), local(NEW_YORK, 2026, 4, 16, 0, 1)),),
    )
    assert by_ref(run(late, local(NEW_YORK, 2026, 5, 1)))[("quarterly_report", "c1", "2026Q1")].late


def test_draft_report_does_not_count() -> None:
    facts = client(intake_date=D(2026, 1, 5), reports=(ReportFacts("2026Q1", D(2026, 1, 1), D(2026, 3, 31)),))
    item = by_ref(run(facts, local(NEW_YORK, 2026, 4, 20)))[("quarterly_report", "c1", "2026Q1")]
    assert item.status == "overdue"
    assert item.title == "Sign quarterly report 2026Q1"


def test_report_status_follows_the_local_day_at_the_due_date() -> None:
    facts = client(intake_date=D(2026, 7, 1))

    def q3(now: dt.datetime) -> str:
        return by_ref(run(facts, now))[("quarterly_report", "c1", "2026Q3")].status

    assert q3(local(NEW_YORK, 2026, 10, 7, 23, 59)) == "upcoming"  # 8 days left
    assert q3(local(NEW_YORK, 2026, 10, 8, 0, 0)) == "due_soon"  # 7 days left
    assert q3(local(NEW_YORK, 2026, 10, 15, 23, 59)) == "due_soon"  # still the due day in New York ...
    assert local(NEW_YORK, 2026, 10, 15, 23, 59).astimezone(UTC).day == 16  # ... though not in UTC
    assert q3(local(NEW_YORK, 2026, 10, 16, 0, 0)) == "overdue"


def test_the_next_quarter_appears_at_local_midnight() -> None:
    facts = client(intake_date=D(2026, 7, 1))
    before = run(facts, local(NEW_YORK, 2026, 9, 30, 23, 30))
    after = run(facts, local(NEW_YORK, 2026, 10, 1, 0, 30))
    assert ("quarterly_report", "c1", "2026Q4") not in by_ref(before)
    assert by_ref(after)[("quarterly_report", "c1", "2026Q4")].status == "upcoming"


def test_plan_starting_mid_quarter_reports_the_partial_calendar_quarter() -> None:
    plan = PlanFacts("p1", D(2026, 8, 20), D(2027, 8, 19))
    labels = [i.resolves[2] for i in of_kind(run(client(plan=plan), local(NEW_YORK, 2026, 11, 2)), "quarterly_report")]
    assert labels == ["2026Q3", "2026Q4"]


def test_plan_year_quarters_anchor_on_the_plan() -> None:
    plan = PlanFacts("p1", D(2026, 2, 15), D(2027, 2, 14))
    facts = client(
        plan=plan,
        reports=(signed_report("PY2026Q1", D(2026, 2, 15), D(2026, 5, 14), local(NEW_YORK, 2026, 5, 20, 10)),),
    )
    reports = of_kind(run(facts, local(NEW_YORK, 2026, 9, 1), quarter_definition="plan_year"), "quarterly_report")
    assert [(i.resolves[2], i.due, i.status) for i in reports] == [
        ("PY2026Q1", D(2026, 5, 29), "done"),
        ("PY2026Q2", D(2026, 8, 29), "overdue"),
        ("PY2026Q3", D(2026, 11, 29), "upcoming"),
    ]
    assert reports[1].title == "Quarterly report PY2026Q2 (2026-05-15 to 2026-08-14)"


def test_plan_year_anchored_on_leap_day() -> None:
    plan = PlanFacts("p1", D(2024, 2, 29), D(2026, 2, 28))
    reports = of_kind(
        run(client(plan=plan), local(NEW_YORK, 2025, 6, 1), quarter_definition="plan_year"), "quarterly_report"
    )
    by_label = {i.resolves[2]: i for i in reports}
    # PY2024Q4 runs 29 Nov 2024 - 27 Feb 2025; PY2025Q1 starts 28 Feb 2025 (no 29th in 2025).
    assert by_label["PY2024Q4"].due == D(2025, 2, 27) + dt.timedelta(days=15)
    assert by_label["PY2025Q1"].due == D(2025, 5, 28) + dt.timedelta(days=15)
    assert len(reports) == 6


def test_leap_year_calendar_quarter() -> None:
    items = run(client(intake_date=D(2024, 2, 29)), local(NEW_YORK, 2024, 4, 16, 8))
    q1 = by_ref(items)[("quarterly_report", "c1", "2024Q1")]
    assert (q1.due, q1.status) == (D(2024, 4, 15), "overdue")


def test_business_day_due_dates_skip_weekends_and_federal_holidays() -> None:
    facts = client(intake_date=D(2026, 7, 1))
    now = local(NEW_YORK, 2026, 10, 1)
    # 10 business days after Wed 30 Sep 2026, skipping Columbus Day (Mon 12 Oct).
    item = by_ref(run(facts, now, report_due_days=10, report_due_business_days=True))
    assert item[("quarterly_report", "c1", "2026Q3")].due == D(2026, 10, 15)
    without = by_ref(run(facts, now, report_due_days=10, report_due_business_days=True, us_federal_holidays=False))
    assert without[("quarterly_report", "c1", "2026Q3")].due == D(2026, 10, 14)
    agency_closed = by_ref(
        run(facts, now, report_due_days=10, report_due_business_days=True, holidays=frozenset({D(2026, 10, 2)}))
    )
    assert agency_closed[("quarterly_report", "c1", "2026Q3")].due == D(2026, 10, 16)


def test_report_filed_under_another_label_counts_when_the_period_matches() -> None:
    facts = client(
        intake_date=D(2026, 1, 5),
        reports=(signed_report("Q1-2026", D(2026, 1, 1), D(2026, 3, 31), local(NEW_YORK, 2026, 4, 2)),),
    )
    assert by_ref(run(facts, local(NEW_YORK, 2026, 5, 1)))[("quarterly_report", "c1", "2026Q1")].status == "done"


def test_obligations_start_hides_paper_era_quarters() -> None:
    facts = client(intake_date=D(2019, 3, 1))
    items = run(facts, local(NEW_YORK, 2026, 5, 1), obligations_start=D(2026, 1, 1))
    assert [i.resolves[2] for i in of_kind(items, "quarterly_report")] == ["2026Q1", "2026Q2"]
    assert [i.resolves[2] for i in of_kind(items, "monthly_visit")] == [
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]


def test_discharge_ends_obligations() -> None:
    plan = PlanFacts("p1", D(2026, 1, 5), D(2027, 1, 4), review_due=D(2026, 7, 5))
    facts = client(status="discharged", intake_date=D(2026, 1, 5), discharge_date=D(2026, 5, 10), plan=plan)
    items = run(facts, local(NEW_YORK, 2026, 9, 1))
    assert [i.resolves[2] for i in of_kind(items, "quarterly_report")] == ["2026Q1", "2026Q2"]
    assert of_kind(items, "monthly_visit")[-1].resolves[2] == "2026-05"
    assert not of_kind(items, "plan_review") and not of_kind(items, "plan_renewal")


# ---------------------------------------------------------------------------------------------
# Progress notes
# ---------------------------------------------------------------------------------------------

VISIT_START = dt.datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
VISIT_END = VISIT_START + dt.timedelta(hours=1)


def visit(status: str = "done", kind: str = "home_visit", id: str = "a1") -> AppointmentFacts:
    return AppointmentFacts(id, VISIT_START, status, kind, end=VISIT_END)


def note_for(appointment_id: str | None, signed_at: dt.datetime | None, **kwargs: object) -> NoteFacts:
    return NoteFacts(
        kwargs.pop("id", "n1"),
        VISIT_START,
        "signed" if signed_at else "draft",
        appointment_id=appointment_id,
        signed_at=signed_at,
        **kwargs,
    )


def note_item(facts_kwargs: dict[str, object], now: dt.datetime, **settings: object):
    items = run(client(**facts_kwargs), now, **settings)
    found = of_kind(items, "note_for_visit")
    assert len(found) <= 1
    return found[0] if found else None


def test_note_is_due_48_hours_after_the_visit_ends() -> None:
    facts = {"appointments": (visit(),)}
    due = VISIT_END + dt.timedelta(hours=48)
    item = note_item(facts, VISIT_END + dt.timedelta(hours=1))
    assert item is not None and item.due == due and item.status == "due_soon"
    assert item.resolves == ("note_for_visit", "a1")
    assert item.title == "Progress note for home visit"
    assert note_item(facts, due).status == "due_soon"  # exactly at the deadline: not yet late
    assert note_item(facts, due + dt.timedelta(seconds=1)).status == "overdue"


def test_window_is_configurable() -> None:
    item = note_item({"appointments": (visit(),)}, VISIT_END, note_due_hours=24)
    assert item.due == VISIT_END + dt.timedelta(hours=24)


def test_signed_note_closes_the_visit_and_late_signing_is_flagged() -> None:
    on_time = VISIT_END + dt.timedelta(hours=47)
    item = note_item({"appointments": (visit(),), "notes": (note_for("a1", on_time),)}, on_time + dt.timedelta(days=9))
    assert (item.status, item.done_at, item.late) == ("done", on_time, False)
    late = VISIT_END + dt.timedelta(hours=49)
    item = note_item({"appointments": (visit(),), "notes": (note_for("a1", late),)}, late)
    assert (item.status, item.late) == ("done", True)


def test_draft_note_does_not_count() -> None:
    item = note_item({"appointments": (visit(),), "notes": (note_for("a1", None),)}, VISIT_END + dt.timedelta(days=3))
    assert item.status == "overdue"
    assert item.title == "Sign progress note for home visit"


def test_note_linked_to_another_visit_does_not_count() -> None:
    signed = VISIT_END + dt.timedelta(hours=2)
    item = note_item({"appointments": (visit(),), "notes": (note_for("other", signed),)}, VISIT_END)
    assert item.status != "done"


@pytest.mark.parametrize("status", ["planned", "missed", "cancelled"])
def test_only_done_visits_need_notes(status: str) -> None:
    assert note_item({"appointments": (visit(status),)}, VISIT_END + dt.timedelta(days=5)) is None


def test_visit_without_end_counts_from_its_start() -> None:
    appointment = AppointmentFacts("a1", VISIT_START, "done")
    item = note_item({"appointments": (appointment,)}, VISIT_START)
    assert item.due == VISIT_START + dt.timedelta(hours=48)


def test_note_window_across_a_dst_change_is_48_real_hours() -> None:
    # Visit ends Saturday 7 March 2026, 10:00 EST; clocks spring forward on Sunday 8 March.
    end = local(NEW_YORK, 2026, 3, 7, 10)
    appointment = AppointmentFacts("a1", end - dt.timedelta(hours=1), "done", end=end)
    item = note_item({"appointments": (appointment,)}, end)
    assert item.due - end == dt.timedelta(hours=48)
    assert item.due.astimezone(NEW_YORK) == local(NEW_YORK, 2026, 3, 9, 11)  # 11:00 EDT = 48 h later


def test_unlinked_draft_note_must_be_signed_in_time() -> None:
    draft = NoteFacts("n9", VISIT_START, "draft", contact_type="phone", duration_minutes=30)
    items = run(client(notes=(draft,)), VISIT_START + dt.timedelta(days=3))
    (item,) = of_kind(items, "note_signature")
    assert item.due == VISIT_START + dt.timedelta(minutes=30, hours=48)
    assert (item.status, item.resolves) == ("overdue", ("note_signature", "n9"))
    # Signed notes and drafts awaited by a done visit are not listed twice.
    assert not of_kind(run(client(appointments=(visit(),), notes=(note_for("a1", None),)), VISIT_END), "note_signature")


# ---------------------------------------------------------------------------------------------
# Monthly face-to-face visits
# ---------------------------------------------------------------------------------------------


def monthly(facts_kwargs: dict[str, object], now: dt.datetime, **settings: object) -> dict[str, str]:
    items = run(client(**facts_kwargs), now, **settings)
    return {i.resolves[2]: i.status for i in of_kind(items, "monthly_visit")}


def test_visit_at_2330_on_the_last_day_counts_for_that_local_month() -> None:
    late_evening = local(NEW_YORK, 2026, 10, 31, 23, 30)
    assert late_evening.astimezone(UTC).month == 11
    appointment = AppointmentFacts("a1", late_evening, "done", "home_visit")
    statuses = monthly({"intake_date": D(2026, 10, 1), "appointments": (appointment,)}, local(NEW_YORK, 2026, 11, 5))
    assert statuses == {"2026-10": "done", "2026-11": "upcoming"}


def test_east_of_utc_the_month_starts_before_utc_does() -> None:
    auckland = ZoneInfo("Pacific/Auckland")
    morning = dt.datetime(2026, 11, 1, 1, 0, tzinfo=auckland)  # still 31 October in UTC
    appointment = AppointmentFacts("a1", morning, "done", "office")
    statuses = monthly(
        {"intake_date": D(2026, 10, 1), "appointments": (appointment,)},
        dt.datetime(2026, 11, 20, tzinfo=auckland),
        timezone="Pacific/Auckland",
    )
    assert statuses == {"2026-10": "overdue", "2026-11": "done"}


def test_what_counts_as_face_to_face() -> None:
    def contact_counts(**kwargs: object) -> bool:
        facts = {"intake_date": D(2026, 11, 1), **kwargs}
        return monthly(facts, local(NEW_YORK, 2026, 11, 20))["2026-11"] == "done"

    start = local(NEW_YORK, 2026, 11, 10, 10)
    signed = start + dt.timedelta(hours=3)
    assert contact_counts(appointments=(AppointmentFacts("a", start, "done", "home_visit"),))
    assert contact_counts(appointments=(AppointmentFacts("a", start, "done", "office"),))
    assert not contact_counts(appointments=(AppointmentFacts("a", start, "done", "phone"),))
    assert not contact_counts(appointments=(AppointmentFacts("a", start, "planned", "home_visit"),))
    assert not contact_counts(appointments=(AppointmentFacts("a", start, "missed", "home_visit"),))
    assert contact_counts(notes=(NoteFacts("n", start, "signed", signed_at=signed),))
    assert not contact_counts(notes=(NoteFacts("n", start, "draft"),))
    assert not contact_counts(notes=(NoteFacts("n", start, "signed", "phone", signed_at=signed),))


def test_current_month_is_due_soon_near_its_end_and_past_months_are_overdue() -> None:
    facts = {"intake_date": D(2026, 9, 15)}
    assert monthly(facts, local(NEW_YORK, 2026, 11, 20)) == {
        "2026-09": "overdue",
        "2026-10": "overdue",
        "2026-11": "upcoming",
    }
    assert monthly(facts, local(NEW_YORK, 2026, 11, 24))["2026-11"] == "due_soon"


def test_monthly_requirement_per_program() -> None:
    facts = {"intake_date": D(2026, 9, 15), "program": "ICF"}
    assert monthly(facts, local(NEW_YORK, 2026, 11, 20), monthly_visit_required={"ICF": False}) == {}
    assert monthly(facts, local(NEW_YORK, 2026, 11, 20), monthly_visit_default=False) == {}
    assert monthly(
        facts, local(NEW_YORK, 2026, 11, 20), monthly_visit_default=False, monthly_visit_required={"ICF": True}
    )


def test_inactive_client_owes_no_visit_this_month() -> None:
    assert monthly({"intake_date": D(2026, 9, 15), "status": "inactive"}, local(NEW_YORK, 2026, 11, 20)) == {
        "2026-09": "overdue",
        "2026-10": "overdue",
    }


def test_month_done_at_is_the_earliest_contact() -> None:
    first = local(NEW_YORK, 2026, 11, 3, 9)
    second = local(NEW_YORK, 2026, 11, 17, 9)
    facts = client(
        intake_date=D(2026, 11, 1),
        appointments=(AppointmentFacts("b", second, "done"), AppointmentFacts("a", first, "done")),
    )
    (item,) = of_kind(run(facts, local(NEW_YORK, 2026, 11, 20)), "monthly_visit")
    assert item.done_at == first
    assert item.title == "Face-to-face visit in November 2026"
    assert item.resolves == ("monthly_visit", "c1", "2026-11")


# ---------------------------------------------------------------------------------------------
# Plans, goals, follow-ups
# ---------------------------------------------------------------------------------------------


def plan_items(plan: PlanFacts, now: dt.datetime, **kwargs: object) -> dict[str, object]:
    items = run(client(plan=plan, **kwargs), now)
    return {i.kind: i for i in items if i.kind in ("plan_review", "plan_renewal", "service_plan")}


def test_plan_review_turns_due_soon_at_the_lead_time() -> None:
    plan = PlanFacts("p1", D(2026, 1, 1), review_due=D(2026, 12, 1))
    assert plan_items(plan, local(NEW_YORK, 2026, 10, 31))["plan_review"].status == "upcoming"
    assert plan_items(plan, local(NEW_YORK, 2026, 11, 1))["plan_review"].status == "due_soon"
    assert plan_items(plan, local(NEW_YORK, 2026, 12, 2))["plan_review"].status == "overdue"
    reviewed = PlanFacts("p1", D(2026, 1, 1), review_due=D(2026, 12, 1), reviewed_on=D(2026, 12, 3))
    item = plan_items(reviewed, local(NEW_YORK, 2026, 12, 10))["plan_review"]
    assert (item.status, item.late, item.resolves) == ("done", True, ("plan_review", "p1"))


def test_plan_renewal() -> None:
    plan = PlanFacts("p1", D(2026, 1, 1), D(2026, 12, 31))
    now = local(NEW_YORK, 2026, 12, 10)
    item = plan_items(plan, now)["plan_renewal"]
    assert (item.due, item.status, item.title) == (D(2026, 12, 31), "due_soon", "Renew the service plan")
    draft = PlanFacts("p2", D(2027, 1, 1), status="draft")
    assert plan_items(plan, now, next_plan=draft)["plan_renewal"].title == "Finish the draft renewal plan"
    approved = PlanFacts("p2", D(2027, 1, 1))
    done = plan_items(plan, now, next_plan=approved)["plan_renewal"]
    assert (done.status, done.late) == ("done", False)
    gap = plan_items(plan, local(NEW_YORK, 2027, 1, 20), next_plan=PlanFacts("p2", D(2027, 1, 15)))["plan_renewal"]
    assert (gap.status, gap.late) == ("done", True)


def test_client_without_a_plan_needs_one_within_30_days_of_intake() -> None:
    items = plan_items(None, local(NEW_YORK, 2026, 11, 20), intake_date=D(2026, 11, 1))
    item = items["service_plan"]
    assert (item.due, item.status, item.resolves) == (D(2026, 12, 1), "due_soon", ("service_plan", "c1"))


def test_goal_target_dates() -> None:
    plan = PlanFacts(
        "p1",
        D(2026, 1, 1),
        goals=(
            GoalFacts("g1", target_date=D(2026, 6, 30)),
            GoalFacts("g2", "met", D(2026, 6, 30)),
            GoalFacts("g3"),
        ),
    )
    goals = by_ref(of_kind(run(client(plan=plan), local(NEW_YORK, 2026, 7, 2)), "goal_target"))
    assert goals[("goal_target", "g1")].status == "overdue"
    assert goals[("goal_target", "g2")].status == "done"
    assert ("goal_target", "g3") not in goals


def test_follow_ups() -> None:
    open_one = FollowUpFacts("f1", "Call the pharmacy", D(2026, 11, 10))
    done_late = FollowUpFacts("f2", "Send release", D(2026, 11, 1), completed_at=local(NEW_YORK, 2026, 11, 2, 0, 5))
    done_in_time = FollowUpFacts("f3", "Send form", D(2026, 11, 1), completed_at=local(NEW_YORK, 2026, 11, 1, 23, 55))
    items = by_ref(
        of_kind(run(client(follow_ups=(open_one, done_late, done_in_time)), local(NEW_YORK, 2026, 11, 12)), "follow_up")
    )
    assert items[("follow_up", "f1")].status == "overdue"
    assert items[("follow_up", "f1")].title == "Follow-up: Call the pharmacy"
    assert (items[("follow_up", "f2")].status, items[("follow_up", "f2")].late) == ("done", True)
    assert items[("follow_up", "f3")].late is False


# ---------------------------------------------------------------------------------------------
# Inputs, helpers, privacy
# ---------------------------------------------------------------------------------------------


def test_titles_never_carry_the_client_name() -> None:
    facts = client(
        name="Zoë Nguyễn",
        intake_date=D(2026, 1, 1),
        plan=PlanFacts(
            "p1", D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 1), goals=(GoalFacts("g", target_date=D(2026, 9, 1)),)
        ),
        appointments=(visit(),),
        notes=(NoteFacts("n2", VISIT_START, "draft"),),
    )
    items = run(facts, local(NEW_YORK, 2026, 11, 20))
    assert len({i.kind for i in items}) >= 6
    assert not any("Zo" in i.title or "Nguy" in i.title for i in items)


def test_naive_times_and_bad_settings_are_refused_clearly() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        AppointmentFacts("a", dt.datetime(2026, 1, 1, 10), "done")
    with pytest.raises(ValidationError, match="time zone"):
        compute_due_items(client(), DeadlineSettings(), dt.datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="Unknown time zone"):
        DeadlineSettings(timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="note_due_hours"):
        DeadlineSettings(note_due_hours=0)
    with pytest.raises(ValidationError, match="appointment status"):
        AppointmentFacts("a", VISIT_START, "completed")
    with pytest.raises(ValidationError, match="signed"):
        NoteFacts("n", VISIT_START, "signed")
    with pytest.raises(ValidationError, match="before it starts"):
        PlanFacts("p", D(2026, 5, 1), D(2026, 4, 1))


def test_facts_store_times_in_utc() -> None:
    appointment = AppointmentFacts("a", local(NEW_YORK, 2026, 3, 8, 1, 30), "done")
    assert appointment.start.tzinfo is UTC
    assert appointment.start == local(NEW_YORK, 2026, 3, 8, 1, 30)


def test_settings_are_immutable_and_hashable() -> None:
    programs = {"ICF": False}
    settings = DeadlineSettings(monthly_visit_required=programs)
    programs["ICF"] = True
    assert settings.monthly_visit_required["ICF"] is False
    assert hash(settings) == hash(DeadlineSettings(monthly_visit_required={"ICF": False}))


def test_caseload_helpers() -> None:
    facts = [client(client_id=f"c{n}", intake_date=D(2026, 9, 1), appointments=(visit(id=f"a{n}"),)) for n in range(3)]
    settings = DeadlineSettings(timezone="America/New_York")
    now = local(NEW_YORK, 2026, 11, 20)
    together = list(compute_caseload_due_items(facts, settings, now))
    assert together == [item for f in facts for item in DeadlineEngine(settings, now).compute(f)]
    assert all(item.status != "done" for item in open_items(together))
    ordered = sort_due_items(together, NEW_YORK)
    ranks = [("overdue", "due_soon", "upcoming", "done").index(i.status) for i in ordered]
    assert ranks == sorted(ranks)
    note = of_kind(together, "note_for_visit")[0]
    assert due_local_date(note, NEW_YORK) == D(2026, 11, 5)

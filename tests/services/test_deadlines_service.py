"""Every deadline kind through the database: the service reads facts, the engine decides, names attached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from casedesk.db.models import QuarterlyReport
from casedesk.db.store import Store
from casedesk.db.types import new_id
from casedesk.services import calendar, clients, notes, plans, settings
from casedesk.services import deadlines as dl
from casedesk.services.deadlines import DueEntry

PASSPHRASE = "correct horse battery"
CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC


def chicago(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _ = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with st.session() as s:
        dl.set_worker_timezone(s, "America/Chicago")
        # Isolate each rule: monthly visits are switched on only where a test is about them.
        dl.set_deadline_rules(s, obligations_start=dt.date(2020, 1, 1), monthly_visit_default=False)
    yield st
    st.close()


def add_client(store: Store, **fields: Any) -> str:
    fields.setdefault("first_name", "Zoë")
    fields.setdefault("last_name", "Nguyễn")
    with store.session() as s:
        return clients.create_client(s, **fields)


def entries(store: Store, now: dt.datetime, **kwargs: Any) -> list[DueEntry]:
    with store.read_session() as s:
        return dl.due_entries(s, now=now, include_done=True, **kwargs)


def of_kind(found: list[DueEntry], kind: str) -> list[DueEntry]:
    return [entry for entry in found if entry.kind == kind]


def add_report(store: Store, client_id: str, label: str, first: dt.date, last: dt.date, signed_at: dt.datetime) -> None:
    with store.session() as s:
        s.execute(
            insert(QuarterlyReport),
            [
                {
                    "id": new_id(),
                    "client_id": client_id,
                    "quarter_label": label,
                    "period_start": first,
                    "period_end": last,
                    "due_date": last + dt.timedelta(days=15),
                    "status": "signed",
                    "signed_at": signed_at,
                    "summary": "",
                    "goal_narratives": {},
                    "draft_data": {},
                }
            ],
        )


def done_visit(store: Store, client_id: str, start: dt.datetime, minutes: int = 60, kind: str = "home_visit") -> str:
    with store.session() as s:
        appointment = calendar.create_appointment(
            s,
            calendar.AppointmentInput(start, start + dt.timedelta(minutes=minutes), kind=kind, client_id=client_id),
        )
        calendar.set_status(s, calendar.OccurrenceRef(appointment), "done")
    return appointment


def write_note(store: Store, appointment_id: str, *, sign_at: dt.datetime | None = None) -> str:
    with store.session() as s:
        prefill = calendar.note_prefill(s, calendar.OccurrenceRef(appointment_id))
        note_id = notes.create_draft(
            s,
            notes.NoteInput(
                client_id=prefill.client_id,
                contact_start=prefill.contact_start,
                duration_minutes=prefill.duration_minutes,
                contact_type=prefill.contact_type,
                location=prefill.location,
                appointment_id=prefill.appointment_id,
                body={"data": "Visited at home.", "assessment": "Doing well.", "plan": "Visit next week."},
            ),
        )
        if sign_at is not None:
            notes.sign_note(s, note_id, signed_at=sign_at)
    return note_id


# ---------------------------------------------------------------------------------------------
# Quarterly reports
# ---------------------------------------------------------------------------------------------


def test_quarterly_report_is_due_on_a_local_date_and_overdue_the_day_after(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 10))
    with store.session() as s:
        plans.create_plan(s, cid, dt.date(2026, 1, 10))

    # 22:00 in Chicago on 15 April is already 16 April in UTC: the report is still only due today.
    late_evening = chicago(2026, 4, 15, 22, 0)
    reports = of_kind(entries(store, late_evening), "quarterly_report")
    assert [(e.title, e.due, e.status) for e in reports] == [
        ("Quarterly report 2026Q1", dt.date(2026, 4, 15), "due_soon"),
        ("Quarterly report 2026Q2", dt.date(2026, 7, 15), "upcoming"),  # the current quarter is listed
    ]
    assert reports[0].resolves == ("quarterly_report", cid, "2026Q1")
    next_morning = chicago(2026, 4, 16, 0, 30)
    assert of_kind(entries(store, next_morning), "quarterly_report")[0].status == "overdue"

    # Signed at 23:30 on the due day (already the 16th in UTC): done, not late.
    add_report(store, cid, "2026Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), chicago(2026, 4, 15, 23, 30))
    first = of_kind(entries(store, next_morning), "quarterly_report")[0]
    assert (first.status, first.item.late) == ("done", False)


def test_a_plan_starting_mid_quarter_owes_that_quarter_under_both_definitions(store: Store) -> None:
    cid = add_client(store)
    with store.session() as s:
        plans.create_plan(s, cid, dt.date(2026, 2, 15))
    now = chicago(2026, 5, 1, 9)
    reports = of_kind(entries(store, now), "quarterly_report")
    assert [(e.title, e.due, e.status) for e in reports] == [
        ("Quarterly report 2026Q1", dt.date(2026, 4, 15), "overdue"),
        ("Quarterly report 2026Q2", dt.date(2026, 7, 15), "upcoming"),
    ]

    with store.session() as s:
        settings.set_many(s, {"quarter_definition": "plan_year", "report_due_days": 10})
    reports = of_kind(entries(store, now), "quarterly_report")
    assert [(e.title, e.due, e.status) for e in reports] == [
        ("Quarterly report PY2026Q1 (2026-02-15 to 2026-05-14)", dt.date(2026, 5, 24), "upcoming"),
    ]


def test_plan_year_quarters_across_a_leap_day(store: Store) -> None:
    cid = add_client(store)
    with store.session() as s:
        plans.create_plan(s, cid, dt.date(2023, 11, 30))
        settings.set_many(s, {"quarter_definition": "plan_year"})
    reports = of_kind(entries(store, chicago(2024, 3, 20, 12)), "quarterly_report")
    assert [(e.title, e.due, e.status) for e in reports] == [
        ("Quarterly report PY2023Q1 (2023-11-30 to 2024-02-28)", dt.date(2024, 3, 14), "overdue"),
        # The anchor day (30) does not exist in February: the quarter starts on its last day, the 29th.
        ("Quarterly report PY2023Q2 (2024-02-29 to 2024-05-29)", dt.date(2024, 6, 13), "upcoming"),
    ]


def test_obligations_start_hides_quarters_before_the_agency_used_casedesk(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2019, 5, 1))
    with store.session() as s:
        plans.create_plan(s, cid, dt.date(2025, 6, 1))
        dl.set_deadline_rules(s, obligations_start=dt.date(2026, 1, 1))
    labels = [e.resolves[2] for e in of_kind(entries(store, chicago(2026, 5, 2, 9)), "quarterly_report")]
    assert labels == ["2026Q1", "2026Q2"]


def test_without_a_set_start_obligations_begin_with_the_first_full_month_of_records(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2019, 5, 1))
    with store.session() as s:
        dl.set_deadline_rules(s, obligations_start=None, monthly_visit_default=True)
        plans.create_plan(s, cid, dt.date(2025, 6, 1))
    visit = done_visit(store, cid, chicago(2026, 3, 10, 10))
    write_note(store, visit, sign_at=chicago(2026, 3, 10, 15))
    with store.read_session() as s:
        assert dl.deadline_settings(s).obligations_start == dt.date(2026, 4, 1)
    months = [e.resolves[2] for e in of_kind(entries(store, chicago(2026, 5, 20, 9)), "monthly_visit")]
    assert months == ["2026-04", "2026-05"]  # not March (a partial month) nor the years before


# ---------------------------------------------------------------------------------------------
# Notes for visits
# ---------------------------------------------------------------------------------------------


def test_a_done_visit_owes_a_signed_note_48_hours_after_it_ends_in_exact_time_across_dst(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    # Ends 23:00 on Saturday 7 March (CST); clocks spring forward on Sunday 8 March.
    visit = done_visit(store, cid, chicago(2026, 3, 7, 22, 0))
    end = chicago(2026, 3, 7, 23, 0)
    due = end.astimezone(UTC) + dt.timedelta(hours=48)  # elapsed time (aware + timedelta in one zone is wall time)
    (item,) = of_kind(entries(store, end), "note_for_visit")
    assert item.due == due
    assert item.due.astimezone(CHICAGO).strftime("%d %H:%M") == "10 00:00"  # 48 h, but 49 wall-clock hours
    assert item.due_date == dt.date(2026, 3, 10)
    assert item.resolves == ("note_for_visit", visit)
    assert item.title == "Progress note for home visit"
    assert of_kind(entries(store, due - dt.timedelta(minutes=1)), "note_for_visit")[0].status == "due_soon"
    assert of_kind(entries(store, due + dt.timedelta(minutes=1)), "note_for_visit")[0].status == "overdue"

    note_id = write_note(store, visit)  # a draft does not count
    (draft,) = of_kind(entries(store, due + dt.timedelta(minutes=1)), "note_for_visit")
    assert (draft.status, draft.title) == ("overdue", "Sign progress note for home visit")
    with store.session() as s:
        notes.sign_note(s, note_id, signed_at=due + dt.timedelta(hours=2))
    (signed,) = of_kind(entries(store, due + dt.timedelta(days=1)), "note_for_visit")
    assert (signed.status, signed.item.late) == ("done", True)


def test_the_note_window_follows_the_note_due_hours_setting(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        settings.set_many(s, {"note_due_hours": 24})
    done_visit(store, cid, chicago(2026, 6, 2, 9), minutes=90)
    (item,) = of_kind(entries(store, chicago(2026, 6, 2, 12)), "note_for_visit")
    assert item.due == chicago(2026, 6, 3, 10, 30).astimezone(UTC)


def test_one_occurrence_of_a_weekly_visit_marked_done_owes_its_own_note(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        series = calendar.create_appointment(
            s,
            calendar.AppointmentInput(
                chicago(2026, 6, 1, 10), chicago(2026, 6, 1, 11), client_id=cid, rrule="FREQ=WEEKLY;BYDAY=MO"
            ),
        )
        second = calendar.OccurrenceRef(series, chicago(2026, 6, 8, 10))
        done_id = calendar.set_status(s, second, "done")
    found = of_kind(entries(store, chicago(2026, 6, 20, 9)), "note_for_visit")
    assert [(e.resolves, e.status) for e in found] == [(("note_for_visit", done_id), "overdue")]
    write_note(store, done_id, sign_at=chicago(2026, 6, 8, 16))
    assert of_kind(entries(store, chicago(2026, 6, 20, 9)), "note_for_visit")[0].status == "done"


def test_a_series_marked_done_as_a_whole_owes_a_note_for_each_past_visit(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        series = calendar.create_appointment(
            s,
            calendar.AppointmentInput(
                chicago(2026, 6, 1, 10), chicago(2026, 6, 1, 11), client_id=cid, rrule="FREQ=WEEKLY;COUNT=6"
            ),
        )
        moved = calendar.move(s, calendar.OccurrenceRef(series, chicago(2026, 6, 8, 10)), chicago(2026, 6, 9, 14))
        from casedesk.db.models import Appointment

        row = s.get(Appointment, series)
        assert row is not None
        row.status = "done"  # e.g. imported from another calendar as done
        assert moved.original_start == chicago(2026, 6, 8, 10).astimezone(UTC)
    found = of_kind(entries(store, chicago(2026, 6, 20, 9)), "note_for_visit")
    # 1, 15 June from the series (8 June was moved out and is planned; 22 June has not happened yet).
    assert sorted(e.due.astimezone(CHICAGO).strftime("%m-%d %H:%M") for e in found) == ["06-03 11:00", "06-17 11:00"]


def test_a_draft_without_a_visit_must_be_signed_in_time(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        notes.create_draft(
            s,
            notes.NoteInput(cid, chicago(2026, 6, 2, 9), 30, contact_type="phone", body={"data": "Called."}),
        )
    (item,) = of_kind(entries(store, chicago(2026, 6, 5, 9)), "note_signature")
    assert (item.title, item.status) == ("Sign draft progress note", "overdue")
    assert item.due == chicago(2026, 6, 4, 9, 30).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Plans, goals, months, follow-ups
# ---------------------------------------------------------------------------------------------


def test_plan_review_is_due_until_it_is_recorded(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2025, 9, 1))
    with store.session() as s:
        plan = plans.create_plan(s, cid, dt.date(2025, 9, 1), review_due=dt.date(2026, 3, 1))
    (review,) = of_kind(entries(store, chicago(2026, 3, 2, 9)), "plan_review")
    assert (review.status, review.resolves) == ("overdue", ("plan_review", plan))
    with store.session() as s:
        dl.mark_plan_reviewed(s, plan, dt.date(2026, 3, 3))
    (review,) = of_kind(entries(store, chicago(2026, 3, 5, 9)), "plan_review")
    assert (review.status, review.item.late) == ("done", True)


def test_plan_renewal_is_done_by_an_approved_successor_not_a_draft(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2025, 7, 1))
    with store.session() as s:
        plan = plans.create_plan(s, cid, dt.date(2025, 7, 1), effective_to=dt.date(2026, 6, 30))
    now = chicago(2026, 6, 10, 9)
    (renewal,) = of_kind(entries(store, now), "plan_renewal")
    assert (renewal.title, renewal.status, renewal.due) == ("Renew the service plan", "due_soon", dt.date(2026, 6, 30))
    with store.session() as s:
        successor = plans.create_plan(s, cid, dt.date(2026, 7, 1), status="draft")
    (renewal,) = of_kind(entries(store, now), "plan_renewal")
    assert renewal.title == "Finish the draft renewal plan"
    with store.session() as s:
        from casedesk.db.models import ServicePlan

        row = s.get(ServicePlan, successor)
        assert row is not None
        row.status = "active"
    (renewal,) = of_kind(entries(store, now), "plan_renewal")
    assert (renewal.status, renewal.resolves) == ("done", ("plan_renewal", plan))


def test_an_active_client_without_a_plan_needs_one_after_intake(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 5, 1))
    (item,) = of_kind(entries(store, chicago(2026, 6, 5, 9)), "service_plan")
    assert (item.due, item.status, item.resolves) == (dt.date(2026, 5, 31), "overdue", ("service_plan", cid))


def test_goal_target_dates(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 1))
        goal = plans.add_goal(s, plan, "Ride the bus alone.", target_date=dt.date(2026, 6, 1))
    (item,) = of_kind(entries(store, chicago(2026, 6, 2, 9)), "goal_target")
    assert (item.status, item.resolves) == ("overdue", ("goal_target", goal))
    with store.session() as s:
        plans.mark_goal_met(s, goal, dt.date(2026, 6, 2))
    assert of_kind(entries(store, chicago(2026, 6, 2, 9)), "goal_target")[0].status == "done"


def test_monthly_face_to_face_visits_count_local_months_and_not_phone_calls(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2024, 1, 1), program="TCM")
    with store.session() as s:
        dl.set_deadline_rules(s, monthly_visit_default=True, monthly_visit_required={"ICF": False})
        plans.create_plan(s, cid, dt.date(2024, 1, 1))
        dl.set_deadline_rules(s, obligations_start=dt.date(2024, 2, 1))
    # 23:30 on 29 February 2024 in Chicago is 1 March in UTC: it still counts for (leap) February.
    done_visit(store, cid, chicago(2024, 2, 29, 23, 30), minutes=20)
    done_visit(store, cid, chicago(2024, 3, 12, 10), kind="phone")
    months = {e.resolves[2]: e for e in of_kind(entries(store, chicago(2024, 4, 10, 9)), "monthly_visit")}
    assert months["2024-02"].status == "done" and months["2024-02"].due == dt.date(2024, 2, 29)
    assert months["2024-03"].status == "overdue"  # a phone call is no face-to-face contact
    assert months["2024-04"].status == "upcoming"
    with store.session() as s:
        clients.update_client(s, cid, program="ICF")
    assert of_kind(entries(store, chicago(2024, 4, 10, 9)), "monthly_visit") == []


def test_follow_ups_are_due_until_done(store: Store) -> None:
    cid = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        follow_up = dl.add_follow_up(s, cid, "  Call the pharmacy   about refills ", dt.date(2026, 6, 3))
    (item,) = of_kind(entries(store, chicago(2026, 6, 4, 9)), "follow_up")
    assert (item.title, item.status) == ("Follow-up: Call the pharmacy about refills", "overdue")
    with store.session() as s:
        dl.complete_follow_up(s, follow_up, chicago(2026, 6, 4, 10))
        assert [f.done_at is not None for f in dl.list_follow_ups(s, cid)] == [True]
    (item,) = of_kind(entries(store, chicago(2026, 6, 5, 9)), "follow_up")
    assert (item.status, item.item.late) == ("done", True)


# ---------------------------------------------------------------------------------------------
# What the UI and the CLI get
# ---------------------------------------------------------------------------------------------


def test_entries_carry_names_sorted_by_day_filtered_by_client_and_counted(store: Store) -> None:
    zoe = add_client(store, first_name="Zoë", last_name="Nguyễn", preferred_name="Zo", intake_date=dt.date(2026, 5, 1))
    jose = add_client(store, first_name="José", last_name="Peña", intake_date=dt.date(2026, 5, 20))
    with store.session() as s:
        dl.add_follow_up(s, jose, "Send the release form", dt.date(2026, 6, 6))
    now = chicago(2026, 6, 6, 9)
    with store.read_session() as s:
        found = dl.due_entries(s, now=now)
        only_jose = dl.due_entries(s, now=now, client_ids=[jose])
        counts = dl.due_counts(s, now=now)
    assert [(e.client_name, e.kind, e.status) for e in found] == [
        ("Zo Nguyễn", "service_plan", "overdue"),  # due 31 May
        ("José Peña", "follow_up", "due_soon"),  # due today
        ("José Peña", "service_plan", "due_soon"),  # due 19 June
        ("José Peña", "quarterly_report", "upcoming"),
        ("Zo Nguyễn", "quarterly_report", "upcoming"),
    ]
    assert {e.client_id for e in only_jose} == {jose}
    assert counts == dl.DueCounts(overdue=1, due_soon=2, due_today=1)
    assert counts.label == "1 overdue"
    assert found[0].as_dict()["resolves"] == ["service_plan", zoe]
    today = now.date()
    assert [e.kind for e in dl.select_entries(found, today=today, overdue_only=True)] == ["service_plan"]
    assert len(dl.select_entries(found, today=today, within_days=0)) == 2
    assert [e.status for e in dl.most_urgent_first(found)][:2] == ["overdue", "due_soon"]


def test_discharged_and_deleted_clients(store: Store) -> None:
    gone = add_client(store, intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        plans.create_plan(s, gone, dt.date(2026, 1, 1), review_due=dt.date(2026, 9, 1))
        clients.update_client(s, gone, status="discharged", discharge_date=dt.date(2026, 2, 10))
    found = entries(store, chicago(2026, 6, 1, 9))
    # The quarter of the discharge is still owed; nothing after it, and no plan review.
    assert [(e.kind, e.resolves[-1]) for e in found] == [("quarterly_report", "2026Q1")]


def test_bad_deadline_rules_are_refused_with_a_clear_message(store: Store) -> None:
    from casedesk.errors import ValidationError

    client = add_client(store)
    with store.session() as s:
        with pytest.raises(ValidationError, match="Unknown deadline rule"):
            dl.set_deadline_rules(s, weekend_visits=True)
        with pytest.raises(ValidationError, match="due_soon_days"):
            dl.set_deadline_rules(s, due_soon_days=-3)
        with pytest.raises(ValidationError, match="time zone"):
            dl.set_worker_timezone(s, "Mars/Olympus")
        with pytest.raises(ValidationError, match="follow-up needs"):
            dl.add_follow_up(s, client, "   ", dt.date(2026, 1, 1))


def test_fact_loading_takes_the_same_queries_for_two_clients_as_for_twenty(store: Store) -> None:
    def statements() -> int:
        executed: list[str] = []
        with store.read_session() as s:
            driver = s.connection().connection.driver_connection
            assert driver is not None
            driver.set_trace_callback(executed.append)
            try:
                dl.due_entries(s, now=chicago(2026, 6, 1, 9))
            finally:
                driver.set_trace_callback(None)
        return len(executed)

    def add_busy_client(index: int) -> None:
        cid = add_client(store, first_name=f"C{index}", intake_date=dt.date(2026, 1, 1))
        with store.session() as s:
            plan = plans.create_plan(s, cid, dt.date(2026, 1, 1), review_due=dt.date(2026, 12, 1))
            plans.add_goal(s, plan, "Goal", target_date=dt.date(2026, 12, 1))
            dl.add_follow_up(s, cid, "Call", dt.date(2026, 5, 1))
        write_note(store, done_visit(store, cid, chicago(2026, 5, 4 + index % 20, 10)), sign_at=chicago(2026, 5, 25))

    for index in range(2):
        add_busy_client(index)
    few = statements()
    for index in range(2, 20):
        add_busy_client(index)
    assert statements() == few
    assert len(entries(store, chicago(2026, 6, 1, 9))) >= 20 * 5


def test_a_caseload_read_in_chunks_gives_the_same_entries_as_in_one_go(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large caseloads are read a chunk of clients at a time (bounded memory); the result must not change."""
    for index in range(7):
        cid = add_client(store, first_name=f"C{index}", intake_date=dt.date(2026, 1, 1))
        with store.session() as s:
            plans.create_plan(s, cid, dt.date(2026, 1, 1), review_due=dt.date(2026, 3 + index, 1))
            dl.add_follow_up(s, cid, f"Call {index}", dt.date(2026, 5, 1 + index))
        write_note(store, done_visit(store, cid, chicago(2026, 5, 4 + index, 10)))
    now = chicago(2026, 6, 1, 9)
    whole = entries(store, now)
    monkeypatch.setattr(dl, "FACTS_CHUNK", 3)
    chunked = entries(store, now)
    assert [(e.client_id, e.title, e.due_date, e.status) for e in chunked] == [
        (e.client_id, e.title, e.due_date, e.status) for e in whole
    ]
    assert len({e.client_id for e in whole}) == 7


def test_panes_asking_at_the_same_time_share_one_pass_until_something_changes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = add_client(store, first_name="Ada", intake_date=dt.date(2026, 1, 1))
    with store.session() as s:
        dl.add_follow_up(s, cid, "Call the pharmacy", dt.date(2026, 5, 1))
    passes: list[dt.datetime] = []
    real = dl._digest

    def counting(session: Any, now: dt.datetime, *args: Any) -> dl.DueDigest:
        passes.append(now)
        return real(session, now, *args)

    monkeypatch.setattr(dl, "_digest", counting)
    shared = dl.SharedDueDigest()

    def ask(now: dt.datetime) -> list[str]:
        with store.read_session() as s:
            s.info[dl.SHARED_DUE_DIGEST] = shared
            return [e.title for e in dl.due_digest(s, now=now).near]

    first = ask(chicago(2026, 6, 1, 9))
    assert ask(chicago(2026, 6, 1, 9, 1)) == first and len(passes) == 1  # shared
    with store.session() as s:  # a write: the next ask computes afresh and sees it
        dl.add_follow_up(s, cid, "Book the dentist", dt.date(2026, 5, 2))
    assert "Follow-up: Book the dentist" in ask(chicago(2026, 6, 1, 9, 1)) and len(passes) == 2
    shared.invalidate()
    ask(chicago(2026, 6, 1, 9, 1))
    assert len(passes) == 3
    ask(chicago(2026, 6, 1, 9, 10))  # minutes later: statuses may have moved on
    assert len(passes) == 4
    with store.read_session() as s:  # without the shared object (the command line): always computed
        dl.due_counts(s, now=chicago(2026, 6, 1, 9, 10))
    assert len(passes) == 5


def test_the_digest_keeps_near_items_and_each_clients_soonest_and_counts_them_all(store: Store) -> None:
    """What the window shows from the digest equals what the full list gives, for a caseload larger than
    one chunk of the pass (the digest is folded chunk by chunk)."""
    with store.session() as s:
        for n in range(dl.FACTS_CHUNK + 20):
            cid = clients.create_client(
                s, first_name=f"C{n:03}", last_name="Test", intake_date=dt.date(2026, 1, 1) + dt.timedelta(days=n % 150)
            )
            if n % 3 == 0:
                dl.add_follow_up(s, cid, "Call back", dt.date(2026, 6, 1) + dt.timedelta(days=n % 11))
    now = chicago(2026, 6, 3, 9)
    with store.read_session() as s:
        every = dl.due_entries(s, now=now)
        digest = dl.due_digest(s, now=now)
    today = digest.today
    assert today == dt.date(2026, 6, 3)
    assert digest.counts == dl.count_entries(every, today)
    assert digest.counts.overdue > 0 and digest.counts.due_soon > 0
    near = [e for e in every if e.is_overdue or e.due_date <= today + dt.timedelta(days=dl.NEAR_DAYS)]
    assert list(digest.near) == near and 0 < len(near) < len(every)
    by_client: dict[str, list[DueEntry]] = {}
    for entry in every:
        by_client.setdefault(entry.client_id, []).append(entry)
    assert set(digest.soonest) == set(by_client)
    for client_id, mine in by_client.items():
        first = min(mine, key=lambda e: (e.due_date, e.kind))
        assert digest.soonest[client_id] == (first, sum(e.is_overdue for e in mine))

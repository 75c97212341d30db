"""Benchmark: deadline rules for a 10k-client caseload with a year of history.

Each synthetic client (seeded, so every run measures the same data) has an intake 12-15 months ago, a
service plan with three goals, two appointments a month (a home visit and a phone call) over the past
year plus a few planned ones, a progress note for almost every done visit (some drafts, some missing),
signed quarterly reports for most past quarters and two follow-ups. That gives about 46 due items per
client (464k in all), done and open.

A third row measures the deadline service end to end on an encrypted 10k-client demo profile made
with casedesk.demo.generate (cached in the temp folder: generating it takes minutes): reading every
client's facts set-wise, running the rules and attaching names, as a ratio to reading the same rows
bare from the same database.

The last row paints the month view (one widget's paintEvent) with 500 appointments and 150
deadlines, layout included, offscreen: the median of 25 repaints must stay under 50 ms.

``run()`` returns one dict per measurement: name, value, unit, floor (None: an absolute budget),
ratio (None without a floor), budget and pass. Run it with ``python -m bench.bench_deadlines``.

The value is the best of five runs of CPU time (``time.process_time``): the work is single-threaded and
pure, so CPU time is its cost, while wall time on a shared machine also counts other processes.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

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
from casedesk.domain.deadlines import DeadlineEngine, compute_due_items
from casedesk.domain.quarters import quarters_between

CLIENTS = 10_000
BUDGET_MS = 500.0
NOW = dt.datetime(2026, 11, 18, 15, 30, tzinfo=dt.UTC)
SETTINGS = DeadlineSettings(timezone="America/Chicago", monthly_visit_required={"ICF": False})


def make_client(rng: random.Random, index: int) -> ClientFacts:
    client_id = f"client-{index:05d}"
    today = NOW.date()
    intake = today - dt.timedelta(days=rng.randint(365, 460))
    plan_start = intake + dt.timedelta(days=rng.randint(0, 30))
    plan = PlanFacts(
        id=f"plan-{index:05d}",
        effective_from=plan_start,
        effective_to=plan_start + dt.timedelta(days=364 + 365),
        review_due=plan_start + dt.timedelta(days=rng.choice((365, 540))),
        goals=tuple(
            GoalFacts(f"goal-{index:05d}-{n}", target_date=plan_start + dt.timedelta(days=300 + 30 * n))
            for n in range(3)
        ),
    )
    appointments: list[AppointmentFacts] = []
    notes: list[NoteFacts] = []
    for month_back in range(12, -1, -1):
        base = NOW - dt.timedelta(days=30 * month_back + rng.randint(0, 20), hours=rng.randint(0, 8))
        for slot, kind in enumerate(("home_visit", "phone")):
            start = (base + dt.timedelta(days=7 * slot)).replace(minute=0, second=0, microsecond=0)
            appointment_id = f"appt-{index:05d}-{month_back:02d}-{slot}"
            in_past = start < NOW
            status = "planned" if not in_past else rng.choices(("done", "missed", "cancelled"), (90, 5, 5))[0]
            appointments.append(
                AppointmentFacts(
                    appointment_id,
                    start,
                    status,  # type: ignore[arg-type]
                    kind,  # type: ignore[arg-type]
                    completed_at=start + dt.timedelta(hours=1) if status == "done" else None,
                    end=start + dt.timedelta(hours=1),
                )
            )
            if status != "done":
                continue
            outcome = rng.random()
            if outcome < 0.05:
                continue  # note never written
            signed = outcome >= 0.10
            notes.append(
                NoteFacts(
                    f"note-{appointment_id}",
                    start,
                    "signed" if signed else "draft",
                    "face_to_face" if kind == "home_visit" else "phone",
                    appointment_id,
                    signed_at=start + dt.timedelta(hours=rng.randint(2, 60)) if signed else None,
                    duration_minutes=60,
                )
            )
    reports = []
    for quarter in quarters_between(intake, today):
        if quarter.end >= today or rng.random() < 0.1:
            continue
        signed_at = dt.datetime.combine(quarter.end, dt.time(17), dt.UTC) + dt.timedelta(days=rng.randint(1, 20))
        reports.append(ReportFacts(quarter.label, quarter.start, quarter.end, "signed", signed_at=signed_at))
    follow_ups = (
        FollowUpFacts(f"fu-{index:05d}-1", "Call pharmacy about refills", today - dt.timedelta(days=3)),
        FollowUpFacts(
            f"fu-{index:05d}-2",
            "Send release of information",
            today - dt.timedelta(days=40),
            completed_at=NOW - dt.timedelta(days=41),
        ),
    )
    return ClientFacts(
        client_id,
        name=f"Client {index}",
        program=rng.choice(("TCM", "TCM", "TCM", "ICF")),
        intake_date=intake,
        plan=plan,
        appointments=tuple(appointments),
        notes=tuple(notes),
        reports=tuple(reports),
        follow_ups=follow_ups,
    )


def make_caseload(count: int = CLIENTS, seed: int = 20261118) -> list[ClientFacts]:
    rng = random.Random(seed)
    return [make_client(rng, index) for index in range(count)]


def _best_of(runs: int, work: Any) -> tuple[float, int]:
    best = float("inf")
    produced = 0
    for _ in range(runs):
        started = time.process_time()
        produced = work()
        best = min(best, time.process_time() - started)
    return best * 1000.0, produced


# ---------------------------------------------------------------------------------------------
# End to end: the deadline service on an encrypted 10k-client demo profile
# ---------------------------------------------------------------------------------------------

DEMO_CLIENTS = 10_000
DEMO_SEED = 2026
DEMO_PASSPHRASE = "benchmark passphrase"
SERVICE_BUDGET_MS = 6000.0
SERVICE_RATIO_BUDGET = 3.5


def demo_profile(clients: int = DEMO_CLIENTS, seed: int = DEMO_SEED) -> Path:
    """A demo profile (made-up data) cached in the temp folder: generating 10k clients takes minutes.

    The cache key holds the day (the demo is relative to today), the size, the seed and the schema
    revision, so a stale profile is never measured.
    """
    from casedesk import demo
    from casedesk.db import migrate
    from casedesk.db.store import Store

    today = dt.date.today()
    key = f"{clients}-{seed}-{today.isoformat()}-{migrate.head_revision()}"
    root = Path(tempfile.gettempdir()) / "casedesk-bench" / f"demo-{key}"
    done = root / "ready"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    store, _ = Store.create(root, DEMO_PASSPHRASE, enforce_policy=False)
    try:
        with store.session() as session:
            demo.generate(session, clients=clients, seed=seed, today=today)
    finally:
        store.close()
    done.write_text("ok\n", encoding="utf-8")
    return root


def service_rows() -> list[dict[str, Any]]:
    """Facts read set-wise + engine + names, against reading the same rows bare (the floor)."""
    from bench.__main__ import result
    from casedesk.db.store import Store
    from casedesk.services import deadlines as service

    store = Store.open(demo_profile(), passphrase=DEMO_PASSPHRASE)
    try:
        with store.session() as session:
            service.set_worker_timezone(session, "America/Chicago")
        queries = (
            service._CLIENTS_SQL,
            service._PLANS_SQL,
            service._GOALS_SQL,
            service._DONE_VISITS_SQL,
            service._SIGNED_NOTES_SQL,
            service._OTHER_NOTES_SQL,
            service._REPORTS_SQL,
            service._FOLLOW_UPS_SQL,
        )

        def bare_reads() -> int:
            with store.read_session() as session:
                return sum(len(service._rows(session, sql).fetchall()) for sql in queries)

        def end_to_end() -> int:
            with store.read_session() as session:
                return len(service.due_entries(session))

        floor_ms, rows = _best_of(3, bare_reads)
        service_ms, produced = _best_of(3, end_to_end)
    finally:
        store.close()
    ratio = service_ms / floor_ms
    return [
        result(
            f"open due items end to end, {DEMO_CLIENTS // 1000}k-client demo profile (facts + rules + names, sorted)",
            service_ms,
            "ms",
            floor=floor_ms,
            budget=f"<= {SERVICE_RATIO_BUDGET:.0f}x bare reads of the same {rows // 1000}k rows, < {SERVICE_BUDGET_MS:.0f} ms",
            # The demo caseload has about 70k open items; far fewer would mean the facts went missing.
            ok=ratio <= SERVICE_RATIO_BUDGET and service_ms < SERVICE_BUDGET_MS and produced > 50_000,
        )
    ]


# ---------------------------------------------------------------------------------------------
# Month view repaint
# ---------------------------------------------------------------------------------------------

PAINT_BUDGET_MS = 50.0
PAINT_APPOINTMENTS = 500


def month_events(count: int, first_day: dt.date, zone_name: str = "America/Chicago") -> list[Any]:
    """``count`` visits spread over the six weeks a month page shows (seeded)."""
    from zoneinfo import ZoneInfo

    from casedesk.services.calendar import CalendarEvent, OccurrenceRef

    rng = random.Random(500)
    zone = ZoneInfo(zone_name)
    kinds = ("home_visit", "home_visit", "office", "phone", "meeting")
    statuses = ("planned", "planned", "done", "cancelled", "missed")
    events = []
    for index in range(count):
        day = first_day + dt.timedelta(days=rng.randrange(42))
        start = dt.datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)), tzinfo=zone)
        events.append(
            CalendarEvent(
                key=f"e{index}",
                ref=OccurrenceRef(f"e{index}"),
                appointment_id=f"e{index}",
                series_id=None,
                original_start=None,
                start=start.astimezone(dt.UTC),
                end=(start + dt.timedelta(minutes=rng.choice((30, 45, 60, 90)))).astimezone(dt.UTC),
                timezone=zone_name,
                kind=rng.choice(kinds),
                status=rng.choice(statuses),
                client_id=f"c{index % 165}",
                client_name=f"Client Number {index % 165}",
                title=None,
                location=None,
                description=None,
                rrule=None,
            )
        )
    return events


def paint_rows() -> list[dict[str, Any]]:
    """The month view painted in one widget's paintEvent: layout + paint of a page with 500 visits (and
    the caseload's deadlines), against the same page empty."""
    import os
    import statistics

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bench.__main__ import result
    from casedesk.domain.deadlines import DueItem
    from casedesk.gui.calendar.month_view import MonthView
    from casedesk.services.deadlines import DueEntry

    app = QApplication.instance() or QApplication([])
    view = MonthView()
    view.resize(1280, 800)
    view.set_zone("America/Chicago", dt.date(2026, 11, 18))
    view.set_selected_day(dt.date(2026, 11, 18))
    days = view.visible_days()
    events = tuple(month_events(PAINT_APPOINTMENTS, days[0]))
    due = tuple(
        DueEntry(
            DueItem(f"c{i}", "quarterly_report", "Quarterly report 2026Q3", days[i % 42], "overdue", ("q", str(i))),
            f"Client Number {i}",
            days[i % 42],
        )
        for i in range(150)
    )
    view.show()
    app.processEvents()

    def median_repaint(runs: int = 25) -> float:
        times = []
        for _ in range(runs):
            view._data_changed()  # the layout is rebuilt too, as after new data or a resize
            started = time.perf_counter()
            view.repaint()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000.0

    floor_ms = median_repaint()
    view.set_events(events)
    view.set_due(due)
    full_ms = median_repaint()
    chips = len(view.chips)
    view.close()
    return [
        result(
            f"month view repaint, {PAINT_APPOINTMENTS} appointments + 150 deadlines (layout + paint, median)",
            full_ms,
            "ms",
            floor=floor_ms,
            budget=f"< {PAINT_BUDGET_MS:.0f} ms",
            ok=full_ms < PAINT_BUDGET_MS and chips > 150,
        )
    ]


def run() -> list[dict[str, Any]]:
    caseload = make_caseload()

    def with_engine() -> int:
        engine = DeadlineEngine(SETTINGS, NOW)
        return sum(len(engine.compute(facts)) for facts in caseload)

    def per_call() -> int:
        return sum(len(compute_due_items(facts, SETTINGS, NOW)) for facts in caseload)

    results: list[dict[str, Any]] = []
    for name, work in (
        ("due items for 10k clients with a year of history", with_engine),
        ("due items for 10k clients, compute_due_items per client", per_call),
    ):
        elapsed_ms, produced = _best_of(5, work)
        results.append(
            {
                "name": name,
                "value": round(elapsed_ms, 1),
                "unit": "ms",
                "floor": None,
                "ratio": None,
                "budget": f"< {BUDGET_MS:.0f} ms",
                # The seeded caseload yields about 464k items; far fewer would mean the rules broke.
                "pass": elapsed_ms < BUDGET_MS and produced > 400_000,
            }
        )
    caseload.clear()  # free the synthetic caseload before the profile is read
    results.extend(service_rows())
    results.extend(paint_rows())
    return results


if __name__ == "__main__":
    for row in run():
        print(row)

"""Benchmark: deadline rules for a 10k-client caseload with a year of history.

Each synthetic client (seeded, so every run measures the same data) has an intake 12-15 months ago, a
service plan with three goals, two appointments a month (a home visit and a phone call) over the past
year plus a few planned ones, a progress note for almost every done visit (some drafts, some missing),
signed quarterly reports for most past quarters and two follow-ups. That gives about 46 due items per
client (464k in all), done and open.

``run()`` returns one dict per measurement: name, value, unit, floor (None: an absolute budget),
ratio (None without a floor), budget and pass. Run it with ``python -m bench.bench_deadlines``.

The value is the best of five runs of CPU time (``time.process_time``): the work is single-threaded and
pure, so CPU time is its cost, while wall time on a shared machine also counts other processes.
"""

from __future__ import annotations

import datetime as dt
import random
import time
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
    return results


if __name__ == "__main__":
    for row in run():
        print(row)

"""Deterministic, realistic demo caseload (seeded). Used by `casedesk demo`, `--demo`, tests and benchmarks.

The demo is written with bulk inserts and no outbox ops: it stands for records that came from the
agency server, not for unsent local work. Nothing here is real: names, addresses and numbers are made up.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from casedesk.db.models import (
    Appointment,
    Client,
    ClientAgency,
    Contact,
    Goal,
    NoteGoal,
    ProgressNote,
    ProviderAgency,
    QuarterlyReport,
    ServicePlan,
    Setting,
    Worker,
)
from casedesk.db.types import new_id
from casedesk.domain import notes as note_rules
from casedesk.domain.quarterly_draft import canonical_report_content
from casedesk.localzone import local_zone_name
from casedesk.services import audit

NICKNAMES = {
    "Dmitri": "Dima",
    "Kateryna": "Katya",
    "Samuel": "Sam",
    "Mohammed": "Mo",
    "Xavier": "Xavi",
    "Hiroshi": "Hiro",
    "Destiny": "Dee",
    "Tomás": "Tomi",
}

FIRST_NAMES = [
    "Zoë",
    "José",
    "Siobhán",
    "Björn",
    "Aaliyah",
    "Marcus",
    "Mei",
    "Darnell",
    "Priya",
    "Kateryna",
    "Luis",
    "Fatima",
    "Tyrone",
    "Hannah",
    "Nguyễn Thị",
    "Amara",
    "Ethan",
    "Rosa",
    "Jamal",
    "Chloé",
    "Dmitri",
    "Ayesha",
    "Kwame",
    "Lucía",
    "Connor",
    "Imani",
    "Hiroshi",
    "Brianna",
    "Tomás",
    "Grace",
    "Mohammed",
    "Leilani",
    "Xavier",
    "Ngozi",
    "Samuel",
    "Yesenia",
    "Óscar",
    "Destiny",
    "Wei",
    "Martha",
]
LAST_NAMES = [
    "Nguyễn",
    "Peña",
    "O'Connor",
    "Ågren",
    "Johnson",
    "Williams",
    "Chen",
    "Okafor",
    "Patel",
    "Kovalenko",
    "García",
    "Hassan",
    "Brooks",
    "Schmidt",
    "Trần",
    "Mensah",
    "Miller",
    "Hernández",
    "Washington",
    "Dubois",
    "Ivanova",
    "Khan",
    "Boateng",
    "Fernández",
    "Murphy",
    "Jackson",
    "Tanaka",
    "Robinson",
    "Muñoz",
    "Anderson",
    "Abdi",
    "Kahale",
    "Rivera",
    "Eze",
    "Thompson",
    "Álvarez",
    "Lee",
    "Zhang",
    "Begay",
    "Sørensen",
]
STREETS = [
    "Maple Ave",
    "Cedar St",
    "Riverside Dr",
    "Oak Ln",
    "Washington Blvd",
    "Elm St",
    "Prairie View Rd",
    "Lincoln Way",
    "Birch Ct",
    "Sunset Terrace",
    "Mill Rd",
    "Church St",
]
CITIES = [("Springfield", "IL", "627"), ("Decatur", "IL", "625"), ("Champaign", "IL", "618"), ("Peoria", "IL", "616")]
LANGUAGES = ["English"] * 6 + ["Spanish", "Spanish", "Vietnamese", "Arabic", "ASL", "Ukrainian"]
PROGRAMS = [
    "IDD targeted case management",
    "IDD targeted case management",
    "Adult mental health community support",
    "Homeless services - rapid rehousing",
    "Youth and family services",
]
RISK_FLAGS = [
    "fall risk",
    "seizure plan",
    "allergy: penicillin",
    "elopement risk",
    "diabetic",
    "dog in home",
    "use back door",
    "hearing impaired",
]
PROVIDERS = [
    ("Sunrise Day Program", "Day program"),
    ("Harbor Residential Supports", "Residential (CILA)"),
    ("Maple Street Pharmacy", "Pharmacy / blister packs"),
    ("Valley Behavioral Health", "Psychiatry and counseling"),
    ("Open Door Employment Services", "Supported employment"),
    ("Lakeside Paratransit", "Transportation"),
    ("Prairie Primary Care", "Primary care"),
    ("Hope Housing Partners", "Housing navigation"),
    ("Bright Futures Family Center", "Family therapy"),
    ("Second Street Food Pantry", "Food assistance"),
    ("County Representative Payee Office", "Representative payee"),
    ("North Star Behavioral Supports", "Behavior support"),
]
CONTACT_RELATIONS = [
    ("guardian", True),
    ("mother", False),
    ("father", False),
    ("sister", False),
    ("brother", False),
    ("payee", False),
    ("physician", False),
    ("aunt", False),
]
GOALS = [
    (
        "{n} will prepare a simple meal with no more than two verbal prompts, 3 times a week.",
        "Cook with staff support",
        "Staff log of meals prepared",
    ),
    ("{n} will attend the day program at least 4 days a week.", "Regular attendance", "Attendance records"),
    (
        "{n} will take medications as prescribed using pharmacy blister packs.",
        "Medication adherence",
        "Missed doses per month",
    ),
    (
        "{n} will ride the bus to work independently on the familiar route.",
        "Travel training",
        "Trips completed without support",
    ),
    ("{n} will keep a stable home and pay rent on time each month.", "Housing stability", "Rent ledger"),
    ("{n} will attend all scheduled primary-care and dental appointments.", "Health maintenance", "Appointments kept"),
    ("{n} will manage a weekly spending budget with the payee.", "Money management", "Budget sheet reviewed"),
    ("{n} will use two coping skills when feeling anxious.", "Emotional regulation", "Self-report and staff notes"),
    ("{n} will take part in one community activity of choice each week.", "Community inclusion", "Activities attended"),
    ("{n} will complete a job application with support.", "Employment", "Applications submitted"),
]
DATA_LINES = [
    "Met with {n} at home; {n} was dressed and ready for the visit.",
    "{n} reported sleeping well and eating regularly this week.",
    "Reviewed the medication blister pack together; no missed doses since the last visit.",
    "{n} showed the meal log; two meals were prepared with staff this week.",
    "Residential staff reported {n} attended the day program four of five days.",
    "{n} described a disagreement with a housemate and how it was resolved.",
    "Discussed the upcoming primary-care appointment and transportation to it.",
    "{n} rode the bus to the visit location with a travel-training coach.",
    "Checked the home for safety; smoke detectors working, walkways clear.",
    '{n} said the new job coach is "kind and patient".',
    "Guardian joined by phone and agreed with the plan for next month.",
    "Budget sheet reviewed with the payee; {n} kept within the weekly amount.",
]
ASSESS_LINES = [
    "{n} is making steady progress toward the goals discussed.",
    "Progress is slower this month; {n} needed more prompts than usual.",
    "No new health or safety concerns observed.",
    "{n} appears more confident using coping skills when anxious.",
    "Supports in place are adequate; no change to the plan is needed now.",
    "Attendance has improved since transportation was rearranged.",
]
PLAN_LINES = [
    "Next home visit in two weeks; continue meal-preparation practice.",
    "Case manager will call the pharmacy to confirm the refill schedule.",
    "Follow up with the day program about attendance next week.",
    "Schedule the annual plan meeting with the guardian and providers.",
    "Continue travel training; try the route to the library next visit.",
    "Send the release of information to the new dentist's office.",
]
SUBJECTIVE_LINES = [
    '{n} said, "I feel good today, I went to work."',
    "{n} reported feeling worried about the move to a new apartment.",
    "{n} stated that the bus was late twice this week.",
    "{n} said the new medication makes them sleepy in the morning.",
]
OBJECTIVE_LINES = [
    "{n} was calm, well groomed, and engaged in conversation for the whole visit.",
    "The refrigerator had fresh food; the apartment was tidy.",
    "{n} counted change correctly for a snack purchase.",
    "Observed {n} using deep breathing when a neighbour's dog barked.",
]
SERVICE_CODES = ["T1017", "T1016", "H0036", "G9012"]


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    notes: int
    appointments: int
    reports: int


def _lines(rng: random.Random, bank: list[str], name: str, k: int) -> str:
    return " ".join(line.format(n=name) for line in rng.sample(bank, k))


def _quarter_start(d: dt.date) -> dt.date:
    return dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = min(
        d.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return dt.date(year, month, day)


def generate(session: Session, clients: int = 60, seed: int = 2026, today: dt.date | None = None) -> DemoSummary:
    """Fill the profile in `session` with a demo caseload. Deterministic for a given seed and today."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    zone_name = local_zone_name()  # visits at sensible local hours wherever the demo runs
    tz = ZoneInfo(zone_name)
    now = dt.datetime.combine(today, dt.time(8, 0), tz).astimezone(dt.UTC)
    worker_setting = session.get(Setting, "current_worker_id")
    worker_id = worker_setting.value if worker_setting else None
    worker = session.get(Worker, worker_id) if worker_id else None
    worker_name = worker.name if worker else "Case manager"

    providers = []
    existing = session.execute(select(ProviderAgency.id, ProviderAgency.name)).all()
    if existing:
        providers = [(pid, name) for pid, name in existing]
    else:
        rows = []
        for name, service in PROVIDERS:
            pid = new_id()
            rows.append(
                {
                    "id": pid,
                    "name": name,
                    "service_type": service,
                    "phone": f"(217) 555-{rng.randint(1000, 9999)}",
                    "email": f"intake@{name.split()[0].lower()}.example.org",
                    "address": f"{rng.randint(10, 999)} {rng.choice(STREETS)}, Springfield, IL",
                }
            )
            providers.append((pid, name))
        session.execute(insert(ProviderAgency), rows)

    batch: dict[type[Any], list[dict[str, Any]]] = {
        m: []
        for m in (
            Client,
            Contact,
            ClientAgency,
            ServicePlan,
            Goal,
            Appointment,
            ProgressNote,
            NoteGoal,
            QuarterlyReport,
        )
    }
    counts = {"notes": 0, "appointments": 0, "reports": 0}

    def flush_batch() -> None:
        for model, rows in batch.items():
            if rows:
                session.execute(insert(model), rows)
                rows.clear()

    for index in range(clients):
        for model, row in _client_rows(rng, index, today, now, worker_id, worker_name, providers, zone_name):
            batch[model].append(row)
            if model is ProgressNote:
                counts["notes"] += 1
            elif model is Appointment:
                counts["appointments"] += 1
            elif model is QuarterlyReport:
                counts["reports"] += 1
        if index % 200 == 199:
            flush_batch()
    flush_batch()
    audit.record(session, "demo_generated", detail={"clients": clients, "seed": seed})
    return DemoSummary(clients, counts["notes"], counts["appointments"], counts["reports"])


def _client_rows(
    rng: random.Random,
    index: int,
    today: dt.date,
    now: dt.datetime,
    worker_id: str | None,
    worker_name: str,
    providers: list[tuple[str, str]],
    zone_name: str,
) -> Iterator[tuple[type[Any], dict[str, Any]]]:
    tz = ZoneInfo(zone_name)
    first = FIRST_NAMES[index % len(FIRST_NAMES)] if index < len(FIRST_NAMES) else rng.choice(FIRST_NAMES)
    last = LAST_NAMES[(index * 7) % len(LAST_NAMES)] if index < len(LAST_NAMES) else rng.choice(LAST_NAMES)
    name = first.split()[0]
    client_id = new_id()
    city, region, zip3 = rng.choice(CITIES)
    program = rng.choice(PROGRAMS)
    youth = program.startswith("Youth")
    age_years = rng.randint(8, 17) if youth else rng.randint(19, 78)
    dob = today.replace(year=today.year - age_years) - dt.timedelta(days=rng.randint(0, 364))
    status = "active" if rng.random() > 0.06 else "inactive"
    intake = today - dt.timedelta(days=rng.randint(400, 3000))
    yield (
        Client,
        {
            "id": client_id,
            "first_name": first,
            "last_name": last,
            "preferred_name": NICKNAMES.get(name) if rng.random() < 0.5 else None,
            "dob": dob,
            "medicaid_id": f"{rng.randint(100000000, 999999999)}",
            "record_number": f"RB-{10000 + index}",
            "address_line1": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            "address_line2": None if rng.random() > 0.3 else f"Apt {rng.randint(1, 40)}",
            "city": city,
            "region": region,
            "postal_code": f"{zip3}{rng.randint(10, 99)}",
            "phone": f"(217) 555-{rng.randint(1000, 9999)}",
            "language": rng.choice(LANGUAGES),
            "program": program,
            "status": status,
            "assigned_worker_id": worker_id,
            "risk_flags": rng.sample(RISK_FLAGS, rng.choice([0, 0, 1, 1, 2])),
            "intake_date": intake,
        },
    )
    for _ in range(rng.randint(1, 3)):
        relation, guardian = rng.choice(CONTACT_RELATIONS)
        yield (
            Contact,
            {
                "id": new_id(),
                "client_id": client_id,
                "name": f"{rng.choice(FIRST_NAMES)} {last if relation not in ('physician', 'payee') else rng.choice(LAST_NAMES)}",
                "relation": relation,
                "is_guardian": guardian or (youth and relation in ("mother", "father")),
                "phone": f"(217) 555-{rng.randint(1000, 9999)}",
                "email": None if rng.random() > 0.5 else f"contact{index}@example.net",
                "consent_to_share": rng.random() > 0.2,
            },
        )
    for pid, _pname in rng.sample(providers, rng.randint(2, min(5, len(providers)))):
        yield (
            ClientAgency,
            {
                "id": new_id(),
                "client_id": client_id,
                "provider_agency_id": pid,
                "role": None,
                "contact_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "contact_phone": f"(217) 555-{rng.randint(1000, 9999)}",
                "start_date": intake + dt.timedelta(days=rng.randint(0, 300)),
            },
        )

    # The current plan year started 1-12 months ago; review due before the year ends.
    plan_start = _add_months(today, -rng.randint(1, 12)).replace(day=1)
    plan_id = new_id()
    review_due = _add_months(plan_start, 11) if rng.random() > 0.1 else today - dt.timedelta(days=rng.randint(3, 40))
    yield (
        ServicePlan,
        {
            "id": plan_id,
            "client_id": client_id,
            "title": "Individual Service Plan" if "IDD" in program else "Treatment / service plan",
            "effective_from": plan_start,
            "effective_to": _add_months(plan_start, 12) - dt.timedelta(days=1),
            "review_due": review_due,
            "status": "active",
        },
    )
    goal_ids = []
    for position, (text, objective, measure) in enumerate(rng.sample(GOALS, rng.randint(2, 5)), start=1):
        gid = new_id()
        goal_ids.append(gid)
        yield (
            Goal,
            {
                "id": gid,
                "plan_id": plan_id,
                "position": position,
                "text": text.format(n=name),
                "objective": objective,
                "measure": measure,
                "target_date": _add_months(plan_start, 12) - dt.timedelta(days=1),
                "status": "met" if rng.random() < 0.08 else "active",
            },
        )

    # About a year of visits: two or three a month, each with a note; the last few may lack one.
    address = f"{rng.randint(100, 9999)} {rng.choice(STREETS)}, {city}"
    start_day = today - dt.timedelta(days=365)
    day = start_day + dt.timedelta(days=rng.randint(0, 10))
    template = rng.choice(["dap", "dap", "soap"])
    while day < today + dt.timedelta(days=28):
        hour = rng.choice([9, 10, 11, 13, 14, 15])
        start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30])), tz).astimezone(dt.UTC)
        minutes = rng.choice([30, 45, 45, 60, 60, 75, 90])
        kind = rng.choices(["home_visit", "office", "phone"], [7, 2, 1])[0]
        appt_id = new_id()
        past = start < now
        skipped_note = past and (now - start) < dt.timedelta(days=6) and rng.random() < 0.5
        appt_status = "done" if past else "planned"
        if past and rng.random() < 0.04:
            appt_status = "missed"
        yield (
            Appointment,
            {
                "id": appt_id,
                "client_id": client_id,
                "worker_id": worker_id,
                "title": None,
                "kind": kind,
                "starts_at": start,
                "ends_at": start + dt.timedelta(minutes=minutes),
                "timezone": zone_name,
                "location": address
                if kind == "home_visit"
                else ("Office, 200 Main St" if kind == "office" else "Phone"),
                "status": appt_status,
                "completed_at": start + dt.timedelta(minutes=minutes) if appt_status == "done" else None,
                "exdates": [],
            },
        )
        if appt_status == "done" and not skipped_note:
            contact_type = "phone" if kind == "phone" else "face_to_face"
            if template == "dap":
                body = {
                    "data": _lines(rng, DATA_LINES, name, 3),
                    "assessment": _lines(rng, ASSESS_LINES, name, 2),
                    "plan": _lines(rng, PLAN_LINES, name, 2),
                }
            else:
                body = {
                    "subjective": _lines(rng, SUBJECTIVE_LINES, name, 2),
                    "objective": _lines(rng, OBJECTIVE_LINES, name, 2),
                    "assessment": _lines(rng, ASSESS_LINES, name, 2),
                    "plan": _lines(rng, PLAN_LINES, name, 2),
                }
            recent = (now - start) < dt.timedelta(days=10)
            signed = not (recent and rng.random() < 0.4)
            note_id = new_id()
            signed_at = start + dt.timedelta(hours=rng.randint(2, 30))
            units = note_rules.billable_units(minutes)
            ratings = [
                (gid, rng.choice(["minimal", "some", "some", "good", "none"]))
                for gid in rng.sample(goal_ids, rng.randint(1, len(goal_ids)))
            ]
            content_hash = None
            if signed:
                content_hash = note_rules.content_hash(
                    note_rules.canonical_note_content(
                        note_id=note_id,
                        client_id=client_id,
                        contact_start=start,
                        duration_minutes=minutes,
                        contact_type=contact_type,
                        location=address,
                        template=template,
                        body=body,
                        service_code=SERVICE_CODES[0],
                        billable_units=units,
                        goals=[note_rules.GoalRating(g, r) for g, r in ratings],
                        signer_id=worker_id,
                        signer_name=worker_name,
                        signed_at=signed_at,
                    )
                )
            yield (
                ProgressNote,
                {
                    "id": note_id,
                    "client_id": client_id,
                    "appointment_id": appt_id,
                    "author_id": worker_id,
                    "contact_start": start,
                    "duration_minutes": minutes,
                    "contact_type": contact_type,
                    "location": address,
                    "template": template,
                    "body": body,
                    "service_code": SERVICE_CODES[0],
                    "billable_units": units,
                    "status": "signed" if signed else "draft",
                    "signed_by": worker_id if signed else None,
                    "signer_name": worker_name if signed else None,
                    "signed_at": signed_at if signed else None,
                    "content_hash": content_hash,
                    "search_text": note_rules.search_text(body),
                },
            )
            for gid, rating in ratings:
                yield NoteGoal, {"id": new_id(), "note_id": note_id, "goal_id": gid, "rating": rating}
        day += dt.timedelta(days=rng.randint(9, 16))

    # Signed quarterly reports for past calendar quarters; the latest one is sometimes still missing.
    q_start = _quarter_start(start_day)
    while True:
        q_end = _add_months(q_start, 3) - dt.timedelta(days=1)
        due = q_end + dt.timedelta(days=15)
        if q_end >= today:
            break
        if q_end >= plan_start - dt.timedelta(days=366) and not (
            due > today - dt.timedelta(days=60) and rng.random() < 0.35
        ):
            signed_at = dt.datetime.combine(due - dt.timedelta(days=rng.randint(1, 10)), dt.time(16, 0), tz)
            report_id = new_id()
            label = f"{q_start.year}Q{(q_start.month - 1) // 3 + 1}"
            summary = f"{name} continued to work on the plan goals this quarter with steady support."
            narratives = {gid: "Progress noted in the quarter's visits." for gid in goal_ids}
            yield (
                QuarterlyReport,
                {
                    "id": report_id,
                    "client_id": client_id,
                    "plan_id": plan_id,
                    "quarter_label": label,
                    "period_start": q_start,
                    "period_end": q_end,
                    "due_date": due,
                    "status": "signed",
                    "summary": summary,
                    "goal_narratives": narratives,
                    "draft_data": {},
                    "signed_by": worker_id,
                    "signer_name": worker_name,
                    "signed_at": signed_at.astimezone(dt.UTC),
                    "content_hash": note_rules.content_hash(
                        canonical_report_content(
                            report_id=report_id,
                            client_id=client_id,
                            plan_id=plan_id,
                            quarter_label=label,
                            period_start=q_start,
                            period_end=q_end,
                            summary=summary,
                            goal_narratives=narratives,
                            draft_data={},
                            signer_id=worker_id,
                            signer_name=worker_name,
                            signed_at=signed_at,
                        )
                    ),
                },
            )
        q_start = _add_months(q_start, 3)

"""Deadlines from the database: every client's facts, read set-wise, run through the deadline engine.

    entries = deadlines.due_entries(session)                 # open items of every client, names attached
    counts = deadlines.due_counts(session)                   # "3 overdue" for the status bar
    digest = deadlines.due_digest(session)                   # counts, near items, each client's soonest
    entries = deadlines.due_entries(session, client_ids=[cid], include_done=True)

Facts are read with one query per table (clients, plans, goals, done visits, notes, reports,
follow-ups), whatever the number of clients, and turned into the engine's ``ClientFacts``
(casedesk.domain.deadline_facts). The engine (casedesk.domain.deadlines) holds every rule; this module
only gathers data, picks each client's current and next plan, expands repeating visits that were
marked done as a whole, and attaches client names for the UI and the CLI (the rules never put a name
in a title).

Settings come from casedesk.services.settings (``quarter_definition``, ``report_due_days``,
``note_due_hours``) plus profile-local keys:

* ``local.timezone`` - the worker's IANA zone (default: this computer's zone, casedesk.localzone);
  months, days and "today" are counted there;
* ``local.obligations_start`` - an ISO date: nothing is due for periods ending before it;
* ``local.deadlines`` - optional extra rules: ``due_soon_days``, ``monthly_visit_default``,
  ``monthly_visit_required`` (program -> bool), ``report_due_business_days``, ``us_federal_holidays``,
  ``holidays`` (ISO dates), ``plan_review_lead_days``, ``plan_renewal_lead_days`` and
  ``plan_due_days_after_intake``. ``set_deadline_rules`` writes both of the last two.

Without a set ``obligations_start``, obligations start with the first full month of the profile's
records (the earlier of the agency record's creation and the first recorded contact): an agency
moving from paper is not shown years of history as missing, nor a first month it half kept on paper.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from casedesk import localzone
from casedesk.db.cipher import scan_page_cache
from casedesk.db.models import FollowUp, ServicePlan, Setting
from casedesk.db.types import utcnow
from casedesk.domain.deadline_facts import (
    AppointmentFacts,
    ClientFacts,
    DeadlineSettings,
    FollowUpFacts,
    GoalFacts,
    NoteFacts,
    PlanFacts,
    ReportFacts,
    zone_name,
)
from casedesk.domain.deadlines import (
    DONE,
    DUE_SOON,
    OVERDUE,
    STATUS_ORDER,
    DeadlineEngine,
    DueItem,
)
from casedesk.errors import CaseDeskError, ValidationError
from casedesk.gcpause import collection_paused
from casedesk.scheduling.recurrence import Override, Series, expand, parse_exdates
from casedesk.services import audit
from casedesk.services import settings as settings_service
from casedesk.services.records import get_live

TIMEZONE_KEY = "local.timezone"
RULES_KEY = "local.deadlines"
OBLIGATIONS_KEY = "local.obligations_start"  # an ISO date; the printing service reads it too
_UTC = dt.UTC
_RULE_FIELDS = {
    "due_soon_days",
    "monthly_visit_default",
    "monthly_visit_required",
    "report_due_business_days",
    "us_federal_holidays",
    "holidays",
    "plan_review_lead_days",
    "plan_renewal_lead_days",
    "plan_due_days_after_intake",
    "obligations_start",
}


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


class DueEntry(NamedTuple):
    """A due item with what the UI and the CLI show beside it.

    ``due_date`` is the worker's local day the item falls on (where a calendar draws it);
    ``client_name`` is the client's display name (never put into files that leave the vault unless
    the worker asks). A named tuple, like DueItem: a caseload makes hundreds of thousands.
    """

    item: DueItem
    client_name: str
    due_date: dt.date

    @property
    def client_id(self) -> str:
        return self.item.client_id

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def due(self) -> dt.date:
        """A ``date`` (due by the end of that local day) or a UTC ``datetime`` (an exact instant)."""
        return self.item.due

    @property
    def status(self) -> str:
        return self.item.status

    @property
    def resolves(self) -> tuple[str, ...]:
        """What closes the item, e.g. ("quarterly_report", client_id, "2026Q3") or ("note_for_visit", id)."""
        return self.item.resolves

    @property
    def is_overdue(self) -> bool:
        return self.item.status == OVERDUE

    @property
    def is_open(self) -> bool:
        return self.item.status != DONE

    @property
    def due_time(self) -> dt.datetime | None:
        """The exact UTC instant for timed items (a note due 48 h after a visit), else None."""
        due = self.item.due
        return due if isinstance(due, dt.datetime) else None

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (the ``casedesk due --json`` contract)."""
        due = self.item.due
        return {
            "client_id": self.item.client_id,
            "client_name": self.client_name,
            "kind": self.item.kind,
            "title": self.item.title,
            "due": due.isoformat(),
            "due_date": self.due_date.isoformat(),
            "status": self.item.status,
            "resolves": list(self.item.resolves),
            "done_at": self.item.done_at.isoformat() if self.item.done_at is not None else None,
            "late": self.item.late,
        }


@dataclass(frozen=True, slots=True)
class DueCounts:
    """What the status bar and the dashboard headline show."""

    overdue: int
    due_soon: int
    due_today: int

    @property
    def label(self) -> str:
        return f"{self.overdue} overdue" if self.overdue else "nothing overdue"


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def system_zone_name() -> str:
    """This computer's IANA zone name (UTC when it cannot be told)."""
    return localzone.local_zone_name()


def worker_zone_name(session: Session) -> str:
    """The worker's time zone: the profile's ``local.timezone``, else this computer's zone."""
    stored = settings_service.get(session, TIMEZONE_KEY)
    if isinstance(stored, str) and stored:
        zone_name(stored)
        return stored
    return system_zone_name()


def set_worker_timezone(session: Session, name: str) -> None:
    zone_name(name)
    _put_setting(session, TIMEZONE_KEY, name)


def _put_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    audit.record(session, "update", "setting", None, {"keys": [key]})


def _stored_rules(session: Session) -> dict[str, Any]:
    stored = settings_service.get(session, RULES_KEY)
    if stored is None:
        return {}
    if not isinstance(stored, dict):
        raise ValidationError(f"The setting {RULES_KEY} must be a set of named rules, not {stored!r}.")
    return dict(stored)


def _rule_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (JSON) rule values as DeadlineSettings arguments."""
    unknown = set(values) - _RULE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown deadline rule(s): {', '.join(sorted(unknown))}.")
    result = dict(values)
    try:
        if result.get("obligations_start") is not None:
            result["obligations_start"] = dt.date.fromisoformat(str(result["obligations_start"]))
        if "holidays" in result:
            result["holidays"] = frozenset(dt.date.fromisoformat(str(day)) for day in result["holidays"] or ())
    except ValueError as exc:
        raise ValidationError(f"A deadline rule date is not a date (YYYY-MM-DD): {exc}.") from None
    if "monthly_visit_required" in result and not isinstance(result["monthly_visit_required"], dict):
        raise ValidationError("monthly_visit_required must map program names to true or false.")
    for key in ("monthly_visit_default", "report_due_business_days", "us_federal_holidays"):
        if key in result and not isinstance(result[key], bool):
            raise ValidationError(f"{key} must be true or false.")
    return result


def set_deadline_rules(session: Session, **values: Any) -> None:
    """Store extra deadline rules (see the module docstring); a value of None removes a rule.
    ``obligations_start`` is kept under its own key, ``local.obligations_start``."""
    merged = _stored_rules(session)
    start_given = "obligations_start" in values
    start = values.pop("obligations_start", None)
    for key, value in values.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif key == "holidays" and value is not None:
            value = sorted(day.isoformat() if isinstance(day, dt.date) else str(day) for day in value)
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if start_given:
        if start is not None and (isinstance(start, dt.datetime) or not isinstance(start, dt.date)):
            raise ValidationError("obligations_start must be a calendar date.")
        DeadlineSettings(obligations_start=start)
    DeadlineSettings(**_rule_values(merged))  # validate before storing
    if values or not start_given:
        _put_setting(session, RULES_KEY, merged)
    if start_given:
        _put_setting(session, OBLIGATIONS_KEY, start.isoformat() if start is not None else None)


def _stored_obligations_start(session: Session) -> dt.date | None:
    value = settings_service.get(session, OBLIGATIONS_KEY)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"The setting {OBLIGATIONS_KEY} must be a date like 2026-01-01, not {value!r}.") from None


def profile_start(session: Session, zone: str) -> dt.date | None:
    """The local day this profile's records begin: the agency record's creation or the first recorded
    contact, whichever is earlier (None for an empty profile)."""
    row = session.execute(
        text(
            "SELECT min(m) FROM ("
            " SELECT min(created_at) AS m FROM agency"
            " UNION ALL SELECT min(contact_start) FROM progress_note WHERE deleted_at IS NULL"
            " UNION ALL SELECT min(starts_at) FROM appointment WHERE deleted_at IS NULL AND status = 'done')"
        )
    ).scalar()
    if not row:
        return None
    return dt.datetime.fromisoformat(row).astimezone(zone_name(zone)).date()


def default_obligations_start(session: Session, zone: str) -> dt.date | None:
    """The first day of the first full month of the profile's records."""
    start = profile_start(session, zone)
    if start is None or start.day == 1:
        return start
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def deadline_settings(session: Session, *, timezone: str | None = None) -> DeadlineSettings:
    """The agency's deadline rules from the profile settings."""
    zone = timezone or worker_zone_name(session)
    rules = _rule_values(_stored_rules(session))
    rules["obligations_start"] = rules.get("obligations_start") or _stored_obligations_start(session)
    if rules["obligations_start"] is None:
        rules["obligations_start"] = default_obligations_start(session, zone)
    return DeadlineSettings(
        quarter_definition=settings_service.get(session, "quarter_definition"),
        report_due_days=int(settings_service.get(session, "report_due_days")),
        note_due_hours=int(settings_service.get(session, "note_due_hours")),
        timezone=zone,
        **rules,
    )


# ---------------------------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------------------------

_CLIENTS_SQL = (
    "SELECT id, first_name, last_name, preferred_name, program, status, intake_date, discharge_date"
    " FROM client WHERE deleted_at IS NULL"
)
_PLANS_SQL = (
    "SELECT id, client_id, effective_from, effective_to, review_due, status, reviewed_on"
    " FROM service_plan WHERE deleted_at IS NULL"
)
_GOALS_SQL = (
    "SELECT g.plan_id, g.id, g.status, g.target_date FROM goal g JOIN service_plan p ON p.id = g.plan_id"
    " WHERE g.deleted_at IS NULL AND p.deleted_at IS NULL"
)
# Only done visits matter to the rules (a planned, missed or cancelled visit owes no note and is no
# contact); ix_appointment_done_visit_facts covers this read. A repeating series marked done as a
# whole is expanded separately.
_DONE_VISITS_SQL = (
    "SELECT client_id, id, starts_at, kind, ends_at FROM appointment"
    " WHERE deleted_at IS NULL AND status = 'done' AND rrule IS NULL AND client_id IS NOT NULL"
)
_DONE_SERIES_SQL = (
    "SELECT client_id, id, starts_at, ends_at, timezone, rrule, exdates, until, kind"
    " FROM appointment WHERE deleted_at IS NULL AND status = 'done' AND rrule IS NOT NULL"
    " AND client_id IS NOT NULL"
)
# The covering index (status first) spares decrypting the pages that hold note bodies, most of the
# database. Signed notes need fewer columns than drafts, and there are far more of them.
_SIGNED_NOTES_SQL = (
    "SELECT client_id, id, contact_start, contact_type, appointment_id, signed_at FROM progress_note"
    " INDEXED BY ix_progress_note_deadline_facts WHERE status = 'signed' AND deleted_at IS NULL"
)
_OTHER_NOTES_SQL = (
    "SELECT client_id, id, contact_start, status, contact_type, appointment_id, signed_at, duration_minutes"
    " FROM progress_note INDEXED BY ix_progress_note_deadline_facts WHERE status = 'draft' AND deleted_at IS NULL"
)
_REPORTS_SQL = (
    "SELECT client_id, quarter_label, period_start, period_end, status, signed_at, submitted_at, id, updated_at"
    " FROM quarterly_report WHERE deleted_at IS NULL"
)
_FOLLOW_UPS_SQL = "SELECT client_id, id, text, due_date, done_at FROM follow_up WHERE deleted_at IS NULL"
_ONLY = " AND {column} IN (SELECT value FROM json_each(:ids))"


def _rows(session: Session, sql: str, column: str | None = None, ids: str | None = None, tail: str = "") -> Any:
    """Plain row tuples straight from the driver, in the session's transaction; with ``ids`` (a JSON
    list) only rows whose ``column`` is among them.

    Hundreds of thousands of rows pass here for a large caseload; the driver's own tuples cost about
    half of SQLAlchemy's Row objects, and these queries need no type processing.
    """
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    if ids is None or column is None:
        return cursor.execute(sql + tail)
    return cursor.execute(sql + _ONLY.format(column=column) + tail, {"ids": ids})


# -- trusted construction ------------------------------------------------------------------------
#
# Facts read from CaseDesk's own columns are already what the fact classes check for: UTC-aware
# datetimes (the UTCDateTime column type stores and returns nothing else) and dates. Building the
# half-million facts of a large caseload through their validating constructors costs more than the
# rules themselves, so the two hot kinds are built field by field. Anything that is not plainly valid
# (an unknown status or kind) goes through the real constructor, which names the problem.

_APPOINTMENT_KINDS = frozenset({"home_visit", "office", "phone", "meeting"})
_NOTE_STATUSES = frozenset({"draft", "signed"})
_new = object.__new__
_A_ID, _A_START, _A_STATUS, _A_KIND, _A_DONE, _A_END = (
    getattr(AppointmentFacts, name).__set__ for name in ("id", "start", "status", "kind", "completed_at", "end")
)
_N_ID, _N_START, _N_STATUS, _N_TYPE, _N_VISIT, _N_SIGNED, _N_MINUTES = (
    getattr(NoteFacts, name).__set__
    for name in ("id", "contact_start", "status", "contact_type", "appointment_id", "signed_at", "duration_minutes")
)


def _done_visit(visit_id: str, start: dt.datetime, kind: str, end: dt.datetime | None) -> AppointmentFacts:
    if kind not in _APPOINTMENT_KINDS or (end is not None and end < start):
        return AppointmentFacts(visit_id, start, "done", kind, None, end)  # type: ignore[arg-type]
    visit = _new(AppointmentFacts)
    _A_ID(visit, visit_id)
    _A_START(visit, start)
    _A_STATUS(visit, "done")
    _A_KIND(visit, kind)
    _A_DONE(visit, None)
    _A_END(visit, end)
    return visit


def _note(
    note_id: str,
    start: dt.datetime,
    status: str,
    contact_type: str,
    visit_id: str | None,
    signed_at: dt.datetime | None,
    minutes: int,
) -> NoteFacts:
    if status not in _NOTE_STATUSES or (status == "signed" and signed_at is None) or minutes < 0:
        return NoteFacts(note_id, start, status, contact_type, visit_id, signed_at, minutes)  # type: ignore[arg-type]
    note = _new(NoteFacts)
    _N_ID(note, note_id)
    _N_START(note, start)
    _N_STATUS(note, status)
    _N_TYPE(note, contact_type)
    _N_VISIT(note, visit_id)
    _N_SIGNED(note, signed_at)
    _N_MINUTES(note, minutes)
    return note


def _choose_plans(plans: list[PlanFacts], today: dt.date) -> tuple[PlanFacts | None, PlanFacts | None]:
    """(current plan, next plan): the latest approved plan in effect by today (else the first approved
    one to come), and the first plan starting after it (an approved one before a draft)."""
    approved = [plan for plan in plans if plan.status != "draft"]
    if not approved:
        return None, None
    started = [plan for plan in approved if plan.effective_from <= today]
    if started:
        current = max(started, key=lambda plan: (plan.effective_from, plan.status == "active"))
    else:
        current = min(approved, key=lambda plan: plan.effective_from)
    later = [plan for plan in plans if plan.effective_from > current.effective_from and plan.id != current.id]
    if not later:
        return current, None
    return current, min(later, key=lambda plan: (plan.status == "draft", plan.effective_from))


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)




def _series_done_visits(session: Session, ids: str | None, now: dt.datetime) -> dict[str, list[AppointmentFacts]]:
    """Occurrences (up to now) of repeating series marked done as a whole, minus those edited on their
    own (an edited occurrence is its own row, read with the other visits)."""
    rows = list(_rows(session, _DONE_SERIES_SQL, "client_id", ids))
    result: dict[str, list[AppointmentFacts]] = defaultdict(list)
    if not rows:
        return result
    edited: dict[str, list[Override]] = defaultdict(list)
    for override_id, series_id, original, starts, ends, status in _rows(
        session,
        "SELECT id, series_id, original_start, starts_at, ends_at, status FROM appointment"
        " WHERE deleted_at IS NULL AND original_start IS NOT NULL",
        "series_id",
        json.dumps([row[1] for row in rows]),
    ):
        edited[series_id].append(
            Override(override_id, series_id, _moment(original), _moment(starts), _moment(ends), status)
        )
    for client_id, series_id, starts, ends, zone, rrule, exdates, until, kind in rows:
        series = Series(
            series_id,
            _moment(starts),
            _moment(ends),
            zone,
            rrule,
            parse_exdates(json.loads(exdates) if exdates else ()),
            _moment(until) if until else None,
        )
        for occurrence in expand(series, series.start, now, edited.get(series_id, ())):
            if occurrence.override_id is not None or occurrence.start > now:
                continue
            result[client_id].append(
                AppointmentFacts(
                    f"{series_id}@{occurrence.original_start.isoformat()}",
                    occurrence.start,
                    "done",
                    kind,
                    end=occurrence.end,
                )
            )
    return result


def load_facts(
    session: Session,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    client_ids: Collection[str] | None = None,
) -> list[ClientFacts]:
    """Every live client's facts (or only ``client_ids``'), one query per table.

    ``today`` (the worker's local day) picks each client's current plan; ``now`` bounds the expansion
    of repeating series marked done as a whole.
    """
    now = now or utcnow()
    ids = json.dumps(sorted(set(client_ids))) if client_ids is not None else None
    parse_moment = dt.datetime.fromisoformat
    parse_day = dt.date.fromisoformat

    goals: dict[str, list[GoalFacts]] = defaultdict(list)
    for plan_id, goal_id, goal_status, target in _rows(session, _GOALS_SQL, "p.client_id", ids, " ORDER BY g.position"):
        goals[plan_id].append(GoalFacts(goal_id, goal_status, parse_day(target) if target else None))

    plans: dict[str, list[PlanFacts]] = defaultdict(list)
    for plan_id, client_id, start, end, review_due, plan_status, reviewed_on in _rows(
        session, _PLANS_SQL, "client_id", ids
    ):
        plans[client_id].append(
            PlanFacts(
                plan_id,
                parse_day(start),
                parse_day(end) if end else None,
                parse_day(review_due) if review_due else None,
                plan_status,
                tuple(goals.get(plan_id, ())),
                parse_day(reviewed_on) if reviewed_on else None,
            )
        )

    visits = _series_done_visits(session, ids, now)
    for client_id, visit_id, starts, kind, ends in _rows(session, _DONE_VISITS_SQL, "client_id", ids):
        visits[client_id].append(
            _done_visit(visit_id, parse_moment(starts), kind, parse_moment(ends) if ends else None)
        )

    notes: dict[str, list[NoteFacts]] = defaultdict(list)
    for client_id, note_id, contact, contact_type, visit_id, signed_at in _rows(
        session, _SIGNED_NOTES_SQL, "client_id", ids
    ):
        signed = parse_moment(signed_at) if signed_at else None
        notes[client_id].append(_note(note_id, parse_moment(contact), "signed", contact_type, visit_id, signed, 0))
    for client_id, note_id, contact, note_status, contact_type, visit_id, signed_at, minutes in _rows(
        session, _OTHER_NOTES_SQL, "client_id", ids
    ):
        notes[client_id].append(
            _note(
                note_id,
                parse_moment(contact),
                note_status,
                contact_type,
                visit_id,
                parse_moment(signed_at) if signed_at else None,
                minutes or 0,
            )
        )

    reports: dict[str, list[ReportFacts]] = defaultdict(list)
    for client_id, label, first, last, report_status, signed_at, submitted_at, report_id, updated in _rows(
        session, _REPORTS_SQL, "client_id", ids
    ):
        signed = parse_moment(signed_at) if signed_at else None
        submitted = parse_moment(submitted_at) if submitted_at else None
        if report_status != "draft" and signed is None and submitted is None:
            signed = parse_moment(updated)  # a completed report missing its time: its last change
        reports[client_id].append(
            ReportFacts(label, parse_day(first), parse_day(last), report_status, signed, submitted, report_id)
        )

    follow_ups: dict[str, list[FollowUpFacts]] = defaultdict(list)
    for client_id, follow_up_id, title, due, done_at in _rows(session, _FOLLOW_UPS_SQL, "client_id", ids):
        follow_ups[client_id].append(
            FollowUpFacts(follow_up_id, title, parse_day(due), parse_moment(done_at) if done_at else None)
        )

    result = []
    empty: tuple[Any, ...] = ()
    for client_id, first, last, preferred, program, client_status, intake, discharge in _rows(
        session, _CLIENTS_SQL, "id", ids
    ):
        plan, next_plan = _choose_plans(plans[client_id], today) if client_id in plans else (None, None)
        try:
            result.append(
                ClientFacts(
                    client_id,
                    f"{preferred or first} {last}".strip(),
                    program,
                    client_status,
                    parse_day(intake) if intake else None,
                    parse_day(discharge) if discharge else None,
                    plan,
                    next_plan,
                    tuple(visits[client_id]) if client_id in visits else empty,
                    tuple(notes[client_id]) if client_id in notes else empty,
                    tuple(reports[client_id]) if client_id in reports else empty,
                    tuple(follow_ups[client_id]) if client_id in follow_ups else empty,
                )
            )
        except ValidationError as exc:
            raise CaseDeskError(f"The records of client {client_id} cannot be checked for deadlines: {exc}") from None
    return result


# ---------------------------------------------------------------------------------------------
# Due items
# ---------------------------------------------------------------------------------------------


def _entries(caseload: Iterable[ClientFacts], engine: DeadlineEngine, include_done: bool) -> list[DueEntry]:
    zone = engine.zone
    result: list[DueEntry] = []
    append = result.append
    new_entry = tuple.__new__  # skips the named tuple's Python-level __new__ (see DueItem)
    datetime = dt.datetime
    for facts in caseload:
        name = facts.name
        for item in engine.compute(facts):
            if include_done or item.status != DONE:
                due = item.due
                day = due.astimezone(zone).date() if isinstance(due, datetime) else due
                append(new_entry(DueEntry, (item, name, day)))
    return result


FACTS_CHUNK = 250  # clients whose facts are read and run through the rules together (their facts are what a
# pass holds at once besides its result: ~8 MB at 250 clients of the demo caseload, twice that at 500)
_UNTIMED = 1 << 35  # after every timed item of the same day (UTC timestamps stay below 2**35 until 3058)


def sort_entries(entries: Iterable[DueEntry]) -> list[DueEntry]:
    """By local due day; within a day timed items (by time) before all-day ones, then by client name
    and title.

    The day, the time and the places of the name and the title in alphabetical order are packed into
    one integer: the half-million entries of a large caseload then sort by integer comparison, about
    three times faster than by tuples.
    """
    items = list(entries)
    names = {name: index for index, name in enumerate(sorted({entry.client_name for entry in items}))}
    titles = {title: index for index, title in enumerate(sorted({entry.item.title for entry in items}))}
    name_bits = max(len(names), 1).bit_length()
    title_bits = max(len(titles), 1).bit_length()
    datetime = dt.datetime

    def key(entry: DueEntry) -> int:
        item = entry.item
        due = item.due
        order = (entry.due_date.toordinal() << 36) + (int(due.timestamp()) if isinstance(due, datetime) else _UNTIMED)
        return (((order << name_bits) + names[entry.client_name]) << title_bits) + titles[item.title]

    items.sort(key=key)
    return items


NEAR_DAYS = 7  # a digest keeps the open items due up to this many days after today (and all overdue ones)


@dataclass(frozen=True)
class DueDigest:
    """The whole caseload's open due items as the window shows them, without keeping every item.

    ``counts`` counts them all; ``near`` holds those overdue or due by ``today + NEAR_DAYS``, sorted like
    ``due_entries`` (the Today view's sections, tomorrow's reminder); ``soonest`` maps each client with
    open items to the soonest one (by day, then kind) and how many are overdue (the caseload's due
    column). At 10k clients that keeps ~20k of ~75k entries: the rest are counted and dropped chunk by
    chunk, never all in memory at once.
    """

    today: dt.date
    counts: DueCounts
    near: tuple[DueEntry, ...]
    soonest: Mapping[str, tuple[DueEntry, int]]


def _soonest_key(entry: DueEntry) -> tuple[Any, ...]:
    item = entry.item
    due = item.due
    moment = int(due.timestamp()) if isinstance(due, dt.datetime) else _UNTIMED
    return (entry.due_date, item.kind, moment, item.title)


def soonest_by_client(entries: Iterable[DueEntry]) -> dict[str, tuple[DueEntry, int]]:
    """Per client with open entries: the soonest (by day, then kind) and how many are overdue."""
    soonest: dict[str, tuple[tuple[Any, ...], DueEntry]] = {}
    overdue_of: dict[str, int] = defaultdict(int)
    for entry in entries:
        item = entry.item
        if item.status == OVERDUE:
            overdue_of[item.client_id] += 1
        key = _soonest_key(entry)
        best = soonest.get(item.client_id)
        if best is None or key < best[0]:
            soonest[item.client_id] = (key, entry)
    return {client_id: (entry, overdue_of[client_id]) for client_id, (_, entry) in soonest.items()}


def _digest(session: Session, now: dt.datetime, rules: DeadlineSettings) -> DueDigest:
    today = now.astimezone(rules.zone).date()
    horizon = today + dt.timedelta(days=NEAR_DAYS)
    near: list[DueEntry] = []
    soonest: dict[str, tuple[DueEntry, int]] = {}
    overdue = due_soon = due_today = 0
    with collection_paused():
        for chunk in _chunked_entries(session, now, None, False, rules):
            counts = count_entries(chunk, today)
            overdue, due_soon, due_today = (
                overdue + counts.overdue,
                due_soon + counts.due_soon,
                due_today + counts.due_today,
            )
            near.extend(entry for entry in chunk if entry.item.status == OVERDUE or entry.due_date <= horizon)
            soonest.update(soonest_by_client(chunk))  # chunks split the caseload by client
        near = sort_entries(near)
    return DueDigest(today, DueCounts(overdue, due_soon, due_today), tuple(near), soonest)


class SharedDueDigest:
    """One whole-caseload digest shared by the callers that want it at about the same time.

    Right after an unlock the Today view, the status bar and the caseload's due column each want the
    caseload's open due items; at 10k clients each pass is seconds of CPU. A session carrying this object
    (``session.info[SHARED_DUE_DIGEST]``, set by the desktop app) gets the digest of a pass that ran for
    the same data (no write since: the newest outbox op and audit event are the same, and
    ``invalidate()`` was not called), the same rules and a moment at most MAX_AGE away. A caller arriving
    while a pass runs waits for it instead of starting its own.
    """

    MAX_AGE = dt.timedelta(minutes=2)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._kept: tuple[tuple[Any, ...], dt.datetime, DueDigest] | None = None

    def invalidate(self) -> None:
        """Something changed (the app calls this on every change it hears of): compute afresh."""
        self._generation += 1
        self._kept = None

    def get(self, session: Session, now: dt.datetime, rules: DeadlineSettings) -> DueDigest:
        with self._lock:
            marks = tuple(_rows(session, _WRITE_MARKS_SQL).fetchone())
            key = (self._generation, marks, rules)
            kept = self._kept
            if kept is not None and kept[0] == key and abs(now - kept[1]) <= self.MAX_AGE:
                return kept[2]
            digest = _digest(session, now, rules)
            self._kept = (key, now, digest)
            return digest


SHARED_DUE_DIGEST = "shared_due_digest"
_WRITE_MARKS_SQL = "SELECT (SELECT max(seq) FROM outbox), (SELECT max(seq) FROM audit_event)"


def _checked_now(now: dt.datetime | None) -> dt.datetime:
    now = now or utcnow()
    if now.utcoffset() is None:
        raise ValidationError("'now' must be a date and time with a time zone.")
    return now


def due_digest(
    session: Session, *, now: dt.datetime | None = None, settings: DeadlineSettings | None = None
) -> DueDigest:
    """Counts, near items and each client's soonest item over the whole caseload (see DueDigest);
    shared between the window's panes when the session carries a SharedDueDigest."""
    now = _checked_now(now)
    rules = settings or deadline_settings(session)
    shared = session.info.get(SHARED_DUE_DIGEST)
    if isinstance(shared, SharedDueDigest):
        return shared.get(session, now, rules)
    return _digest(session, now, rules)


def due_entries(
    session: Session,
    *,
    now: dt.datetime | None = None,
    client_ids: Collection[str] | None = None,
    include_done: bool = False,
    settings: DeadlineSettings | None = None,
) -> list[DueEntry]:
    """Due items of every live client (or ``client_ids``), open only unless ``include_done``, sorted
    by due day."""
    now = _checked_now(now)
    rules = settings or deadline_settings(session)
    return _due_entries(session, now, client_ids, include_done, rules)


def _due_entries(
    session: Session, now: dt.datetime, client_ids: Collection[str] | None, include_done: bool, rules: DeadlineSettings
) -> list[DueEntry]:
    found: list[DueEntry] = []
    with collection_paused():
        for chunk in _chunked_entries(session, now, client_ids, include_done, rules):
            found.extend(chunk)
        return sort_entries(found)


def _chunked_entries(
    session: Session, now: dt.datetime, client_ids: Collection[str] | None, include_done: bool, rules: DeadlineSettings
) -> Iterator[list[DueEntry]]:
    """The entries of a chunk of clients at a time: a large caseload's facts (every note and visit of a
    year) never sit in memory all at once. Callers pause the collector around the whole loop."""
    engine = DeadlineEngine(rules, now)
    if client_ids is None:
        client_ids = [row[0] for row in _rows(session, "SELECT id FROM client WHERE deleted_at IS NULL")]
    wanted = sorted(set(client_ids))
    scan = len(wanted) > FACTS_CHUNK  # a large caseload: reads most of the database once
    connection = session.connection().connection.driver_connection
    with scan_page_cache(connection) if scan else contextlib.nullcontext():
        for start in range(0, len(wanted), FACTS_CHUNK):
            caseload = load_facts(session, today=engine.today, now=now, client_ids=wanted[start : start + FACTS_CHUNK])
            entries = _entries(caseload, engine, include_done)
            del caseload  # freed by reference counting while the collector still sleeps
            yield entries


def select_entries(
    entries: Iterable[DueEntry],
    *,
    today: dt.date,
    within_days: int | None = None,
    overdue_only: bool = False,
) -> list[DueEntry]:
    """Open entries that are overdue, or (unless ``overdue_only``) due within ``within_days`` of today
    (all open ones when None)."""
    if within_days is not None and within_days < 0:
        raise ValidationError("The number of days ahead cannot be negative.")
    last = today + dt.timedelta(days=within_days) if within_days is not None else None
    chosen = []
    for entry in entries:
        status = entry.item.status
        if status == DONE:
            continue
        if status == OVERDUE or (not overdue_only and (last is None or entry.due_date <= last)):
            chosen.append(entry)
    return chosen


def count_entries(entries: Iterable[DueEntry], today: dt.date) -> DueCounts:
    overdue = due_soon = due_today = 0
    for entry in entries:
        status = entry.item.status
        if status == OVERDUE:
            overdue += 1
        elif status != DONE:
            if status == DUE_SOON:
                due_soon += 1
            if entry.due_date == today:
                due_today += 1
    return DueCounts(overdue, due_soon, due_today)


def due_counts(session: Session, *, now: dt.datetime | None = None) -> DueCounts:
    """Overdue, due-soon and due-today counts over the whole caseload (the status bar)."""
    return due_digest(session, now=now).counts


def entries_between(entries: Iterable[DueEntry], first_day: dt.date, last_day: dt.date) -> list[DueEntry]:
    """Entries whose local due day is in [first_day, last_day] (what a calendar page shows)."""
    return [entry for entry in entries if first_day <= entry.due_date <= last_day]


def most_urgent_first(entries: Iterable[DueEntry]) -> list[DueEntry]:
    """Overdue, then due soon, upcoming and done; each by due day."""
    return sorted(sort_entries(entries), key=lambda entry: STATUS_ORDER[entry.item.status])


# ---------------------------------------------------------------------------------------------
# Resolving: plan reviews and follow-ups
# ---------------------------------------------------------------------------------------------


def mark_plan_reviewed(session: Session, plan_id: str, on: dt.date) -> None:
    """Record that the plan review due on the plan's ``review_due`` was held on ``on``."""
    plan = get_live(session, ServicePlan, plan_id, "service plan")
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationError("The review date must be a calendar date.")
    if on < plan.effective_from:
        raise ValidationError("A plan cannot be reviewed before it takes effect.")
    plan.reviewed_on = on
    session.flush()
    audit.record(session, "update", "service_plan", plan_id, {"fields": ["reviewed_on"]})


@dataclass(frozen=True, slots=True)
class FollowUpInfo:
    id: str
    client_id: str
    text: str
    due_date: dt.date
    done_at: dt.datetime | None


def add_follow_up(session: Session, client_id: str, text_: str, due_date: dt.date) -> str:
    """A follow-up for a client ("call the pharmacy about refills"), due by the end of ``due_date``."""
    from casedesk.db.models import Client

    get_live(session, Client, client_id, "client")
    words = " ".join(str(text_ or "").split())
    if not words:
        raise ValidationError("A follow-up needs a short description of what to do.")
    if len(words) > 500:
        raise ValidationError("Keep a follow-up under 500 characters; put details in a note.")
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        raise ValidationError("A follow-up's due date must be a calendar date.")
    row = FollowUp(client_id=client_id, text=words, due_date=due_date)
    session.add(row)
    session.flush()
    audit.record(session, "create", "follow_up", row.id, {"client_id": client_id})
    return row.id


def complete_follow_up(session: Session, follow_up_id: str, done_at: dt.datetime | None = None) -> None:
    row = get_live(session, FollowUp, follow_up_id, "follow-up")
    when = done_at or utcnow()
    if when.utcoffset() is None:
        raise ValidationError("The completion time needs a time zone.")
    row.done_at = when
    session.flush()
    audit.record(session, "update", "follow_up", follow_up_id, {"fields": ["done_at"]})


def list_follow_ups(session: Session, client_id: str) -> list[FollowUpInfo]:
    rows = session.execute(
        text(
            "SELECT id, client_id, text, due_date, done_at FROM follow_up"
            " WHERE client_id = :cid AND deleted_at IS NULL ORDER BY due_date"
        ),
        {"cid": client_id},
    )
    return [
        FollowUpInfo(fid, cid, words, dt.date.fromisoformat(due), dt.datetime.fromisoformat(done) if done else None)
        for fid, cid, words, due, done in rows
    ]


@dataclass(frozen=True, slots=True)
class DraftInfo:
    """An unsigned progress note, for the dashboard's "drafts to sign" list."""

    note_id: str
    client_id: str
    client_name: str
    contact_start: dt.datetime
    appointment_id: str | None
    contact_type: str


DRAFTS_LISTED = 200  # unsigned drafts listed (oldest first); the rest are counted


def unsigned_drafts(session: Session, limit: int = DRAFTS_LISTED) -> list[DraftInfo]:
    """Draft notes, oldest contact first (the oldest is the most urgent to sign)."""
    rows = session.execute(
        text(
            "SELECT n.id, n.client_id, c.first_name, c.last_name, c.preferred_name, n.contact_start,"
            " n.appointment_id, n.contact_type"
            " FROM progress_note n JOIN client c ON c.id = n.client_id"
            " WHERE n.status = 'draft' AND n.deleted_at IS NULL AND c.deleted_at IS NULL"
            " ORDER BY n.contact_start LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [
        DraftInfo(note_id, cid, f"{preferred or first} {last}".strip(), dt.datetime.fromisoformat(start), visit, kind)
        for note_id, cid, first, last, preferred, start, visit, kind in rows
    ]


@dataclass(frozen=True, slots=True)
class ResolverTarget:
    """Where to go to resolve a due item: the client, the part of their record, and the record.

    ``place`` is one of "note" (open ``note_id``), "visit_note" (write the note of ``appointment_id``;
    ``note_id`` is its draft when one exists), "quarterly_report" (``report_label``), "plan",
    "notes" (a month without a face-to-face contact) or "follow_up" (``follow_up_id``).
    """

    client_id: str
    place: str
    note_id: str | None = None
    appointment_id: str | None = None
    report_label: str | None = None
    follow_up_id: str | None = None
    text: str | None = None


def _scalar(session: Session, sql: str, **params: Any) -> Any:
    return session.execute(text(sql), params).scalar()


def resolver_target(session: Session, resolves: tuple[str, ...] | list[str]) -> ResolverTarget:
    """Turn a DueItem's ``resolves`` into the record to open (a clear error when it is gone)."""
    from casedesk.errors import NotFoundError

    parts = tuple(resolves)
    kind = parts[0] if parts else ""
    key = parts[1] if len(parts) > 1 else ""
    client_id: str | None
    if kind == "quarterly_report":
        return ResolverTarget(key, "quarterly_report", report_label=parts[2] if len(parts) > 2 else None)
    if kind in ("service_plan", "monthly_visit"):
        return ResolverTarget(key, "plan" if kind == "service_plan" else "notes")
    if kind == "note_signature":
        client_id = _scalar(session, "SELECT client_id FROM progress_note WHERE id = :id AND deleted_at IS NULL", id=key)
        if client_id is not None:
            return ResolverTarget(client_id, "note", note_id=key)
    elif kind == "note_for_visit":
        client_id = _scalar(session, "SELECT client_id FROM appointment WHERE id = :id AND deleted_at IS NULL", id=key)
        if client_id is not None:
            draft = _scalar(
                session,
                "SELECT id FROM progress_note WHERE appointment_id = :id AND deleted_at IS NULL"
                " ORDER BY status = 'signed' DESC, created_at LIMIT 1",
                id=key,
            )
            return ResolverTarget(client_id, "visit_note", note_id=draft, appointment_id=key)
    elif kind in ("plan_review", "plan_renewal"):
        client_id = _scalar(session, "SELECT client_id FROM service_plan WHERE id = :id AND deleted_at IS NULL", id=key)
        if client_id is not None:
            return ResolverTarget(client_id, "plan")
    elif kind == "goal_target":
        client_id = _scalar(
            session,
            "SELECT p.client_id FROM goal g JOIN service_plan p ON p.id = g.plan_id"
            " WHERE g.id = :id AND g.deleted_at IS NULL",
            id=key,
        )
        if client_id is not None:
            return ResolverTarget(client_id, "plan")
    elif kind == "follow_up":
        row = session.execute(
            text("SELECT client_id, text FROM follow_up WHERE id = :id AND deleted_at IS NULL"), {"id": key}
        ).first()
        if row is not None:
            return ResolverTarget(row[0], "follow_up", follow_up_id=key, text=row[1])
    else:
        raise ValidationError(f"Unknown kind of due item {kind!r}.")
    raise NotFoundError("That record is no longer there; the list of due items will refresh.")


__all__ = [
    "DraftInfo",
    "DueCounts",
    "DueEntry",
    "FollowUpInfo",
    "ResolverTarget",
    "add_follow_up",
    "complete_follow_up",
    "count_entries",
    "deadline_settings",
    "due_counts",
    "due_entries",
    "entries_between",
    "list_follow_ups",
    "load_facts",
    "mark_plan_reviewed",
    "most_urgent_first",
    "resolver_target",
    "select_entries",
    "set_deadline_rules",
    "set_worker_timezone",
    "sort_entries",
    "system_zone_name",
    "unsigned_drafts",
    "worker_zone_name",
]

"""Inputs of the deadline engine: one client's facts and the agency's deadline settings.

All are plain frozen dataclasses, built by the services layer from database rows (or by tests and the
benchmark directly). Every datetime must be timezone-aware (it is stored converted to UTC); dates are calendar dates.
Construction checks that, so a naive datetime is caught where it is made, not deep inside the rules.

Appointments here are concrete occurrences: a recurring series is expanded (and its overrides applied)
before it is given to the engine, because only concrete visits can be done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casedesk.domain.quarters import QuarterKind
from casedesk.errors import ValidationError

_UTC = dt.UTC

ClientStatus = Literal["active", "inactive", "discharged"]
PlanStatus = Literal["draft", "active", "expired", "closed"]
GoalStatus = Literal["active", "met", "changed", "discontinued"]
AppointmentStatus = Literal["planned", "done", "missed", "cancelled"]
AppointmentKind = Literal["home_visit", "office", "phone", "meeting"]
NoteStatus = Literal["draft", "signed"]
ReportStatus = Literal["draft", "signed", "submitted"]

APPOINTMENT_STATUSES: frozenset[str] = frozenset({"planned", "done", "missed", "cancelled"})
APPOINTMENT_KINDS: frozenset[str] = frozenset({"home_visit", "office", "phone", "meeting"})
# Appointment kinds that are face-to-face contacts (a phone call or a meeting without the client is not).
FACE_TO_FACE_KINDS: frozenset[str] = frozenset({"home_visit", "office"})


def _require_aware(value: dt.datetime | None, what: str) -> None:
    if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
        raise ValidationError(f"{what} must be a date and time with a time zone, not {value!r}.")


def _to_utc(obj: object, *names: str) -> None:
    """Store the named aware datetimes of a frozen dataclass in UTC (the rules then compare and add
    elapsed time without converting again; adding hours to a zoned datetime would add wall-clock
    hours, not elapsed ones)."""
    for name in names:
        value = getattr(obj, name)
        if value is not None and value.tzinfo is not _UTC:
            object.__setattr__(obj, name, value.astimezone(_UTC))


def _require_date(value: dt.date | None, what: str) -> None:
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        raise ValidationError(f"{what} must be a calendar date, not {value!r}.")


def _require_choice(value: str, choices: frozenset[str], what: str) -> None:
    if value not in choices:
        raise ValidationError(f"Unknown {what} {value!r}: expected one of {', '.join(sorted(choices))}.")


@dataclass(frozen=True, slots=True)
class GoalFacts:
    id: str
    status: GoalStatus = "active"
    target_date: dt.date | None = None

    def __post_init__(self) -> None:
        _require_date(self.target_date, "A goal's target date")


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """A service plan. ``reviewed_on`` is the day the review due on ``review_due`` was held (None: not yet)."""

    id: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    review_due: dt.date | None = None
    status: PlanStatus = "active"
    goals: tuple[GoalFacts, ...] = ()
    reviewed_on: dt.date | None = None

    def __post_init__(self) -> None:
        _require_date(self.effective_from, "A plan's effective date")
        _require_date(self.effective_to, "A plan's end date")
        _require_date(self.review_due, "A plan's review due date")
        _require_date(self.reviewed_on, "A plan's review date")
        _require_choice(self.status, frozenset({"draft", "active", "expired", "closed"}), "plan status")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValidationError(
                f"The plan ends ({self.effective_to.isoformat()}) before it starts ({self.effective_from.isoformat()})."
            )


@dataclass(frozen=True, slots=True)
class AppointmentFacts:
    """One concrete visit. ``end`` is optional; the note window runs from the end when known."""

    id: str
    start: dt.datetime
    status: AppointmentStatus = "planned"
    kind: AppointmentKind = "home_visit"
    completed_at: dt.datetime | None = None
    end: dt.datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "An appointment's start")
        _require_aware(self.end, "An appointment's end")
        _require_aware(self.completed_at, "An appointment's completion time")
        _require_choice(self.status, APPOINTMENT_STATUSES, "appointment status")
        _require_choice(self.kind, APPOINTMENT_KINDS, "appointment kind")
        _to_utc(self, "start", "end", "completed_at")


@dataclass(frozen=True, slots=True)
class NoteFacts:
    id: str
    contact_start: dt.datetime
    status: NoteStatus = "draft"
    contact_type: str = "face_to_face"
    appointment_id: str | None = None
    signed_at: dt.datetime | None = None
    duration_minutes: int = 0

    def __post_init__(self) -> None:
        _require_aware(self.contact_start, "A note's contact time")
        _require_aware(self.signed_at, "A note's signing time")
        _require_choice(self.status, frozenset({"draft", "signed"}), "note status")
        if self.status == "signed" and self.signed_at is None:
            raise ValidationError("A signed note needs the time it was signed.")
        if self.duration_minutes < 0:
            raise ValidationError("A note's contact duration cannot be negative.")
        _to_utc(self, "contact_start", "signed_at")


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """A quarterly report. ``quarter_label`` is "2026Q3" or "PY2026Q1"."""

    quarter_label: str
    period_start: dt.date
    period_end: dt.date
    status: ReportStatus = "draft"
    signed_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        _require_date(self.period_start, "A report's period start")
        _require_date(self.period_end, "A report's period end")
        _require_aware(self.signed_at, "A report's signing time")
        _require_aware(self.submitted_at, "A report's submission time")
        _require_choice(self.status, frozenset({"draft", "signed", "submitted"}), "report status")
        if self.status != "draft" and self.signed_at is None and self.submitted_at is None:
            raise ValidationError(f"A {self.status} quarterly report needs the time it was signed.")
        _to_utc(self, "signed_at", "submitted_at")


@dataclass(frozen=True, slots=True)
class FollowUpFacts:
    """Something the worker promised to do by a date ("call the pharmacy about refills").

    ``title`` is shown as written, so it should not hold the client's name.
    """

    id: str
    title: str
    due: dt.date
    completed_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        _require_date(self.due, "A follow-up's due date")
        _require_aware(self.completed_at, "A follow-up's completion time")
        _to_utc(self, "completed_at")


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """Everything the deadline rules need about one client.

    ``plan`` is the current service plan; ``next_plan`` a successor plan (draft or approved), which
    resolves the renewal of ``plan`` once it is no longer a draft. ``name`` is carried for the caller's
    convenience; no rule puts it in a title.
    """

    client_id: str
    name: str = ""
    program: str | None = None
    status: ClientStatus = "active"
    intake_date: dt.date | None = None
    discharge_date: dt.date | None = None
    plan: PlanFacts | None = None
    next_plan: PlanFacts | None = None
    appointments: tuple[AppointmentFacts, ...] = ()
    notes: tuple[NoteFacts, ...] = ()
    reports: tuple[ReportFacts, ...] = ()
    follow_ups: tuple[FollowUpFacts, ...] = ()

    def __post_init__(self) -> None:
        _require_date(self.intake_date, "The intake date")
        _require_date(self.discharge_date, "The discharge date")
        _require_choice(self.status, frozenset({"active", "inactive", "discharged"}), "client status")


@dataclass(frozen=True, slots=True)
class DeadlineSettings:
    """The agency's deadline rules.

    * ``quarter_definition``: "calendar" quarters or "plan_year" quarters anchored on the plan's
      effective date.
    * ``report_due_days``: a quarterly report is due this many days after the quarter's last day (0: on
      that day); ``report_due_business_days`` counts business days, skipping weekends, ``holidays`` and,
      with ``us_federal_holidays``, the observed US federal holidays.
    * ``note_due_hours``: a progress note must be signed within this many hours after a done visit ends.
    * ``due_soon_days``: an open item is "due soon" from this many days before its due date.
    * ``monthly_visit_required``: program -> whether a face-to-face visit is required every calendar
      month; programs not listed (and clients without a program) use ``monthly_visit_default``.
    * ``plan_review_lead_days`` / ``plan_renewal_lead_days``: plan reviews and renewals turn "due soon"
      this many days ahead (they take preparation).
    * ``plan_due_days_after_intake``: an active client with no plan needs one this many days after
      intake (None: no such rule).
    * ``timezone``: the worker's IANA zone; months, days and "today" are counted there.
    * ``obligations_start``: nothing is due for periods ending before this date (an agency moving from
      paper does not want years of history reported as missing).
    """

    quarter_definition: QuarterKind = "calendar"
    report_due_days: int = 15
    report_due_business_days: bool = False
    holidays: frozenset[dt.date] = frozenset()
    us_federal_holidays: bool = True
    note_due_hours: int = 48
    due_soon_days: int = 7
    monthly_visit_required: Mapping[str, bool] = field(default_factory=dict, hash=False)
    monthly_visit_default: bool = True
    plan_review_lead_days: int = 30
    plan_renewal_lead_days: int = 30
    plan_due_days_after_intake: int | None = 30
    timezone: str = "UTC"
    obligations_start: dt.date | None = None

    def __post_init__(self) -> None:
        if self.quarter_definition not in ("calendar", "plan_year"):
            raise ValidationError(
                f"Unknown quarter definition {self.quarter_definition!r}: use 'calendar' or 'plan_year'."
            )
        for name, low, high in (
            ("report_due_days", 0, 366),
            ("note_due_hours", 1, 24 * 366),
            ("due_soon_days", 0, 366),
            ("plan_review_lead_days", 0, 366),
            ("plan_renewal_lead_days", 0, 366),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValidationError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")
        if self.plan_due_days_after_intake is not None and not 0 <= self.plan_due_days_after_intake <= 366:
            raise ValidationError("plan_due_days_after_intake must be from 0 to 366 days, or empty.")
        zone_name(self.timezone)
        _require_date(self.obligations_start, "The start of tracked obligations")
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        for day in self.holidays:
            _require_date(day, "A holiday")
        object.__setattr__(self, "monthly_visit_required", MappingProxyType(dict(self.monthly_visit_required)))

    @property
    def zone(self) -> ZoneInfo:
        return zone_name(self.timezone)


def zone_name(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or a clear error."""
    if not isinstance(name, str) or not name:
        raise ValidationError(f"A time zone must be an IANA name like 'America/Chicago', not {name!r}.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"Unknown time zone {name!r}: use an IANA name like 'America/Chicago'.") from exc

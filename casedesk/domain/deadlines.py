"""The deadline engine: from one client's facts, everything due, when, and whether it is done.

``compute_due_items(facts, settings, now)`` is pure (no clock, no database) and cheap: it is run for
every client of a caseload. For many clients build one ``DeadlineEngine(settings, now)`` and call
``engine.compute(facts)`` for each, which shares the per-settings work.

Rules (each produces ``DueItem`` values whose ``resolves`` names the record that would close them):

* ``quarterly_report`` - every quarter (calendar, or plan-year anchored on the plan's effective date)
  that overlaps the client's service period, from intake or plan start (whichever is earlier, and not
  before ``settings.obligations_start``) to today or the discharge date. Due ``report_due_days``
  (calendar or business) days after the quarter's last day. Done when a signed or submitted report for
  that quarter exists (matched by label, or by exact period); a report signed after the due date is
  done with ``late=True``. The current quarter appears as "upcoming" so calendars can show it.
* ``plan_review`` - the plan's ``review_due`` date; done when ``reviewed_on`` is set.
* ``plan_renewal`` - the plan's ``effective_to``; done when a successor plan that is not a draft exists
  (late when it takes effect more than a day after the old plan ends).
* ``service_plan`` - an active client with no plan at all needs one ``plan_due_days_after_intake``
  days after intake.
* ``goal_target`` - an active goal whose target date comes: the goal needs an update (met, changed or
  discontinued); done once it is no longer active.
* ``note_for_visit`` - a done visit needs a signed progress note linked to it within
  ``note_due_hours`` of the visit's end (its start when the end is unknown). The window is exact
  elapsed time in UTC. A draft does not count; a note signed after the window is done, late.
* ``note_signature`` - a draft note not covered by the rule above must be signed within
  ``note_due_hours`` of its contact ending.
* ``monthly_visit`` - when the client's program requires it, every calendar month (in the worker's
  time zone) of the service period needs a done home or office visit or a signed face-to-face note.
  The current month is upcoming (due soon near its end) while the client is active; past months
  without a contact are overdue.
* ``follow_up`` - a follow-up not completed by its date is overdue.

Date deadlines (reports, plans, months, follow-ups) are calendar dates in the worker's zone: a DST
change cannot move them. The note window is a true instant. ``DueItem.due`` is a ``date`` for the first
kind and a UTC ``datetime`` for the second.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from casedesk.domain.business_days import add_business_days, us_federal_holidays_between
from casedesk.domain.deadline_facts import (
    FACE_TO_FACE_KINDS,
    ClientFacts,
    DeadlineSettings,
    NoteFacts,
    PlanFacts,
    ReportFacts,
)
from casedesk.domain.notes import FACE_TO_FACE_TYPES
from casedesk.domain.quarters import (
    CALENDAR_QUARTERS,
    Quarter,
    QuarterDefinition,
    quarters_between,
)
from casedesk.errors import ValidationError

DueStatus = Literal["upcoming", "due_soon", "overdue", "done"]
DueKind = Literal[
    "quarterly_report",
    "plan_review",
    "plan_renewal",
    "service_plan",
    "goal_target",
    "note_for_visit",
    "note_signature",
    "monthly_visit",
    "follow_up",
]

UPCOMING: DueStatus = "upcoming"
DUE_SOON: DueStatus = "due_soon"
OVERDUE: DueStatus = "overdue"
DONE: DueStatus = "done"

# Most urgent first: the order lists and dashboards use.
STATUS_ORDER: dict[str, int] = {OVERDUE: 0, DUE_SOON: 1, UPCOMING: 2, DONE: 3}

_UTC = dt.UTC
# English month names (calendar.month_name follows the process locale, which titles must not).
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ONE_DAY = dt.timedelta(days=1)


class DueItem(NamedTuple):
    """One deadline of one client.

    ``title`` never contains the client's name (the UI adds it). ``due`` is a ``date`` (due by the end
    of that day in the worker's zone) or a UTC ``datetime`` (an exact instant). ``resolves`` names what
    closes the item, e.g. ``("quarterly_report", client_id, "2026Q3")``, ``("note_for_visit",
    appointment_id)``, ``("plan_review", plan_id)``, ``("monthly_visit", client_id, "2026-11")``.
    ``done_at`` is when it was done (done items only); ``late`` is True when that was after ``due``.

    A named tuple rather than a dataclass: a caseload produces hundreds of thousands of these and a
    tuple is built several times faster, while staying immutable and typed.
    """

    client_id: str
    kind: DueKind
    title: str
    due: dt.date
    status: DueStatus
    resolves: tuple[str, ...]
    done_at: dt.date | None = None
    late: bool = False

    @property
    def is_open(self) -> bool:
        return self.status != DONE


# ---------------------------------------------------------------------------------------------
# Helpers shared by every client
# ---------------------------------------------------------------------------------------------

# Building a DueItem through tuple.__new__ skips the generated __new__ (a Python-level call with
# defaults), which roughly halves the cost of the half-million items a large caseload produces.
_new_item: Callable[[type[DueItem], tuple[Any, ...]], DueItem] = tuple.__new__


@lru_cache(maxsize=8192)
def _report_due(
    quarter_end: dt.date,
    due_days: int,
    business_days: bool,
    holidays: frozenset[dt.date],
    federal: bool,
) -> dt.date:
    if not business_days:
        return quarter_end + dt.timedelta(days=due_days)
    days_off = holidays
    if federal:
        # A generous horizon: due_days business days never span more than 2 * due_days + 14 calendar
        # days plus one per holiday, and a year holds 11 federal holidays.
        horizon = quarter_end + dt.timedelta(days=2 * due_days + 14 + 12 * (due_days // 200 + 1))
        days_off = days_off | us_federal_holidays_between(quarter_end, horizon)
    return add_business_days(quarter_end, due_days, days_off)


def report_due_for(quarter: Quarter, settings: DeadlineSettings) -> dt.date:
    """The due date of the quarterly report for ``quarter`` under ``settings``."""
    return _report_due(
        quarter.end,
        settings.report_due_days,
        settings.report_due_business_days,
        settings.holidays,
        settings.us_federal_holidays,
    )


def quarter_definition_for(facts: ClientFacts, settings: DeadlineSettings) -> QuarterDefinition | None:
    """The quarters this client reports on (plan-year quarters need a plan or an intake date)."""
    if settings.quarter_definition == "calendar":
        return CALENDAR_QUARTERS
    anchor = facts.plan.effective_from if facts.plan is not None else facts.intake_date
    return QuarterDefinition("plan_year", anchor) if anchor is not None else None


_NOTE_TITLES: dict[str, tuple[str, str]] = {
    "home_visit": ("Progress note for home visit", "Sign progress note for home visit"),
    "office": ("Progress note for office visit", "Sign progress note for office visit"),
    "phone": ("Progress note for phone call", "Sign progress note for phone call"),
    "meeting": ("Progress note for meeting", "Sign progress note for meeting"),
}


class _QuarterRow(NamedTuple):
    """A quarter with everything the report rule needs, computed once per engine."""

    label: str
    start: dt.date
    end: dt.date
    due: dt.date
    late_from: dt.datetime  # a report signed at or after this UTC instant was signed after the due day
    title: str
    draft_title: str


class _MonthRow(NamedTuple):
    month: int  # year * 12 + month - 1
    key: str  # "2026-11"
    title: str
    last_day: dt.date


# A report seen for a quarter: rank 2 = signed or submitted (with when), rank 1 = a draft only.
_ReportEntry = tuple[int, dt.datetime | None]


def _best_report(reports: Sequence[ReportFacts], row: _QuarterRow) -> _ReportEntry | None:
    """The best report for a quarter: matched by label (in any spelling) or, for a report filed under
    another label (say, before the agency changed its quarters), by exactly the quarter's dates."""
    best: _ReportEntry | None = None
    for report in reports:
        same_period = report.period_start == row.start and report.period_end == row.end
        if same_period or report.quarter_label.strip().upper() == row.label:
            entry: _ReportEntry = (
                (1, None) if report.status == "draft" else (2, report.signed_at or report.submitted_at)
            )
            if _better_report(entry, best):
                best = entry
    return best


def _better_report(candidate: _ReportEntry, known: _ReportEntry | None) -> bool:
    """Whether a report beats the one kept so far: completed beats draft, then earlier beats later."""
    if known is None:
        return True
    if candidate[0] != known[0]:
        return candidate[0] > known[0]
    if candidate[1] is None or known[1] is None:
        return False
    return candidate[1] < known[1]


# ---------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------


class DeadlineEngine:
    """Deadline rules evaluated at one moment under one set of settings, for any number of clients.

    The engine caches what does not depend on the client (quarter rows with due dates and titles,
    month rows, the UTC instants where local days begin), so a caseload pays for them once.
    """

    def __init__(self, settings: DeadlineSettings, now: dt.datetime) -> None:
        if not isinstance(now, dt.datetime) or now.utcoffset() is None:
            raise ValidationError(f"'now' must be a date and time with a time zone, not {now!r}.")
        self.settings = settings
        self.zone: ZoneInfo = settings.zone
        self.now = now.astimezone(_UTC)
        self.today = now.astimezone(self.zone).date()
        self._month_now = self.today.year * 12 + self.today.month - 1
        self._soon_date = self.today + dt.timedelta(days=settings.due_soon_days)
        self._soon_instant = self.now + dt.timedelta(days=settings.due_soon_days)
        self._review_soon = self.today + dt.timedelta(days=settings.plan_review_lead_days)
        self._renewal_soon = self.today + dt.timedelta(days=settings.plan_renewal_lead_days)
        self._note_window = dt.timedelta(hours=settings.note_due_hours)
        self._quarter_rows: dict[tuple[dt.date | None, dt.date, dt.date], tuple[_QuarterRow, ...]] = {}
        self._month_rows: dict[tuple[int, int], tuple[_MonthRow, ...]] = {}
        self._day_starts: dict[dt.date, dt.datetime] = {}

    # -- time helpers --------------------------------------------------------------------------

    def _date_status(self, due: dt.date, soon: dt.date | None = None) -> DueStatus:
        """Status of an open date deadline; it is due soon from ``soon`` (default: due_soon_days) on."""
        if self.today > due:
            return OVERDUE
        return DUE_SOON if due <= (self._soon_date if soon is None else soon) else UPCOMING

    def day_start(self, day: dt.date) -> dt.datetime:
        """The UTC instant at which ``day`` begins in the worker's zone (DST-correct, cached)."""
        start = self._day_starts.get(day)
        if start is None:
            # fold=0: a midnight skipped by a DST jump maps to the jump itself, a repeated one to its
            # first occurrence; either way the day starts at its first real instant.
            start = dt.datetime(day.year, day.month, day.day, tzinfo=self.zone).astimezone(_UTC)
            self._day_starts[day] = start
        return start

    def done_late(self, done_at: dt.datetime, due: dt.date) -> bool:
        """Whether something done at ``done_at`` was done after the local day ``due`` ended."""
        return done_at >= self.day_start(due + _ONE_DAY)

    def local_month(self, moment: dt.datetime) -> int:
        """The worker's local month (year * 12 + month - 1) of a UTC instant."""
        day = moment.day
        if 2 <= day <= 27:
            # No zone is more than 26 hours from UTC, so mid-month instants share the UTC month.
            return moment.year * 12 + moment.month - 1
        local = moment.astimezone(self.zone)
        return local.year * 12 + local.month - 1

    def quarter_rows(
        self, definition: QuarterDefinition, first_day: dt.date, last_day: dt.date
    ) -> tuple[_QuarterRow, ...]:
        if definition.kind == "calendar":
            # Every day of a calendar quarter gives the same rows: share them across clients.
            first_day = dt.date(first_day.year, (first_day.month - 1) // 3 * 3 + 1, 1)
        key = (definition.anchor, first_day, last_day)  # the anchor tells the definitions apart
        rows = self._quarter_rows.get(key)
        if rows is None:
            settings = self.settings
            plan_year = definition.kind == "plan_year"
            built = []
            for quarter in quarters_between(first_day, last_day, definition):
                due = report_due_for(quarter, settings)
                period = f" ({quarter.start.isoformat()} to {quarter.end.isoformat()})" if plan_year else ""
                built.append(
                    _QuarterRow(
                        quarter.label,
                        quarter.start,
                        quarter.end,
                        due,
                        self.day_start(due + _ONE_DAY),
                        f"Quarterly report {quarter.label}{period}",
                        f"Sign quarterly report {quarter.label}{period}",
                    )
                )
            rows = self._quarter_rows[key] = tuple(built)
        return rows

    def month_rows(self, first_month: int, last_month: int) -> tuple[_MonthRow, ...]:
        key = (first_month, last_month)
        rows = self._month_rows.get(key)
        if rows is None:
            built = []
            for index in range(first_month, last_month + 1):
                year, month0 = divmod(index, 12)
                last = dt.date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])
                title = f"Face-to-face visit in {_MONTH_NAMES[month0]} {year}"
                built.append(_MonthRow(index, f"{year:04d}-{month0 + 1:02d}", title, last))
            rows = self._month_rows[key] = tuple(built)
        return rows

    # -- entry point ---------------------------------------------------------------------------

    def compute(self, facts: ClientFacts) -> list[DueItem]:
        """Every deadline of one client, open and done, grouped by rule."""
        items: list[DueItem] = []
        span = self._service_span(facts)
        month_range = self._visit_month_range(facts, span) if span is not None else None
        # One pass over notes and one over appointments serve both the note rule and the monthly rule.
        met_months: dict[int, dt.datetime] | None = {} if month_range is not None else None
        self._notes(facts, items, met_months)
        if span is not None:
            self._quarterly_reports(facts, span[0], span[1], items)
        if month_range is not None and met_months is not None:
            self._monthly_visits(facts, month_range[0], month_range[1], met_months, items)
        self._plan_items(facts, items)
        if facts.follow_ups:
            self._follow_ups(facts, items)
        return items

    def _service_span(self, facts: ClientFacts) -> tuple[dt.date, dt.date] | None:
        """First and last day of the service period that has obligations (None: none yet)."""
        plan = facts.plan
        first_day = facts.intake_date
        if plan is not None and (first_day is None or plan.effective_from < first_day):
            first_day = plan.effective_from
        if first_day is None:
            return None
        floor = self.settings.obligations_start
        if floor is not None and floor > first_day:
            first_day = floor
        last_day = self.today
        if facts.discharge_date is not None and facts.discharge_date < last_day:
            last_day = facts.discharge_date
        if last_day < first_day:
            return None
        return first_day, last_day

    def _visit_month_range(self, facts: ClientFacts, span: tuple[dt.date, dt.date]) -> tuple[int, int] | None:
        """First and last month (year * 12 + month - 1) needing a face-to-face visit, if any."""
        settings = self.settings
        required = settings.monthly_visit_default
        if facts.program is not None:
            required = settings.monthly_visit_required.get(facts.program, required)
        if not required:
            return None
        first_day, last_day = span
        first_month = first_day.year * 12 + first_day.month - 1
        last_month = last_day.year * 12 + last_day.month - 1
        if last_month >= self._month_now and facts.status != "active":
            last_month = self._month_now - 1  # no visit is required this month of an inactive client
        return (first_month, last_month) if last_month >= first_month else None

    # -- progress notes (and the face-to-face contacts they show) ------------------------------

    def _notes(self, facts: ClientFacts, items: list[DueItem], met_months: dict[int, dt.datetime] | None) -> None:
        """Note rules; also records in ``met_months`` the earliest face-to-face contact of each month."""
        signed_for: dict[str, dt.datetime] = {}
        drafted_for: set[str] = set()
        drafts: list[NoteFacts] = []
        face_to_face_notes: list[NoteFacts] = []
        for note in facts.notes:
            if note.status == "signed":
                signed_at = note.signed_at
                appointment_id = note.appointment_id
                if appointment_id is not None and signed_at is not None:
                    known = signed_for.get(appointment_id)
                    if known is None or signed_at < known:
                        signed_for[appointment_id] = signed_at
                if met_months is not None and note.contact_type in FACE_TO_FACE_TYPES:
                    face_to_face_notes.append(note)
            else:
                drafts.append(note)
                if note.appointment_id is not None:
                    drafted_for.add(note.appointment_id)
        year_month = self.local_month
        face_to_face_visits: set[str] = set()
        client_id = facts.client_id
        window = self._note_window
        now = self.now
        soon = self._soon_instant
        append = items.append
        # Globals bound to locals: this loop runs for every visit of every client.
        new_item, item_type, done, titles_by_kind = _new_item, DueItem, DONE, _NOTE_TITLES
        counted_kinds = FACE_TO_FACE_KINDS if met_months is not None else frozenset()
        months: dict[int, dt.datetime] = met_months if met_months is not None else {}
        awaited: set[str] = set()  # done visits whose note is still missing
        for appointment in facts.appointments:
            if appointment.status != "done":
                continue
            appointment_id = appointment.id
            kind = appointment.kind
            if kind in counted_kinds:
                face_to_face_visits.add(appointment_id)
                start = appointment.start
                day = start.day
                # No zone is more than 26 hours from UTC: mid-month instants share the UTC month.
                month = start.year * 12 + start.month - 1 if 2 <= day <= 27 else year_month(start)
                known = months.get(month)
                if known is None or start < known:
                    months[month] = start
            due = (appointment.end or appointment.start) + window
            signed_at = signed_for.get(appointment_id)
            if signed_at is not None:
                late = signed_at > due
                title = titles_by_kind[kind][0]
                append(
                    new_item(
                        item_type,
                        (
                            client_id,
                            "note_for_visit",
                            title,
                            due,
                            done,
                            ("note_for_visit", appointment_id),
                            signed_at,
                            late,
                        ),
                    )
                )
                continue
            awaited.add(appointment_id)
            status = OVERDUE if now > due else (DUE_SOON if due <= soon else UPCOMING)
            title = titles_by_kind[kind][1 if appointment_id in drafted_for else 0]
            append(
                new_item(
                    item_type,
                    (client_id, "note_for_visit", title, due, status, ("note_for_visit", appointment_id), None, False),
                )
            )
        if met_months is not None:
            for note in face_to_face_notes:
                if note.appointment_id in face_to_face_visits:
                    continue  # its visit already counted, at the same time or earlier
                start = note.contact_start
                day = start.day
                month = start.year * 12 + start.month - 1 if 2 <= day <= 27 else year_month(start)
                known = met_months.get(month)
                if known is None or start < known:
                    met_months[month] = start
        # A draft that is not the awaited note of a done visit still has to be signed in time.
        for note in drafts:
            if note.appointment_id is not None and note.appointment_id in awaited:
                continue
            due = note.contact_start + dt.timedelta(minutes=note.duration_minutes) + window
            status = OVERDUE if now > due else (DUE_SOON if due <= soon else UPCOMING)
            append(
                DueItem(
                    client_id, "note_signature", "Sign draft progress note", due, status, ("note_signature", note.id)
                )
            )

    # -- quarterly reports ---------------------------------------------------------------------

    def _quarterly_reports(
        self, facts: ClientFacts, first_day: dt.date, last_day: dt.date, items: list[DueItem]
    ) -> None:
        definition = quarter_definition_for(facts, self.settings)
        if definition is None:
            return
        reports = facts.reports
        # Fast path: reports stored under their canonical label, one per quarter.
        by_label = {report.quarter_label: report for report in reports}
        unique = len(by_label) == len(reports)
        client_id = facts.client_id
        append = items.append
        today = self.today
        soon = self._soon_date
        for row in self.quarter_rows(definition, first_day, last_day):
            report = by_label.get(row.label)
            if unique and report is not None and report.status != "draft":
                found: _ReportEntry | None = (2, report.signed_at or report.submitted_at)
            else:
                found = _best_report(reports, row) if reports else None
            resolves = ("quarterly_report", client_id, row.label)
            due = row.due
            if found is not None and found[0] == 2:
                done_at = found[1]
                late = done_at is not None and done_at >= row.late_from
                append(
                    _new_item(DueItem, (client_id, "quarterly_report", row.title, due, DONE, resolves, done_at, late))
                )
            else:
                title = row.draft_title if found is not None else row.title
                status = OVERDUE if today > due else (DUE_SOON if due <= soon else UPCOMING)
                append(_new_item(DueItem, (client_id, "quarterly_report", title, due, status, resolves, None, False)))

    # -- monthly face-to-face visits ----------------------------------------------------------

    def _monthly_visits(
        self,
        facts: ClientFacts,
        first_month: int,
        last_month: int,
        met_months: dict[int, dt.datetime],
        items: list[DueItem],
    ) -> None:
        client_id = facts.client_id
        append = items.append
        month_now = self._month_now
        for row in self.month_rows(first_month, last_month):
            resolves = ("monthly_visit", client_id, row.key)
            when = met_months.get(row.month)
            if when is not None:
                append(
                    _new_item(
                        DueItem, (client_id, "monthly_visit", row.title, row.last_day, DONE, resolves, when, False)
                    )
                )
            else:
                status = OVERDUE if row.month < month_now else self._date_status(row.last_day)
                append(
                    _new_item(
                        DueItem, (client_id, "monthly_visit", row.title, row.last_day, status, resolves, None, False)
                    )
                )

    # -- plans ---------------------------------------------------------------------------------

    def _plan_items(self, facts: ClientFacts, items: list[DueItem]) -> None:
        settings = self.settings
        client_id = facts.client_id
        plan = facts.plan
        if plan is None:
            days = settings.plan_due_days_after_intake
            if facts.status == "active" and facts.intake_date is not None and days is not None:
                due = facts.intake_date + dt.timedelta(days=days)
                status = self._date_status(due, self._review_soon)
                items.append(
                    DueItem(
                        client_id, "service_plan", "Write the service plan", due, status, ("service_plan", client_id)
                    )
                )
            return
        discharged = facts.status == "discharged"
        if plan.review_due is not None:
            due = plan.review_due
            resolves = ("plan_review", plan.id)
            if plan.reviewed_on is not None:
                late = plan.reviewed_on > due
                items.append(
                    _new_item(
                        DueItem,
                        (client_id, "plan_review", "Service plan review", due, DONE, resolves, plan.reviewed_on, late),
                    )
                )
            elif not discharged:
                status = self._date_status(due, self._review_soon)
                items.append(
                    _new_item(
                        DueItem, (client_id, "plan_review", "Service plan review", due, status, resolves, None, False)
                    )
                )
        if plan.effective_to is not None:
            self._plan_renewal(facts, plan, plan.effective_to, items)
        if not discharged and plan.goals:
            today = self.today
            soon = self._soon_date
            for goal in plan.goals:
                target = goal.target_date
                if target is None:
                    continue
                if goal.status != "active":
                    status = DONE
                else:
                    status = OVERDUE if today > target else (DUE_SOON if target <= soon else UPCOMING)
                resolves = ("goal_target", goal.id)
                items.append(
                    _new_item(
                        DueItem,
                        (
                            client_id,
                            "goal_target",
                            "Update goal at its target date",
                            target,
                            status,
                            resolves,
                            None,
                            False,
                        ),
                    )
                )

    def _plan_renewal(self, facts: ClientFacts, plan: PlanFacts, ends: dt.date, items: list[DueItem]) -> None:
        client_id = facts.client_id
        resolves = ("plan_renewal", plan.id)
        successor = facts.next_plan
        if successor is not None and successor.id != plan.id and successor.status != "draft":
            # Late when the new plan leaves days uncovered after the old one ends.
            late = successor.effective_from > ends + _ONE_DAY
            items.append(
                DueItem(
                    client_id,
                    "plan_renewal",
                    "Renew the service plan",
                    ends,
                    DONE,
                    resolves,
                    successor.effective_from,
                    late,
                )
            )
            return
        if facts.status == "discharged":
            return
        title = "Finish the draft renewal plan" if successor is not None else "Renew the service plan"
        status = self._date_status(ends, self._renewal_soon)
        items.append(_new_item(DueItem, (client_id, "plan_renewal", title, ends, status, resolves, None, False)))

    # -- follow-ups ----------------------------------------------------------------------------

    def _follow_ups(self, facts: ClientFacts, items: list[DueItem]) -> None:
        client_id = facts.client_id
        append = items.append
        for follow_up in facts.follow_ups:
            resolves = ("follow_up", follow_up.id)
            title = "Follow-up: " + follow_up.title
            due = follow_up.due
            completed_at = follow_up.completed_at
            if completed_at is not None:
                late = self.done_late(completed_at, due)
                append(_new_item(DueItem, (client_id, "follow_up", title, due, DONE, resolves, completed_at, late)))
            else:
                status = self._date_status(due)
                append(_new_item(DueItem, (client_id, "follow_up", title, due, status, resolves, None, False)))


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _engine(settings: DeadlineSettings, now: dt.datetime) -> DeadlineEngine:
    return DeadlineEngine(settings, now)


def compute_due_items(facts: ClientFacts, settings: DeadlineSettings, now: dt.datetime) -> list[DueItem]:
    """Every deadline of one client at ``now`` (tz-aware), open and done.

    Calls with equal settings and ``now`` share one engine (and its caches), so calling this once per
    client of a caseload costs about the same as ``DeadlineEngine(settings, now).compute`` in a loop.
    """
    if not isinstance(now, dt.datetime) or now.utcoffset() is None:
        raise ValidationError(f"'now' must be a date and time with a time zone, not {now!r}.")
    return _engine(settings, now).compute(facts)


def compute_caseload_due_items(
    caseload: Iterable[ClientFacts], settings: DeadlineSettings, now: dt.datetime
) -> Iterator[DueItem]:
    """Every deadline of every client given, client by client."""
    engine = DeadlineEngine(settings, now)
    for facts in caseload:
        yield from engine.compute(facts)


def open_items(items: Iterable[DueItem]) -> list[DueItem]:
    """Only what still needs doing."""
    return [item for item in items if item.status != DONE]


def due_local_date(item: DueItem, zone: ZoneInfo) -> dt.date:
    """The calendar day (in ``zone``) an item is due on: where a calendar shows it."""
    due = item.due
    if isinstance(due, dt.datetime):
        return due.astimezone(zone).date()
    return due


def sort_due_items(items: Iterable[DueItem], zone: ZoneInfo) -> list[DueItem]:
    """Most urgent first: overdue, due soon, upcoming, done; then by due moment (a date deadline sorts
    after the timed ones of the same day, since it lasts until the day ends)."""

    def key(item: DueItem) -> tuple[int, dt.date, dt.time, str]:
        due = item.due
        if isinstance(due, dt.datetime):
            local = due.astimezone(zone)
            return STATUS_ORDER[item.status], local.date(), local.time(), item.title
        return STATUS_ORDER[item.status], due, dt.time.max, item.title

    return sorted(items, key=key)

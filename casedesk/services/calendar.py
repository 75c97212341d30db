"""Appointments: single and repeating visits, edits of one occurrence or all future ones, status.

    events = calendar.events_between(session, start, end)          # concrete occurrences, names attached
    appointment_id = calendar.create_appointment(session, AppointmentInput(...))
    calendar.update(session, event.ref, {"start": s, "end": e}, scope="this")   # or "future" / "all"
    calendar.set_status(session, event.ref, "done")                # the 48 h note deadline starts
    prefill = calendar.note_prefill(session, event.ref)            # what the note editor needs

Rows (casedesk.db.models.Appointment) come in three shapes: a single appointment; a series (``rrule``
set) whose first occurrence is its own start/end; and an override of one occurrence of a series
(``series_id`` + ``original_start``, RFC 5545 RECURRENCE-ID). An occurrence is addressed by an
``OccurrenceRef``: the series id plus the occurrence's original start, or the id of a concrete row.
Overrides are made only when an occurrence is changed on its own (moved, marked done, given a note),
so a weekly series costs one row until something happens to one of its visits.

The rules for repeats live in casedesk.scheduling (expansion, splitting for "edit all future"); this
module stores their results. ICS import and export are in casedesk.services.calendar_ics.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casedesk.db.models import Appointment, Client, ProgressNote
from casedesk.db.types import new_id, utcnow
from casedesk.domain.deadline_facts import APPOINTMENT_KINDS, APPOINTMENT_STATUSES, zone_name
from casedesk.errors import NotFoundError, ValidationError
from casedesk.scheduling.recurrence import (
    Occurrence,
    Override,
    Series,
    expand,
    format_exdates,
    is_occurrence,
    make_override,
    parse_exdates,
    split_series,
)
from casedesk.scheduling.rrule import RecurrenceError, describe_rrule, parse_rrule
from casedesk.services import audit
from casedesk.services.deadlines import worker_zone_name
from casedesk.services.records import get_live

Scope = Literal["this", "future", "all"]
SCOPES: tuple[str, ...] = ("this", "future", "all")
KIND_LABELS: dict[str, str] = {
    "home_visit": "Home visit",
    "office": "Office visit",
    "phone": "Phone call",
    "meeting": "Team meeting",
}
STATUS_LABELS: dict[str, str] = {"planned": "Planned", "done": "Done", "missed": "Missed", "cancelled": "Cancelled"}
# The note a visit of each kind is written as (domain.notes.CONTACT_TYPES).
CONTACT_TYPE_FOR_KIND: dict[str, str] = {
    "home_visit": "face_to_face",
    "office": "face_to_face",
    "phone": "phone",
    "meeting": "collateral",
}
MAX_DURATION = dt.timedelta(days=31)
EDITABLE_FIELDS = frozenset(
    {"start", "end", "kind", "client_id", "title", "location", "description", "status", "rrule", "timezone"}
)
_UTC = dt.UTC
_ONE_SECOND = dt.timedelta(seconds=1)


# ---------------------------------------------------------------------------------------------
# Plain data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OccurrenceRef:
    """One appointment as the calendar shows it.

    ``appointment_id`` is the row: a single appointment, an override, or a series (then
    ``original_start`` names which occurrence; None means the series' first one).
    """

    appointment_id: str
    original_start: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.original_start is not None:
            if self.original_start.utcoffset() is None:
                raise ValidationError("An occurrence's original start needs a time zone.")
            object.__setattr__(self, "original_start", self.original_start.astimezone(_UTC).replace(microsecond=0))


@dataclass(frozen=True, slots=True)
class AppointmentInput:
    """A new appointment. ``rrule`` (RFC 5545, e.g. from casedesk.scheduling.rrule.weekly_rule) makes
    it repeat; ``timezone`` (default: the worker's) is the wall clock the repeats keep."""

    start: dt.datetime
    end: dt.datetime
    kind: str = "home_visit"
    client_id: str | None = None
    title: str | None = None
    location: str | None = None
    description: str | None = None
    status: str = "planned"
    rrule: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One concrete occurrence to draw: a single appointment, or an occurrence of a series (edited on
    its own or not).

    ``key`` is stable while the occurrence exists (it survives "edit this one"); ``appointment_id``
    is the concrete row (None for an occurrence not yet edited on its own); ``note_id`` and
    ``note_status`` describe the progress note linked to it, if any.
    """

    key: str
    ref: OccurrenceRef
    appointment_id: str | None
    series_id: str | None
    original_start: dt.datetime | None
    start: dt.datetime
    end: dt.datetime
    timezone: str
    kind: str
    status: str
    client_id: str | None
    client_name: str | None
    title: str | None
    location: str | None
    description: str | None
    rrule: str | None
    note_id: str | None = None
    note_status: str | None = None

    @property
    def is_recurring(self) -> bool:
        return self.series_id is not None

    @property
    def is_exception(self) -> bool:
        """An occurrence of a series changed on its own."""
        return self.series_id is not None and self.appointment_id is not None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        """What a calendar cell shows: the title, else kind and client."""
        if self.title:
            return self.title
        return f"{self.kind_label} · {self.client_name}" if self.client_name else self.kind_label

    @property
    def repeat_text(self) -> str | None:
        if not self.rrule:
            return None
        try:
            return describe_rrule(self.rrule, zone_name(self.timezone))
        except ValidationError:
            return "Repeats"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class NotePrefill:
    """What the note editor starts from when a note is written from a visit."""

    client_id: str
    appointment_id: str
    contact_start: dt.datetime
    duration_minutes: int
    location: str | None
    contact_type: str
    kind: str


# ---------------------------------------------------------------------------------------------
# Validation helpers
# ---------------------------------------------------------------------------------------------


def _aware(value: Any, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValidationError(f"{what} must be a date and time with a time zone.")
    return value.astimezone(_UTC).replace(microsecond=0)


def _check_times(start: dt.datetime, end: dt.datetime) -> None:
    if end < start:
        raise ValidationError("An appointment cannot end before it starts.")
    if end - start > MAX_DURATION:
        raise ValidationError("An appointment cannot last more than 31 days.")


def _check_kind(kind: str) -> None:
    if kind not in APPOINTMENT_KINDS:
        raise ValidationError(f"Unknown appointment kind {kind!r}: use {', '.join(sorted(APPOINTMENT_KINDS))}.")


def _check_status(status: str) -> None:
    if status not in APPOINTMENT_STATUSES:
        raise ValidationError(f"Unknown appointment status {status!r}: use {', '.join(sorted(APPOINTMENT_STATUSES))}.")


def _clean_text(value: Any, what: str, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > limit:
        raise ValidationError(f"The {what} is longer than {limit} characters.")
    return text or None


def _check_client(session: Session, client_id: str | None) -> None:
    if client_id is not None:
        get_live(session, Client, client_id, "client")


def _normal_rule(rrule: str | None, zone: str) -> str | None:
    if rrule is None or not str(rrule).strip():
        return None
    return parse_rrule(str(rrule), zone_name(zone)).to_string()


def _worker_id(session: Session) -> str | None:
    store = session.info.get("store")
    return getattr(store, "worker_id", None)


# ---------------------------------------------------------------------------------------------
# Rows <-> recurrence values
# ---------------------------------------------------------------------------------------------


def _series_of(row: Appointment) -> Series:
    return Series(
        row.id,
        row.starts_at,
        row.ends_at,
        row.timezone or "UTC",
        row.rrule,
        parse_exdates(row.exdates or ()),
        row.until,
    )


def _override_of(row: Appointment) -> Override:
    assert row.series_id is not None and row.original_start is not None
    return Override(row.id, row.series_id, row.original_start, row.starts_at, row.ends_at, row.status)


def _live_overrides(session: Session, series_id: str) -> list[Appointment]:
    return list(
        session.execute(
            select(Appointment).where(
                Appointment.series_id == series_id,
                Appointment.deleted_at.is_(None),
                Appointment.original_start.is_not(None),
            )
        ).scalars()
    )


def _chunks(ids: Iterable[str], size: int = 5000) -> Iterable[list[str]]:
    """Ids in groups small enough for one IN (...) list."""
    batch: list[str] = []
    for item in ids:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _linked_note_ids(session: Session, appointment_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """appointment id -> (note id, note status) of its live note (a signed one preferred)."""
    result: dict[str, tuple[str, str]] = {}
    for batch in _chunks(appointment_ids):
        rows = session.execute(
            select(ProgressNote.appointment_id, ProgressNote.id, ProgressNote.status).where(
                ProgressNote.appointment_id.in_(batch), ProgressNote.deleted_at.is_(None)
            )
        )
        for appointment_id, note_id, status in rows:
            if appointment_id is None:
                continue
            known = result.get(appointment_id)
            if known is None or (known[1] != "signed" and status == "signed"):
                result[appointment_id] = (note_id, status)
    return result


@dataclass(frozen=True, slots=True)
class _Target:
    """What an OccurrenceRef points at."""

    row: Appointment  # the single appointment, the override, or the series
    series: Appointment | None  # the series when the target is one of its occurrences
    override: Appointment | None  # the override of that occurrence, if one exists
    original_start: dt.datetime | None  # the occurrence's original start (series occurrences only)

    @property
    def concrete(self) -> Appointment | None:
        """The row holding this occurrence's own values (None: a plain series occurrence)."""
        if self.series is None:
            return self.row
        return self.override


def _target(session: Session, ref: OccurrenceRef) -> _Target:
    row = get_live(session, Appointment, ref.appointment_id, "appointment")
    if row.rrule:
        original = ref.original_start or row.starts_at
        series = _series_of(row)
        if not is_occurrence(series, original):
            raise NotFoundError("That visit is no longer part of the series; reload the calendar and try again.")
        if original in series.exdates:
            raise NotFoundError("That visit was removed from the series.")
        override = session.execute(
            select(Appointment).where(
                Appointment.series_id == row.id,
                Appointment.original_start == original,
                Appointment.deleted_at.is_(None),
            )
        ).scalar_one_or_none()
        return _Target(row, row, override, original)
    if row.series_id is not None and row.original_start is not None:
        series_row = get_live(session, Appointment, row.series_id, "repeating appointment")
        return _Target(series_row, series_row, row, row.original_start)
    return _Target(row, None, None, None)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _client_names(session: Session, client_ids: Iterable[str | None]) -> dict[str, str]:
    names: dict[str, str] = {}
    for batch in _chunks(sorted({cid for cid in client_ids if cid})):
        rows = session.execute(
            select(Client.id, Client.first_name, Client.last_name, Client.preferred_name).where(Client.id.in_(batch))
        )
        names.update({cid: f"{preferred or first} {last}".strip() for cid, first, last, preferred in rows})
    return names


def _event(
    row: Appointment,
    names: Mapping[str, str],
    notes: Mapping[str, tuple[str, str]],
    *,
    occurrence: Occurrence | None = None,
    series: Appointment | None = None,
) -> CalendarEvent:
    """An event from a single row, or from an occurrence of ``series`` (``row`` is then the override
    holding its own values, or the series itself)."""
    if occurrence is None or series is None:
        note = notes.get(row.id)
        return CalendarEvent(
            key=row.id,
            ref=OccurrenceRef(row.id),
            appointment_id=row.id,
            series_id=None,
            original_start=None,
            start=row.starts_at,
            end=row.ends_at,
            timezone=row.timezone,
            kind=row.kind,
            status=row.status,
            client_id=row.client_id,
            client_name=names.get(row.client_id or ""),
            title=row.title,
            location=row.location,
            description=row.description,
            rrule=None,
            note_id=note[0] if note else None,
            note_status=note[1] if note else None,
        )
    concrete = row if row is not series else None
    note = notes.get(concrete.id) if concrete is not None else None
    return CalendarEvent(
        key=f"{series.id}/{occurrence.original_start.isoformat()}",
        ref=OccurrenceRef(series.id, occurrence.original_start),
        appointment_id=concrete.id if concrete is not None else None,
        series_id=series.id,
        original_start=occurrence.original_start,
        start=occurrence.start,
        end=occurrence.end,
        timezone=series.timezone,
        kind=row.kind,
        status=occurrence.status or series.status,
        client_id=row.client_id,
        client_name=names.get(row.client_id or ""),
        title=row.title,
        location=row.location,
        description=row.description,
        rrule=series.rrule,
        note_id=note[0] if note else None,
        note_status=note[1] if note else None,
    )


def events_between(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    *,
    client_id: str | None = None,
    include_cancelled: bool = True,
    statuses: Collection[str] | None = None,
) -> list[CalendarEvent]:
    """Every occurrence overlapping [start, end) (only those in ``statuses``, if given), repeating series
    expanded, sorted by start.

    Reads single appointments by index range, the live series that may reach the window, and their
    overrides: a handful of queries whatever the window holds. Rows that end before the window, or have
    another status, are left out by the query itself, not after being loaded.
    """
    start = _aware(start, "The start of the period")
    end = _aware(end, "The end of the period")
    if end <= start:
        return []
    earliest = start - MAX_DURATION
    singles_q = select(Appointment).where(
        Appointment.deleted_at.is_(None),
        Appointment.rrule.is_(None),
        Appointment.series_id.is_(None),
        Appointment.starts_at >= earliest,
        Appointment.starts_at < end,
        or_(
            Appointment.ends_at > start,
            and_(Appointment.ends_at == Appointment.starts_at, Appointment.starts_at >= start),
        ),
    )
    series_q = select(Appointment).where(
        Appointment.deleted_at.is_(None),
        Appointment.rrule.is_not(None),
        Appointment.starts_at < end,
    )
    if client_id is not None:
        singles_q = singles_q.where(Appointment.client_id == client_id)
    if statuses is not None:
        singles_q = singles_q.where(Appointment.status.in_(list(statuses)))
    singles = list(session.execute(singles_q).scalars())
    series_rows = [row for row in session.execute(series_q).scalars() if row.until is None or row.until >= earliest]
    overrides: dict[str, list[Appointment]] = defaultdict(list)
    for batch in _chunks(row.id for row in series_rows):
        for row in session.execute(
            select(Appointment).where(
                Appointment.deleted_at.is_(None),
                Appointment.series_id.in_(batch),
                Appointment.original_start.is_not(None),
            )
        ).scalars():
            overrides[row.series_id or ""].append(row)

    occurrences: list[tuple[Appointment, Occurrence, Appointment]] = []
    for series_row in series_rows:
        own = overrides.get(series_row.id, [])
        by_id = {row.id: row for row in own}
        try:
            expanded = expand(_series_of(series_row), start, end, [_override_of(row) for row in own])
        except RecurrenceError:
            continue  # a rule giving thousands of visits in the window: skip rather than freeze
        for occurrence in expanded:
            holder = by_id.get(occurrence.override_id or "", series_row)
            if client_id is not None and holder.client_id != client_id:
                continue
            occurrences.append((holder, occurrence, series_row))

    concrete_ids = [row.id for row in singles] + [
        holder.id for holder, _, series_row in occurrences if holder is not series_row
    ]
    notes = _linked_note_ids(session, concrete_ids)
    names = _client_names(session, [row.client_id for row in singles] + [h.client_id for h, _, _ in occurrences])
    events = [_event(row, names, notes) for row in singles]
    events += [_event(holder, names, notes, occurrence=occ, series=series) for holder, occ, series in occurrences]
    if not include_cancelled:
        events = [event for event in events if event.status != "cancelled"]
    if statuses is not None:
        events = [event for event in events if event.status in statuses]
    events.sort(key=lambda event: (event.start, event.end, event.key))
    return events


def get_event(session: Session, ref: OccurrenceRef) -> CalendarEvent:
    """The event an OccurrenceRef points at, as the calendar would show it."""
    target = _target(session, ref)
    concrete = target.concrete
    notes = _linked_note_ids(session, [concrete.id] if concrete is not None else [])
    holder = concrete or target.row
    names = _client_names(session, [holder.client_id])
    if target.series is None:
        return _event(holder, names, notes)
    assert target.original_start is not None
    series = target.series
    if concrete is not None:
        occurrence = Occurrence(
            concrete.starts_at, concrete.ends_at, series.id, target.original_start, concrete.id, concrete.status
        )
    else:
        duration = series.ends_at - series.starts_at
        occurrence = Occurrence(
            target.original_start, target.original_start + duration, series.id, target.original_start
        )
    return _event(holder, names, notes, occurrence=occurrence, series=series)


# ---------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------


def create_appointment(session: Session, data: AppointmentInput) -> str:
    """Store a new appointment (repeating when ``data.rrule`` is given); returns its id."""
    start = _aware(data.start, "The start")
    end = _aware(data.end, "The end")
    _check_times(start, end)
    _check_kind(data.kind)
    _check_status(data.status)
    _check_client(session, data.client_id)
    zone = data.timezone or worker_zone_name(session)
    zone_name(zone)
    rule = _normal_rule(data.rrule, zone)
    if rule is not None and data.status not in ("planned", "cancelled"):
        raise ValidationError("A repeating visit starts out planned; mark single visits done as they happen.")
    row = Appointment(
        client_id=data.client_id,
        worker_id=_worker_id(session),
        title=_clean_text(data.title, "title", 200),
        kind=data.kind,
        starts_at=start,
        ends_at=end,
        timezone=zone,
        location=_clean_text(data.location, "location", 300),
        description=_clean_text(data.description, "description", 4000),
        status=data.status,
        rrule=rule,
        exdates=[],
        completed_at=utcnow() if data.status == "done" else None,
    )
    if rule is not None:
        Series(row.id or "new", start, end, zone, rule)  # the first visit and the rule must agree
    session.add(row)
    session.flush()
    audit.record(session, "create", "appointment", row.id, {"repeats": rule is not None})
    return row.id


# ---------------------------------------------------------------------------------------------
# Changing
# ---------------------------------------------------------------------------------------------


def _checked_changes(session: Session, changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown appointment field(s): {', '.join(sorted(unknown))}.")
    result: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("start", "end"):
            result[key] = _aware(value, f"The {key}")
        elif key == "kind":
            _check_kind(value)
            result[key] = value
        elif key == "status":
            _check_status(value)
            result[key] = value
        elif key == "client_id":
            _check_client(session, value)
            result[key] = value
        elif key == "title":
            result[key] = _clean_text(value, "title", 200)
        elif key == "location":
            result[key] = _clean_text(value, "location", 300)
        elif key == "description":
            result[key] = _clean_text(value, "description", 4000)
        elif key == "timezone":
            zone_name(value)
            result[key] = value
        else:  # rrule: checked against the zone where it is applied
            result[key] = value if value is None or str(value).strip() else None
    return result


_COPIED_FIELDS = ("client_id", "worker_id", "title", "kind", "location", "description", "timezone")
_PLAIN_FIELDS = ("kind", "client_id", "title", "location", "description")


def _apply_plain(row: Appointment, changes: Mapping[str, Any]) -> None:
    for key in _PLAIN_FIELDS:
        if key in changes and getattr(row, key) != changes[key]:
            setattr(row, key, changes[key])


def _apply_status(row: Appointment, status: str) -> None:
    if row.status != status:
        row.status = status
        row.completed_at = utcnow() if status == "done" else None


def _new_override(session: Session, target: _Target, status: str | None = None) -> Appointment:
    """Materialise the occurrence ``target`` names as an override row (copying the series' values)."""
    series = target.series
    assert series is not None and target.original_start is not None
    value = make_override(_series_of(series), target.original_start, new_id=new_id(), status=status or series.status)
    row = Appointment(
        id=value.id,
        series_id=series.id,
        original_start=value.original_start,
        starts_at=value.start,
        ends_at=value.end,
        status=value.status,
        exdates=[],
        completed_at=utcnow() if value.status == "done" else None,
        **{key: getattr(series, key) for key in _COPIED_FIELDS},
    )
    session.add(row)
    session.flush()
    audit.record(session, "create", "appointment", row.id, {"occurrence_of": series.id})
    return row


def materialize(session: Session, ref: OccurrenceRef) -> str:
    """The id of the row holding this occurrence, making an override for a series occurrence that
    has none yet (a note or a status needs a concrete visit to point at)."""
    target = _target(session, ref)
    concrete = target.concrete
    if concrete is not None:
        return concrete.id
    return _new_override(session, target).id


def update(session: Session, ref: OccurrenceRef, changes: Mapping[str, Any], scope: Scope = "this") -> OccurrenceRef:
    """Change an appointment. For an occurrence of a series, ``scope`` says which visits change:
    "this" one, it and all "future" ones (the series is split), or "all" of them. Returns a ref to
    the changed occurrence (it may now live in another row)."""
    if scope not in SCOPES:
        raise ValidationError(f"Unknown scope {scope!r}: use this, future or all.")
    checked = _checked_changes(session, changes)
    target = _target(session, ref)
    if target.series is None:
        return _update_single(session, target.row, checked)
    if scope == "this":
        return _update_this(session, target, checked)
    return _update_series(session, target, checked, scope)


def _update_single(session: Session, row: Appointment, changes: dict[str, Any]) -> OccurrenceRef:
    start = changes.get("start", row.starts_at)
    end = changes.get("end", row.ends_at)
    if "start" in changes and "end" not in changes:
        end = start + (row.ends_at - row.starts_at)  # moving keeps the length
    _check_times(start, end)
    zone = changes.get("timezone", row.timezone)
    rule = _normal_rule(changes.get("rrule"), zone) if "rrule" in changes else None
    if rule is not None:
        if row.status in ("done", "missed"):
            raise ValidationError("A visit already done or missed cannot become a repeating one; make a new one.")
        Series(row.id, start, end, zone, rule)
        row.rrule = rule
        row.exdates = []
    row.starts_at, row.ends_at, row.timezone = start, end, zone
    _apply_plain(row, changes)
    if "status" in changes:
        _apply_status(row, changes["status"])
    session.flush()
    audit.record(session, "update", "appointment", row.id, {"fields": sorted(changes)})
    return OccurrenceRef(row.id)


def _update_this(session: Session, target: _Target, changes: dict[str, Any]) -> OccurrenceRef:
    if changes.get("rrule") is not None or "timezone" in changes:
        raise ValidationError("How a series repeats is changed for all future visits, not for one.")
    row = target.override or _new_override(session, target)
    start = changes.get("start", row.starts_at)
    end = changes.get("end", row.ends_at)
    if "start" in changes and "end" not in changes:
        end = start + (row.ends_at - row.starts_at)
    _check_times(start, end)
    row.starts_at, row.ends_at = start, end
    _apply_plain(row, changes)
    if "status" in changes:
        _apply_status(row, changes["status"])
    session.flush()
    audit.record(session, "update", "appointment", row.id, {"fields": sorted(changes), "scope": "this"})
    assert target.series is not None and target.original_start is not None
    return OccurrenceRef(target.series.id, target.original_start)


def _shift_weekdays(rule_text: str, days: int) -> str:
    """The rule with its weekdays moved by ``days`` (a Monday visit dragged to Tuesday repeats on
    Tuesdays from then on)."""
    if days % 7 == 0:
        return rule_text
    rule = parse_rrule(rule_text)
    if not rule.by_day:
        return rule_text
    moved = tuple(replace(entry, weekday=(entry.weekday + days) % 7) for entry in rule.by_day)
    return replace(rule, by_day=moved).to_string()


def _wall_shift(moment: dt.datetime, old: dt.datetime, new: dt.datetime, zone: str) -> dt.datetime:
    """``moment`` moved on the zone's wall clock as far as ``old`` moved to ``new``."""
    tz = zone_name(zone)
    delta = new.astimezone(tz).replace(tzinfo=None) - old.astimezone(tz).replace(tzinfo=None)
    wall = moment.astimezone(tz).replace(tzinfo=None) + delta
    return wall.replace(tzinfo=tz).astimezone(_UTC)


def _update_series(session: Session, target: _Target, changes: dict[str, Any], scope: Scope) -> OccurrenceRef:
    series_row = target.series
    assert series_row is not None and target.original_start is not None
    series = _series_of(series_row)
    zone = changes.get("timezone", series_row.timezone)
    # The series' pattern is where this occurrence was meant to be (its original start), even when it
    # was moved on its own: a new time given here becomes the pattern; without one the pattern stays.
    pattern_start = target.original_start
    shown = target.override
    length = (shown.ends_at - shown.starts_at) if shown is not None else series.duration
    new_start = changes.get("start", pattern_start)
    if "end" in changes:
        new_end = changes["end"]
    else:
        new_end = new_start + (length if "start" in changes else series.duration)
    _check_times(new_start, new_end)
    tz = zone_name(zone)
    occurrence_start = pattern_start
    day_shift = (new_start.astimezone(tz).date() - pattern_start.astimezone(tz).date()).days
    if "rrule" in changes:
        rule = _normal_rule(changes["rrule"], zone)
    else:
        rule = _shift_weekdays(series.rrule or "", day_shift) if day_shift else series.rrule
    if scope == "all":
        at = series.start
        first_start = _wall_shift(series.start, occurrence_start, new_start, zone)
        first_end = first_start + (new_end - new_start)
    else:
        at = target.original_start
        first_start, first_end = new_start, new_end
    overrides = [_override_of(row) for row in _live_overrides(session, series_row.id)]
    split = split_series(
        series,
        at,
        new_id=new_id(),
        start=first_start,
        end=first_end,
        rrule=rule or "FREQ=DAILY;COUNT=1",
        timezone=zone,
        overrides=overrides,
    )
    after = split.after
    keep_repeating = rule is not None
    rows_by_id = {row.id: row for row in _live_overrides(session, series_row.id)}
    if split.before is None:
        # The change starts at the first visit: the series row itself becomes the new series.
        new_row = series_row
        moved_ids = {item.id for item in split.moved}
    else:
        before = split.before
        series_row.rrule = before.rrule
        series_row.exdates = format_exdates(before.exdates)
        series_row.until = before.until
        new_row = Appointment(
            id=after.id,
            status="planned" if series_row.status in ("done", "missed") else series_row.status,
            **{key: getattr(series_row, key) for key in _COPIED_FIELDS},
        )
        session.add(new_row)
        moved_ids = {item.id for item in split.moved}
    new_row.starts_at, new_row.ends_at, new_row.timezone = after.start, after.end, after.timezone
    new_row.rrule = after.rrule if keep_repeating else None
    new_row.exdates = format_exdates(after.exdates) if keep_repeating else []
    new_row.until = after.until if keep_repeating else None
    _apply_plain(new_row, changes)
    if "status" in changes and changes["status"] in ("planned", "cancelled"):
        _apply_status(new_row, changes["status"])
    session.flush()
    for override_id in moved_ids:
        row = rows_by_id[override_id]
        if not keep_repeating:
            _detach_or_delete(session, row)
            continue
        if row.series_id != new_row.id:
            row.series_id = new_row.id
        _apply_plain(row, {k: v for k, v in changes.items() if k not in ("start", "end")})
    for item in split.dropped:
        _detach_or_delete(session, rows_by_id[item.id])
    session.flush()
    audit.record(
        session,
        "update",
        "appointment",
        new_row.id,
        {"fields": sorted(changes), "scope": scope, "split_from": series_row.id if new_row is not series_row else None},
    )
    if not keep_repeating:
        return OccurrenceRef(new_row.id)
    if scope == "all":
        moved_series = _series_of(new_row)
        if new_start != after.start and is_occurrence(moved_series, new_start):
            return OccurrenceRef(new_row.id, new_start)
    return OccurrenceRef(new_row.id, after.start)


def _detach_or_delete(session: Session, row: Appointment) -> None:
    """An override whose occurrence no longer exists: a visit that happened (done, missed, or with a
    note) stays as a single appointment; a planned one is removed."""
    has_note = bool(_linked_note_ids(session, [row.id]))
    if row.status in ("done", "missed") or has_note:
        row.series_id = None
        row.original_start = None
    else:
        row.deleted_at = utcnow()


def move(
    session: Session,
    ref: OccurrenceRef,
    start: dt.datetime,
    end: dt.datetime | None = None,
    scope: Scope = "this",
) -> OccurrenceRef:
    """Drag to reschedule (and resize, with ``end``)."""
    changes: dict[str, Any] = {"start": start}
    if end is not None:
        changes["end"] = end
    return update(session, ref, changes, scope)


def set_status(session: Session, ref: OccurrenceRef, status: str) -> str:
    """Mark one visit planned, done, missed or cancelled; returns the id of the row holding it.

    Marking a visit done starts its note deadline (``note_due_hours`` after the visit ends).
    """
    _check_status(status)
    target = _target(session, ref)
    row = target.concrete
    if row is None:
        row = _new_override(session, target, status)
    else:
        _apply_status(row, status)
    session.flush()
    audit.record(session, "update", "appointment", row.id, {"fields": ["status"], "status": status})
    return row.id


def note_prefill(session: Session, ref: OccurrenceRef) -> NotePrefill:
    """What a note written from this visit starts with (the visit is made concrete so the note can
    link to it)."""
    appointment_id = materialize(session, ref)
    row = get_live(session, Appointment, appointment_id, "appointment")
    if row.client_id is None:
        raise ValidationError("This appointment has no client; choose the client before writing a note.")
    minutes = int((row.ends_at - row.starts_at).total_seconds() // 60)
    return NotePrefill(
        client_id=row.client_id,
        appointment_id=row.id,
        contact_start=row.starts_at,
        duration_minutes=min(minutes, 24 * 60),
        location=row.location,
        contact_type=CONTACT_TYPE_FOR_KIND.get(row.kind, "face_to_face"),
        kind=row.kind,
    )


# ---------------------------------------------------------------------------------------------
# Deleting
# ---------------------------------------------------------------------------------------------


def _refuse_if_noted(session: Session, row: Appointment) -> None:
    if _linked_note_ids(session, [row.id]):
        raise ValidationError(
            "This visit has a progress note, so it stays on the calendar; mark it cancelled or missed instead."
        )


def delete(session: Session, ref: OccurrenceRef, scope: Scope = "this") -> None:
    """Remove an appointment; for a series occurrence "this" one, it and all "future" ones, or "all".

    Visits that happened (done or missed, or with a note) are never removed with a series: they stay
    as single appointments. A single visit with a note cannot be removed at all.
    """
    if scope not in SCOPES:
        raise ValidationError(f"Unknown scope {scope!r}: use this, future or all.")
    target = _target(session, ref)
    now = utcnow()
    if target.series is None:
        _refuse_if_noted(session, target.row)
        target.row.deleted_at = now
        audit.record(session, "delete", "appointment", target.row.id)
        return
    series_row = target.series
    assert target.original_start is not None
    series = _series_of(series_row)
    if scope == "this":
        if target.override is not None:
            _refuse_if_noted(session, target.override)
            target.override.deleted_at = now
        series_row.exdates = format_exdates((*series.exdates, target.original_start))
        session.flush()
        audit.record(session, "delete", "appointment", series_row.id, {"scope": "this"})
        return
    cut_at = series.start if scope == "all" else target.original_start
    for row in _live_overrides(session, series_row.id):
        if row.original_start is not None and row.original_start >= cut_at:
            _detach_or_delete(session, row)
    if cut_at <= series.start:
        series_row.deleted_at = now
    else:
        rule = parse_rrule(series.rrule or "")
        cut = cut_at - _ONE_SECOND
        series_row.rrule = rule.with_end(until=cut).to_string() if rule.count is None else _count_before(series, cut_at)
        series_row.until = cut if series_row.until is None or series_row.until > cut else series_row.until
        series_row.exdates = format_exdates(m for m in series.exdates if m < cut_at)
    session.flush()
    audit.record(session, "delete", "appointment", series_row.id, {"scope": scope})


def _count_before(series: Series, moment: dt.datetime) -> str:
    from casedesk.scheduling.recurrence import occurrences_before

    rule = parse_rrule(series.rrule or "")
    return rule.with_end(count=max(1, occurrences_before(series, moment))).to_string()


# ---------------------------------------------------------------------------------------------
# Lists for the dashboard and reminders
# ---------------------------------------------------------------------------------------------


def day_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where ``day`` begins and ends in ``zone``."""
    tz = zone_name(zone)
    first = dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(_UTC)
    following = day + dt.timedelta(days=1)
    last = dt.datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(_UTC)
    return first, last


def visits_on(session: Session, day: dt.date, zone: str | None = None) -> list[CalendarEvent]:
    """The day's appointments (cancelled ones left out), in order."""
    first, last = day_bounds(day, zone or worker_zone_name(session))
    return events_between(session, first, last, include_cancelled=False)


def client_addresses(session: Session, client_ids: Iterable[str | None]) -> dict[str, str]:
    """One-line home addresses of clients ("12 Maple Ave, Apt 3, Springfield"), for visit lists."""
    result: dict[str, str] = {}
    for batch in _chunks(sorted({cid for cid in client_ids if cid})):
        rows = session.execute(
            select(Client.id, Client.address_line1, Client.address_line2, Client.city).where(Client.id.in_(batch))
        )
        for cid, line1, line2, city in rows:
            parts = [part for part in (line1, line2, city) if part]
            if parts:
                result[cid] = ", ".join(parts)
    return result


@dataclass(frozen=True, slots=True)
class ClientChoice:
    """A client as the appointment dialog offers it."""

    id: str
    name: str
    address: str | None


def client_choices(session: Session) -> list[ClientChoice]:
    """Active clients by name, with their home address (to prefill a home visit's location)."""
    rows = session.execute(
        select(
            Client.id,
            Client.first_name,
            Client.last_name,
            Client.preferred_name,
            Client.address_line1,
            Client.address_line2,
            Client.city,
        ).where(Client.deleted_at.is_(None), Client.status == "active")
    )
    choices = []
    for cid, first, last, preferred, line1, line2, city in rows:
        address = ", ".join(part for part in (line1, line2, city) if part) or None
        choices.append(ClientChoice(cid, f"{preferred or first} {last}".strip(), address))
    choices.sort(key=lambda choice: choice.name.casefold())
    return choices


def visits_to_record(session: Session, now: dt.datetime, days: int = 14) -> list[CalendarEvent]:
    """Planned visits of the last ``days`` days that already ended: each should be marked done or
    missed (a done visit starts its note deadline)."""
    now = _aware(now, "'now'")
    return [
        event
        for event in events_between(session, now - dt.timedelta(days=days), now, statuses=("planned",))
        if event.end <= now
    ]

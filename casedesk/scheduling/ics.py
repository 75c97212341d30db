"""iCalendar (.ics) export and import of appointments, with the ``icalendar`` library.

Export writes one VEVENT per appointment: DTSTART/DTEND with the appointment's IANA zone as TZID (and a
VTIMEZONE for it), RRULE and EXDATE for a series, RECURRENCE-ID for an occurrence edited on its own,
STATUS, CATEGORIES for the kind, and X-CASEDESK-* properties so a CaseDesk re-import restores exactly
what was exported. Client names, free-text titles, locations and descriptions may identify a client:
they are written only with ``include_client_names=True``; otherwise the title is neutral ("Home
visit") and those fields are left out. Deadlines can be added as all-day events.

Import reads every VEVENT it can map to an appointment and lists every one it cannot (with UID,
summary and the reason) in the result's ``issues``; a partly mapped event (say, extra RDATE dates) is
imported and listed too. A file that is not iCalendar, or is broken as a whole, raises
``CalendarImportError`` and nothing is returned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from casedesk.domain.deadline_facts import APPOINTMENT_KINDS, APPOINTMENT_STATUSES, zone_name
from casedesk.domain.deadlines import DueItem, due_local_date
from casedesk.errors import CaseDeskError, ValidationError
from casedesk.scheduling.recurrence import parse_exdates
from casedesk.scheduling.rrule import RecurrenceError, parse_rrule

PRODID = "-//CaseDesk//CaseDesk Calendar//EN"
KIND_LABELS: dict[str, str] = {
    "home_visit": "Home visit",
    "office": "Office visit",
    "phone": "Phone call",
    "meeting": "Meeting",
}
_LABEL_KINDS = {label.lower(): kind for kind, label in KIND_LABELS.items()} | {
    "home visit": "home_visit",
    "office": "office",
    "phone": "phone",
    "call": "phone",
}
_UTC = dt.UTC
_MAX_BYTES = 50 * 1024 * 1024
_ID_NAMESPACE = uuid.UUID("8b0a3f52-6c1e-4d36-9a53-3c7f1f4f2d10")
# Properties whose parse errors make an event unusable (others, like a bad ATTENDEE, do not matter).
_ESSENTIAL = {"DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "RECURRENCE-ID"}


class CalendarImportError(CaseDeskError):
    """An .ics file that cannot be read at all; nothing was imported."""


@dataclass(frozen=True, slots=True)
class CalendarAppointment:
    """An appointment as the calendar files see it (mirrors the Appointment model).

    A series has ``rrule`` (and maybe ``exdates``); an occurrence edited on its own has ``series_id``
    and ``original_start`` (RECURRENCE-ID). ``client_label`` is how the client is named in exports
    that may carry names.
    """

    id: str
    start: dt.datetime
    end: dt.datetime
    timezone: str = "UTC"
    kind: str = "home_visit"
    title: str | None = None
    client_label: str | None = None
    location: str | None = None
    description: str | None = None
    status: str = "planned"
    rrule: str | None = None
    exdates: tuple[dt.datetime, ...] = ()
    series_id: str | None = None
    original_start: dt.datetime | None = None
    ics_uid: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "original_start"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
                raise ValidationError(f"An appointment's {name.replace('_', ' ')} needs a time zone, not {value!r}.")
        if self.end < self.start:
            raise ValidationError("An appointment cannot end before it starts.")
        zone_name(self.timezone)
        if self.kind not in APPOINTMENT_KINDS:
            raise ValidationError(f"Unknown appointment kind {self.kind!r}.")
        if self.status not in APPOINTMENT_STATUSES:
            raise ValidationError(f"Unknown appointment status {self.status!r}.")
        if (self.series_id is None) != (self.original_start is None):
            raise ValidationError("An edited occurrence needs both its series and its original start.")
        object.__setattr__(self, "exdates", tuple(sorted(parse_exdates(self.exdates))))


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """An event not imported (``imported=False``) or imported only in part (``imported=True``)."""

    uid: str | None
    summary: str | None
    reason: str
    imported: bool = False


@dataclass(frozen=True, slots=True)
class ImportResult:
    appointments: tuple[CalendarAppointment, ...]
    issues: tuple[ImportIssue, ...] = field(default=())

    @property
    def skipped(self) -> tuple[ImportIssue, ...]:
        return tuple(issue for issue in self.issues if not issue.imported)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _uid_of(appointment: CalendarAppointment) -> str:
    return appointment.ics_uid or f"{appointment.id}@casedesk"


def _summary(appointment: CalendarAppointment, include_client_names: bool) -> str:
    label = KIND_LABELS[appointment.kind]
    if not include_client_names:
        return label
    if appointment.title:
        return appointment.title
    return f"{label} — {appointment.client_label}" if appointment.client_label else label


def _zoned(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(_UTC if zone == "UTC" else ZoneInfo(zone))


def export_calendar(
    appointments: Iterable[CalendarAppointment],
    *,
    stamp: dt.datetime,
    include_client_names: bool = False,
    due_items: Iterable[DueItem] = (),
    due_zone: str = "UTC",
    client_labels: Mapping[str, str] | None = None,
    include_done_due_items: bool = False,
    calendar_name: str | None = None,
) -> bytes:
    """A VCALENDAR holding ``appointments`` (and ``due_items`` as all-day events) as UTF-8 bytes.

    ``stamp`` is the export time (DTSTAMP); passing it keeps the function pure and its output stable.
    Due items fall on their local date in ``due_zone``; with ``include_client_names`` their titles get
    the client's label from ``client_labels``. Done due items are left out unless asked for.
    """
    if not isinstance(stamp, dt.datetime) or stamp.utcoffset() is None:
        raise ValidationError("The export time (stamp) needs a time zone.")
    items = list(appointments)
    by_id = {appointment.id: appointment for appointment in items}
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if calendar_name:
        calendar.add("x-wr-calname", calendar_name)
    events: list[tuple[tuple[str, str], Event]] = []
    years: list[int] = []
    open_ended = False
    for appointment in items:
        series = by_id.get(appointment.series_id) if appointment.series_id else None
        sort_key, event = _appointment_event(appointment, series, stamp, include_client_names)
        events.append((sort_key, event))
        years += [appointment.start.year, appointment.end.year]
        if appointment.rrule:
            rule = parse_rrule(appointment.rrule)
            open_ended = open_ended or (rule.count is None and rule.until is None)
            if rule.until is not None:
                years.append(rule.until.year)
    zone = zone_name(due_zone)
    labels = client_labels or {}
    for item in due_items:
        if item.status == "done" and not include_done_due_items:
            continue
        sort_key, event = _due_event(item, zone, stamp, labels.get(item.client_id) if include_client_names else None)
        events.append((sort_key, event))
        years.append(due_local_date(item, zone).year)
    for _, event in sorted(events, key=lambda pair: pair[0]):
        calendar.add_component(event)
    if years:
        # VTIMEZONEs spelled out over the years the events use (and 20 more for never-ending series);
        # clients that know the TZID use their own rules anyway.
        first = dt.date(min(years) - 1, 1, 1)
        last = dt.date(max(years) + (20 if open_ended else 2), 1, 1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = calendar.to_ical()
    return data


def _appointment_event(
    appointment: CalendarAppointment,
    series: CalendarAppointment | None,
    stamp: dt.datetime,
    include_client_names: bool,
) -> tuple[tuple[str, str], Event]:
    event = Event()
    zone = appointment.timezone
    if appointment.series_id is not None:
        uid = _uid_of(series) if series is not None else appointment.ics_uid or f"{appointment.series_id}@casedesk"
    else:
        uid = _uid_of(appointment)
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(_UTC))
    event.add("dtstart", _zoned(appointment.start, zone))
    event.add("dtend", _zoned(appointment.end, zone))
    event.add("summary", _summary(appointment, include_client_names))
    if include_client_names:
        if appointment.location:
            event.add("location", appointment.location)
        if appointment.description:
            event.add("description", appointment.description)
    event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
    event.add("categories", [KIND_LABELS[appointment.kind]])
    event.add("x-casedesk-id", appointment.id)
    event.add("x-casedesk-kind", appointment.kind)
    event.add("x-casedesk-status", appointment.status)
    if appointment.rrule:
        event.add("rrule", vRecur.from_ical(parse_rrule(appointment.rrule).to_string()))
    if appointment.exdates:
        event.add("exdate", [_zoned(moment, zone) for moment in appointment.exdates])
    recurrence_id = ""
    if appointment.original_start is not None:
        series_zone = series.timezone if series is not None else zone
        event.add("recurrence-id", _zoned(appointment.original_start, series_zone))
        recurrence_id = appointment.original_start.astimezone(_UTC).isoformat()
    return (uid, recurrence_id), event


def _due_event(
    item: DueItem, zone: ZoneInfo, stamp: dt.datetime, client_label: str | None
) -> tuple[tuple[str, str], Event]:
    day = due_local_date(item, zone)
    digest = hashlib.sha256("\x1f".join((item.client_id, *item.resolves)).encode()).hexdigest()[:32]
    uid = f"due-{digest}@casedesk"
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(_UTC))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", f"{item.title} — {client_label}" if client_label else item.title)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Deadline"])
    event.add("x-casedesk-due", item.kind)
    event.add("x-casedesk-due-status", item.status)
    return ("~" + day.isoformat(), uid), event


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


class _Skip(Exception):
    """One event cannot be mapped (internal: becomes an ImportIssue)."""


def _decode(data: bytes) -> str:
    if not isinstance(data, bytes | bytearray):
        raise CalendarImportError("Calendar data must be the bytes of an .ics file.")
    if not data.strip():
        raise CalendarImportError("The calendar file is empty.")
    if len(data) > _MAX_BYTES:
        raise CalendarImportError(f"The calendar file is larger than {_MAX_BYTES // (1024 * 1024)} MB.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return bytes(data).decode("utf-16")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        return bytes(data).decode("cp1252", errors="replace")


_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def _check_structure(text: str) -> None:
    """BEGIN/END lines must nest, and a VCALENDAR must be there: name the first place where not."""
    stack: list[tuple[str, int]] = []
    calendars = 0
    first = True
    for number, raw in enumerate(_LINE_BREAKS.split(text), start=1):
        if not raw.strip() or raw[0] in " \t":
            continue
        line = raw.strip().upper()
        if first:
            first = False
            if line != "BEGIN:VCALENDAR":
                raise CalendarImportError(
                    f"This is not an iCalendar (.ics) file: it should start with BEGIN:VCALENDAR (line {number})."
                )
        if line.startswith("BEGIN:"):
            stack.append((line[6:], number))
        elif line.startswith("END:"):
            name = line[4:]
            if not stack:
                raise CalendarImportError(f"Line {number}: END:{name} has no matching BEGIN.")
            opened, at = stack.pop()
            if opened != name:
                raise CalendarImportError(
                    f"Line {number}: END:{name} closes BEGIN:{opened} from line {at}; the file is damaged."
                )
            if name == "VCALENDAR":
                calendars += 1
    if stack:
        opened, at = stack[-1]
        raise CalendarImportError(f"BEGIN:{opened} on line {at} is never closed; the file is cut short or damaged.")
    if not calendars:
        raise CalendarImportError("The file holds no calendar (no BEGIN:VCALENDAR ... END:VCALENDAR).")


def _prop(event: Component, name: str) -> Any:
    """A property value as icalendar parsed it (its exact type depends on the property)."""
    return event.get(name)


def _text(event: Component, name: str) -> str | None:
    value = _prop(event, name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    text = str(value).strip()
    return text or None


def _resolve_zone(moment: dt.datetime, tzid: str | None, default_zone: str) -> tuple[dt.datetime, str, str | None]:
    """(aware moment, IANA zone name, problem or None) for a DTSTART-like value."""
    tzinfo = moment.tzinfo
    if tzinfo is None:
        if tzid:  # a TZID no VTIMEZONE in the file defines and no zone database knows
            zone = _iana_for(tzid)
            if zone is not None:
                return moment.replace(tzinfo=ZoneInfo(zone)), zone, None
            return (
                moment.replace(tzinfo=ZoneInfo(default_zone)),
                default_zone,
                f"time zone '{tzid}' is unknown; times were read as {default_zone}",
            )
        return moment.replace(tzinfo=ZoneInfo(default_zone)), default_zone, None  # floating time
    key = getattr(tzinfo, "key", None)
    if isinstance(key, str):
        return moment, "UTC" if key in ("UTC", "Etc/UTC", "Etc/GMT") else key, None
    if moment.utcoffset() == dt.timedelta(0) and tzid is None:
        return moment, "UTC", None
    zone = _iana_for(tzid or str(tzinfo))
    if zone is not None:
        return moment.astimezone(ZoneInfo(zone)), zone, None
    return moment.astimezone(_UTC), "UTC", f"time zone '{tzid}' is not a known zone; repeats keep their UTC time"


def _iana_for(tzid: str) -> str | None:
    candidates = [tzid, WINDOWS_TO_OLSON.get(tzid, "")]
    parts = tzid.strip("/").split("/")
    candidates += ["/".join(parts[-n:]) for n in (3, 2) if len(parts) >= n]
    for candidate in candidates:
        if candidate and re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", candidate):
            try:
                ZoneInfo(candidate)
            except (ValueError, OSError, KeyError):
                continue
            return candidate
    return None


def _as_aware(value: Any, zone: ZoneInfo, time_of_day: dt.time) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.utcoffset() is not None else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):  # a date-only EXDATE: the occurrence on that day
        return dt.datetime.combine(value, time_of_day, zone)
    raise _Skip(f"{value!r} is not a date or time")


def _values(prop: Any) -> list[Any]:
    props = prop if isinstance(prop, list) else [prop]
    values: list[Any] = []
    for item in props:
        values += [entry.dt for entry in item.dts]
    return values


def _map_event(
    event: Component, default_zone: str, default_kind: str
) -> tuple[CalendarAppointment, dt.datetime | None, list[str]]:
    """(the appointment, its RECURRENCE-ID as UTC or None, notes about what was not mapped).

    An occurrence (RECURRENCE-ID) comes back without series: the caller links it to its series."""
    notes: list[str] = []
    bad = [f"{name}: {message}" for name, message in event.errors if (name or "").upper() in _ESSENTIAL]
    if bad:
        raise _Skip("could not read " + "; ".join(bad))
    uid = _text(event, "UID")
    start_prop = _prop(event, "DTSTART")
    if start_prop is None:
        raise _Skip("it has no start time (DTSTART)")
    raw_start = start_prop.dt
    if not isinstance(raw_start, dt.datetime):
        raise _Skip("it is an all-day event; CaseDesk appointments have a start time")
    tzid = start_prop.params.get("TZID")
    start, zone, zone_problem = _resolve_zone(raw_start, tzid, default_zone)
    if zone_problem:
        notes.append(zone_problem)
    tz = ZoneInfo(zone)
    if _prop(event, "DTEND") is not None:
        raw_end = _prop(event, "DTEND").dt
        if not isinstance(raw_end, dt.datetime):
            raise _Skip("its end (DTEND) is a date while its start has a time")
        end = _resolve_zone(raw_end, _prop(event, "DTEND").params.get("TZID"), zone)[0]
    elif _prop(event, "DURATION") is not None:
        end = start + _prop(event, "DURATION").dt
    else:
        end = start
    if end < start:
        raise _Skip("it ends before it starts")

    rrule_text = None
    rrule_prop = _prop(event, "RRULE")
    if rrule_prop is not None:
        if isinstance(rrule_prop, list):
            if len(rrule_prop) > 1:
                raise _Skip("it has several repeat rules (RRULE); CaseDesk keeps one per appointment")
            rrule_prop = rrule_prop[0]
        try:
            rrule_text = parse_rrule(rrule_prop.to_ical().decode(), tz).to_string()
        except RecurrenceError as err:
            raise _Skip(f"its repeat rule is not usable: {err}") from None
    exdates: tuple[dt.datetime, ...] = ()
    if _prop(event, "EXDATE") is not None:
        local_time = start.astimezone(tz).time().replace(tzinfo=None)
        exdates = tuple(_as_aware(value, tz, local_time).astimezone(_UTC) for value in _values(_prop(event, "EXDATE")))
    if _prop(event, "RDATE") is not None:
        count = len(_values(_prop(event, "RDATE")))
        notes.append(f"{count} extra date(s) given by RDATE were not imported")

    original_start = None
    recurrence = _prop(event, "RECURRENCE-ID")
    if recurrence is not None:
        if str(recurrence.params.get("RANGE", "")).upper() == "THISANDFUTURE":
            raise _Skip("it changes 'this and all future' occurrences (RANGE=THISANDFUTURE), which is not supported")
        local_time = start.astimezone(tz).time().replace(tzinfo=None)
        original_start = _as_aware(recurrence.dt, tz, local_time).astimezone(_UTC)

    kind = (_text(event, "X-CASEDESK-KIND") or "").lower()
    if kind not in APPOINTMENT_KINDS:
        kind = _kind_from_categories(event, default_kind)
    status = (_text(event, "X-CASEDESK-STATUS") or "").lower()
    if status not in APPOINTMENT_STATUSES:
        status = "cancelled" if (_text(event, "STATUS") or "").upper() == "CANCELLED" else "planned"
    summary = _text(event, "SUMMARY")
    title = None if summary is None or summary == KIND_LABELS[kind] else summary
    recurrence_key = original_start.isoformat() if original_start is not None else ""
    appointment_id = _text(event, "X-CASEDESK-ID") or str(
        uuid.uuid5(_ID_NAMESPACE, f"{uid or event.to_ical().decode(errors='replace')}|{recurrence_key}")
    )
    appointment = CalendarAppointment(
        id=appointment_id,
        start=start,
        end=end,
        timezone=zone,
        kind=kind,
        title=title,
        location=_text(event, "LOCATION"),
        description=_text(event, "DESCRIPTION"),
        status=status,
        rrule=rrule_text,
        exdates=exdates if rrule_text else (),
        ics_uid=uid,
    )
    if exdates and not rrule_text:
        notes.append("EXDATE without a repeat rule was ignored")
    return appointment, original_start, notes


def _kind_from_categories(event: Component, default_kind: str) -> str:
    prop = _prop(event, "CATEGORIES")
    if prop is not None:
        for item in prop if isinstance(prop, list) else [prop]:
            for category in getattr(item, "cats", []):
                kind = _LABEL_KINDS.get(str(category).strip().lower())
                if kind:
                    return kind
    return default_kind


def import_calendar(data: bytes, *, default_timezone: str = "UTC", default_kind: str = "meeting") -> ImportResult:
    """Appointments from the bytes of an .ics file, and a list of events not (fully) imported.

    Times without a zone ("floating") are read in ``default_timezone``; events that name no CaseDesk
    kind and no known category get ``default_kind``. Raises CalendarImportError when the file as a
    whole cannot be read; then nothing is imported.
    """
    zone_name(default_timezone)
    if default_kind not in APPOINTMENT_KINDS:
        raise ValidationError(f"Unknown appointment kind {default_kind!r}.")
    text = _decode(data)
    _check_structure(text)
    try:
        calendars = [c for c in Calendar.from_ical(text, multiple=True) if c.name == "VCALENDAR"]
    except ValueError as err:
        raise CalendarImportError(f"The calendar file could not be read: {err}") from None
    if not calendars:
        raise CalendarImportError("The file holds no calendar (no BEGIN:VCALENDAR ... END:VCALENDAR).")

    issues: list[ImportIssue] = []
    masters: dict[str, CalendarAppointment] = {}
    singles: list[CalendarAppointment] = []
    instances: list[tuple[CalendarAppointment, dt.datetime]] = []
    seen_instances: set[tuple[str | None, dt.datetime | None]] = set()
    for calendar in calendars:
        # Google and Apple write one-off events in UTC and name the calendar's zone in X-WR-TIMEZONE:
        # show such events on that zone's clock (the instant is the same).
        display_zone = _iana_for(_text(calendar, "X-WR-TIMEZONE") or "")
        for event in calendar.walk("VEVENT"):
            uid, summary = _text(event, "UID"), _text(event, "SUMMARY")
            if _prop(event, "X-CASEDESK-DUE") is not None:
                issues.append(
                    ImportIssue(uid, summary, "a CaseDesk deadline, which is recomputed rather than imported")
                )
                continue
            try:
                appointment, original_start, notes = _map_event(event, default_timezone, default_kind)
                if display_zone and appointment.timezone == "UTC" and not appointment.rrule:
                    appointment = replace(appointment, timezone=display_zone)
            except _Skip as skip:
                issues.append(ImportIssue(uid, summary, str(skip)))
                continue
            except (ValueError, TypeError, AttributeError, KeyError, ValidationError) as err:
                issues.append(ImportIssue(uid, summary, f"it could not be read: {err}"))
                continue
            if original_start is not None:
                key = (uid, original_start)
                if key in seen_instances:
                    issues.append(ImportIssue(uid, summary, "the same occurrence is given twice; the first was kept"))
                    continue
                seen_instances.add(key)
                instances.append((appointment, original_start))
            elif uid is not None:
                if uid in masters:
                    issues.append(ImportIssue(uid, summary, "another event has the same UID; the first was kept"))
                    continue
                masters[uid] = appointment
            else:
                singles.append(appointment)
            issues += [ImportIssue(uid, summary, note, imported=True) for note in notes]

    result: list[CalendarAppointment] = [*masters.values(), *singles]
    for instance, original_start in instances:
        master = masters.get(instance.ics_uid or "")
        if master is not None and master.rrule:
            result.append(replace(instance, series_id=master.id, original_start=original_start))
        else:
            issues.append(
                ImportIssue(
                    instance.ics_uid,
                    instance.title,
                    "an occurrence of a repeating event that is not in the file; imported as a single appointment",
                    imported=True,
                )
            )
            result.append(replace(instance, ics_uid=None))
    return ImportResult(tuple(result), tuple(issues))

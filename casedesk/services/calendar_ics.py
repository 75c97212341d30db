"""Calendar files: export every appointment (and optionally the open deadlines) to .ics, and import
an .ics file as appointments.

Export is the one place where calendar data leaves the encrypted vault, so it is audited, and client
names, titles, locations and descriptions go into the file only when the worker asks for them
(``include_client_names``). Series keep their RRULE and EXDATEs and visits edited on their own their
RECURRENCE-ID, on the wall clock of the appointment's zone (VTIMEZONE included).

Import maps what it can (casedesk.scheduling.ics does the reading) and reports every event it could
not map; a file that cannot be read at all raises ``CalendarImportError`` before anything is stored.
Importing the same file again adds nothing: events are matched by CaseDesk id, then by UID (and
RECURRENCE-ID). A matched appointment takes the file's times, repeat rule and text, but the file
never clears a field it leaves out, never unlinks a client, and never turns a visit recorded as done
or missed back into a planned one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.db.models import Appointment, Client
from casedesk.db.types import utcnow
from casedesk.domain.deadlines import DueItem
from casedesk.errors import ValidationError
from casedesk.fileio import atomic_write_bytes
from casedesk.scheduling.ics import (
    KIND_LABELS,
    CalendarAppointment,
    CalendarImportError,
    ImportIssue,
    export_calendar,
    import_calendar,
)
from casedesk.scheduling.recurrence import format_exdates, parse_exdates
from casedesk.services import audit
from casedesk.services import deadlines as deadline_service
from casedesk.services.calendar import MAX_DURATION

__all__ = [
    "CalendarImportError",
    "ExportSummary",
    "ImportSummary",
    "export_ics",
    "export_ics_file",
    "import_ics",
    "import_ics_file",
]


@dataclass(frozen=True, slots=True)
class ExportSummary:
    appointments: int
    due_items: int
    client_names: bool


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """``added``, ``updated`` and ``unchanged`` count appointments; ``issues`` lists every event not
    imported (``imported=False``) or imported only in part."""

    added: int
    updated: int
    unchanged: int
    issues: tuple[ImportIssue, ...]

    @property
    def skipped(self) -> tuple[ImportIssue, ...]:
        return tuple(issue for issue in self.issues if not issue.imported)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def _calendar_appointments(session: Session) -> list[CalendarAppointment]:
    rows = list(
        session.execute(
            select(Appointment).where(Appointment.deleted_at.is_(None)).order_by(Appointment.starts_at)
        ).scalars()
    )
    live_series = {row.id for row in rows if row.rrule}
    client_ids = {row.client_id for row in rows if row.client_id}
    names = {
        cid: f"{preferred or first} {last}".strip()
        for cid, first, last, preferred in session.execute(
            select(Client.id, Client.first_name, Client.last_name, Client.preferred_name).where(
                Client.deleted_at.is_(None)
            )
        )
        if cid in client_ids
    }
    result = []
    for row in rows:
        if row.series_id is not None and row.series_id not in live_series:
            continue  # an edited visit of a removed series is not shown anywhere
        is_override = row.series_id is not None and row.original_start is not None
        result.append(
            CalendarAppointment(
                id=row.id,
                start=row.starts_at,
                end=row.ends_at,
                timezone=row.timezone or "UTC",
                kind=row.kind,
                title=row.title,
                client_label=names.get(row.client_id or ""),
                location=row.location,
                description=row.description,
                status=row.status,
                rrule=row.rrule,
                exdates=parse_exdates(row.exdates or ()),
                series_id=row.series_id if is_override else None,
                original_start=row.original_start if is_override else None,
                ics_uid=row.ics_uid,
            )
        )
    return result


def _private_title(item: DueItem, include_client_names: bool) -> DueItem:
    """A follow-up's title is the worker's own words, which may name people: left out with the names."""
    if include_client_names or item.kind != "follow_up":
        return item
    return item._replace(title="Follow-up")


def export_ics(
    session: Session,
    *,
    include_client_names: bool = False,
    with_due_items: bool = False,
    now: dt.datetime | None = None,
    destination: str | None = None,
) -> tuple[bytes, ExportSummary]:
    """Every live appointment (and, with ``with_due_items``, every open deadline as an all-day event)
    as .ics bytes. The export is written to the audit log (``destination`` names where it went)."""
    now = now or utcnow()
    appointments = _calendar_appointments(session)
    due_items: list[Any] = []
    labels: dict[str, str] = {}
    zone = deadline_service.worker_zone_name(session)
    if with_due_items:
        entries = deadline_service.due_entries(session, now=now)
        due_items = [_private_title(entry.item, include_client_names) for entry in entries]
        labels = {entry.client_id: entry.client_name for entry in entries}
    data = export_calendar(
        appointments,
        stamp=now,
        include_client_names=include_client_names,
        due_items=due_items,
        due_zone=zone,
        client_labels=labels if include_client_names else None,
        calendar_name="CaseDesk",
    )
    summary = ExportSummary(len(appointments), len(due_items), include_client_names)
    detail: dict[str, Any] = {
        "what": "calendar",
        "appointments": summary.appointments,
        "due_items": summary.due_items,
        "client_names": include_client_names,
    }
    if destination:
        detail["file"] = destination
    audit.record(session, "export", "appointment", None, detail)
    return data, summary


def export_ics_file(
    session: Session,
    path: Path,
    *,
    include_client_names: bool = False,
    with_due_items: bool = False,
    now: dt.datetime | None = None,
) -> ExportSummary:
    """Write the export to ``path`` atomically (a crash never leaves half a file)."""
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name ending in .ics.")
    if not path.parent.exists():
        raise ValidationError(f"The folder {path.parent} does not exist.")
    data, summary = export_ics(
        session,
        include_client_names=include_client_names,
        with_due_items=with_due_items,
        now=now,
        destination=path.name,
    )
    atomic_write_bytes(path, data, mode=0o600)
    return summary


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

_TIME_FIELDS = ("starts_at", "ends_at", "timezone", "rrule")


def _existing_match(
    session: Session, item: CalendarAppointment, series_row_id: str | None, claimed: set[str]
) -> Appointment | None:
    """The stored appointment this event already is: same CaseDesk id, else same UID (and, for an
    edited occurrence, same series and original start)."""
    row = session.get(Appointment, item.id)
    if row is not None:
        return row
    if series_row_id is not None and item.original_start is not None:
        return session.execute(
            select(Appointment).where(
                Appointment.series_id == series_row_id,
                Appointment.original_start == item.original_start,
                Appointment.deleted_at.is_(None),
            )
        ).scalar_one_or_none()
    if item.ics_uid:
        for candidate in session.execute(
            select(Appointment).where(
                Appointment.ics_uid == item.ics_uid,
                Appointment.series_id.is_(None),
                Appointment.deleted_at.is_(None),
            )
        ).scalars():
            if candidate.id not in claimed:
                return candidate
    return None


def _values(item: CalendarAppointment, series_row_id: str | None) -> dict[str, Any]:
    return {
        "starts_at": item.start.astimezone(dt.UTC),
        "ends_at": item.end.astimezone(dt.UTC),
        "timezone": item.timezone,
        "rrule": item.rrule,
        "exdates": format_exdates(item.exdates),
        "kind": item.kind,
        "title": item.title,
        "location": item.location,
        "description": item.description,
        "status": item.status,
        "series_id": series_row_id,
        "original_start": item.original_start.astimezone(dt.UTC) if item.original_start else None,
        # CaseDesk's own exports name an appointment without a UID "<id>@casedesk" (an edited visit
        # carries its series' UID): nothing to keep.
        "ics_uid": None if item.ics_uid in (f"{item.id}@casedesk", f"{item.series_id}@casedesk") else item.ics_uid,
    }


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "UCT", "Etc/UCT", "Zulu"})


def _same_zone(stored: str | None, imported: str) -> bool:
    return stored == imported or (stored in _UTC_NAMES and imported in _UTC_NAMES)


def _generated_title(session: Session, row: Appointment) -> str | None:
    """The summary an export with names writes for an appointment without a title of its own."""
    if row.client_id is None:
        return None
    client = session.get(Client, row.client_id)
    if client is None:
        return None
    return f"{KIND_LABELS[row.kind]} — {client.display_name}"


def _merge(session: Session, row: Appointment, values: dict[str, Any]) -> bool:
    """Apply the file's values to a stored appointment; returns whether anything changed."""
    changed = False
    if row.title is None and values["title"] is not None and values["title"] == _generated_title(session, row):
        values = {**values, "title": None}  # our own "Home visit — name", not a title the worker gave

    def put(key: str, value: Any) -> None:
        nonlocal changed
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True

    if row.deleted_at is not None:
        put("deleted_at", None)  # removed here, imported again: the worker wants it back
    if _same_zone(row.timezone, values["timezone"]):
        values = {**values, "timezone": row.timezone}  # "Etc/UTC" written out comes back as "UTC"
    for key in (*_TIME_FIELDS, "exdates", "series_id", "original_start"):
        put(key, values[key])
    for key in ("title", "location", "description", "ics_uid"):
        if values[key] is not None:  # an export without names leaves these out: keep what is stored
            put(key, values[key])
    if row.kind != values["kind"] and values["kind"] != "meeting":
        put("kind", values["kind"])  # "meeting" is only the importer's guess for foreign events
    if row.status in ("planned", "cancelled") and values["status"] in ("planned", "cancelled"):
        put("status", values["status"])
    elif row.status not in ("done", "missed") and values["status"] in ("done", "missed"):
        put("status", values["status"])
        put("completed_at", row.completed_at or utcnow())
    return changed


def _too_long(items: Sequence[CalendarAppointment]) -> tuple[list[CalendarAppointment], list[ImportIssue]]:
    kept, issues = [], []
    for item in items:
        if item.end - item.start > MAX_DURATION:
            issues.append(
                ImportIssue(
                    item.ics_uid,
                    item.title,
                    "it lasts more than 31 days; CaseDesk appointments are visits and meetings",
                )
            )
        else:
            kept.append(item)
    dropped_series = {item.id for item in items} - {item.id for item in kept}
    final = []
    for item in kept:
        if item.series_id is not None and item.series_id in dropped_series:
            issues.append(ImportIssue(item.ics_uid, item.title, "its repeating event was not imported"))
        else:
            final.append(item)
    return final, issues


def import_ics(
    session: Session, data: bytes, *, default_timezone: str | None = None, source: str | None = None
) -> ImportSummary:
    """Store the events of an .ics file as appointments (see the module docstring for matching).

    Raises CalendarImportError (nothing stored) when the file cannot be read as a whole.
    """
    zone = default_timezone or deadline_service.worker_zone_name(session)
    result = import_calendar(data, default_timezone=zone, default_kind="meeting")
    items, too_long = _too_long(result.appointments)
    issues = [*result.issues, *too_long]
    masters = [item for item in items if item.series_id is None]
    instances = [item for item in items if item.series_id is not None]
    stored_id: dict[str, str] = {}  # file appointment id -> stored row id
    claimed: set[str] = set()
    added = updated = unchanged = 0
    worker_id = getattr(session.info.get("store"), "worker_id", None)
    for item in [*masters, *instances]:
        series_row_id = stored_id.get(item.series_id) if item.series_id is not None else None
        if item.series_id is not None and series_row_id is None:
            issues.append(ImportIssue(item.ics_uid, item.title, "its repeating event was not imported"))
            continue
        values = _values(item, series_row_id)
        row = _existing_match(session, item, series_row_id, claimed)
        if row is None:
            row = Appointment(id=item.id, worker_id=worker_id, completed_at=None, **values)
            if values["status"] == "done":
                row.completed_at = utcnow()
            session.add(row)
            added += 1
        elif _merge(session, row, values):
            updated += 1
        else:
            unchanged += 1
        session.flush()
        claimed.add(row.id)
        stored_id[item.id] = row.id
    audit.record(
        session,
        "import",
        "appointment",
        None,
        {
            "what": "calendar",
            "added": added,
            "updated": updated,
            "unchanged": unchanged,
            "not_imported": sum(1 for issue in issues if not issue.imported),
            **({"file": source} if source else {}),
        },
    )
    return ImportSummary(added, updated, unchanged, tuple(issues))


def import_ics_file(session: Session, path: Path, *, default_timezone: str | None = None) -> ImportSummary:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not an .ics file.") from None
    except OSError as exc:
        raise ValidationError(f"{path} could not be read: {exc.strerror or exc}.") from None
    return import_ics(session, data, default_timezone=default_timezone, source=path.name)

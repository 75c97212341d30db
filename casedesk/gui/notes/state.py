"""The note editor's content as plain data: what autosave stores and what becomes a NoteInput."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from casedesk.domain import notes as rules
from casedesk.domain.notes import GoalRating
from casedesk.errors import ValidationError
from casedesk.services.notes import NoteDetail, NoteInput

PAYLOAD_VERSION = 1


def editor_key(note_id: str) -> str:
    return f"note:{note_id}"


@dataclass
class NoteState:
    note_id: str
    client_id: str
    exists: bool  # already stored as a draft row (else only autosaved so far)
    template: str
    contact_date: dt.date
    start_time: dt.time
    duration_minutes: int
    contact_type: str = "face_to_face"
    location: str = ""
    service_code: str = ""
    billable_units: int = 0
    units_overridden: bool = False
    body: dict[str, str] = field(default_factory=dict)
    goals: list[tuple[str, str]] = field(default_factory=list)  # (goal id, rating)
    appointment_id: str | None = None

    # ---- conversions ---------------------------------------------------------------------------------

    def contact_start(self) -> dt.datetime:
        """Local wall-clock date and time as an aware datetime (the computer's time zone)."""
        return dt.datetime.combine(self.contact_date, self.start_time).astimezone()

    def to_input(self) -> NoteInput:
        sections = rules.sections_for(self.template)
        return NoteInput(
            client_id=self.client_id,
            contact_start=self.contact_start(),
            duration_minutes=self.duration_minutes,
            contact_type=self.contact_type,
            template=self.template,
            body={s: self.body.get(s, "") for s in sections},
            location=self.location.strip() or None,
            service_code=self.service_code.strip() or None,
            billable_units=self.billable_units,
            appointment_id=self.appointment_id,
            goals=tuple(GoalRating(goal_id, rating) for goal_id, rating in self.goals),
        )

    def to_payload(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["contact_date"] = self.contact_date.isoformat()
        doc["start_time"] = self.start_time.strftime("%H:%M")
        doc["goals"] = [list(g) for g in self.goals]
        doc["payload_version"] = PAYLOAD_VERSION
        return doc

    @classmethod
    def from_payload(cls, doc: dict[str, Any]) -> NoteState:
        try:
            return cls(
                note_id=str(doc["note_id"]),
                client_id=str(doc["client_id"]),
                exists=bool(doc.get("exists", False)),
                template=str(doc.get("template", "dap")),
                contact_date=dt.date.fromisoformat(str(doc["contact_date"])),
                start_time=dt.time.fromisoformat(str(doc["start_time"])),
                duration_minutes=int(doc.get("duration_minutes", 0)),
                contact_type=str(doc.get("contact_type", "face_to_face")),
                location=str(doc.get("location") or ""),
                service_code=str(doc.get("service_code") or ""),
                billable_units=int(doc.get("billable_units", 0)),
                units_overridden=bool(doc.get("units_overridden", False)),
                body={str(k): str(v) for k, v in dict(doc.get("body") or {}).items()},
                goals=[(str(g[0]), str(g[1])) for g in doc.get("goals") or []],
                appointment_id=doc.get("appointment_id"),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValidationError("The recovered draft could not be read; it was left as it is.") from exc

    @classmethod
    def from_detail(cls, note: NoteDetail) -> NoteState:
        local = note.contact_start.astimezone()
        return cls(
            note_id=note.id,
            client_id=note.client_id,
            exists=True,
            template=note.template,
            contact_date=local.date(),
            start_time=local.time().replace(second=0, microsecond=0),
            duration_minutes=note.duration_minutes,
            contact_type=note.contact_type,
            location=note.location or "",
            service_code=note.service_code or "",
            billable_units=note.billable_units,
            units_overridden=False,
            body=dict(note.body),
            goals=[(g.goal_id, g.rating) for g in note.goals],
            appointment_id=note.appointment_id,
        )

    @classmethod
    def blank(cls, note_id: str, client_id: str, template: str, now: dt.datetime | None = None) -> NoteState:
        local = (now or dt.datetime.now().astimezone()).astimezone()
        start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        return cls(
            note_id=note_id,
            client_id=client_id,
            exists=False,
            template=template,
            contact_date=start.date(),
            start_time=start.time().replace(tzinfo=None),
            duration_minutes=0,
        )

    def has_text(self) -> bool:
        return any(v.strip() for v in self.body.values())


def switch_template(body: dict[str, str], old: str, new: str) -> dict[str, str]:
    """Move text to the sections of another template; text of sections that go away is kept in the first."""
    new_sections = rules.sections_for(new)
    result = {s: body.get(s, "") for s in new_sections}
    orphans = [
        f"{rules.SECTION_TITLES.get(s, s)}: {body[s].strip()}"
        for s in rules.sections_for(old)
        if s not in new_sections and body.get(s, "").strip()
    ]
    if orphans:
        first = new_sections[0]
        result[first] = "\n\n".join([t for t in (result[first].strip(), *orphans) if t])
    return result

"""Quarterly report drafting rules: evidence from a quarter's notes, pre-written text, warnings, hash.

Pure: no database, no clock. The service (casedesk.services.quarterly) loads a client's plan goals and
notes into ``DraftInputs``; ``build_evidence`` turns them into ``QuarterEvidence``: for each goal in
plan order the quarter's *signed* notes that addressed it, contacts by type, face-to-face visits,
billable units by service code, goals met or changed, the next plan review, and what is missing (goals
no note addressed, months without the required face-to-face visit, unsigned drafts in the period).

``goal_narrative`` and ``summary_text`` write deterministic first drafts of the text the worker then
edits ("In this quarter Zoë had 6 contacts (5 face-to-face). ..."): same evidence, same words.

A signed report freezes its evidence (``QuarterEvidence.to_json``) and text; ``canonical_report_content``
gives the bytes its SHA-256 covers, as casedesk.domain.notes does for progress notes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casedesk.domain.notes import CONTACT_TYPES, FACE_TO_FACE_TYPES, PROGRESS_RATINGS
from casedesk.errors import ValidationError

EVIDENCE_FORMAT = 1
EXCERPT_LENGTH = 220
GOAL_TEXT_IN_WARNING = 60

# Progress ratings from worst to best (the order of casedesk.domain.notes.PROGRESS_RATINGS).
RATING_SCORE: dict[str, int] = {key: index for index, key in enumerate(PROGRESS_RATINGS)}
# How a rating reads inside a sentence: "rated good in 3 of 4 notes".
RATING_WORDS: dict[str, str] = {
    "regressed": "as regressed",
    "none": "no progress",
    "minimal": "minimal",
    "some": "some",
    "good": "good",
    "met": "met",
}
# "the latest rating (Sep 14) was good progress"
LATEST_WORDS: dict[str, str] = {
    "regressed": "regression",
    "none": "no progress",
    "minimal": "minimal progress",
    "some": "some progress",
    "good": "good progress",
    "met": "met",
}
GOAL_OUTCOMES = ("ongoing", "met", "changed", "discontinued")
_CLOSED_STATUSES = frozenset({"met", "changed", "discontinued"})
_MONTHS = (
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


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoalRecord:
    """A plan goal. ``closed_on`` is the day a met/changed/discontinued goal was closed, when known."""

    id: str
    text: str
    status: str = "active"
    closed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class GoalMark:
    """A goal a note addressed, with the progress rating the note gave it."""

    goal_id: str
    rating: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """One progress note; ``contact_date`` is the contact's day in the worker's time zone."""

    id: str
    contact_date: dt.date
    contact_type: str
    signed: bool
    excerpt: str = ""
    service_code: str | None = None
    billable_units: int = 0
    goals: tuple[GoalMark, ...] = ()


@dataclass(frozen=True, slots=True)
class DraftInputs:
    """Everything drafting needs. ``notes`` may include notes outside the period (the service loads
    whole calendar months, so the monthly-visit rule can see a visit earlier in a partly covered
    month); only notes inside the period are evidence. ``goals`` are in plan order."""

    quarter_label: str
    period_start: dt.date
    period_end: dt.date
    today: dt.date
    goals: tuple[GoalRecord, ...] = ()
    notes: tuple[NoteRecord, ...] = ()
    plan_title: str | None = None
    next_plan_review: dt.date | None = None
    in_service_from: dt.date | None = None  # intake: no visit is required before it
    in_service_until: dt.date | None = None  # discharge: none after it
    monthly_visit_required: bool = True

    def __post_init__(self) -> None:
        if self.period_end < self.period_start:
            raise ValidationError(f"The quarter {self.quarter_label} ends before it starts.")


# ---------------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """A signed note of the quarter that addressed a goal."""

    note_id: str
    contact_date: dt.date
    contact_type: str
    rating: str | None
    excerpt: str


@dataclass(frozen=True, slots=True)
class GoalSummary:
    goal_id: str
    label: str  # "Goal 1": numbered in plan order
    text: str
    outcome: str  # one of GOAL_OUTCOMES, for this quarter
    outcome_date: dt.date | None
    entries: tuple[EvidenceEntry, ...]

    @property
    def rating_counts(self) -> Counter[str]:
        return Counter(e.rating for e in self.entries if e.rating)


@dataclass(frozen=True, slots=True)
class QuarterEvidence:
    quarter_label: str
    period_start: dt.date
    period_end: dt.date
    goals: tuple[GoalSummary, ...]
    contacts_by_type: tuple[tuple[str, int], ...]  # contact type key, count; in CONTACT_TYPES order
    face_to_face: int
    units_by_service: tuple[tuple[str, int], ...]  # service code ("" when none), units; by code
    unsigned_note_dates: tuple[dt.date, ...]
    months_without_visit: tuple[str, ...]  # "2026-08"
    quarter_over: bool
    plan_title: str | None = None
    next_plan_review: dt.date | None = None

    @property
    def contacts(self) -> int:
        return sum(count for _, count in self.contacts_by_type)

    @property
    def units(self) -> int:
        return sum(units for _, units in self.units_by_service)

    def goal(self, goal_id: str) -> GoalSummary:
        for goal in self.goals:
            if goal.goal_id == goal_id:
                return goal
        raise KeyError(goal_id)

    # -- stored form (QuarterlyReport.draft_data["evidence"]) ------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": EVIDENCE_FORMAT,
            "quarter_label": self.quarter_label,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "plan_title": self.plan_title,
            "next_plan_review": _iso(self.next_plan_review),
            "goals": [
                {
                    "goal_id": g.goal_id,
                    "label": g.label,
                    "text": g.text,
                    "outcome": g.outcome,
                    "outcome_date": _iso(g.outcome_date),
                    "entries": [
                        {
                            "note_id": e.note_id,
                            "contact_date": e.contact_date.isoformat(),
                            "contact_type": e.contact_type,
                            "rating": e.rating,
                            "excerpt": e.excerpt,
                        }
                        for e in g.entries
                    ],
                }
                for g in self.goals
            ],
            "contacts_by_type": [[kind, count] for kind, count in self.contacts_by_type],
            "face_to_face": self.face_to_face,
            "units_by_service": [[code, units] for code, units in self.units_by_service],
            "unsigned_note_dates": [d.isoformat() for d in self.unsigned_note_dates],
            "months_without_visit": list(self.months_without_visit),
            "quarter_over": self.quarter_over,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuarterEvidence:
        """Read a stored snapshot back (ValidationError if it is not one this version understands)."""
        if not isinstance(data, Mapping) or data.get("format") != EVIDENCE_FORMAT:
            raise ValidationError("The stored quarterly report evidence is missing or in an unknown format.")
        try:
            return cls(
                quarter_label=str(data["quarter_label"]),
                period_start=dt.date.fromisoformat(data["period_start"]),
                period_end=dt.date.fromisoformat(data["period_end"]),
                plan_title=data.get("plan_title"),
                next_plan_review=_date_or_none(data.get("next_plan_review")),
                goals=tuple(
                    GoalSummary(
                        goal_id=str(g["goal_id"]),
                        label=str(g["label"]),
                        text=str(g["text"]),
                        outcome=str(g["outcome"]),
                        outcome_date=_date_or_none(g.get("outcome_date")),
                        entries=tuple(
                            EvidenceEntry(
                                note_id=str(e["note_id"]),
                                contact_date=dt.date.fromisoformat(e["contact_date"]),
                                contact_type=str(e["contact_type"]),
                                rating=e.get("rating"),
                                excerpt=str(e.get("excerpt", "")),
                            )
                            for e in g["entries"]
                        ),
                    )
                    for g in data["goals"]
                ),
                contacts_by_type=tuple((str(k), int(n)) for k, n in data["contacts_by_type"]),
                face_to_face=int(data["face_to_face"]),
                units_by_service=tuple((str(k), int(n)) for k, n in data["units_by_service"]),
                unsigned_note_dates=tuple(dt.date.fromisoformat(d) for d in data["unsigned_note_dates"]),
                months_without_visit=tuple(str(m) for m in data["months_without_visit"]),
                quarter_over=bool(data["quarter_over"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"The stored quarterly report evidence is damaged ({exc}).") from None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _date_or_none(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def excerpt_of(text: str, length: int = EXCERPT_LENGTH) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``length``."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    cut = flat[: length - 1]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def _goal_outcome(goal: GoalRecord, start: dt.date, end: dt.date) -> tuple[str, dt.date | None] | None:
    """The goal's outcome for this quarter, or None when it was closed before the quarter began."""
    if goal.status not in _CLOSED_STATUSES:
        return "ongoing", None
    closed = goal.closed_on
    if closed is not None and closed < start:
        return None
    if closed is not None and closed > end:
        return "ongoing", None  # closed after this quarter: still worked on in it
    return goal.status, closed


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


def build_evidence(inputs: DraftInputs) -> QuarterEvidence:
    """The quarter's evidence: only signed notes inside the period count; goals keep plan order."""
    start, end = inputs.period_start, inputs.period_end
    in_period = [n for n in inputs.notes if start <= n.contact_date <= end]
    signed = sorted((n for n in in_period if n.signed), key=lambda n: (n.contact_date, n.id))
    unsigned = sorted(n.contact_date for n in in_period if not n.signed)

    goals: list[GoalSummary] = []
    for goal in inputs.goals:
        outcome = _goal_outcome(goal, start, end)
        if outcome is None:
            continue
        entries = []
        for note in signed:
            for mark in note.goals:
                if mark.goal_id == goal.id:
                    text = mark.comment.strip() if mark.comment and mark.comment.strip() else note.excerpt
                    entries.append(
                        EvidenceEntry(note.id, note.contact_date, note.contact_type, mark.rating, excerpt_of(text))
                    )
                    break
        goals.append(
            GoalSummary(
                goal_id=goal.id,
                label=f"Goal {len(goals) + 1}",
                text=goal.text,
                outcome=outcome[0],
                outcome_date=outcome[1],
                entries=tuple(entries),
            )
        )

    type_counts = Counter(n.contact_type for n in signed)
    order = {key: index for index, key in enumerate(CONTACT_TYPES)}
    contacts_by_type = tuple(sorted(type_counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))
    face_to_face = sum(1 for n in signed if n.contact_type in FACE_TO_FACE_TYPES)
    units: Counter[str] = Counter()
    for note in signed:
        if note.billable_units:
            units[note.service_code or ""] += note.billable_units

    return QuarterEvidence(
        quarter_label=inputs.quarter_label,
        period_start=start,
        period_end=end,
        plan_title=inputs.plan_title,
        next_plan_review=inputs.next_plan_review,
        goals=tuple(goals),
        contacts_by_type=contacts_by_type,
        face_to_face=face_to_face,
        units_by_service=tuple(sorted(units.items())),
        unsigned_note_dates=tuple(unsigned),
        months_without_visit=_months_without_visit(inputs),
        quarter_over=inputs.today > end,
    )


def _months_without_visit(inputs: DraftInputs) -> tuple[str, ...]:
    """Calendar months touching the period, over by ``today`` and inside the client's service, with no
    signed face-to-face note anywhere in that month."""
    if not inputs.monthly_visit_required:
        return ()
    visited = {
        (n.contact_date.year, n.contact_date.month)
        for n in inputs.notes
        if n.signed and n.contact_type in FACE_TO_FACE_TYPES
    }
    missing = []
    for year, month in _months(inputs.period_start, inputs.period_end):
        first, last = dt.date(year, month, 1), _month_end(year, month)
        if last >= inputs.today:
            continue  # the month is not over: a visit may still come
        if inputs.in_service_from is not None and inputs.in_service_from > last:
            continue
        if inputs.in_service_until is not None and inputs.in_service_until < first:
            continue
        if (year, month) not in visited:
            missing.append(f"{year:04d}-{month:02d}")
    return tuple(missing)


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def _day(day: dt.date, evidence: QuarterEvidence) -> str:
    """A day like Jul 8 (with the year when the quarter spans two years)."""
    text = f"{_MONTHS[day.month - 1][:3]} {day.day}"
    return text if evidence.period_start.year == evidence.period_end.year else f"{text}, {day.year}"


def long_date(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1][:3]} {day.day}, {day.year}"


def month_name(key: str) -> str:
    """A month key like 2026-08 as "August 2026"."""
    year, month = key.split("-")
    return f"{_MONTHS[int(month) - 1]} {int(year)}"


def _times(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _labels(goals: Iterable[GoalSummary]) -> str:
    """Goal labels as one phrase: "Goal 2", "Goals 2 and 4"."""
    numbers = [g.label.removeprefix("Goal ") for g in goals]
    return ("Goal " if len(numbers) == 1 else "Goals ") + _join(numbers)


def contacts_sentence(evidence: QuarterEvidence, name: str) -> str:
    total = evidence.contacts
    if total == 0:
        return f"No contact with {name} was documented in a signed progress note this quarter."
    return f"In this quarter {name} had {_times(total, 'contact', 'contacts')} ({evidence.face_to_face} face-to-face)."


def goal_narrative(evidence: QuarterEvidence, goal: GoalSummary, name: str) -> str:
    """A first draft of a goal's progress narrative, written from the evidence alone."""
    sentences = [contacts_sentence(evidence, name)]
    entries = goal.entries
    if not entries:
        sentences.append("No signed progress note this quarter addressed this goal.")
    else:
        first, last = entries[0].contact_date, entries[-1].contact_date
        if len(entries) == 1:
            sentences.append(f"One note addressed this goal, on {_day(first, evidence)}.")
        else:
            span = f"from {_day(first, evidence)} to {_day(last, evidence)}"
            sentences.append(f"{len(entries)} notes addressed this goal, {span}.")
        rated = [e for e in entries if e.rating in RATING_SCORE]
        if rated:
            counts = Counter(e.rating for e in rated)
            ranked = sorted(counts.items(), key=lambda item: (-item[1], -RATING_SCORE[item[0] or ""]))
            if len(rated) == 1:
                sentences.append(f"Progress on this goal was rated {RATING_WORDS[rated[0].rating or '']}.")
            else:
                parts = [f"{RATING_WORDS[r or '']} in {c}" for r, c in ranked]
                parts[0] += f" of {len(rated)} notes"
                sentences.append(f"Progress on this goal was rated {_join(parts)}.")
                sentences.append(_trend(rated, evidence))
        met_notes = [e for e in rated if e.rating == "met"]
        if met_notes and goal.outcome == "ongoing":
            sentences.append(
                f"The note of {_day(met_notes[-1].contact_date, evidence)} rated this goal as met; "
                "if it is met, record that in the service plan."
            )
    sentences += _outcome_sentence(goal)
    return " ".join(s for s in sentences if s)


def _trend(rated: Sequence[EvidenceEntry], evidence: QuarterEvidence) -> str:
    latest = rated[-1]
    rating = LATEST_WORDS[latest.rating or ""]
    last = f"the latest rating ({_day(latest.contact_date, evidence)}) was {rating}"
    if len(rated) < 3:
        return last[0].upper() + last[1:] + "."
    half = len(rated) // 2
    early = [RATING_SCORE[e.rating or ""] for e in rated[:half]]
    late = [RATING_SCORE[e.rating or ""] for e in rated[-half:]]
    change = sum(late) / len(late) - sum(early) / len(early)
    if change >= 0.5:
        trend = "Ratings improved over the quarter"
    elif change <= -0.5:
        trend = "Ratings declined over the quarter"
    else:
        trend = "Ratings were steady over the quarter"
    return f"{trend}; {last}."


def _outcome_sentence(goal: GoalSummary) -> list[str]:
    if goal.outcome == "ongoing":
        return []
    when = f" on {long_date(goal.outcome_date)}" if goal.outcome_date else " this quarter"
    verb = {"met": "was met", "changed": "was changed", "discontinued": "was discontinued"}[goal.outcome]
    return [f"The goal {verb}{when}."]


def summary_text(evidence: QuarterEvidence, name: str) -> str:
    """A first draft of the report's summary."""
    sentences: list[str] = []
    total = evidence.contacts
    if total == 0:
        sentences.append(f"No contact with {name} was documented in a signed progress note this quarter.")
    else:
        kinds = [f"{count} {CONTACT_TYPES.get(kind, kind).lower()}" for kind, count in evidence.contacts_by_type]
        units = ""
        if evidence.units:
            coded = [(code, n) for code, n in evidence.units_by_service if code]
            by_code = f" ({', '.join(f'{code}: {n}' for code, n in coded)})" if len(coded) > 1 else ""
            units = f", for {_times(evidence.units, 'billable unit', 'billable units')}{by_code}"
        sentences.append(f"{name} had {_times(total, 'contact', 'contacts')} this quarter ({_join(kinds)}){units}.")
    if not evidence.goals:
        sentences.append("There were no service plan goals to report on.")
    else:
        addressed = [g for g in evidence.goals if g.entries]
        missing = [g for g in evidence.goals if not g.entries]
        sentences.append(
            f"{len(addressed)} of {_times(len(evidence.goals), 'plan goal was', 'plan goals were')} "
            "addressed in the quarter's progress notes."
        )
        if missing and addressed:
            verb = "was" if len(missing) == 1 else "were"
            sentences.append(f"{_labels(missing)} {verb} not addressed.")
        for outcome in ("met", "changed", "discontinued"):
            closed = [g for g in evidence.goals if g.outcome == outcome]
            if closed:
                verb = "was" if len(closed) == 1 else "were"
                sentences.append(f"{_labels(closed)} {verb} {outcome} this quarter.")
    if evidence.next_plan_review is not None:
        sentences.append(f"The next service plan review is due on {long_date(evidence.next_plan_review)}.")
    else:
        sentences.append("No service plan review is scheduled.")
    return " ".join(sentences)


def missing_evidence(evidence: QuarterEvidence) -> tuple[str, ...]:
    """What a worker should look at before signing (warnings: they do not block signing by themselves)."""
    warnings: list[str] = []
    if not evidence.goals:
        warnings.append("No service plan goals cover this quarter, so the report has no goals to report on.")
    for goal in evidence.goals:
        if not goal.entries and goal.outcome == "ongoing":
            warnings.append(
                f"{goal.label} ({excerpt_of(goal.text, GOAL_TEXT_IN_WARNING)}) has no signed progress note "
                "this quarter."
            )
    for key in evidence.months_without_visit:
        warnings.append(f"No face-to-face visit is documented in {month_name(key)} (one is required every month).")
    drafts = evidence.unsigned_note_dates
    if drafts:
        shown = ", ".join(_day(d, evidence) for d in drafts[:6]) + (", …" if len(drafts) > 6 else "")
        warnings.append(
            f"{_times(len(drafts), 'progress note', 'progress notes')} in this period "
            f"{'is an unsigned draft' if len(drafts) == 1 else 'are unsigned drafts'} ({shown}); "
            "only signed notes count as evidence."
        )
    if not evidence.quarter_over:
        warnings.append(
            f"The quarter ends on {long_date(evidence.period_end)}: contacts after today will not be in this report."
        )
    return tuple(warnings)


# ---------------------------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------------------------


def canonical_report_content(
    *,
    report_id: str,
    client_id: str,
    plan_id: str | None,
    quarter_label: str,
    period_start: dt.date,
    period_end: dt.date,
    summary: str,
    goal_narratives: Mapping[str, str],
    draft_data: Mapping[str, Any],
    signer_id: str | None,
    signer_name: str,
    signed_at: dt.datetime,
) -> bytes:
    """Deterministic bytes of everything a report signature covers (sorted keys, UTC time, no spaces)."""
    doc = {
        "type": "quarterly_report",
        "id": report_id,
        "client_id": client_id,
        "plan_id": plan_id or "",
        "quarter_label": quarter_label,
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "summary": summary,
        "goal_narratives": {k: goal_narratives[k] for k in sorted(goal_narratives)},
        "draft_data": draft_data,
        "signer_id": signer_id or "",
        "signer_name": signer_name,
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(),
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def report_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def signing_problems(evidence: QuarterEvidence, narratives: Mapping[str, str], summary: str) -> list[str]:
    """What stops a report being signed (unlike warnings, these must be fixed): empty text."""
    problems = [
        f"The narrative for {g.label} is empty." for g in evidence.goals if not narratives.get(g.goal_id, "").strip()
    ]
    if not summary.strip():
        problems.append("The summary is empty.")
    return problems

"""Deterministic sample documents (seeded): used by the tests, the benchmark and the docs images.

Names and text deliberately include characters outside Latin-1 and reportlab's markup characters.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from casedesk.domain.print_layout import (
    ChoiceField,
    FieldLine,
    FormPrintLayout,
    Heading,
    NoteText,
    RepeatTable,
    SignatureLine,
)
from casedesk.reports.documents import (
    Addendum,
    AgencyInfo,
    ClientInfo,
    ContactCount,
    DueItem,
    DueListDoc,
    DueStatus,
    GoalEvidence,
    GoalOutcome,
    GoalProgress,
    NoteTemplate,
    ProgressNoteDoc,
    QuarterGoal,
    QuarterlyReportDoc,
    ServiceUnits,
    SignatureBlock,
    SignedStamp,
    note_sections,
)

CLIENT_NAMES = (
    "Zoë Nguyễn",
    "José Peña",
    "Siobhán O'Connor",
    "Åsa Øberg",
    "Nguyễn Văn An",
    "Zoltán Kovács",
    "Renée Dubois",
    "Ngozi Okafor",
    "María José Ibáñez",
    "Łukasz Wróbel",
    "Chloé Martín",
    "Dương Thị Hà",
)
WORKERS = ("Ana Lucía Gómez", "Marcus Webb", "Priya Raman", "Jürgen Schäfer")
CONTACT_TYPES = ("Home visit", "Office visit", "Phone", "Community outing", "Collateral contact")
FACE_TO_FACE = {"Home visit", "Office visit", "Community outing"}
RATINGS = ("Progressing", "No change", "Significant progress", "Regressed", "Goal met")
GOALS = (
    "Keep stable housing: pay rent on time and pass the landlord's inspections",
    "Take medication as prescribed, using the weekly pill organiser",
    "Build daily living skills: plan meals and shop for groceries with a list",
    "Take part in the community: attend the Tuesday social group twice a month",
    "Manage money: keep a simple budget and save $20 each month",
    "Keep medical appointments: primary care every 3 months, dental yearly",
)
SENTENCES = (
    "Met with the client at home; the apartment was tidy and the fridge had fresh food.",
    "Client reported sleeping better since the medication change two weeks ago.",
    "Reviewed the budget together: rent & utilities paid, $35 left for groceries.",
    'Client said the landlord "won\'t fix the heater" < again >; we drafted a written request.',
    "La clienta dijo que prefiere hablar en español; revisamos juntas la cita médica del jueves.",
    "Practised using the bus app to get to the pharmacy; client navigated with one prompt.",
    "Client was anxious about the upcoming court date and asked for a reminder call.",
    "Called the pharmacy to confirm refills are on auto-renew; next pick-up Friday.",
    "Attended the social group; client introduced herself and stayed the whole hour.",
    "Discussed the plan review; client wants to add a goal about part-time work.",
    "Guardian (Mrs. Øberg) joined by phone and agreed to the new visit schedule.",
    "No concerns noted about safety; smoke detector tested and working.",
)
SERVICE_CODES = (
    ("T1017", "Targeted case management"),
    ("H2015", "Community support, per 15 min"),
    ("T2022", "Case management, per month"),
)
LOCAL = timezone(timedelta(hours=-5), "EST")


def png_image(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """A PNG (8-bit RGBA) built by hand with zlib from ``pixel(x, y) -> (r, g, b, a)``."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type: none
        for x in range(width):
            raw.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def sample_signature_png() -> bytes:
    """A blue scribble on a transparent background, like a signature captured on screen."""
    import math

    width, height = 240, 70

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        curve = 35 + 22 * math.sin(x / 13.0) * math.cos(x / 41.0)
        loop = 35 + 18 * math.sin(x / 5.0) if 60 < x < 110 else curve
        ink = min(abs(y - curve), abs(y - loop)) < 1.6
        return (20, 40, 140, 255) if ink else (255, 255, 255, 0)

    return png_image(width, height, pixel)


def sample_logo_png() -> bytes:
    """A small two-colour sunrise mark."""
    size = 64

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        dx, dy = x - size / 2, y - size * 0.7
        if y > size * 0.72:
            return (30, 90, 140, 255) if y < size * 0.8 else (255, 255, 255, 0)
        if dx * dx + dy * dy < (size * 0.36) ** 2:
            return (240, 150, 30, 255)
        return (255, 255, 255, 0)

    return png_image(size, size, pixel)


def sample_agency(*, with_logo: bool = True) -> AgencyInfo:
    return AgencyInfo(name="Sunrise Community Services", logo_png=sample_logo_png() if with_logo else None)


def sample_client(seed: int = 0) -> ClientInfo:
    rng = random.Random(seed)
    return ClientInfo(
        name=CLIENT_NAMES[seed % len(CLIENT_NAMES)],
        date_of_birth=date(1950 + rng.randrange(55), rng.randrange(1, 13), rng.randrange(1, 29)),
        record_number=f"R-{10000 + seed * 37 % 90000}",
    )


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def _fake_hash(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(64))


def sample_progress_note(
    *,
    seed: int = 0,
    signed: bool = False,
    paragraphs: int = 2,
    with_addenda: bool = False,
    signature_image: bool = False,
) -> ProgressNoteDoc:
    """A DAP note; ``paragraphs`` per section controls its length (40+ makes several pages)."""
    rng = random.Random(seed)
    contact_day = date(2025, 7, 1) + timedelta(days=rng.randrange(90))
    body = {key: "\n\n".join(_text(rng, 4) for _ in range(paragraphs)) for key in ("data", "assessment", "plan")}
    worker = WORKERS[seed % len(WORKERS)]
    signed_at = datetime.combine(contact_day, time(16, 5), LOCAL)
    stamp = (
        SignedStamp(signer_name=worker, signer_role="Case manager", signed_at=signed_at, content_hash=_fake_hash(rng))
        if signed
        else None
    )
    addenda = (
        (
            Addendum(
                author=worker,
                written_at=signed_at + timedelta(days=1, hours=1),
                text="Correction: the pharmacy pick-up is Thursday, not Friday. <Checked> with R&D pharmacy.",
                content_hash=_fake_hash(rng),
            ),
        )
        if with_addenda
        else ()
    )
    signatures: tuple[SignatureBlock, ...] = ()
    if signature_image:
        signatures = (
            SignatureBlock(role="Case manager", name=worker, signed_at=signed_at, image_png=sample_signature_png()),
            SignatureBlock(role="Client", name=sample_client(seed).name),
        )
    return ProgressNoteDoc(
        agency=sample_agency(),
        client=sample_client(seed),
        worker_name=worker,
        contact_date=contact_day,
        contact_type="Home visit",
        template=NoteTemplate.DAP,
        sections=note_sections(NoteTemplate.DAP, body),
        start_time=time(9, 30),
        duration_minutes=75,
        location="Client's home",
        goals=(
            GoalProgress(goal=f"Goal 1: {GOALS[0]}", rating="Progressing", comment="Rent paid on the 1st."),
            GoalProgress(goal=f"Goal 2: {GOALS[1]}", rating="No change"),
        ),
        service_code="T1017",
        billable_units=5,
        signed=stamp,
        addenda=addenda,
        signatures=signatures,
    )


def sample_quarterly_report(
    *, seed: int = 0, goals: int = 4, notes: int = 40, signed: bool = False, signature_image: bool = False
) -> QuarterlyReportDoc:
    """A quarter (Jul-Sep 2025) with ``notes`` notes, each addressing one or two of ``goals`` goals."""
    rng = random.Random(seed)
    start, end = date(2025, 7, 1), date(2025, 9, 30)
    note_days = sorted(start + timedelta(days=rng.randrange(92)) for _ in range(notes))
    note_types = [rng.choice(CONTACT_TYPES) for _ in note_days]
    evidence: list[list[GoalEvidence]] = [[] for _ in range(goals)]
    for day, kind in zip(note_days, note_types, strict=True):
        for index in rng.sample(range(goals), k=min(goals, rng.choice((1, 1, 2)))):
            evidence[index].append(
                GoalEvidence(contact_date=day, contact_type=kind, rating=rng.choice(RATINGS), excerpt=_text(rng, 3))
            )
    outcomes = [GoalOutcome.ONGOING] * goals
    if goals >= 3:
        outcomes[1] = GoalOutcome.MET
        outcomes[2] = GoalOutcome.CHANGED
    quarter_goals = tuple(
        QuarterGoal(
            label=f"Goal {i + 1}",
            text=GOALS[i % len(GOALS)],
            narrative="\n\n".join(_text(rng, 3) for _ in range(2)),
            evidence=tuple(evidence[i]),
            outcome=outcomes[i],
            outcome_note={
                GoalOutcome.MET: "Met in August; keep as a maintenance goal.",
                GoalOutcome.CHANGED: "Changed at the client's request: weekly, not monthly.",
            }.get(outcomes[i]),
        )
        for i in range(goals)
    )
    counts = {kind: note_types.count(kind) for kind in CONTACT_TYPES if kind in note_types}
    units = tuple(
        ServiceUnits(service_code=code, units=float(rng.randrange(4, 60)), description=name)
        for code, name in SERVICE_CODES[: 1 + seed % 3]
    )
    worker = WORKERS[seed % len(WORKERS)]
    client = sample_client(seed)
    stamp = (
        SignedStamp(
            signer_name=worker,
            signer_role="Case manager",
            content_hash=_fake_hash(rng),
            signed_at=datetime(2025, 10, 8, 15, 30, tzinfo=LOCAL),
        )
        if signed
        else None
    )
    signatures: tuple[SignatureBlock, ...] = ()
    if signature_image:
        signatures = (
            SignatureBlock(
                role="Case manager",
                name=worker,
                signed_at=stamp.signed_at if stamp else None,
                image_png=sample_signature_png(),
            ),
            SignatureBlock(role="Supervisor"),
            SignatureBlock(role="Guardian"),
        )
    return QuarterlyReportDoc(
        agency=sample_agency(),
        client=client,
        worker_name=worker,
        period_label="Q3 2025",
        period_start=start,
        period_end=end,
        due_date=date(2025, 10, 15),
        goals=quarter_goals,
        plan_name="Individual service plan 2025-2026",
        contacts_by_type=tuple(ContactCount(contact_type=k, count=v) for k, v in counts.items()),
        face_to_face_visits=sum(1 for kind in note_types if kind in FACE_TO_FACE),
        units_by_service=units,
        next_plan_review=date(2026, 1, 20),
        summary=f"{client.name} made steady progress this quarter. " + _text(rng, 5),
        missing_evidence=()
        if signed
        else (
            "No face-to-face visit in September (monthly visit requirement).",
            f"Goal {goals}: no note in the last 45 days of the quarter.",
        ),
        signed=stamp,
        signatures=signatures,
    )


def sample_due_list(*, items: int = 30, seed: int = 0) -> DueListDoc:
    rng = random.Random(seed)
    as_of = date(2025, 10, 6)
    kinds = (
        "Quarterly report",
        "Plan review",
        "Progress note",
        "Monthly face-to-face visit",
        "Annual assessment",
    )
    rows = []
    for i in range(items):
        due = as_of + timedelta(days=rng.randrange(-25, 45))
        status = (
            DueStatus.OVERDUE
            if due < as_of
            else DueStatus.DUE_SOON
            if due <= as_of + timedelta(days=7)
            else DueStatus.UPCOMING
        )
        client = sample_client(i)
        rows.append(
            DueItem(
                client_name=client.name,
                record_number=client.record_number,
                kind=rng.choice(kinds),
                due_date=due,
                status=status,
            )
        )
    return DueListDoc(agency=sample_agency(), as_of=as_of, items=tuple(rows), worker_name=WORKERS[0])


def sample_form_layout(*, filled: bool) -> FormPrintLayout:
    """An intake form with every block type; ``filled`` gives answers and a captured signature."""

    def value(text: str) -> str | None:
        return text if filled else None

    return FormPrintLayout(
        title="Client intake & consent",
        form_key="intake",
        form_version=3,
        filled=filled,
        status="final" if filled else "draft",
        blocks=(
            NoteText(text="Please answer every question marked *. Use the back of the page if you need more room."),
            Heading(text="About you"),
            FieldLine(label="Preferred name", value=value("Zoë"), required=True),
            FieldLine(label="Primary language", value=value("Español")),
            FieldLine(label="Phone", value=value("(555) 014-2231"), hint="A number where we can leave a message"),
            ChoiceField(
                label="Do you need an interpreter?",
                options=("Yes", "No"),
                selected=("Yes",) if filled else (),
            ),
            ChoiceField(
                label="How would you like us to contact you?",
                multiple=True,
                options=("Phone call", "Text message", "Email", "Letter", "Through my guardian"),
                selected=("Text message", "Through my guardian") if filled else (),
            ),
            Heading(text="Current situation", level=2),
            FieldLine(
                label="What would you like help with?",
                lines=4,
                required=True,
                value=value(
                    "Finding a part-time job near the bus line & keeping my apartment. "
                    "Quiero ayuda con el alquiler < 2 meses atrasado >."
                ),
            ),
            RepeatTable(
                label="Household members",
                columns=("Name", "Relationship", "Date of birth"),
                rows=(("José Peña", "Brother", "1992-05-17"), ("Łucja Peña", "Niece", "2016-11-02")) if filled else (),
                blank_rows=0 if filled else 4,
            ),
            Heading(text="Consent"),
            NoteText(
                text="I agree that Sunrise Community Services may share my information with the agencies "
                "listed in my service plan."
            ),
            SignatureLine(
                role="Client",
                signer_name="Zoë Nguyễn" if filled else None,
                signed_at="2025-07-14 10:40" if filled else None,
                image_png=sample_signature_png() if filled else None,
            ),
            SignatureLine(
                role="Case manager",
                signer_name="Ana Lucía Gómez" if filled else None,
                signed_at="2025-07-14 10:41" if filled else None,
            ),
        ),
    )


def write_samples(folder: Path, *, page_size: str = "letter") -> list[Path]:
    """Write one PDF of each kind to ``folder`` (for looking at layouts and for docs images)."""
    from casedesk.reports.caseload import render_due_list
    from casedesk.reports.form import render_form
    from casedesk.reports.progress_note import render_progress_note
    from casedesk.reports.quarterly import render_quarterly_batch, render_quarterly_report

    printed = datetime(2025, 10, 9, 9, 15, tzinfo=LOCAL)
    folder.mkdir(parents=True, exist_ok=True)
    jobs: dict[str, Callable[[Path], None]] = {
        "report-note.pdf": lambda p: render_progress_note(
            sample_progress_note(signed=True, with_addenda=True, signature_image=True),
            p,
            page_size=page_size,
            printed_at=printed,
        ),
        "report-note-draft.pdf": lambda p: render_progress_note(
            sample_progress_note(seed=3, paragraphs=12), p, page_size=page_size, printed_at=printed
        ),
        "report-quarterly.pdf": lambda p: render_quarterly_report(
            sample_quarterly_report(), p, page_size=page_size, printed_at=printed
        ),
        "report-form-blank.pdf": lambda p: render_form(
            sample_form_layout(filled=False),
            p,
            agency=sample_agency(),
            page_size=page_size,
            printed_at=printed,
        ),
        "report-form-filled.pdf": lambda p: render_form(
            sample_form_layout(filled=True),
            p,
            agency=sample_agency(),
            client=sample_client(0),
            page_size=page_size,
            printed_at=printed,
        ),
        "report-due.pdf": lambda p: render_due_list(sample_due_list(), p, page_size=page_size, printed_at=printed),
        "report-batch.pdf": lambda p: render_quarterly_batch(
            [sample_quarterly_report(seed=s, signed=s % 2 == 1, notes=12 + 6 * s) for s in range(4)],
            p,
            page_size=page_size,
            printed_at=printed,
        ),
    }
    written = []
    for name, job in jobs.items():
        job(folder / name)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    import sys

    for path in write_samples(
        Path(sys.argv[1] if len(sys.argv) > 1 else "."),
        page_size=sys.argv[2] if len(sys.argv) > 2 else "letter",
    ):
        print(path)

"""Progress note PDFs, parsed back with pypdf."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from casedesk.errors import CaseDeskError, StorageError
from casedesk.reports import (
    Addendum,
    AgencyInfo,
    ClientInfo,
    GoalProgress,
    NoteTemplate,
    ProgressNoteDoc,
    ReportError,
    SignatureBlock,
    SignedStamp,
    note_sections,
    render_progress_note,
)
from tests.reports.report_pdf_helpers import (
    STANDARD_14,
    all_text,
    flat,
    fonts_used,
    image_xobjects,
    large_text,
    page_labels,
    page_texts,
    render,
    tiny_png,
    transparency_levels,
)

ZONE = timezone(timedelta(hours=-5), "EST")
HASH = "ab" * 32
PRINTED = datetime(2025, 10, 2, 14, 5, tzinfo=ZONE)


def make_note(**changes: object) -> ProgressNoteDoc:
    note = ProgressNoteDoc(
        agency=AgencyInfo(name="Sunrise Community Services"),
        client=ClientInfo(name="Zoë Nguyễn", date_of_birth=date(1988, 3, 4), record_number="R-1042"),
        worker_name="José Peña",
        contact_date=date(2025, 7, 14),
        contact_type="Home visit",
        template=NoteTemplate.DAP,
        sections=note_sections(
            NoteTemplate.DAP,
            {
                "data": "Client said the heater is broken <again> & the landlord won't answer.",
                "assessment": "La clienta está preocupada por el alquiler; mañana llamará al propietario.",
                "plan": "Call the landlord on Thursday.",
            },
        ),
        start_time=time(9, 30),
        duration_minutes=75,
        location="Client's home",
        goals=(GoalProgress(goal="Goal 1: Keep stable housing", rating="Progressing", comment="Rent paid"),),
        service_code="T1017",
        billable_units=5,
    )
    return dataclasses.replace(note, **changes)  # type: ignore[arg-type]


def signed_stamp() -> SignedStamp:
    return SignedStamp(
        signer_name="José Peña",
        signer_role="Case manager",
        content_hash=HASH,
        signed_at=datetime(2025, 7, 14, 16, 5, tzinfo=ZONE),
    )


def long_note(sentences: int = 400) -> ProgressNoteDoc:
    text = "\n\n".join(
        " ".join(f"Sentence {n:03d} of the long note, with Zoë's words." for n in range(start, start + 10))
        for start in range(1, sentences + 1, 10)
    )
    return make_note(
        sections=note_sections(NoteTemplate.NARRATIVE, {"narrative": text}), template=NoteTemplate.NARRATIVE
    )


def test_prints_the_note_with_non_ascii_names_and_literal_markup_characters() -> None:
    text = all_text(render(render_progress_note, make_note(), printed_at=PRINTED))
    assert "Zoë Nguyễn" in text
    assert "José Peña" in text
    assert "DOB 1988-03-04" in text and "Record # R-1042" in text
    assert "the heater is broken <again> & the landlord" in flat(text)
    assert "mañana llamará al propietario" in flat(text)
    for heading in ("Data", "Assessment", "Plan", "Goals addressed"):
        assert heading in text
    assert "09:30–10:45 (1 h 15 min)" in text
    assert "T1017" in text and "Progressing" in text
    assert "Printed 2025-10-02 14:05 EST" in text


def test_soap_sections_print_in_order() -> None:
    doc = make_note(
        template=NoteTemplate.SOAP,
        sections=note_sections(
            NoteTemplate.SOAP,
            {"subjective": "S text", "objective": "O text", "assessment": "A text", "plan": "P text"},
        ),
    )
    text = all_text(render(render_progress_note, doc))
    positions = [text.index(h) for h in ("Subjective", "Objective", "Assessment", "Plan\n")]
    assert positions == sorted(positions)
    assert "SOAP note" in text


def test_unknown_section_key_is_a_clear_error() -> None:
    with pytest.raises(ReportError, match=r"'summary'.*data, assessment, plan"):
        note_sections(NoteTemplate.DAP, {"summary": "x"})


def test_long_note_flows_over_pages_with_correct_page_numbers_and_no_lost_lines() -> None:
    reader = render(render_progress_note, long_note())
    pages = len(reader.pages)
    assert pages >= 3
    assert page_labels(reader) == [(n, pages) for n in range(1, pages + 1)]
    texts = page_texts(reader)
    for text in texts:  # the header repeats on every page
        assert "Zoë Nguyễn" in text and "Record # R-1042" in text and "Sunrise Community Services" in text
    whole = flat(" ".join(texts))
    missing = [n for n in range(1, 401) if f"Sentence {n:03d} of the long note" not in whole]
    assert missing == []


def test_every_font_is_an_embedded_truetype_subset() -> None:
    reader = render(
        render_progress_note,
        make_note(
            signed=signed_stamp(),
            addenda=(
                Addendum(
                    author="José Peña",
                    written_at=datetime(2025, 7, 15, 9, 0, tzinfo=ZONE),
                    text="Fix <b>typo</b>",
                ),
            ),
        ),
    )
    fonts = fonts_used(reader)
    assert fonts, "no fonts found"
    for name, font in fonts.items():
        assert name.lstrip("/").split("+")[-1] not in STANDARD_14
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
    names = " ".join(fonts)
    assert "DejaVuSans-Bold" in names  # headings really use the bold face
    assert "DejaVuSans" in names


def test_draft_has_a_large_semi_transparent_draft_mark_on_every_page() -> None:
    reader = render(render_progress_note, long_note(200))
    assert len(reader.pages) >= 2
    for index in range(len(reader.pages)):
        assert large_text(reader, index) == ["DRAFT"]
        assert any(level < 0.5 for level in transparency_levels(reader, index))
    assert "Status: DRAFT" in page_texts(reader)[0]


def test_signed_note_has_no_draft_mark_and_prints_signer_and_hash_on_every_page() -> None:
    reader = render(render_progress_note, dataclasses.replace(long_note(200), signed=signed_stamp()))
    texts = page_texts(reader)
    for index, text in enumerate(texts):
        assert large_text(reader, index) == []
        assert "DRAFT" not in text
        assert f"Content hash (SHA-256): {HASH}" in text
    assert "Status: signed by José Peña (Case manager) on 2025-07-14 16:05 EST" in flat(texts[0])


def test_addenda_print_author_time_text_and_hash() -> None:
    addendum_hash = "cd" * 32
    doc = make_note(
        signed=signed_stamp(),
        addenda=(
            Addendum(
                author="Marcus Webb",
                written_at=datetime(2025, 7, 16, 8, 30, tzinfo=ZONE),
                text="Correction: pick-up is Thursday & not Friday.",
                content_hash=addendum_hash,
            ),
        ),
    )
    text = flat(all_text(render(render_progress_note, doc)))
    assert "Addendum 1: Marcus Webb, 2025-07-16 08:30 EST" in text
    assert "Correction: pick-up is Thursday & not Friday." in text
    assert addendum_hash in text


def test_captured_signature_is_embedded_as_an_image_and_wet_lines_print_names() -> None:
    with_image = make_note(
        signatures=(
            SignatureBlock(
                role="Case manager",
                name="José Peña",
                signed_at=datetime(2025, 7, 14, 16, 5),
                image_png=tiny_png(),
            ),
            SignatureBlock(role="Guardian", name="Åsa Øberg"),
        )
    )
    reader = render(render_progress_note, with_image)
    images = image_xobjects(reader)
    assert len(images) == 1
    assert (int(images[0]["/Width"]), int(images[0]["/Height"])) == (40, 16)
    text = all_text(reader)
    assert "Signature (captured on screen)" in text
    assert "Guardian" in text and "Åsa Øberg" in text and "Printed name" in text

    without_image = render(render_progress_note, make_note())
    assert image_xobjects(without_image) == []
    assert "Case manager" in all_text(without_image)


def test_agency_logo_is_drawn_once_and_reused_on_every_page() -> None:
    doc = dataclasses.replace(long_note(200), agency=AgencyInfo(name="Sunrise", logo_png=tiny_png(8, 8)))
    reader = render(render_progress_note, doc)
    assert len(reader.pages) >= 2
    refs = {image.indirect_reference.idnum for image in image_xobjects(reader)}  # type: ignore[union-attr]
    assert len(refs) == 1


@pytest.mark.parametrize(("page_size", "expected"), [("letter", (612, 792)), ("A4", (595, 842))])
def test_page_size_parameter(page_size: str, expected: tuple[int, int]) -> None:
    reader = render(render_progress_note, make_note(), page_size=page_size)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == expected


def test_unknown_page_size_is_a_clear_error() -> None:
    with pytest.raises(ReportError, match="Unknown page size 'legal'; use 'letter' or 'a4'"):
        render_progress_note(make_note(), io.BytesIO(), page_size="legal")


def test_bad_values_are_refused_with_messages_naming_them() -> None:
    with pytest.raises(ReportError, match="64 lowercase hex"):
        SignedStamp(signer_name="x", signed_at=datetime(2025, 1, 1), content_hash="XYZ")
    with pytest.raises(ReportError, match="captured signature of the Guardian is not a PNG"):
        SignatureBlock(role="Guardian", image_png=b"GIF89a....")
    with pytest.raises(ReportError, match="negative"):
        make_note(billable_units=-1)
    broken_png = make_note(signatures=(SignatureBlock(role="Client", image_png=b"\x89PNG\r\n\x1a\nbroken"),))
    with pytest.raises(ReportError, match="captured signature of the Client could not be read"):
        render_progress_note(broken_png, io.BytesIO())
    assert issubclass(ReportError, CaseDeskError)


def test_writes_to_a_path_atomically_and_reports_an_unwritable_folder(tmp_path: Path) -> None:
    target = tmp_path / "note.pdf"
    render_progress_note(make_note(), target)
    assert PdfReader(str(target)).pages
    assert [p.name for p in tmp_path.iterdir()] == ["note.pdf"]  # no temp file left behind
    assert target.stat().st_mode & 0o077 == 0  # client data: owner-only
    with pytest.raises(StorageError):
        render_progress_note(make_note(), tmp_path / "missing-folder" / "note.pdf")


def test_end_time_runs_past_midnight_and_duration_alone_prints() -> None:
    assert make_note(start_time=time(23, 30), duration_minutes=45).end_time == time(0, 15)
    assert make_note(start_time=None).end_time is None
    text = all_text(render(render_progress_note, make_note(start_time=None, duration_minutes=40)))
    assert "40 min" in text
    with pytest.raises(ReportError, match="negative time"):
        make_note(duration_minutes=-5)

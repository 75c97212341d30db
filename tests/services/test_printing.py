"""The printing service: documents built from the database, local times, signatures, audit, page size."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casedesk.db.models import AuditEvent, Client, QuarterlyReport, Signature
from casedesk.db.store import Store
from casedesk.errors import NotFoundError, ValidationError
from casedesk.services import clients, notes, printing, settings
from casedesk.services import quarterly as q
from tests.reports.report_pdf_helpers import all_text, flat, image_xobjects, large_text, page_labels, tiny_png
from tests.services.quarterly_data import CHICAGO, Caseload, at, make_store, store_consent_form

AFTER_Q3 = dt.date(2026, 10, 20)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = make_store(tmp_path / "profile")
    yield st
    st.close()


@pytest.fixture
def case(store: Store) -> Caseload:
    return Caseload(store)


def pdf(document: printing.PrintedDocument) -> PdfReader:
    assert document.pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(document.pdf))


def last_event(store: Store) -> AuditEvent:
    with store.read_session() as s:
        return s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()


def add_signature(store: Store, document_type: str, document_id: str, name: str, role: str, **extra: object) -> None:
    with store.session() as s:
        s.add(
            Signature(
                document_type=document_type,
                document_id=document_id,
                signer_name=name,
                signer_role=role,
                method=extra.get("method", "drawn"),
                image_png=extra.get("image_png", tiny_png(60, 20)),
                strokes=[[[0.0, 0.0], [10.0, 5.0]]],
                signed_at=dt.datetime(2026, 7, 8, 17, 30, tzinfo=dt.UTC),
            )
        )


def test_note_prints_local_times_addenda_and_captured_signatures(store: Store, case: Caseload) -> None:
    note_id = case.note(at(dt.date(2026, 7, 8), 10, 15), goals=[(case.cook, "good"), (case.bus, "some")], minutes=50)
    with store.session() as s:
        notes.add_addendum(s, note_id, "Correction: the visit was at the day program, not at home.")
    add_signature(store, "note", note_id, "Mai Nguyễn", "guardian")
    with store.session() as s:
        doc = printing.progress_note_doc(s, note_id)
    assert (doc.contact_date, doc.start_time) == (dt.date(2026, 7, 8), dt.time(10, 15))  # Chicago, not UTC
    assert doc.signed is not None and doc.signed.signed_at.tzinfo == CHICAGO
    assert doc.client.name == "Zoë Nguyễn" and doc.client.record_number == "R-1"
    assert [g.goal for g in doc.goals] == [
        "Goal 1: Zoë will ride the bus to work on her own.",
        "Goal 2: Zoë will cook a simple meal three times a week.",
    ]
    assert [a.text for a in doc.addenda] == ["Correction: the visit was at the day program, not at home."]
    assert [(b.role, b.name, b.image_png is not None) for b in doc.signatures] == [
        ("Case manager", "Ana Ruiz", False),
        ("Guardian", "Mai Nguyễn", True),
    ]
    assert doc.signatures[1].signed_at == dt.datetime(2026, 7, 8, 12, 30, tzinfo=CHICAGO)

    with store.session() as s:
        document = printing.note_pdf(s, note_id, action="export")
    reader = pdf(document)
    text = flat(all_text(reader))
    for expected in ("Zoë Nguyễn", "Mai Nguyễn", "not at home", "Riverbend Community Services", "10:15"):
        assert expected in text
    assert page_labels(reader)[0] == (1, len(reader.pages))
    assert image_xobjects(reader), "the captured signature image is embedded"
    assert not document.draft and all(large_text(reader, i) == [] for i in range(len(reader.pages)))
    event = last_event(store)
    assert (event.action, event.record_type, event.record_id) == ("export", "progress_note", note_id)
    assert event.detail == {"document": "progress_note", "format": "pdf"}


def test_draft_note_on_a4_with_the_agency_logo(store: Store, case: Caseload) -> None:
    note_id = case.note(at(dt.date(2026, 7, 8), 10), sign=False)
    with store.session() as s:
        settings.set_many(s, {"page_size": "a4"})
        settings.set_agency(s, logo_png=tiny_png(120, 40, (20, 90, 20)))
        document = printing.note_pdf(s, note_id)
        with pytest.raises(ValidationError, match="printed or exported"):
            printing.note_pdf(s, note_id, action="email")  # type: ignore[arg-type]
        with pytest.raises(NotFoundError, match="No progress note with id nope"):
            printing.note_pdf(s, "nope")
    reader = pdf(document)
    assert document.draft and large_text(reader, 0) == ["DRAFT"]
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    assert image_xobjects(reader), "the logo is in the header"
    assert last_event(store).action == "print"


def test_quarterly_report_signature_blocks_follow_what_was_captured(store: Store, case: Caseload) -> None:
    case.note(at(dt.date(2026, 7, 8), 10), goals=[(case.bus, "good"), (case.cook, "some"), (case.budget, "some")])
    case.note(at(dt.date(2026, 8, 8), 10), goals=[(case.bus, "good")])
    case.note(at(dt.date(2026, 9, 8), 10), goals=[(case.bus, "good")])
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=AFTER_Q3)
        draft = printing.quarterly_doc(s, q.get_report(s, report_id, today=AFTER_Q3))
        assert draft.signed is None and draft.signatures == ()  # renderer default: worker, supervisor, client
        q.sign_report(s, report_id, today=AFTER_Q3)
    add_signature(store, "report", report_id, "Zoë Nguyễn", "client")
    with store.session() as s:
        doc = printing.quarterly_doc(s, q.get_report(s, report_id))
        document = printing.quarterly_report_pdf(s, report_id, action="export")
    assert doc.period_label == "Q3 2026" and doc.signed is not None
    assert [(b.role, b.name, b.image_png is not None) for b in doc.signatures] == [
        ("Case manager", "Ana Ruiz", False),
        ("Client", "Zoë Nguyễn", True),
        ("Supervisor", None, False),
    ]
    reader = pdf(document)
    assert image_xobjects(reader)
    assert doc.signed.content_hash in flat(all_text(reader))
    event = last_event(store)
    assert (event.action, event.record_type, event.record_id) == ("export", "quarterly_report", report_id)
    assert event.detail["quarter"] == "2026Q3"


def test_batch_prints_stored_reports_and_drafts_the_rest_without_storing_them(store: Store, case: Caseload) -> None:
    case.note(at(dt.date(2026, 7, 8), 10), goals=[(case.bus, "good"), (case.cook, "some"), (case.budget, "some")])
    with store.session() as s:
        report_id = q.create_draft(s, case.client_id, "2026Q3", today=AFTER_Q3)
        q.sign_report(s, report_id, accept_warnings=True, today=AFTER_Q3)
        clients.create_client(s, first_name="José", last_name="Peña", record_number="R-2")
        clients.create_client(
            s, first_name="Old", last_name="Aardvark", discharge_date=dt.date(2026, 5, 1), status="discharged"
        )
        stored_before = s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one()
        document, contents = printing.quarterly_batch_pdf(s, "2026q3", action="export", today=AFTER_Q3)
        assert s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one() == stored_before
        with pytest.raises(ValidationError, match="not a quarter label"):
            printing.quarterly_batch_pdf(s, "Q3-2026")
    assert (contents.reports, contents.stored, contents.drafted) == (2, 1, 1)
    assert document.parts == 2 and document.draft
    reader = pdf(document)
    labels = page_labels(reader)
    starts = [i for i, (number, _total) in enumerate(labels) if number == 1]
    assert len(starts) == 2  # numbered per report
    parts = [range(start, end) for start, end in zip(starts, [*starts[1:], len(labels)], strict=True)]
    first_pages = [flat(reader.pages[p.start].extract_text() or "") for p in parts]
    assert "Zoë Nguyễn" in first_pages[0] and "José Peña" in first_pages[1]  # by last name
    assert "Aardvark" not in flat(all_text(reader))  # discharged before the quarter
    for part, first in zip(parts, first_pages, strict=True):
        drafted = "Status: DRAFT" in first
        assert all((large_text(reader, i) == ["DRAFT"]) == drafted for i in part)
    assert "Status: DRAFT" not in first_pages[0] and "Status: DRAFT" in first_pages[1]
    event = last_event(store)
    assert (event.action, event.record_type, event.record_id) == ("export", "quarterly_batch", None)
    assert event.detail == {
        "document": "quarterly_batch",
        "format": "pdf",
        "quarter": "2026Q3",
        "reports": 2,
        "drafted": 1,
    }


def test_filled_and_blank_forms(store: Store, case: Caseload) -> None:
    response_id = store_consent_form(store, case.client_id, final=True)
    with store.session() as s:
        filled = printing.form_response_pdf(s, response_id, action="export")
        blank = printing.blank_form_pdf(s, "intake_face_sheet")
        blank_for_client = printing.blank_form_pdf(s, "consent_release_of_information", client_id=case.client_id)
        with pytest.raises(NotFoundError, match=r"No form 'nope'\. Forms available: .*intake_face_sheet"):
            printing.blank_form_pdf(s, "nope")
    reader = pdf(filled)
    text = flat(all_text(reader))
    assert "Valley Behavioral Health" in text and "Zoë Nguyễn" in text and "2026-07-01 10:00" in text
    assert image_xobjects(reader) and not filled.draft and large_text(reader, 0) == []
    blank_reader = pdf(blank)
    assert "Intake face sheet" in flat(all_text(blank_reader)) and large_text(blank_reader, 0) == []
    assert "Zoë Nguyễn" in flat(pdf(blank_for_client).pages[0].extract_text() or "")
    event = last_event(store)
    assert (event.action, event.record_type, event.record_id) == ("print", "blank_form", None)
    assert event.detail["form_key"] == "consent_release_of_information"


def test_draft_form_response_is_marked(store: Store, case: Caseload) -> None:
    response_id = store_consent_form(store, case.client_id, final=False)
    with store.session() as s:
        document = printing.form_response_pdf(s, response_id)
    assert document.draft and large_text(pdf(document), 0) == ["DRAFT"]


def test_due_list_shows_overdue_work_and_what_is_due_within_the_window(store: Store, case: Caseload) -> None:
    for month in (7, 8, 9, 10):
        case.note(at(dt.date(2026, month, 8), 10), goals=[(case.bus, "good")])
    now = dt.datetime(2026, 10, 20, 9, 0, tzinfo=CHICAGO)
    with store.session() as s:
        soon = printing.due_list_doc(s, within_days=10, now=now)
        later = printing.due_list_doc(s, within_days=60, now=now)
        document = printing.due_list_pdf(s, within_days=60, now=now, action="export")
    kinds = {(i.kind, i.status.value) for i in soon.items}
    assert ("Quarterly report 2026Q3", "overdue") in kinds
    assert all(i.client_name == "Zoë Nguyễn" for i in soon.items)
    assert not any(i.kind.startswith("Quarterly report 2026Q2") for i in soon.items)  # Q2 had no notes: not tracked
    assert not any("review" in i.kind.lower() for i in soon.items)
    assert any("review" in i.kind.lower() and i.due_date == dt.date(2026, 12, 1) for i in later.items)
    assert soon.as_of == dt.date(2026, 10, 20) and soon.worker_name == "Ana Ruiz"
    text = flat(all_text(pdf(document)))
    assert "Quarterly report 2026Q3" in text and "Zoë Nguyễn" in text
    assert last_event(store).detail == {
        "document": "due_list",
        "format": "pdf",
        "items": len(later.items),
        "within_days": 60,
    }


def test_client_quarter_pdf_without_storing_leaves_no_report(store: Store, case: Caseload) -> None:
    with store.session() as s:
        document = printing.client_quarter_pdf(s, case.client_id, "2026Q3", store_draft=False, today=AFTER_Q3)
        assert q.find_report(s, case.client_id, "2026Q3") is None
        assert s.get(Client, case.client_id) is not None
    assert document.record_id is None and document.draft
    assert last_event(store).detail["stored"] is False


def test_a_preview_is_not_audited_until_printed_or_saved(store: Store, case: Caseload) -> None:
    note_id = case.note(at(dt.date(2026, 7, 8), 10))
    before = last_event(store).seq
    with store.session() as s:
        document = printing.note_pdf(s, note_id, action=None)
    assert last_event(store).seq == before
    with store.session() as s:
        printing.record_output(s, document, "print")
        printing.record_output(s, document, "export")
    with store.read_session() as s:
        events = list(s.execute(select(AuditEvent).where(AuditEvent.seq > before).order_by(AuditEvent.seq)).scalars())
    assert [(e.action, e.record_type, e.record_id) for e in events] == [
        ("print", "progress_note", note_id),
        ("export", "progress_note", note_id),
    ]

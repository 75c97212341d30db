"""`casedesk report ...` and `casedesk quarterly ...` as agency IT runs them: PDFs parsed back with pypdf,
exit codes, plain messages, files written only on success."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casedesk.db.models import AuditEvent, Client, ProgressNote, QuarterlyReport, Signature
from casedesk.db.store import Store
from casedesk.domain.quarters import quarter_containing
from casedesk.services import notes
from tests.reports.report_pdf_helpers import all_text, flat, image_xobjects, large_text, page_labels, tiny_png
from tests.services.quarterly_data import store_consent_form

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(
        CASEDESK_INSECURE_FAST_KDF="1",
        PYTHONPATH=str(REPO),
        CASEDESK_DATA_DIR=str(data_dir),
        CASEDESK_PASSPHRASE=PASSPHRASE,
        TZ="America/Chicago",
    )
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def assert_clean_failure(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@contextmanager
def opened(root: Path) -> Iterator[Store]:
    store = Store.open(root, passphrase=PASSPHRASE)
    try:
        yield store
    finally:
        store.close()


def read(path: Path) -> PdfReader:
    assert path.read_bytes().startswith(b"%PDF-")
    return PdfReader(str(path))


def draft_pages(reader: PdfReader) -> list[bool]:
    return [large_text(reader, i) == ["DRAFT"] for i in range(len(reader.pages))]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reports") / "demo"
    ok(run(root, "demo", "--clients", "6", "--seed", "5"))
    return root


@pytest.fixture(scope="module")
def zoe(demo_dir: Path) -> str:
    """The first demo client, Zoë Nguyễn."""
    with opened(demo_dir) as store, store.read_session() as s:
        client = s.execute(select(Client).where(Client.record_number == "RB-10000")).scalar_one()
        assert client.full_name == "Zoë Nguyễn"
        return client.id


def test_note_pdf_signed_with_signature_image_and_draft(demo_dir: Path, zoe: str, tmp_path: Path) -> None:
    with opened(demo_dir) as store, store.session() as s:
        signed_id = s.execute(
            select(ProgressNote.id).where(ProgressNote.client_id == zoe, ProgressNote.status == "signed").limit(1)
        ).scalar_one()
        s.add(
            Signature(
                document_type="note",
                document_id=signed_id,
                signer_name="Mai Nguyễn",
                signer_role="guardian",
                image_png=tiny_png(60, 20),
                strokes=[[[0.0, 0.0], [5.0, 5.0]]],
            )
        )
        any_note = s.get(ProgressNote, signed_id)
        assert any_note is not None
        draft_id = notes.create_draft(
            s,
            notes.NoteInput(
                client_id=zoe,
                contact_start=any_note.contact_start,
                duration_minutes=30,
                body={"data": "Phoned about the pharmacy refill."},
            ),
        )
    signed_pdf, draft_pdf = tmp_path / "signed.pdf", tmp_path / "draft.pdf"
    assert "progress note" in ok(run(demo_dir, "report", "note", signed_id, "-o", str(signed_pdf)))
    assert "DRAFT" in ok(run(demo_dir, "report", "note", draft_id, "-o", str(draft_pdf)))

    reader = read(signed_pdf)
    text = flat(all_text(reader))
    assert "Zoë Nguyễn" in text and "Mai Nguyễn" in text
    assert page_labels(reader) == [(i + 1, len(reader.pages)) for i in range(len(reader.pages))]
    assert not any(draft_pages(reader))
    assert image_xobjects(reader), "the guardian's captured signature is embedded"
    assert oct(signed_pdf.stat().st_mode & 0o777) == oct(0o600)

    draft = read(draft_pdf)
    assert all(draft_pages(draft)) and "Phoned about the pharmacy refill." in flat(all_text(draft))
    assert not image_xobjects(draft)


def test_quarterly_report_drafts_once_then_prints_the_stored_report(demo_dir: Path, zoe: str, tmp_path: Path) -> None:
    label = quarter_containing(dt.date.today()).label
    first, second, signed = tmp_path / "q1.pdf", tmp_path / "q2.pdf", tmp_path / "q3.pdf"
    ok(run(demo_dir, "report", "quarterly", "--client", zoe, "--quarter", label.lower(), "-o", str(first)))
    shown = json.loads(ok(run(demo_dir, "quarterly", "show", "--client", zoe, "--quarter", label, "--json")))
    assert shown["status"] == "draft" and shown["report_id"]
    ok(run(demo_dir, "report", "quarterly", "--client", zoe, "--quarter", label, "-o", str(second)))
    with opened(demo_dir) as store, store.read_session() as s:
        stored = s.execute(
            select(func.count()).where(QuarterlyReport.client_id == zoe, QuarterlyReport.quarter_label == label)
        ).scalar_one()
    assert stored == 1  # drafted by the first print, reused by the second

    reader = read(first)
    text = flat(all_text(reader))
    assert "Zoë Nguyễn" in text and "Status: DRAFT" in text and "Missing evidence" in text
    assert all(draft_pages(reader))
    assert page_labels(reader)[-1] == (len(reader.pages), len(reader.pages))

    refused = run(demo_dir, "quarterly", "sign", "--client", zoe, "--quarter", label)
    assert_clean_failure(refused, "The report was not signed. Missing evidence:")
    assert "--accept-warnings" in refused.stderr
    out = ok(run(demo_dir, "quarterly", "sign", "--client", zoe, "--quarter", label, "--accept-warnings"))
    digest = out.strip().rsplit(" ", 1)[-1]
    ok(run(demo_dir, "report", "quarterly", "--client", zoe, "--quarter", label, "-o", str(signed)))
    signed_reader = read(signed)
    assert not any(draft_pages(signed_reader))
    assert digest in flat(all_text(signed_reader))
    ok(run(demo_dir, "quarterly", "submit", "--client", zoe, "--quarter", label))
    assert_clean_failure(run(demo_dir, "quarterly", "submit", "--client", zoe, "--quarter", label), "already submitted")


def test_batch_marks_only_the_reports_drafted_for_it(demo_dir: Path, tmp_path: Path) -> None:
    label = quarter_containing(dt.date.today()).previous().label
    with opened(demo_dir) as store, store.read_session() as s:
        before = s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one()
    target = tmp_path / "batch.pdf"
    out = ok(run(demo_dir, "report", "batch", "--quarter", label, "-o", str(target)))
    assert f"6 quarterly reports for {label}" in out
    with opened(demo_dir) as store, store.read_session() as s:
        assert s.execute(select(func.count()).select_from(QuarterlyReport)).scalar_one() == before

    reader = read(target)
    labels = page_labels(reader)
    starts = [i for i, (number, _total) in enumerate(labels) if number == 1]
    assert len(starts) == 6
    drafts = draft_pages(reader)
    for start, end in zip(starts, [*starts[1:], len(labels)], strict=True):
        assert labels[end - 1] == (end - start, end - start)  # "Page X of Y" within each report
        is_draft = "Status: DRAFT" in flat(reader.pages[start].extract_text() or "")
        assert drafts[start:end] == [is_draft] * (end - start)
    assert "Zoë Nguyễn" in flat(all_text(reader))
    assert len(reader.outline) == 6  # a bookmark per report


def test_forms_and_due_list(demo_dir: Path, zoe: str, tmp_path: Path) -> None:
    with opened(demo_dir) as store:
        response_id = store_consent_form(store, zoe, final=True)
    filled, blank, due = tmp_path / "form.pdf", tmp_path / "blank.pdf", tmp_path / "due.pdf"
    ok(run(demo_dir, "report", "form", response_id, "-o", str(filled)))
    ok(run(demo_dir, "report", "blank-form", "monthly_contact_log", "-o", str(blank)))
    ok(run(demo_dir, "report", "due", "--within", "30", "-o", str(due)))

    form = read(filled)
    assert "Zoë Nguyễn" in flat(all_text(form)) and image_xobjects(form) and not any(draft_pages(form))
    blank_reader = read(blank)
    assert "Page 1 of" in flat(blank_reader.pages[0].extract_text() or "") and not any(draft_pages(blank_reader))
    due_text = flat(all_text(read(due)))
    assert "Due within 30 days and overdue" in due_text and "Page 1 of" in due_text

    with opened(demo_dir) as store, store.read_session() as s:
        exports = list(s.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalars())
        names = [c.full_name for c in s.execute(select(Client)).scalars()]
    assert {e.record_type for e in exports} >= {"form_response", "blank_form", "due_list"}
    details = json.dumps([e.detail for e in exports], ensure_ascii=False)
    assert not any(name in details for name in names)


def test_bad_input_fails_clearly_and_writes_nothing(demo_dir: Path, zoe: str, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    assert_clean_failure(run(demo_dir, "report", "note", "nope", "-o", str(target)), "No progress note with id nope")
    assert_clean_failure(
        run(demo_dir, "report", "quarterly", "--client", zoe, "--quarter", "2026Q5", "-o", str(target)),
        "'2026Q5' is not a quarter label",
    )
    assert_clean_failure(
        run(demo_dir, "report", "quarterly", "--client", "nobody", "--quarter", "2026Q1", "-o", str(target)),
        "No client with id nobody",
    )
    assert_clean_failure(run(demo_dir, "report", "batch", "--quarter", "Q3", "-o", str(target)), "not a quarter label")
    assert_clean_failure(run(demo_dir, "report", "form", "nope", "-o", str(target)), "No form response with id nope")
    assert_clean_failure(run(demo_dir, "report", "blank-form", "nope", "-o", str(target)), "No form 'nope'")
    assert_clean_failure(run(demo_dir, "report", "due", "--within", "-3", "-o", str(target)), "--within must be")
    assert not target.exists()
    assert_clean_failure(run(demo_dir, "report", "due", "-o", str(tmp_path / "missing" / "due.pdf")), "does not exist")
    assert_clean_failure(run(demo_dir, "report", "due", "-o", str(tmp_path)), "is a folder")

    kept = tmp_path / "kept.pdf"
    kept.write_bytes(b"an earlier PDF")
    assert_clean_failure(run(demo_dir, "report", "note", "nope", "-o", str(kept)), "No progress note")
    assert kept.read_bytes() == b"an earlier PDF"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left behind

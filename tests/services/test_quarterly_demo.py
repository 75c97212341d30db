"""Quarterly report drafting on a real encrypted demo profile (casedesk.demo.generate)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from casedesk import demo
from casedesk.db.models import Client, Goal, NoteGoal, ProgressNote, QuarterlyReport, ServicePlan, Setting
from casedesk.db.store import Store
from casedesk.services import printing
from casedesk.services import quarterly as q
from tests.reports.report_pdf_helpers import flat, large_text, page_labels
from tests.services.quarterly_data import PASSPHRASE

TODAY = dt.date(2026, 5, 20)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store, _recovery = Store.create(
        tmp_path_factory.mktemp("demo") / "profile", PASSPHRASE, agency_name="Riverbend", worker_name="Alex Morgan"
    )
    with store.session() as s:
        s.add(Setting(key="local.timezone", value="America/Chicago"))
        demo.generate(s, clients=10, seed=11, today=TODAY)
    yield store
    store.close()


def _client_ids(store: Store) -> list[str]:
    with store.read_session() as s:
        return list(s.execute(select(Client.id).order_by(Client.record_number)).scalars())


def test_demo_drafts_follow_plan_order_and_the_signed_notes_of_the_quarter(demo_store: Store) -> None:
    begin = dt.datetime(2026, 1, 1, tzinfo=CHICAGO)
    end = dt.datetime(2026, 4, 1, tzinfo=CHICAGO)
    checked_entries = 0
    for client_id in _client_ids(demo_store):
        with demo_store.session() as s:
            view = q.preview(s, client_id, "2026Q1", today=TODAY)
            plan = s.execute(select(ServicePlan).where(ServicePlan.client_id == client_id)).scalar_one()
            plan_order = list(
                s.execute(select(Goal.id).where(Goal.plan_id == plan.id).order_by(Goal.position)).scalars()
            )
            signed = s.execute(
                select(func.count(), func.coalesce(func.sum(ProgressNote.billable_units), 0)).where(
                    ProgressNote.client_id == client_id,
                    ProgressNote.status == "signed",
                    ProgressNote.contact_start >= begin,
                    ProgressNote.contact_start < end,
                )
            ).one()
            assert view.plan_id == plan.id
            assert [g.goal_id for g in view.evidence.goals] == plan_order
            assert (view.evidence.contacts, view.evidence.units) == (signed[0], signed[1])
            for goal in view.evidence.goals:
                for entry in goal.entries:
                    note = s.get(ProgressNote, entry.note_id)
                    assert note is not None and note.status == "signed"
                    assert dt.date(2026, 1, 1) <= note.contact_start.astimezone(CHICAGO).date() <= dt.date(2026, 3, 31)
                    link = s.execute(
                        select(NoteGoal).where(NoteGoal.note_id == note.id, NoteGoal.goal_id == goal.goal_id)
                    ).scalar_one()
                    assert link.rating == entry.rating
                    checked_entries += 1
            assert view.narratives.keys() == {g.goal_id for g in view.evidence.goals}
            assert view.summary
    assert checked_entries > 30


def test_demo_current_quarter_draft_is_stored_printed_and_then_signed(demo_store: Store) -> None:
    client_id = _client_ids(demo_store)[0]
    with demo_store.session() as s:
        assert q.find_report(s, client_id, "2026Q2") is None
        document = printing.client_quarter_pdf(s, client_id, "2026Q2", action="export", today=TODAY)
        report_id = q.find_report(s, client_id, "2026Q2")
        name = s.get(Client, client_id).full_name  # type: ignore[union-attr]
    assert report_id is not None and document.record_id == report_id and document.draft
    reader = PdfReader(io.BytesIO(document.pdf))
    text = flat("\n".join(p.extract_text() or "" for p in reader.pages))
    assert name in text and "Zoë" in name
    assert "Missing evidence" in text and "The quarter ends on Jun 30, 2026" in text
    assert page_labels(reader) == [(i + 1, len(reader.pages)) for i in range(len(reader.pages))]
    assert all(large_text(reader, i) == ["DRAFT"] for i in range(len(reader.pages)))

    with demo_store.session() as s:
        digest = q.sign_report(s, report_id, accept_warnings=True, today=dt.date(2026, 7, 10))
        signed = printing.quarterly_report_pdf(s, report_id, action="print")
    reader = PdfReader(io.BytesIO(signed.pdf))
    assert not signed.draft
    assert all(large_text(reader, i) == [] for i in range(len(reader.pages)))
    assert digest in flat(reader.pages[0].extract_text() or "")


def test_demo_signed_report_prints_as_signed_with_its_recorded_hash(demo_store: Store) -> None:
    with demo_store.session() as s:
        report = s.execute(
            select(QuarterlyReport).where(QuarterlyReport.quarter_label == "2026Q1").limit(1)
        ).scalar_one()
        view = q.get_report(s, report.id, audit_view=False)
        assert view.status == "signed" and view.hash_recorded
        assert view.content_hash == report.content_hash == q.computed_hash(report)
        assert q.verify_report_hash(s, report.id)
        assert view.evidence.quarter_over and view.warnings == ()
        document = printing.quarterly_report_pdf(s, report.id)
    assert not document.draft
    assert str(view.content_hash) in flat(PdfReader(io.BytesIO(document.pdf)).pages[0].extract_text() or "")

"""The demo caseload is internally consistent: every signed note and report verifies against its hash."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from casedesk import demo
from casedesk.db.models import ProgressNote, QuarterlyReport
from casedesk.db.store import Store
from casedesk.services import notes, quarterly


def test_demo_signatures_verify(tmp_path: Path) -> None:
    store, _ = Store.create(tmp_path / "p", "correct horse battery")
    try:
        with store.session() as s:
            summary = demo.generate(s, clients=4, seed=11)
        with store.session() as s:
            note_ids = s.execute(select(ProgressNote.id).where(ProgressNote.status == "signed")).scalars().all()
            report_ids = s.execute(select(QuarterlyReport.id)).scalars().all()
            assert note_ids and report_ids and summary.clients == 4
            assert all(notes.verify_note_hash(s, nid) for nid in note_ids)
            assert all(quarterly.verify_report_hash(s, rid) for rid in report_ids)
    finally:
        store.close()

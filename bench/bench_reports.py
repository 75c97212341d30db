"""Benchmarks of the PDF generator, each against its budget; floors are measured in the same run.

(a) One client's quarterly report (4 goals, 40 notes in the quarter), rendered from ready-made values,
    against a bare one-page reportlab document: budget < 150 ms and at most 10 times the floor.
(b) A batch of 165 quarterly reports, rendered from ready-made values, in one PDF: budget < 20 s.
(c) End to end: the quarterly report of a demo client with a year of notes, drafted from the
    encrypted database (plan goals, the quarter's signed notes and ratings, pre-written text) and
    printed through the printing service (audit event included), against the same floor: the same
    budget as (a), < 150 ms and at most 10 times the floor.
(d) End to end: every quarterly report of a quarter from a 165-client encrypted demo profile in one
    PDF (stored reports as signed, the others drafted in memory): budget < 20 s.

The floor: a bare one-page reportlab document that embeds the same TrueType font the reports use (a
one-paragraph page in DejaVu Sans, including "Zoë Nguyễn"). A standard-font floor cannot print the
names CaseDesk must print, so it would measure a document the product may never make (against a
Helvetica page, which costs about a quarter as much because nothing is embedded, the ratio is roughly
four times higher). The floor is kept for the end-to-end row too: database reads and drafting are part
of what the worker waits for, so they count against the same bare page.

Run: ``python -m bench.bench_reports`` from the repository root (prints one line per result).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate
from sqlalchemy import select

from casedesk import demo
from casedesk.db.models import Client, QuarterlyReport, Setting
from casedesk.db.store import Store
from casedesk.reports import fonts, render_quarterly_batch, render_quarterly_report
from casedesk.reports.samples import sample_quarterly_report
from casedesk.services import printing

SINGLE_BUDGET_MS = 150.0
SINGLE_MAX_RATIO = 10.0
BATCH_SIZE = 165
BATCH_BUDGET_S = 20.0
DEMO_CLIENTS = 165
DEMO_TODAY = dt.date(2026, 7, 10)  # the demo's year of notes ends here; 2026Q2 is the last full quarter
DEMO_QUARTER = "2026Q2"


def _floor_document(font_name: str) -> Callable[[], None]:
    style = ParagraphStyle("floor", fontName=font_name, fontSize=10)
    text = "Quarterly report for Zoë Nguyễn: a bare one-page document."

    def build() -> None:
        SimpleDocTemplate(io.BytesIO()).build([Paragraph(text, style)])

    return build


def _seconds(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_single_report(runs: int = 21) -> dict[str, Any]:
    fonts.register_fonts()
    doc = sample_quarterly_report(goals=4, notes=40)
    floor = _floor_document(fonts.REGULAR)

    def report() -> None:
        render_quarterly_report(doc, io.BytesIO())

    for action in (floor, report):  # warm-up: imports, font parsing, style caches
        action()
    floor_times, report_times = [], []
    for _ in range(runs):  # interleaved, so load on the machine hits both alike
        floor_times.append(_seconds(floor))
        report_times.append(_seconds(report))
    value = statistics.median(report_times) * 1000
    floor_ms = statistics.median(floor_times) * 1000
    ratio = value / floor_ms
    return {
        "name": "quarterly report PDF, 1 client, 4 goals, 40 notes (floor: 1-page doc, same font)",
        "value": round(value, 2),
        "unit": "ms",
        "floor": round(floor_ms, 2),
        "ratio": round(ratio, 2),
        "budget": f"< {SINGLE_BUDGET_MS:g} ms and ratio <= {SINGLE_MAX_RATIO:g}",
        "pass": value < SINGLE_BUDGET_MS and ratio <= SINGLE_MAX_RATIO,
    }


def bench_batch(runs: int = 3, size: int = BATCH_SIZE) -> dict[str, Any]:
    fonts.register_fonts()
    docs = [sample_quarterly_report(seed=seed, goals=4, notes=40, signed=seed % 3 == 0) for seed in range(size)]

    def batch() -> None:
        render_quarterly_batch(docs, io.BytesIO())

    times = [_seconds(batch) for _ in range(runs)]
    value = statistics.median(times)
    return {
        "name": f"batch of {size} quarterly reports in one PDF",
        "value": round(value, 2),
        "unit": "s",
        "floor": None,
        "ratio": None,
        "budget": f"< {BATCH_BUDGET_S:g} s",
        "pass": value < BATCH_BUDGET_S,
    }


@contextmanager
def demo_profile(clients: int = DEMO_CLIENTS) -> Iterator[Store]:
    """A throw-away encrypted demo profile with a year of notes per client."""
    folder = Path(tempfile.mkdtemp(prefix="casedesk-bench-"))
    try:
        store, _recovery = Store.create(
            folder / "profile",
            "bench passphrase",
            agency_name="Riverbend Community Services",
            worker_name="Alex Morgan",
            enforce_policy=False,
        )
        try:
            with store.session() as s:
                s.add(Setting(key="local.timezone", value="America/Chicago"))
                demo.generate(s, clients=clients, seed=2026, today=DEMO_TODAY)
            yield store
        finally:
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_end_to_end(store: Store, runs: int = 21) -> dict[str, Any]:
    """Draft one client's report from the encrypted database and print it (not stored; audited)."""
    fonts.register_fonts()
    with store.read_session() as s:
        reported = set(
            s.execute(select(QuarterlyReport.client_id).where(QuarterlyReport.quarter_label == DEMO_QUARTER)).scalars()
        )
        client_id = next(
            c for c in s.execute(select(Client.id).order_by(Client.record_number)).scalars() if c not in reported
        )
    floor = _floor_document(fonts.REGULAR)

    def report() -> None:
        with store.session() as s:
            printing.client_quarter_pdf(s, client_id, DEMO_QUARTER, action="print", store_draft=False, today=DEMO_TODAY)

    for action in (floor, report):
        action()
    floor_times, report_times = [], []
    for _ in range(runs):
        floor_times.append(_seconds(floor))
        report_times.append(_seconds(report))
    value = statistics.median(report_times) * 1000
    floor_ms = statistics.median(floor_times) * 1000
    ratio = value / floor_ms
    return {
        "name": "quarterly report of a client with a year of notes, drafted from the encrypted DB + PDF "
        "(floor: 1-page doc, same font)",
        "value": round(value, 2),
        "unit": "ms",
        "floor": round(floor_ms, 2),
        "ratio": round(ratio, 2),
        "budget": f"< {SINGLE_BUDGET_MS:g} ms and ratio <= {SINGLE_MAX_RATIO:g}",
        "pass": value < SINGLE_BUDGET_MS and ratio <= SINGLE_MAX_RATIO,
    }


def bench_demo_batch(store: Store, runs: int = 2) -> dict[str, Any]:
    """Every client's report for the quarter from the demo profile into one PDF (the slower run counts)."""
    fonts.register_fonts()
    counts: list[printing.BatchContents] = []

    def batch() -> None:
        with store.session() as s:
            _document, contents = printing.quarterly_batch_pdf(s, DEMO_QUARTER, action="print", today=DEMO_TODAY)
            counts.append(contents)

    value = max(_seconds(batch) for _ in range(runs))
    contents = counts[-1]
    return {
        "name": f"batch of {contents.reports} quarterly reports from a {DEMO_CLIENTS}-client encrypted demo profile "
        f"into one PDF ({contents.drafted} drafted in memory)",
        "value": round(value, 2),
        "unit": "s",
        "floor": None,
        "ratio": None,
        "budget": f"< {BATCH_BUDGET_S:g} s",
        "pass": value < BATCH_BUDGET_S and contents.reports == DEMO_CLIENTS,
    }


def run() -> list[dict[str, Any]]:
    results = [bench_single_report(), bench_batch()]
    with demo_profile() as store:
        results += [bench_end_to_end(store), bench_demo_batch(store)]
    return results


if __name__ == "__main__":
    for result in run():
        verdict = "PASS" if result["pass"] else "FAIL"
        ratio = f", ratio {result['ratio']}x of floor {result['floor']} {result['unit']}" if result["ratio"] else ""
        measured = f"{result['value']} {result['unit']}{ratio}"
        print(f"{verdict}  {result['name']}: {measured}  (budget {result['budget']})")

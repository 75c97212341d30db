"""Benchmarks of the PDF generator, each against its budget; floors are measured in the same run.

(a) One client's quarterly report (4 goals, 40 notes in the quarter) against a bare one-page
    reportlab document: budget < 150 ms and at most 10 times the floor.
(b) A batch of 165 quarterly reports in one PDF: budget < 20 s.

The floor document embeds the same TrueType font the reports use (a one-paragraph page in DejaVu
Sans, including "Zoë Nguyễn"): a standard-font floor cannot print the names CaseDesk must print, so
it would measure a document the product may never make. (Against a Helvetica page, which costs about a
quarter as much because nothing is embedded, the ratio is roughly four times higher.)

Run: ``python -m bench.bench_reports`` from the repository root (prints one line per result).
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from casedesk.reports import fonts, render_quarterly_batch, render_quarterly_report
from casedesk.reports.samples import sample_quarterly_report

SINGLE_BUDGET_MS = 150.0
SINGLE_MAX_RATIO = 10.0
BATCH_SIZE = 165
BATCH_BUDGET_S = 20.0


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


def run() -> list[dict[str, Any]]:
    return [bench_single_report(), bench_batch()]


if __name__ == "__main__":
    for result in run():
        verdict = "PASS" if result["pass"] else "FAIL"
        ratio = f", ratio {result['ratio']}x of floor {result['floor']} {result['unit']}" if result["ratio"] else ""
        measured = f"{result['value']} {result['unit']}{ratio}"
        print(f"{verdict}  {result['name']}: {measured}  (budget {result['budget']})")

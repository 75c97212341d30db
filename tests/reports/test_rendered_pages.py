"""Render PDFs to images with pdftoppm (poppler-utils) and check what a reader would see."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from casedesk.reports import render_due_list, render_form, render_progress_note, render_quarterly_report
from casedesk.reports.samples import (
    sample_agency,
    sample_client,
    sample_due_list,
    sample_form_layout,
    sample_progress_note,
    sample_quarterly_report,
)

# The DRAFT mark's red at 13 % opacity over white paper is about (247, 229, 227): light and pinkish.


def to_png(pdf: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (the CI script does)")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    return sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))


def tinted_share(image_path: Path) -> float:
    """Share of the page's middle band tinted like the DRAFT mark."""
    image = Image.open(image_path).convert("RGB")
    width, height = image.size
    band = image.crop((0, int(height * 0.3), width, int(height * 0.7)))
    data = band.tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    tinted = sum(1 for r, g, b in pixels if r > 235 and 10 <= r - g <= 35 and 10 <= r - b <= 35)
    return tinted / len(pixels)


def body_ink(image_path: Path) -> float:
    """Share of dark pixels between the page header and footer (the DRAFT tint is too light to count)."""
    image = Image.open(image_path).convert("L")
    width, height = image.size
    histogram = image.crop((0, int(height * 0.14), width, int(height * 0.90))).histogram()
    return sum(histogram[:160]) / sum(histogram)


def test_each_kind_renders_to_pages_with_visible_content(tmp_path: Path) -> None:
    agency = sample_agency()
    jobs = {
        "note.pdf": lambda p: render_progress_note(sample_progress_note(signature_image=True), p),
        "quarterly.pdf": lambda p: render_quarterly_report(sample_quarterly_report(), p, page_size="a4"),
        "form-blank.pdf": lambda p: render_form(sample_form_layout(filled=False), p, agency=agency),
        "form-filled.pdf": lambda p: render_form(
            sample_form_layout(filled=True), p, agency=agency, client=sample_client()
        ),
        "due.pdf": lambda p: render_due_list(sample_due_list(), p),
    }
    for name, job in jobs.items():
        pdf = tmp_path / name
        job(pdf)
        pages = to_png(pdf)
        assert pages, f"{name} rendered no pages"
        for page in pages:
            assert body_ink(page) > 0.002, f"{page.name} has nothing printed between header and footer"


def test_draft_mark_is_visible_on_drafts_and_absent_from_signed_documents(tmp_path: Path) -> None:
    draft, signed = tmp_path / "draft.pdf", tmp_path / "signed.pdf"
    render_progress_note(sample_progress_note(paragraphs=10), draft)
    render_progress_note(sample_progress_note(paragraphs=10, signed=True), signed)
    draft_pages, signed_pages = to_png(draft), to_png(signed)
    assert len(draft_pages) >= 2 and len(draft_pages) == len(signed_pages)
    for page in draft_pages:
        assert tinted_share(page) > 0.02, f"{page.name}: no visible DRAFT mark"
    for page in signed_pages:
        assert tinted_share(page) < 0.001, f"{page.name}: a signed page looks marked"

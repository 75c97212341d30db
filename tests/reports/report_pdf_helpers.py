"""Reading CaseDesk PDFs back for the report tests (pypdf): text, page labels, fonts, images, marks."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

PAGE_LABEL = re.compile(r"Page (\d+) of (\d+)")
STANDARD_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


def render(render_fn: Callable[..., None], *args: Any, **kwargs: Any) -> PdfReader:
    """Run a render_* function into memory and open the result."""
    buffer = io.BytesIO()
    render_fn(*args, buffer, **kwargs)
    return PdfReader(io.BytesIO(buffer.getvalue()))


def open_pdf(path: Path) -> PdfReader:
    return PdfReader(str(path))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def all_text(reader: PdfReader) -> str:
    return "\n".join(page_texts(reader))


def flat(text: str) -> str:
    """Text with all whitespace runs collapsed to one space (line breaks differ between extractors)."""
    return " ".join(text.split())


def page_labels(reader: PdfReader) -> list[tuple[int, int]]:
    """The "Page X of Y" of each page, in page order (exactly one per page)."""
    labels = []
    for number, text in enumerate(page_texts(reader), start=1):
        found = PAGE_LABEL.findall(text)
        assert len(found) == 1, f"page {number} has {len(found)} page labels: {found}"
        labels.append((int(found[0][0]), int(found[0][1])))
    return labels


def _resource_dicts(resources: DictionaryObject | None) -> Iterator[DictionaryObject]:
    """A page's resource dictionary and those of the form XObjects it uses (recursively)."""
    if resources is None:
        return
    resources = resources.get_object()
    yield resources
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for ref in xobjects.get_object().values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _resource_dicts(xobject.get("/Resources"))


def fonts_used(reader: PdfReader) -> dict[str, DictionaryObject]:
    fonts: dict[str, DictionaryObject] = {}
    for page in reader.pages:
        for resources in _resource_dicts(page.get("/Resources")):
            font_dict = resources.get("/Font")
            if font_dict is None:
                continue
            for ref in font_dict.get_object().values():
                font = ref.get_object()
                fonts[str(font["/BaseFont"])] = font
    return fonts


def image_xobjects(reader: PdfReader, page_index: int | None = None) -> list[DictionaryObject]:
    pages = reader.pages if page_index is None else [reader.pages[page_index]]
    images = []
    for page in pages:
        for resources in _resource_dicts(page.get("/Resources")):
            xobjects = resources.get("/XObject")
            if xobjects is None:
                continue
            for ref in xobjects.get_object().values():
                xobject = ref.get_object()
                if xobject.get("/Subtype") == "/Image":
                    images.append(xobject)
    return images


def large_text(reader: PdfReader, page_index: int, min_size: float = 100.0) -> list[str]:
    """Text drawn on a page at a font size of at least ``min_size`` points (the DRAFT mark)."""
    found: list[str] = []

    def visit(text: str, _cm: Any, _tm: Any, _font: Any, font_size: float) -> None:
        if text.strip() and font_size >= min_size:
            found.append(text.strip())

    reader.pages[page_index].extract_text(visitor_text=visit)
    return found


def transparency_levels(reader: PdfReader, page_index: int) -> list[float]:
    """Fill opacities (/ca) of the graphics states a page uses."""
    levels = []
    for resources in _resource_dicts(reader.pages[page_index].get("/Resources")):
        states = resources.get("/ExtGState")
        if states is None:
            continue
        for ref in states.get_object().values():
            state = ref.get_object()
            if "/ca" in state:
                levels.append(float(state["/ca"]))
    return levels


def tiny_png(width: int = 40, height: int = 16, rgb: tuple[int, int, int] = (0, 0, 160)) -> bytes:
    """A small opaque PNG built by hand (zlib), so tests need no image library."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

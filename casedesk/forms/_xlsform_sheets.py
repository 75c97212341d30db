"""Reading an XLSForm workbook safely: size guards, sheets as rows of normalised cells.

Cells become text ("1.0" -> "1", booleans -> "true"/"false"); column headers are normalised to the
names the converter expects (``list name`` -> ``list_name``, ``bind:relevant`` -> ``relevant``,
``label::English (en)`` -> ``label`` + language ``English (en)``).
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from casedesk.forms.schema import FormDefinitionError

MAX_FILE_BYTES = 20_000_000
MAX_UNPACKED_BYTES = 150_000_000
MAX_SURVEY_ROWS = 5000
MAX_CHOICE_ROWS = 20_000
MAX_SETTINGS_ROWS = 50
MAX_BLANK_RUN = 2000
MAX_COLUMNS = 200

_ALIASES = {
    "list_name": "list_name",
    "listname": "list_name",
    "calculate": "calculation",
    "readonly": "read_only",
    "jr:constraintmsg": "constraint_message",
    "constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "requiredmsg": "required_message",
    "jr:count": "repeat_count",
    "count": "repeat_count",
    "big-image": "image",
}


@dataclass(frozen=True)
class Column:
    header: str  # as written in the sheet
    base: str  # normalised name: type, name, label, hint, relevant, ...
    language: str | None  # "English (en)" for label::English (en)


@dataclass
class Row:
    number: int  # spreadsheet row number (1 = header)
    cells: dict[Column, str] = field(default_factory=dict)

    def get(self, base: str, language: str | None = None) -> str:
        for column, value in self.cells.items():
            if column.base == base and column.language == language:
                return value
        return ""

    def by_language(self, base: str) -> dict[str | None, str]:
        return {c.language: v for c, v in self.cells.items() if c.base == base and v}


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[Row]
    stopped_at: int | None = None  # reading stopped after a long run of empty rows


def normalise_header(header: str) -> Column:
    text = header.strip()
    lowered = text.lower()
    for prefix in ("bind::", "bind:"):
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            lowered = lowered[len(prefix) :]
    language: str | None = None
    base = text
    if "::" in text:
        base, _, language = text.partition("::")
        language = language.strip() or None
    base = base.strip().lower().replace(" ", "_")
    if base == "media" and language and "::" in language:
        language = language.split("::", 1)[1].strip() or None
    base = _ALIASES.get(base, base)
    if base == "media":
        base = "image"
    return Column(header=header.strip(), base=base, language=language)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def read_workbook_bytes(source: bytes) -> dict[str, Sheet]:
    """Sheets of an .xlsx (lower-cased names). Raises FormDefinitionError for anything unreadable."""
    if len(source) > MAX_FILE_BYTES:
        raise FormDefinitionError([("", f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB")])
    if source[:4] == b"\xd0\xcf\x11\xe0":
        raise FormDefinitionError([("", "this is an old Excel .xls file; open it in Excel and save it as .xlsx")])
    if not zipfile.is_zipfile(io.BytesIO(source)):
        raise FormDefinitionError([("", "not an Excel .xlsx workbook")])
    try:
        with zipfile.ZipFile(io.BytesIO(source)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise FormDefinitionError([("", f"not an Excel .xlsx workbook ({err})")]) from None
    if "xl/workbook.xml" not in names:
        raise FormDefinitionError([("", "not an Excel .xlsx workbook (no workbook inside the zip file)")])
    if unpacked > MAX_UNPACKED_BYTES:
        raise FormDefinitionError([("", "the workbook unpacks to more than 150 MB; it is too large for a form")])
    try:
        import openpyxl

        with warnings.catch_warnings():
            # openpyxl warns about styles and document properties it does not understand; irrelevant here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(source), read_only=True, data_only=True)
            try:
                return {
                    worksheet.title.strip().lower(): _read_sheet(worksheet, _row_limit(worksheet.title))
                    for worksheet in workbook.worksheets
                    if worksheet.title.strip().lower() in ("survey", "choices", "settings")
                }
            finally:
                workbook.close()
    except FormDefinitionError:
        raise
    except Exception as err:  # openpyxl raises many kinds (KeyError, XML errors, ...) for damaged files
        raise FormDefinitionError([("", f"the workbook could not be read ({type(err).__name__}: {err})")]) from None


def _row_limit(title: str) -> int:
    lowered = title.strip().lower()
    if lowered == "survey":
        return MAX_SURVEY_ROWS
    if lowered == "settings":
        return MAX_SETTINGS_ROWS
    return MAX_CHOICE_ROWS


def _read_sheet(worksheet: Any, limit: int) -> Sheet:
    name = worksheet.title.strip().lower()
    rows_iter: Iterator[tuple[Any, ...]] = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    columns: list[Column | None] = []
    rows: list[Row] = []
    blank_run = 0
    stopped_at: int | None = None
    header_seen = False
    for number, values in enumerate(rows_iter, start=1):
        texts = [cell_text(value) for value in values]
        if not header_seen:
            if not any(texts):
                blank_run += 1
                if blank_run > MAX_BLANK_RUN:
                    break
                continue
            header_seen = True
            columns = [normalise_header(text) if text else None for text in texts]
            blank_run = 0
            continue
        if not any(texts):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                stopped_at = number
                break
            continue
        blank_run = 0
        if len(rows) >= limit:
            raise FormDefinitionError(
                [(f"{name} row {number}", f"the {name} sheet has more than {limit} rows; that is too large")]
            )
        row = Row(number)
        for column, text in zip(columns, texts, strict=False):
            if column is not None and text:
                row.cells[column] = text
        rows.append(row)
    return Sheet(name, [c for c in columns if c is not None], rows, stopped_at)

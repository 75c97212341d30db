"""Import clients from a CSV file (first-run assistant and `casedesk import-clients`).

Two steps, so a person can check the mapping before anything is stored:
1. `preview_csv(data)` reads the file, guesses which column holds which client field, and returns the
   header, the guessed mapping and the first rows;
2. `import_clients(session, data, mapping)` validates every row and stores all of them, or none: any
   row error aborts the whole import and is reported with its row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from casedesk.errors import ValidationError
from casedesk.services import audit, clients

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000

# Client fields a CSV column can map to, with header spellings we recognise.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("first name", "first", "given name", "firstname", "nombre"),
    "last_name": ("last name", "last", "surname", "family name", "lastname", "apellido", "apellidos"),
    "preferred_name": ("preferred name", "nickname", "goes by"),
    "dob": ("dob", "date of birth", "birth date", "birthdate", "fecha de nacimiento"),
    "record_number": ("record number", "record", "mrn", "case number", "client id", "record #"),
    "medicaid_id": ("medicaid id", "medicaid", "member id", "medicaid number"),
    "address_line1": ("address", "street", "address line 1", "address1"),
    "address_line2": ("address line 2", "address2", "apt", "unit"),
    "city": ("city", "town"),
    "region": ("state", "region", "province"),
    "postal_code": ("zip", "zip code", "postal code", "postcode"),
    "phone": ("phone", "telephone", "phone number", "mobile"),
    "email": ("email", "e-mail"),
    "language": ("language", "primary language"),
    "program": ("program", "programme", "service"),
    "status": ("status",),
    "intake_date": ("intake date", "admission date", "start date"),
}
DATE_FIELDS = frozenset({"dob", "intake_date"})
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d.%m.%Y", "%m-%d-%Y")


@dataclass(frozen=True)
class CsvPreview:
    header: tuple[str, ...]
    mapping: dict[str, str]  # csv column -> client field ("" = ignore)
    rows: tuple[tuple[str, ...], ...]
    total_rows: int


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row number as a spreadsheet shows it (header is row 1)
    message: str


@dataclass
class ImportOutcome:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it and import the parts."
        )
    if b"\x00" not in data:  # text files never hold NUL bytes; spreadsheets and binaries do
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ValidationError("The file is not text (CSV); export it from the spreadsheet as CSV UTF-8.")


def _read(data: bytes) -> list[list[str]]:
    text_data = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text_data[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(io.StringIO(text_data), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ValidationError(f"The file is not valid CSV: {exc}.") from None
    if not rows:
        raise ValidationError("The file is empty.")
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(f"The file has more than {MAX_ROWS} rows; split it and import the parts.")
    return rows


def guess_mapping(header: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in header:
        key = " ".join(column.strip().lower().replace("_", " ").split())
        target = ""
        for field_name, aliases in FIELD_ALIASES.items():
            if field_name not in taken and (key == field_name.replace("_", " ") or key in aliases):
                target = field_name
                break
        if target:
            taken.add(target)
        mapping[column] = target
    return mapping


def preview_csv(data: bytes, rows: int = 10) -> CsvPreview:
    table = _read(data)
    header = [h.strip() for h in table[0]]
    if len(set(header)) != len(header):
        raise ValidationError("Two columns have the same heading; rename one and try again.")
    return CsvPreview(
        tuple(header), guess_mapping(header), tuple(tuple(r) for r in table[1 : rows + 1]), len(table) - 1
    )


def _parse_date(value: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)")


def import_clients(session: Session, data: bytes, mapping: Mapping[str, str]) -> ImportOutcome:
    """Store every row as a client, or none of them (raises ValidationError listing row errors)."""
    unknown = {target for target in mapping.values() if target} - set(FIELD_ALIASES)
    if unknown:
        raise ValidationError(f"Unknown client field(s) in the mapping: {', '.join(sorted(unknown))}.")
    targets = [t for t in mapping.values() if t]
    if "first_name" not in targets or "last_name" not in targets:
        raise ValidationError("Map a column to first name and one to last name before importing.")
    if len(targets) != len(set(targets)):
        raise ValidationError("Two columns are mapped to the same client field.")
    table = _read(data)
    header = [h.strip() for h in table[0]]
    index = {column: header.index(column) for column in mapping if column in header and mapping[column]}
    outcome = ImportOutcome()
    prepared: list[tuple[int, dict[str, object]]] = []
    for row_number, row in enumerate(table[1:], start=2):
        values: dict[str, object] = {}
        problems = []
        for column, position in index.items():
            target = mapping[column]
            cell = row[position].strip() if position < len(row) else ""
            if not cell:
                continue
            if target in DATE_FIELDS:
                try:
                    values[target] = _parse_date(cell)
                except ValueError as exc:
                    problems.append(str(exc))
            elif target == "status":
                status = cell.lower()
                if status not in clients.CLIENT_STATUSES:
                    problems.append(f"status '{cell}' is not one of {', '.join(clients.CLIENT_STATUSES)}")
                values[target] = status
            else:
                values[target] = cell
        if not values.get("first_name") or not values.get("last_name"):
            problems.append("first and last name are required")
        if problems:
            outcome.errors.append(RowError(row_number, "; ".join(problems)))
        else:
            prepared.append((row_number, values))
    if outcome.errors:
        shown = "; ".join(f"row {e.row}: {e.message}" for e in outcome.errors[:10])
        more = f" (and {len(outcome.errors) - 10} more)" if len(outcome.errors) > 10 else ""
        raise ValidationError(f"Nothing was imported. Fix these rows and try again: {shown}{more}.")
    with session.begin_nested():
        for _row_number, values in prepared:
            clients.create_client(session, **values)
    outcome.imported = len(prepared)
    audit.record(session, "import", "client", None, {"rows": outcome.imported, "source": "csv"})
    return outcome

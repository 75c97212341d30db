"""The caseload list: its rows and entries, and the one query that reads them.

Free of SQLAlchemy on purpose: `services.clients.caseload` runs `read_caseload` on a session's
connection, and the start with a remembered passphrase runs it on a plain SQLCipher connection to paint
the main window before the ORM has loaded (gui/startup.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from casedesk.db.cipher import scan_page_cache
from casedesk.db.utc_text import utc_text
from casedesk.gcpause import collection_paused


@dataclass(slots=True)
class CaseloadRow:
    """One line of the caseload list: everything the table shows, nothing more. Read-only by convention
    (not frozen: a frozen dataclass takes six times as long to build, and 10k are built per load)."""

    id: str
    display_name: str
    sort_name: str
    record_number: str | None
    dob: dt.date | None
    age: int | None
    program: str | None
    status: str
    assigned_worker_id: str | None
    risk_flags: tuple[str, ...]
    last_contact: dt.datetime | None
    next_visit: dt.datetime | None
    agencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DueItem:
    client_id: str
    kind: str  # note / plan_review / quarterly_report
    label: str
    due: dt.date
    record_id: str | None = None
    overdue: bool = False  # as the deadline engine judged it

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Overdue by the deadline engine's rules (`today` is accepted for callers that pass it)."""
        return self.overdue


@dataclass(frozen=True, slots=True)
class CaseloadEntry:
    """One caseload line: the client row plus the soonest due item and how many are overdue."""

    row: CaseloadRow
    next_due: DueItem | None
    overdue: int


_CASELOAD_SQL = """
SELECT c.id, c.first_name, c.last_name, c.preferred_name, c.record_number, c.dob, c.program, c.status,
       c.assigned_worker_id, c.risk_flags,
       l.last_contact_at,
       (SELECT min(a.starts_at) FROM appointment a
         WHERE a.client_id = c.id AND a.deleted_at IS NULL AND a.status = 'planned' AND a.starts_at >= :now)
  FROM client c LEFT JOIN client_last_contact l ON l.client_id = c.id
 WHERE c.deleted_at IS NULL
"""


def read_caseload(connection: Any, today: dt.date, now: dt.datetime) -> list[CaseloadRow]:
    """All live clients with last contact, next visit and agencies, read on a plain sqlcipher3 connection.

    This is the hot path behind the caseload pane (opening a 10k-client profile and listing it has a
    300 ms budget), so it reads plain rows and converts them itself: the last contact comes from the
    trigger-kept client_last_contact table, the next visit from one seek per client on a partial index.
    """
    # The plain DB-API cursor: fetchall() in C, without per-row result processing.
    cursor = connection.cursor()
    rows: list[CaseloadRow] = []
    # Tens of thousands of new objects, none of them in a reference cycle: no collector passes. The list
    # reads every client once; the pages it reads would only push useful ones out of the page cache.
    with collection_paused(), scan_page_cache(connection):
        provider_names: dict[str, str] = dict(cursor.execute("SELECT id, name FROM provider_agency").fetchall())
        agencies: dict[str, list[str]] = {}
        for client_id, provider_id in cursor.execute(
            "SELECT client_id, provider_agency_id FROM client_agency WHERE deleted_at IS NULL"
        ).fetchall():
            agencies.setdefault(client_id, []).append(provider_names.get(provider_id, ""))
        agency_names = {cid: tuple(sorted(names)) for cid, names in agencies.items()}
        # Rows are converted as the cursor steps (no list of 10k raw rows alongside the result).
        _build_rows(cursor.execute(_CASELOAD_SQL, {"now": utc_text(now)}), rows.append, agency_names, today)
    rows.sort(key=lambda r: r.sort_name)
    return rows


def _build_rows(
    fetched: Iterable[tuple[Any, ...]],
    append: Callable[[CaseloadRow], None],
    agency_names: dict[str, tuple[str, ...]],
    today: dt.date,
) -> None:
    parse_dt = dt.datetime.fromisoformat
    parse_date = dt.date.fromisoformat
    flag_sets: dict[str, tuple[str, ...]] = {}  # a caseload has few distinct flag lists: parse each once
    # Programs, statuses and workers repeat from row to row: keep one string of each, not one per row.
    intern = sys.intern
    this_year, birthday_passed = today.year, (today.month, today.day)
    for cid, first, last, preferred, record, dob, program, status, worker, flags, lc, nv in fetched:
        born: dt.date | None = None
        age: int | None = None
        if dob:
            born = parse_date(dob)
            age = this_year - born.year - (birthday_passed < (born.month, born.day))
        if flags and flags != "[]":
            risk = flag_sets.get(flags)
            if risk is None:
                risk = flag_sets[flags] = tuple(json.loads(flags))
        else:
            risk = ()
        append(
            CaseloadRow(
                cid,
                f"{preferred or first} {last}",
                f"{last}, {first}".casefold(),
                record,
                born,
                age,
                intern(program) if program else program,
                intern(status),
                intern(worker) if worker else worker,
                risk,
                parse_dt(lc) if lc else None,
                parse_dt(nv) if nv else None,
                agency_names.get(cid, ()),
            )
        )

"""clients, notes, search: read the caseload from a terminal or a script (--json)."""

from __future__ import annotations

import argparse

from casedesk.cli.common import local_time, open_store, print_json, print_table
from casedesk.services import clients as client_service
from casedesk.services import notes as note_service
from casedesk.services import search as search_service


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("clients", help="list the caseload")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_clients)

    p = sub.add_parser("notes", help="list a client's progress notes")
    p.add_argument("client_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_notes)

    p = sub.add_parser("import-clients", help="import clients from a CSV file (all rows or none)")
    p.add_argument("file", help="CSV file with a heading row")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a CSV column to a client field (repeatable); unmapped columns use the guessed mapping",
    )
    p.add_argument("--dry-run", action="store_true", help="show the mapping and first rows; store nothing")
    p.set_defaults(func=cmd_import_clients)

    p = sub.add_parser("search", help="full-text search over client names and note text")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)


def cmd_clients(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            rows = client_service.caseload(s)
    finally:
        store.close()
    if args.json:
        print_json(rows)
        return 0
    print_table(
        ["id", "name", "record", "age", "program", "status", "last contact", "next visit"],
        [
            (
                r.id,
                r.display_name,
                r.record_number,
                r.age,
                r.program,
                r.status,
                local_time(r.last_contact),
                local_time(r.next_visit),
            )
            for r in rows
        ],
    )
    print(f"\n{len(rows)} clients")
    return 0


def cmd_notes(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            rows = note_service.list_notes(s, args.client_id)
            from casedesk.services import audit

            audit.record(s, "view", "client", args.client_id, {"what": "notes list"})
    finally:
        store.close()
    if args.json:
        print_json(rows)
        return 0
    print_table(
        ["id", "contact", "min", "type", "template", "status", "excerpt"],
        [
            (
                n.id,
                local_time(n.contact_start),
                n.duration_minutes,
                n.contact_type,
                n.template,
                n.status,
                n.excerpt[:60],
            )
            for n in rows
        ],
    )
    print(f"\n{len(rows)} notes")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.read_session() as s:
            clients = search_service.search_clients(s, args.text, args.limit)
            notes = search_service.search_notes(s, args.text, args.limit)
    finally:
        store.close()
    if args.json:
        print_json({"clients": clients, "notes": notes})
        return 0
    if clients:
        print_table(["client id", "name", "record"], [(c.client_id, c.display_name, c.record_number) for c in clients])
        print()
    if notes:
        print_table(
            ["note id", "client", "contact", "status", "match"],
            [(n.note_id, n.client_name, local_time(n.contact_start), n.status, n.snippet) for n in notes],
        )
    if not clients and not notes:
        print("Nothing found.")
    return 0


def cmd_import_clients(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casedesk.errors import ValidationError
    from casedesk.services import client_import

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.") from None
    preview = client_import.preview_csv(data)
    mapping = dict(preview.mapping)
    for item in args.map:
        column, _, target = item.partition("=")
        if column not in mapping:
            raise ValidationError(f"The file has no column named {column!r}.")
        mapping[column] = target.strip()
    print("Column mapping:")
    for column, target in mapping.items():
        print(f"  {column!r:<28} -> {target or '(ignored)'}")
    if args.dry_run:
        print(f"\n{preview.total_rows} rows; nothing stored (dry run).")
        return 0
    store = open_store(args)
    try:
        with store.session() as s:
            outcome = client_import.import_clients(s, data, mapping)
    finally:
        store.close()
    print(f"\nImported {outcome.imported} clients.")
    return 0

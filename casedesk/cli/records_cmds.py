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

"""due, calendar export, calendar import: deadlines and appointments from a terminal or a script.

    casedesk due [--within DAYS] [--overdue] [--json]
    casedesk calendar export -o FILE.ics [--include-client-names] [--with-due-items]
    casedesk calendar import FILE.ics

Command and option names are a contract with agency IT.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from casedesk.cli.common import open_store, print_json, print_table
from casedesk.db.types import utcnow
from casedesk.errors import ValidationError
from casedesk.scheduling.ics import ImportIssue
from casedesk.services import audit, calendar_ics
from casedesk.services import deadlines as deadline_service

DEFAULT_WITHIN_DAYS = 30
PARTLY_IMPORTED = 2  # exit code of `calendar import` when some events were reported and left out
STATUS_WORDS = {"overdue": "OVERDUE", "due_soon": "due soon", "upcoming": "upcoming", "done": "done"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("due", help="list what is due: overdue items and those due soon, by date")
    p.add_argument(
        "--within",
        type=int,
        metavar="DAYS",
        default=DEFAULT_WITHIN_DAYS,
        help=f"include open items due within DAYS days (default {DEFAULT_WITHIN_DAYS}); overdue ones always show",
    )
    p.add_argument("--overdue", action="store_true", help="only overdue items")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_due)

    cal = sub.add_parser("calendar", help="export or import appointments as an iCalendar (.ics) file")
    cal_sub = cal.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    p = cal_sub.add_parser("export", help="write every appointment to an .ics file")
    p.add_argument("-o", "--output", required=True, metavar="FILE.ics", help="file to write")
    p.add_argument(
        "--include-client-names",
        action="store_true",
        help="put client names, titles, locations and descriptions in the file (left out by default)",
    )
    p.add_argument("--with-due-items", action="store_true", help="add open deadlines as all-day events")
    p.set_defaults(func=cmd_calendar_export)
    p = cal_sub.add_parser(
        "import",
        help="add the events of an .ics file as appointments (exit code 2: some events were reported and left out)",
    )
    p.add_argument("file", metavar="FILE.ics")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_calendar_import)


def _when(entry: deadline_service.DueEntry, zone_name: str) -> str:
    due = entry.due
    if isinstance(due, dt.datetime):
        from zoneinfo import ZoneInfo

        return due.astimezone(ZoneInfo(zone_name)).strftime("%Y-%m-%d %H:%M")
    return due.isoformat()


def cmd_due(args: argparse.Namespace) -> int:
    if args.within < 0:
        raise ValidationError("--within must be 0 or more days.")
    store = open_store(args)
    try:
        with store.session() as s:
            rules = deadline_service.deadline_settings(s)
            now = utcnow()
            today = now.astimezone(rules.zone).date()
            entries = deadline_service.select_entries(
                deadline_service.due_entries(s, now=now, settings=rules),
                today=today,
                within_days=args.within,
                overdue_only=args.overdue,
            )
            audit.record(s, "view", None, None, {"what": "due list", "items": len(entries)})
    finally:
        store.close()
    if args.json:
        print_json([entry.as_dict() for entry in entries])
        return 0
    if not entries:
        print("Nothing overdue." if args.overdue else f"Nothing due in the next {args.within} days.")
        return 0
    print_table(
        ["due", "status", "client", "what"],
        [(_when(e, rules.timezone), STATUS_WORDS[e.status], e.client_name, e.title) for e in entries],
    )
    overdue = sum(1 for e in entries if e.is_overdue)
    print(f"\n{len(entries)} items, {overdue} overdue")
    return 0


def cmd_calendar_export(args: argparse.Namespace) -> int:
    path = Path(args.output).expanduser()
    store = open_store(args)
    try:
        with store.session() as s:
            summary = calendar_ics.export_ics_file(
                s, path, include_client_names=args.include_client_names, with_due_items=args.with_due_items
            )
    finally:
        store.close()
    parts = [f"{summary.appointments} appointments"]
    if args.with_due_items:
        parts.append(f"{summary.due_items} due items")
    print(f"Wrote {', '.join(parts)} to {path}.")
    if summary.client_names:
        print("The file holds client names and locations: keep it as safe as the case records.")
    else:
        print("Client names, titles and locations were left out (add --include-client-names to keep them).")
    return 0


def cmd_calendar_import(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    store = open_store(args)
    try:
        with store.session() as s:
            summary = calendar_ics.import_ics_file(s, path)
    finally:
        store.close()
    if args.json:
        print_json(
            {
                "added": summary.added,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "issues": [
                    {"uid": i.uid, "summary": i.summary, "reason": i.reason, "imported": i.imported}
                    for i in summary.issues
                ],
            }
        )
        return PARTLY_IMPORTED if summary.skipped else 0
    print(
        f"Imported {path.name}: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} already in the calendar."
    )
    skipped = summary.skipped
    partial = [issue for issue in summary.issues if issue.imported]
    if skipped:
        print(f"\n{len(skipped)} event(s) not imported:")
        _print_issues(skipped)
    if partial:
        print(f"\n{len(partial)} event(s) imported in part:")
        _print_issues(partial)
    return PARTLY_IMPORTED if skipped else 0


def _print_issues(issues: list[ImportIssue] | tuple[ImportIssue, ...], shown_per_reason: int = 5) -> None:
    """Every reason, with up to ``shown_per_reason`` of its events (``--json`` lists them all)."""
    by_reason: dict[str, list[ImportIssue]] = {}
    for issue in issues:
        by_reason.setdefault(issue.reason, []).append(issue)
    for reason, group in by_reason.items():
        if len(group) > shown_per_reason + 1:
            print(f"  {len(group)} events: {reason}; for example:")
            for issue in group[:shown_per_reason]:
                print(f"    - {issue.summary or '(no title)'} [{issue.uid or 'no UID'}]")
            print(f"    ... and {len(group) - shown_per_reason} more (use --json for the full list)")
            continue
        for issue in group:
            print(f"  - {issue.summary or '(no title)'} [{issue.uid or 'no UID'}]: {reason}")

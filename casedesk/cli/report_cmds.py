"""report (PDFs of notes, quarterly reports, forms, the due list) and quarterly (draft, sign, submit).

Command names and options are a contract with agency IT:

    casedesk report note NOTE_ID -o FILE.pdf
    casedesk report quarterly --client ID --quarter 2026Q3 -o FILE.pdf
    casedesk report form RESPONSE_ID -o FILE.pdf
    casedesk report blank-form KEY [--client ID] [--version N] -o FILE.pdf
    casedesk report due [--within DAYS] -o FILE.pdf
    casedesk report batch --quarter 2026Q3 -o FILE.pdf
    casedesk quarterly show|draft|sign|submit --client ID --quarter 2026Q3

The PDF is written atomically (owner-only) and only when everything succeeded; a failure leaves no
file, and an existing file of that name untouched. Each PDF written is an "export" in the audit log.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from casedesk.cli.common import open_store, print_json
from casedesk.errors import ValidationError
from casedesk.fileio import atomic_write_bytes
from casedesk.services import printing
from casedesk.services import quarterly as quarterly_service
from casedesk.services.printing import PrintedDocument


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="write a PDF: progress note, quarterly report, form, due list, batch")
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)

    p = kinds.add_parser("note", help="a progress note, with addenda and signatures")
    p.add_argument("note_id")
    _output(p)
    p.set_defaults(func=cmd_note)

    p = kinds.add_parser("quarterly", help="a client's quarterly report (drafted and stored if there is none yet)")
    p.add_argument("--client", required=True, help="client id")
    p.add_argument("--quarter", required=True, help="quarter label, like 2026Q3 (or PY2026Q1 for plan-year quarters)")
    _output(p)
    p.set_defaults(func=cmd_quarterly)

    p = kinds.add_parser("form", help="a filled form response")
    p.add_argument("response_id")
    _output(p)
    p.set_defaults(func=cmd_form)

    p = kinds.add_parser("blank-form", help="a form to fill in on paper")
    p.add_argument("key", help="form key, like intake_face_sheet")
    p.add_argument("--client", help="client id: print the client's details on the form")
    p.add_argument("--version", type=int, help="form version (default: the newest published one)")
    _output(p)
    p.set_defaults(func=cmd_blank_form)

    p = kinds.add_parser("due", help="the caseload's due and overdue list")
    p.add_argument("--within", type=int, metavar="DAYS", help="only what is overdue or due within DAYS days")
    _output(p)
    p.set_defaults(func=cmd_due)

    p = kinds.add_parser("batch", help="every client's quarterly report for a quarter, in one PDF")
    p.add_argument("--quarter", required=True, help="quarter label, like 2026Q3")
    _output(p)
    p.set_defaults(func=cmd_batch)

    quarterly = sub.add_parser("quarterly", help="draft, sign or submit a client's quarterly report")
    actions = quarterly.add_subparsers(dest="quarterly_action", metavar="ACTION", required=True)
    for name, helptext, func in (
        ("show", "show the report (or what a draft would say) and its missing evidence", cmd_quarterly_show),
        ("draft", "draft the report from the quarter's notes and store it", cmd_quarterly_draft),
        ("sign", "sign and lock the report", cmd_quarterly_sign),
        ("submit", "mark a signed report as submitted", cmd_quarterly_submit),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--client", required=True, help="client id")
        p.add_argument("--quarter", required=True, help="quarter label, like 2026Q3")
        if name == "show":
            p.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "sign":
            p.add_argument(
                "--accept-warnings", action="store_true", help="sign even though evidence is missing (listed first)"
            )
        p.set_defaults(func=func)


def _output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="where to write the PDF")


def output_path(value: str) -> Path:
    """The output file, checked before any work is done: its folder must exist and it must not be a folder."""
    path = Path(value).expanduser()
    if not value.strip():
        raise ValidationError("Give the PDF file to write with -o FILE.pdf.")
    if path.is_dir():
        raise ValidationError(f"{path} is a folder; give a file name like {path / 'report.pdf'}.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(f"The folder {folder} does not exist; the PDF was not written.")
    if not os.access(folder, os.W_OK):
        raise ValidationError(f"CaseDesk cannot write to {folder}; the PDF was not written.")
    return path


def _export(args: argparse.Namespace, make: Callable[[Session], PrintedDocument]) -> PrintedDocument:
    """Build the document in one unit of work (its audit event included) and write the file before
    committing, so a failed write leaves neither a file nor an audit event."""
    path = output_path(args.output)
    store = open_store(args)
    try:
        with store.session() as s:
            document = make(s)
            atomic_write_bytes(path, document.pdf)
    finally:
        store.close()
    return document


def _wrote(args: argparse.Namespace, document: PrintedDocument, what: str) -> None:
    state = " (DRAFT: not signed)" if document.draft and document.kind in ("progress_note", "quarterly_report") else ""
    print(f"Wrote {args.output}: {what}{state}.")


def cmd_note(args: argparse.Namespace) -> int:
    document = _export(args, lambda s: printing.note_pdf(s, args.note_id, action="export"))
    _wrote(args, document, "progress note")
    return 0


def cmd_quarterly(args: argparse.Namespace) -> int:
    document = _export(
        args, lambda s: printing.client_quarter_pdf(s, args.client, args.quarter, action="export", store_draft=True)
    )
    _wrote(args, document, f"quarterly report {args.quarter.strip().upper()}")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    document = _export(args, lambda s: printing.form_response_pdf(s, args.response_id, action="export"))
    _wrote(args, document, "form" + (" (DRAFT: not final)" if document.draft else ""))
    return 0


def cmd_blank_form(args: argparse.Namespace) -> int:
    document = _export(
        args,
        lambda s: printing.blank_form_pdf(s, args.key, version=args.version, client_id=args.client, action="export"),
    )
    _wrote(args, document, f"blank form {args.key}")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    if args.within is not None and args.within < 0:
        raise ValidationError("--within must be 0 days or more.")
    document = _export(args, lambda s: printing.due_list_pdf(s, within_days=args.within, action="export"))
    _wrote(args, document, "due list")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    contents: list[printing.BatchContents] = []

    def make(s: Session) -> PrintedDocument:
        document, summary = printing.quarterly_batch_pdf(s, args.quarter, action="export")
        contents.append(summary)
        return document

    _export(args, make)
    summary = contents[0]
    drafted = (
        f"; {summary.drafted} not stored yet were drafted for this PDF only and are marked DRAFT"
        if summary.drafted
        else ""
    )
    print(
        f"Wrote {args.output}: {summary.reports} quarterly reports for {args.quarter.strip().upper()} "
        f"({summary.stored} stored{drafted})."
    )
    return 0


# ---- quarterly -----------------------------------------------------------------------------------


def _report_id(s: Session, args: argparse.Namespace) -> str:
    quarter, _plan = quarterly_service.resolve_quarter(s, args.client, args.quarter)
    report_id = quarterly_service.find_report(s, args.client, quarter.label)
    if report_id is None:
        raise ValidationError(
            f"This client has no quarterly report for {quarter.label} yet; "
            f"draft it with `casedesk quarterly draft --client {args.client} --quarter {quarter.label}`."
        )
    return report_id


def _print_warnings(warnings: tuple[str, ...]) -> None:
    if warnings:
        print("Missing evidence:")
        for warning in warnings:
            print(f"  - {warning}")


def cmd_quarterly_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            quarter, _plan = quarterly_service.resolve_quarter(s, args.client, args.quarter)
            report_id = quarterly_service.find_report(s, args.client, quarter.label)
            if report_id is not None:
                view = quarterly_service.get_report(s, report_id)
            else:
                view = quarterly_service.preview(s, args.client, quarter.label)
    finally:
        store.close()
    if args.json:
        print_json(
            {
                "report_id": view.report_id,
                "quarter": view.quarter_label,
                "period_start": view.period_start,
                "period_end": view.period_end,
                "due_date": view.due_date,
                "status": view.status if view.stored else "not started",
                "goals": [
                    {
                        "goal_id": g.goal_id,
                        "label": g.label,
                        "notes": len(g.entries),
                        "outcome": g.outcome,
                        "narrative": view.narratives.get(g.goal_id, ""),
                    }
                    for g in view.evidence.goals
                ],
                "contacts": view.evidence.contacts,
                "face_to_face": view.evidence.face_to_face,
                "units": view.evidence.units,
                "summary": view.summary,
                "warnings": list(view.warnings),
                "content_hash": view.content_hash,
            }
        )
        return 0
    status = view.status if view.stored else "not started (shown as it would be drafted now)"
    print(f"Quarterly report {view.quarter_label}: {view.period_start} to {view.period_end}, due {view.due_date}")
    print(f"Status: {status}")
    for goal in view.evidence.goals:
        print(f"\n{goal.label}: {goal.text}\n  {len(goal.entries)} note(s). {view.narratives.get(goal.goal_id, '')}")
    print(f"\nSummary: {view.summary}\n")
    _print_warnings(view.warnings)
    return 0


def cmd_quarterly_draft(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            report_id = quarterly_service.create_draft(s, args.client, args.quarter)
            view = quarterly_service.get_report(s, report_id, audit_view=False)
    finally:
        store.close()
    print(f"Drafted quarterly report {view.quarter_label} (id {report_id}), due {view.due_date}.")
    _print_warnings(view.warnings)
    return 0


def cmd_quarterly_sign(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            report_id = _report_id(s, args)
            try:
                digest = quarterly_service.sign_report(s, report_id, accept_warnings=args.accept_warnings)
            except quarterly_service.MissingEvidenceError as exc:
                lines = "\n".join(f"  - {w}" for w in exc.warnings)
                raise ValidationError(
                    f"The report was not signed. Missing evidence:\n{lines}\n"
                    "Check it, then run again with --accept-warnings to sign anyway."
                ) from None
    finally:
        store.close()
    print(f"Signed and locked quarterly report {report_id}. Content hash (SHA-256): {digest}")
    return 0


def cmd_quarterly_submit(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            report_id = _report_id(s, args)
            quarterly_service.submit_report(s, report_id)
    finally:
        store.close()
    print(f"Marked quarterly report {report_id} as submitted.")
    return 0

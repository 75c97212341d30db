"""forms: import XLSForm workbooks, list forms and their versions, show or publish a version.

`report form` and `report blank-form` live with the other PDF commands in casedesk.cli.report_cmds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casedesk.cli.common import local_time, open_store, print_json, print_table
from casedesk.errors import ValidationError
from casedesk.forms import FieldDef, FieldType, FormDefinition
from casedesk.services import forms as form_service


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    forms = sub.add_parser("forms", help="agency forms: import, list, show, publish")
    commands = forms.add_subparsers(dest="forms_command", metavar="FORMS_COMMAND", required=True)

    p = commands.add_parser("import", help="import an XLSForm workbook (.xlsx) as a draft form")
    p.add_argument("file", help="the XLSForm .xlsx file")
    p.add_argument("--key", help="store it under this form key (default: the workbook's form_id or file name)")
    p.add_argument("--language", help="which label language to use, e.g. 'English (en)'")
    p.add_argument("--replace-draft", action="store_true", help="overwrite the form's unpublished draft")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("list", help="list forms with their versions and status")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = commands.add_parser("show", help="show one version of a form (default: the newest)")
    p.add_argument("key")
    p.add_argument("--version", type=int, dest="form_version", metavar="V", help="the form version to show")
    p.add_argument("--json", action="store_true", help="the form definition as JSON")
    p.set_defaults(func=cmd_show)

    p = commands.add_parser("publish", help="publish a form's draft so it can be filled in (it is then frozen)")
    p.add_argument("key")
    p.add_argument(
        "--version", type=int, dest="form_version", metavar="V", help="the draft version (default: the form's draft)"
    )
    p.set_defaults(func=cmd_publish)


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    if not path.is_file():
        raise ValidationError(f"There is no file {path}.")
    store = open_store(args)
    try:
        with store.session() as s:
            outcome = form_service.import_xlsform_file(
                s, path, form_key=args.key, language=args.language, replace_draft=args.replace_draft
            )
    finally:
        store.close()
    definition = outcome.definition
    if args.json:
        print_json(
            {
                "key": definition.key,
                "version": definition.version,
                "name": definition.name,
                "status": definition.status.value,
                "fields": sum(1 for _ in definition.walk()),
                "new_form": outcome.new_form,
                "replaced_draft": outcome.replaced_draft,
                "unmapped": [
                    {"sheet": n.sheet, "row": n.row, "type": n.type, "name": n.name, "reason": n.reason}
                    for n in outcome.report
                ],
            }
        )
        return 0
    what = "replaced the draft of" if outcome.replaced_draft else ("new form" if outcome.new_form else "new version of")
    print(
        f"Imported {path.name}: '{definition.name}' as form {definition.key} version {definition.version} "
        f"({what}; draft, {sum(1 for _ in definition.walk())} fields)."
    )
    if outcome.report:
        print(f"\nNot imported or changed ({len(outcome.report)}):")
        for note in outcome.report:
            print(f"  {note}")
    else:
        print("Every row was imported.")
    print(f"\nCheck it with `casedesk forms show {definition.key}`, then `casedesk forms publish {definition.key}`.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            templates = form_service.list_templates(s)
    finally:
        store.close()
    if args.json:
        print_json(
            [
                {
                    "key": t.key,
                    "name": t.name,
                    "builtin": t.builtin,
                    "published_version": t.published_version,
                    "draft_version": t.draft_version,
                    "versions": [
                        {
                            "version": v.version,
                            "status": v.status,
                            "published_at": v.published_at,
                            "fields": v.field_count,
                        }
                        for v in t.versions
                    ],
                }
                for t in templates
            ]
        )
        return 0
    print_table(
        ["key", "name", "published", "draft", "versions", "kind"],
        [
            (
                t.key,
                t.name,
                t.published_version or "-",
                t.draft_version or "-",
                ", ".join(str(v.version) for v in t.versions),
                "built-in" if t.builtin else "agency",
            )
            for t in templates
        ],
    )
    print(f"\n{len(templates)} forms")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            form_service.ensure_builtin_templates(s)
            definition = form_service.get_definition(s, args.key, args.form_version)
            summary = form_service.template_summary(s, args.key)
    finally:
        store.close()
    if args.json:
        print_json(definition.to_dict())
        return 0
    version = next(v for v in summary.versions if v.version == definition.version)
    status = f"published {local_time(version.published_at)}" if version.is_published else "draft"
    print(f"{definition.name}  ({definition.key}, version {definition.version}, {status})")
    others = [str(v.version) for v in summary.versions if v.version != definition.version]
    if others:
        print(f"Other versions: {', '.join(others)}")
    if definition.description:
        print(definition.description)
    print()
    for line in _field_lines(definition):
        print(line)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.session() as s:
            published = form_service.publish_version(s, args.key, args.form_version)
    finally:
        store.close()
    print(
        f"Published form {published.key} version {published.version}. It is now frozen: responses are filled "
        "under it, and editing the form makes the next version."
    )
    return 0


def _field_lines(definition: FormDefinition) -> list[str]:
    lines: list[str] = []
    for info in definition.walk():
        depth = info.path.count(".")
        lines.append("  " * depth + _describe(info.field))
    return lines


def _describe(field: FieldDef) -> str:
    parts = [f"{field.key} [{field.type.value}]"]
    if field.label:
        parts.append(field.label)
    flags = []
    if field.required is True:
        flags.append("required")
    elif isinstance(field.required, str):
        flags.append(f"required if {field.required}")
    if field.relevant:
        flags.append(f"shown if {field.relevant}")
    if field.constraint:
        flags.append(f"must satisfy {field.constraint}")
    if field.calculation:
        flags.append(f"= {field.calculation}")
    if field.binding is not None:
        flags.append(f"from client {field.binding.value}")
    if field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
        flags.append("choices: " + ", ".join(f"{c.value}={c.label}" for c in field.choices))
    text = "  ".join(parts)
    return f"{text}  ({'; '.join(flags)})" if flags else text



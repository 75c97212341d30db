"""Import an XLSForm workbook (.xlsx: survey / choices / settings sheets) as a CaseDesk form definition.

The common subset maps directly: text/string, integer, decimal, date, time, select_one / select_multiple
(also the old ``select one from LIST``, ``select all that apply LIST`` and ``select_one(LIST)``
spellings, and ``or_other``), note, calculate, acknowledge (-> yes/no), begin/end group, begin/end repeat;
columns label (one language kept as the label, the others in field metadata), hint, required,
required_message, constraint, constraint_message, relevant, default, calculation, read_only, appearance,
rows (-> long text with that many printed lines).

Everything else (location, photos, audio, barcodes, device metadata, choice filters, repeat counts,
loops, unsupported functions...) is left out and listed in the import report with its row and reason;
references to a left-out question read as blank and are reported too. Nothing is dropped silently.

A malformed workbook (not .xlsx, no survey sheet, unknown type, missing choice list, unbalanced
begin/end, bad expression...) raises ``FormDefinitionError`` whose problems name the sheet row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from casedesk.forms._xlsform_sheets import Row, Sheet, read_workbook_bytes
from casedesk.forms.expressions import (
    FUNCTIONS,
    KEY_RE,
    ExpressionSyntaxError,
    TokenKind,
    parse_expression,
    rename_references,
    tokenize,
)
from casedesk.forms.schema import (
    Choice,
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    PrintHints,
)
from casedesk.forms.validation import LABEL_REFERENCE_RE, definition_problems

_SIMPLE_TYPES: dict[str, FieldType] = {
    "text": FieldType.TEXT,
    "string": FieldType.TEXT,
    "integer": FieldType.INTEGER,
    "int": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "time": FieldType.TIME,
    "note": FieldType.NOTE,
    "calculate": FieldType.CALCULATE,
    "acknowledge": FieldType.YES_NO,
    "trigger": FieldType.YES_NO,
}
_METADATA = "device and form metadata is not collected by CaseDesk"
_UNSUPPORTED_TYPES: dict[str, str] = {
    "geopoint": "location capture is not supported",
    "geotrace": "location capture is not supported",
    "geoshape": "location capture is not supported",
    "start-geopoint": "location capture is not supported",
    "background-geopoint": "location capture is not supported",
    "image": "photo capture is not supported",
    "photo": "photo capture is not supported",
    "audio": "audio recording is not supported",
    "background-audio": "audio recording is not supported",
    "video": "video recording is not supported",
    "file": "file attachments in forms are not supported",
    "barcode": "barcode scanning is not supported",
    "datetime": "date-and-time questions are not supported; use a date and a time question",
    "range": "range sliders are not supported",
    "rank": "ranking questions are not supported",
    "hidden": "hidden fields are not supported",
    "xml-external": "external data files are not supported",
    "csv-external": "external data files are not supported",
    "osm": "map questions are not supported",
    "start": _METADATA,
    "end": _METADATA,
    "today": _METADATA,
    "deviceid": _METADATA,
    "subscriberid": _METADATA,
    "simserial": _METADATA,
    "phonenumber": _METADATA,
    "imei": _METADATA,
    "username": _METADATA,
    "email": _METADATA,
    "audit": _METADATA,
}
_SELECT_RE = re.compile(
    r"^(select_one|select one|select1|select_multiple|select multiple|select all that apply)"
    r"(?:\s+from)?\s*(?:\(\s*([^()\s]+)\s*\)|\s+(\S+))"
    r"(\s+(?:or_other|or specify other))?$"
)
_FROM_FILE_RE = re.compile(r"^select_(one|multiple)_(from_file|external)\b")
_TRUE_WORDS = {"yes", "true", "true()", "1"}
_FALSE_WORDS = {"no", "false", "false()", "0"}
_PATH_RE = re.compile(r"(^|[\s(,=<>+*-])/[A-Za-z_]")
#: Survey columns the converter reads; other columns with content are reported once.
_HANDLED_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "relevant",
    "default",
    "calculation",
    "read_only",
    "appearance",
    "choice_filter",
    "repeat_count",
    "parameters",
    "image",
    "audio",
    "video",
    "rows",
}
_FORM_SETTINGS = {"form_title", "title", "form_id", "id_string", "version", "default_language"}
MAX_REPORT = 5000


@dataclass(frozen=True)
class ImportNote:
    """One thing the import left out or changed: sheet row, XLSForm type or column, name, reason."""

    sheet: str
    row: int | None
    type: str
    name: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row is not None else self.sheet
        what = " ".join(part for part in (self.type, f"'{self.name}'" if self.name else "") if part)
        return f"{where}: {what}: {self.reason}" if what else f"{where}: {self.reason}"


@dataclass(frozen=True)
class ImportResult:
    definition: FormDefinition
    report: tuple[ImportNote, ...]


def import_xlsform(
    source: str | Path | bytes | BinaryIO,
    *,
    form_key: str | None = None,
    language: str | None = None,
) -> ImportResult:
    """Import an XLSForm .xlsx (path, bytes or binary file). Raises FormDefinitionError naming rows."""
    file_name = ""
    if isinstance(source, str | Path):
        path = Path(source)
        file_name = path.name
        try:
            data = path.read_bytes()
        except OSError as err:
            raise FormDefinitionError([("", f"cannot read {path}: {err.strerror or err}")]) from None
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        data = source.read()
    sheets = read_workbook_bytes(data)
    converter = _Converter(sheets, file_name, form_key, language)
    return converter.run()


@dataclass
class _ChoiceRow:
    row: int
    value: str
    labels: dict[str | None, str]


@dataclass
class _Node:
    row: Row
    kind: str  # "field", "group", "repeat"
    xls_type: str
    name: str
    key: str = ""
    field_type: FieldType | None = None
    list_name: str | None = None
    or_other: bool = False
    children: list[_Node] = field(default_factory=list)


@dataclass
class _Frame:
    kind: str  # "group", "repeat", "loop"
    row: int
    node: _Node | None
    children: list[_Node]


class _Converter:
    def __init__(self, sheets: dict[str, Sheet], file_name: str, form_key: str | None, language: str | None) -> None:
        self.sheets = sheets
        self.file_name = file_name
        self.form_key = form_key
        self.requested_language = language
        self.errors: list[tuple[str, str]] = []
        self.report: list[ImportNote] = []
        self.keys: dict[str, str] = {}  # XLSForm name -> key
        self.rows_by_key: dict[str, int] = {}
        self.names_by_key: dict[str, str] = {}
        self.dropped: set[str] = set()  # names of questions left out
        self.dropped_keys: set[str] = set()  # keys of imported rows dropped afterwards
        self.reported_refs: set[tuple[int, str]] = set()
        self.lists: dict[str, list[_ChoiceRow]] = {}
        self.language: str | None = None
        self.languages: list[str | None] = []
        self.settings: dict[str, str] = {}

    # --- helpers ------------------------------------------------------------------------------------
    def error(self, row: int | None, message: str, sheet: str = "survey") -> None:
        where = f"{sheet} row {row}" if row is not None else sheet
        self.errors.append((where, message))

    def note(self, row: int | None, xls_type: str, name: str, reason: str, sheet: str = "survey") -> None:
        if len(self.report) < MAX_REPORT:
            self.report.append(ImportNote(sheet, row, xls_type, name, reason))

    # --- main ---------------------------------------------------------------------------------------
    def run(self) -> ImportResult:
        survey = self.sheets.get("survey")
        if survey is None:
            raise FormDefinitionError([("", "the workbook has no 'survey' sheet, so it is not an XLSForm")])
        if not any(column.base == "type" for column in survey.columns):
            raise FormDefinitionError([("survey row 1", "the survey sheet has no 'type' column")])
        if not any(column.base == "name" for column in survey.columns):
            raise FormDefinitionError([("survey row 1", "the survey sheet has no 'name' column")])
        self.read_settings()
        self.choose_language(survey)
        self.read_choices()
        self.report_columns(survey)
        if survey.stopped_at is not None:
            self.note(survey.stopped_at, "", "", "reading stopped after a long run of empty rows")
        roots = self.structure(survey.rows)
        self.drop_unconvertible_calculations(roots)
        fields = self.build_all(roots)
        if self.errors:
            raise FormDefinitionError(self.errors, "The XLSForm could not be imported")
        definition = FormDefinition(
            key=self.definition_key(),
            name=self.settings.get("form_title") or self.settings.get("title") or _humanise(self.definition_key()),
            description=f"Imported from XLSForm {self.file_name}".strip() if self.file_name else "",
            version=1,
            fields=fields,
            metadata=self.form_metadata(),
        )
        problems = definition_problems(definition)
        if problems:
            raise FormDefinitionError(
                [self.locate(path, message) for path, message in problems],
                "The XLSForm could not be imported",
            )
        return ImportResult(definition, tuple(sorted(self.report, key=_report_order)))

    def locate(self, path: str, message: str) -> tuple[str, str]:
        if path in ("key", "name", "version") or not path:
            return ("settings", message if path == "" else f"{path}: {message}")
        if path == "fields":
            return ("survey", message)
        key = path.rsplit(".", 1)[-1]
        row = self.rows_by_key.get(key)
        name = self.names_by_key.get(key, key)
        return (f"survey row {row}" if row is not None else "survey", f"'{name}': {message}")

    # --- settings and languages -----------------------------------------------------------------------
    def read_settings(self) -> None:
        sheet = self.sheets.get("settings")
        if sheet is None or not sheet.rows:
            return
        row = sheet.rows[0]
        for column, value in row.cells.items():
            base = column.base
            if base in _FORM_SETTINGS:
                self.settings[base] = value
            else:
                self.note(row.number, column.header, "", "setting not used by CaseDesk", sheet="settings")

    def choose_language(self, survey: Sheet) -> None:
        languages: list[str | None] = []
        for column in survey.columns:
            if column.base == "label" and column.language not in languages:
                languages.append(column.language)
        self.languages = languages
        wanted = self.requested_language or self.settings.get("default_language")
        if wanted:
            for candidate in languages:
                if candidate is not None and (
                    candidate.lower() == wanted.lower() or candidate.lower().startswith(wanted.lower())
                ):
                    self.language = candidate
                    return
        if None in languages:
            self.language = None
        elif languages:
            english = [lang for lang in languages if lang and ("english" in lang.lower() or "(en)" in lang)]
            self.language = english[0] if english else languages[0]

    def pick(self, row: Row, base: str) -> tuple[str, dict[str, str]]:
        """Text in the chosen language and the other languages' texts.

        A plain column (``hint``) counts as the chosen language; a label missing in the chosen language
        falls back to another language's label (a question needs some label).
        """
        texts = row.by_language(base)
        chosen = texts.get(self.language, "")
        if not chosen:
            chosen = texts.get(None, "") if self.language is not None else ""
        if not chosen and texts and base == "label":
            chosen = next(iter(texts.values()))
        others = {lang: text for lang, text in texts.items() if lang not in (self.language, None) and text}
        return chosen, others

    # --- choices ------------------------------------------------------------------------------------
    def read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        if not any(column.base == "list_name" for column in sheet.columns):
            self.error(1, "the choices sheet has no 'list_name' column", sheet="choices")
            return
        reported_columns: set[str] = set()
        for row in sheet.rows:
            list_name = row.get("list_name")
            if not list_name:
                continue
            value = row.get("name")
            if not value:
                self.error(row.number, f"a choice in list '{list_name}' has no name", sheet="choices")
                continue
            if re.search(r"\s", value) or len(value) > 100:
                self.error(
                    row.number,
                    f"choice name '{value}' in list '{list_name}' must be 1-100 characters without spaces",
                    sheet="choices",
                )
                continue
            entries = self.lists.setdefault(list_name, [])
            duplicate = next((entry for entry in entries if entry.value == value), None)
            if duplicate is not None:
                self.error(
                    row.number,
                    f"choice '{value}' appears twice in list '{list_name}' (also row {duplicate.row})",
                    sheet="choices",
                )
                continue
            labels = {lang: text for lang, text in row.by_language("label").items()}
            entries.append(_ChoiceRow(row.number, value, labels))
            for column, text in row.cells.items():
                if column.base in ("image", "audio", "video") and text:
                    self.note(row.number, column.header, value, "choice media is not supported", sheet="choices")
                elif column.base not in ("list_name", "name", "label") and column.header not in reported_columns:
                    reported_columns.add(column.header)
                    self.note(
                        row.number,
                        column.header,
                        "",
                        "column not used by CaseDesk (choice filters are not supported)",
                        sheet="choices",
                    )

    def report_columns(self, survey: Sheet) -> None:
        seen: set[str] = set()
        for row in survey.rows:
            for column in row.cells:
                if column.base in _HANDLED_COLUMNS or column.header in seen:
                    continue
                seen.add(column.header)
                self.note(row.number, column.header, "", "column not used by CaseDesk; its values were ignored")

    # --- pass 1: structure --------------------------------------------------------------------------
    def structure(self, rows: Iterable[Row]) -> list[_Node]:
        roots: list[_Node] = []
        stack: list[_Frame] = []
        for row in rows:
            target = stack[-1].children if stack else roots
            in_loop = any(frame.kind == "loop" for frame in stack)
            type_text = " ".join(row.get("type").split())
            lowered = type_text.lower()
            name = row.get("name")
            if not type_text:
                if name or row.by_language("label"):
                    self.error(row.number, f"the row has no type{f' (name {name!r})' if name else ''}")
                continue
            begin = re.match(r"^begin[ _](group|repeat|loop)\b", lowered)
            end = re.match(r"^end[ _](group|repeat|loop)$", lowered)
            if begin:
                kind = begin.group(1)
                if kind == "loop" or in_loop:
                    if kind == "loop":
                        self.note(row.number, type_text, name, "loops are not supported; the loop was left out")
                    else:
                        self.note(row.number, type_text, name, "inside an unsupported loop; left out")
                    self.dropped.add(name)
                    stack.append(_Frame("loop" if kind == "loop" else kind, row.number, None, []))
                    continue
                if not name:
                    self.error(row.number, f"'{type_text}' needs a name")
                node = _Node(row, kind, type_text, name)
                stack.append(_Frame(kind, row.number, node, node.children))
                continue
            if end:
                kind = end.group(1)
                if not stack:
                    self.error(row.number, f"'{type_text}' has no matching 'begin {kind}'")
                    continue
                frame = stack[-1]
                if frame.kind != kind:
                    self.error(
                        row.number,
                        f"'{type_text}' closes the 'begin {frame.kind}' of row {frame.row}; "
                        f"expected 'end {frame.kind}'",
                    )
                stack.pop()
                if frame.node is not None:
                    self.register(frame.node)
                    (stack[-1].children if stack else roots).append(frame.node)
                continue
            if in_loop:
                self.note(row.number, type_text, name, "inside an unsupported loop; left out")
                self.dropped.add(name)
                continue
            question = self.question(row, type_text, lowered, name)
            if question is not None:
                self.register(question)
                target.append(question)
        for frame in reversed(stack):
            self.error(frame.row, f"'begin {frame.kind}' is never closed with 'end {frame.kind}'")
        return roots

    def question(self, row: Row, type_text: str, lowered: str, name: str) -> _Node | None:
        if _FROM_FILE_RE.match(lowered):
            self.leave_out(row, type_text, name, "choice lists from files are not supported")
            return None
        select = _SELECT_RE.match(lowered)
        if select:
            multiple = select.group(1) in ("select_multiple", "select multiple", "select all that apply")
            list_name = select.group(2) or select.group(3)
            list_name = self.original_list_name(type_text, list_name)
            if not name:
                self.error(row.number, f"'{type_text}' needs a name")
                return None
            node = _Node(row, "field", type_text, name)
            node.field_type = FieldType.MULTIPLE_CHOICE if multiple else FieldType.SINGLE_CHOICE
            node.list_name = list_name
            node.or_other = bool(select.group(4))
            if list_name not in self.lists:
                where = "the choices sheet" if "choices" in self.sheets else "the workbook (it has no choices sheet)"
                self.error(row.number, f"choice list '{list_name}' used by '{name}' is not in {where}")
            return node
        base_type = lowered.split()[0] if lowered else ""
        if lowered.startswith("uri:"):
            self.leave_out(row, type_text, name, _METADATA)
            return None
        if base_type in _UNSUPPORTED_TYPES:
            self.leave_out(row, type_text, name, _UNSUPPORTED_TYPES[base_type])
            return None
        field_type = _SIMPLE_TYPES.get(lowered)
        if field_type is None:
            self.error(row.number, f"unknown question type '{type_text}'")
            return None
        if not name:
            self.error(row.number, f"'{type_text}' needs a name")
            return None
        if field_type is FieldType.NOTE and not row.by_language("label"):
            self.leave_out(row, type_text, name, "left out: a note with no text (only media)")
            return None
        node = _Node(row, "field", type_text, name)
        node.field_type = field_type
        if lowered in ("acknowledge", "trigger"):
            self.note(row.number, type_text, name, "imported as a yes/no question")
        return node

    def original_list_name(self, type_text: str, lowered_list: str) -> str:
        """List names are case-sensitive: take the spelling from the type cell."""
        index = type_text.lower().rfind(lowered_list)
        return type_text[index : index + len(lowered_list)] if index >= 0 else lowered_list

    def leave_out(self, row: Row, type_text: str, name: str, reason: str) -> None:
        self.note(row.number, type_text, name, reason)
        if name and name not in self.keys:
            self.dropped.add(name)

    def register(self, node: _Node) -> None:
        name = node.name
        key = _safe_key(name) if name else f"row_{node.row.number}"
        base, counter = key, 2
        while key in self.rows_by_key:
            suffix = f"_{counter}"
            key = base[: 64 - len(suffix)] + suffix
            counter += 1
        if name in self.keys:
            self.note(
                node.row.number,
                node.xls_type,
                name,
                f"the name is used again (first at row {self.rows_by_key[self.keys[name]]}); "
                f"renamed to '{key}', and ${{{name}}} refers to the first",
            )
        elif key != name and name:
            self.note(node.row.number, node.xls_type, name, f"renamed to '{key}' (keys use letters, digits and _)")
            self.keys[name] = key
        else:
            self.keys[name] = key
        node.key = key
        self.rows_by_key[key] = node.row.number
        self.names_by_key[key] = name or key

    # --- pass 2: expressions and fields -----------------------------------------------------------------
    def drop_unconvertible_calculations(self, roots: list[_Node]) -> None:
        calculations = [node for node in _walk(roots) if node.field_type is FieldType.CALCULATE]
        changed = True
        while changed:
            changed = False
            for node in calculations:
                if node.key in self.dropped_keys:
                    continue
                source = node.row.get("calculation")
                if not source:
                    self.error(node.row.number, f"calculate '{node.name}' has no calculation")
                    self.dropped.add(node.name)
                    self.dropped_keys.add(node.key)
                    if self.keys.get(node.name) == node.key:
                        del self.keys[node.name]
                    continue
                if self.expression(node, "calculation", source, quiet=True) is None:
                    self.expression(node, "calculation", source)
                    self.note(node.row.number, node.xls_type, node.name, "left out: its calculation cannot be used")
                    self.dropped.add(node.name)
                    self.dropped_keys.add(node.key)
                    if self.keys.get(node.name) == node.key:
                        del self.keys[node.name]
                    changed = True

    def build_all(self, nodes: list[_Node], in_repeat: bool = False) -> tuple[FieldDef, ...]:
        built: list[FieldDef] = []
        for node in nodes:
            if node.key in self.dropped_keys:
                continue
            result = self.build(node, in_repeat)
            built.extend(result)
        return tuple(built)

    def build(self, node: _Node, in_repeat: bool) -> list[FieldDef]:
        row = node.row
        label, other_labels = self.pick(row, "label")
        hint, other_hints = self.pick(row, "hint")
        constraint_message, other_messages = self.pick(row, "constraint_message")
        required_message, other_required = self.pick(row, "required_message")
        translations: dict[str, dict[str, Any]] = {}
        for attribute, texts in (
            ("label", other_labels),
            ("hint", other_hints),
            ("constraint_message", other_messages),
            ("required_message", other_required),
        ):
            for lang, text in texts.items():
                translations.setdefault(lang, {})[attribute] = text
        metadata: dict[str, Any] = {"xlsform": {"row": row.number, "type": node.xls_type, "name": node.name}}
        appearance = row.get("appearance")
        if appearance:
            metadata["xlsform"]["appearance"] = appearance
        self.report_unsupported_cells(node)
        relevant = self.expression(node, "relevant", row.get("relevant"))
        common: dict[str, Any] = {
            "key": node.key,
            "label": self.text(node, label),
            "hint": self.text(node, hint) or None,
            "relevant": relevant,
        }
        if node.kind in ("group", "repeat"):
            self.ignored_cells(node, ("required", "constraint", "calculation", "default", "read_only"))
            children = self.build_all(node.children, in_repeat or node.kind == "repeat")
            if not children:
                self.note(row.number, node.xls_type, node.name, "left out: nothing inside it could be imported")
                return []
            hints = PrintHints()
            if node.kind == "repeat":
                hints = self.repeat_hints(node)
            if translations:
                metadata["translations"] = translations
            return [
                FieldDef(
                    type=FieldType.REPEAT if node.kind == "repeat" else FieldType.GROUP,
                    children=children,
                    print=hints,
                    metadata=metadata,
                    **common,
                )
            ]
        field_type = node.field_type
        assert field_type is not None
        if field_type in (FieldType.CALCULATE, FieldType.NOTE):
            ignored = ("required", "constraint", "default", "read_only")
            self.ignored_cells(node, (*ignored, "calculation") if field_type is FieldType.NOTE else ignored)
        if field_type is FieldType.CALCULATE:
            calculation = self.expression(node, "calculation", row.get("calculation"))
            return [FieldDef(type=field_type, calculation=calculation, metadata=metadata, **common)]
        if field_type is FieldType.NOTE:
            return [FieldDef(type=field_type, metadata=metadata, **common)]
        if not common["label"]:
            common["label"] = node.name
            self.note(row.number, node.xls_type, node.name, "no label; the name is used as the label")
        lines: int | None = None
        rows_text = row.get("rows")
        if field_type is FieldType.TEXT and ((rows_text.isdigit() and int(rows_text) > 1) or "multiline" in appearance):
            field_type = FieldType.LONG_TEXT
            lines = min(int(rows_text), 60) if rows_text.isdigit() else None
        choices: tuple[Choice, ...] = ()
        extra: list[FieldDef] = []
        if field_type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            choices, choice_translations = self.choices_for(node)
            for lang, labels in choice_translations.items():
                translations.setdefault(lang, {})["choices"] = labels
            if node.or_other:
                extra.append(self.other_field(node, in_repeat))
                choices = (*choices, Choice("other", "Other"))
        if translations:
            metadata["translations"] = translations
        required: bool | str = self.required(node)
        read_only = self.flag(node, "read_only")
        default, default_expression = self.default(node, field_type, in_repeat)
        built = FieldDef(
            type=field_type,
            required=required,
            required_message=self.text(node, required_message) or None,
            constraint=self.expression(node, "constraint", row.get("constraint")),
            constraint_message=self.text(node, constraint_message) or None,
            default=default,
            default_expression=default_expression,
            read_only=read_only,
            choices=choices,
            print=PrintHints(lines=lines),
            metadata=metadata,
            **common,
        )
        return [built, *extra]

    def other_field(self, node: _Node, in_repeat: bool) -> FieldDef:
        key = f"{node.key}_other"[:64]
        counter = 2
        while key in self.rows_by_key:
            key = f"{node.key[:55]}_other_{counter}"
            counter += 1
        self.rows_by_key[key] = node.row.number
        self.names_by_key[key] = f"{node.name}_other"
        self.note(
            node.row.number,
            node.xls_type,
            node.name,
            f"'or other' became an 'Other' choice and a text field '{key}'",
        )
        return FieldDef(
            key=key,
            type=FieldType.TEXT,
            label="Specify other",
            relevant=f"selected(${{{node.key}}}, 'other')",
        )

    def repeat_hints(self, node: _Node) -> PrintHints:
        count = node.row.get("repeat_count")
        if not count:
            return PrintHints()
        self.note(
            node.row.number,
            node.xls_type,
            node.name,
            "repeat_count is not supported; rows are added while filling",
        )
        if count.isdigit() and 0 < int(count) <= 100:
            return PrintHints(blank_rows=int(count))
        return PrintHints()

    def ignored_cells(self, node: _Node, columns: tuple[str, ...]) -> None:
        kind = node.field_type.value if node.kind == "field" and node.field_type else node.kind
        for column in columns:
            if node.row.get(column):
                self.note(node.row.number, column, node.name, f"not used on a {kind}; ignored")

    def report_unsupported_cells(self, node: _Node) -> None:
        row = node.row
        for column, value in row.cells.items():
            if not value:
                continue
            if column.base in ("image", "audio", "video"):
                self.note(row.number, column.header, node.name, "media in labels is not supported")
            elif column.base == "choice_filter":
                self.note(
                    row.number,
                    column.header,
                    node.name,
                    "choice filters are not supported; all choices shown",
                )
            elif column.base == "parameters":
                self.note(row.number, column.header, node.name, f"parameters '{value}' are not supported")

    def choices_for(self, node: _Node) -> tuple[tuple[Choice, ...], dict[str, dict[str, str]]]:
        entries = self.lists.get(node.list_name or "", [])
        choices: list[Choice] = []
        translations: dict[str, dict[str, str]] = {}
        missing_labels: list[str] = []
        for entry in entries:
            chosen = entry.labels.get(self.language) or entry.labels.get(None) or ""
            if not chosen and entry.labels:
                chosen = next(iter(entry.labels.values()))
            if not chosen:
                missing_labels.append(entry.value)
                chosen = entry.value
            choices.append(Choice(entry.value, chosen))
            for lang, text in entry.labels.items():
                if lang not in (self.language, None) and text:
                    translations.setdefault(lang, {})[entry.value] = text
        if missing_labels:
            self.note(
                node.row.number,
                node.xls_type,
                node.name,
                f"choices without a label show their name: {', '.join(missing_labels[:10])}",
            )
        return tuple(choices), translations

    def required(self, node: _Node) -> bool | str:
        text = node.row.get("required")
        if not text or text.lower() in _FALSE_WORDS:
            return False
        if text.lower() in _TRUE_WORDS:
            return True
        converted = self.expression(node, "required", text)
        return converted if converted is not None else False

    def flag(self, node: _Node, column: str) -> bool:
        text = node.row.get(column)
        if not text or text.lower() in _FALSE_WORDS:
            return False
        if text.lower() in _TRUE_WORDS:
            return True
        self.note(node.row.number, column, node.name, f"a condition in {column} is not supported; ignored")
        return False

    def default(
        self, node: _Node, field_type: FieldType, in_repeat: bool
    ) -> tuple[str | tuple[str, ...] | None, str | None]:
        text = node.row.get("default")
        if not text:
            return None, None
        if "${" in text or "(" in text or text.strip() == ".":
            if in_repeat:
                self.note(
                    node.row.number,
                    "default",
                    node.name,
                    "a calculated default inside a repeat is not supported",
                )
                return None, None
            return None, self.expression(node, "default", text)
        if field_type is FieldType.MULTIPLE_CHOICE:
            return tuple(text.split()), None
        if field_type is FieldType.YES_NO:
            return None, None  # acknowledge defaults ("OK") have no yes/no meaning
        return text, None

    def text(self, node: _Node, text: str) -> str:
        """Label-like text with ${name} references renamed; references to left-out questions removed."""
        if "${" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            key = self.keys.get(name)
            if key is None and name in self.dropped:
                self.report_reference(node, name)
                return ""
            return "${" + key + "}" if key is not None else match.group(0)

        return LABEL_REFERENCE_RE.sub(replace, text)

    def report_reference(self, node: _Node, name: str) -> None:
        if (node.row.number, name) in self.reported_refs:
            return
        self.reported_refs.add((node.row.number, name))
        self.note(
            node.row.number,
            node.xls_type,
            node.name,
            f"refers to '{name}', which was left out; read as blank",
        )

    def expression(self, node: _Node, column: str, source: str | None, *, quiet: bool = False) -> str | None:
        """XLSForm expression -> ours; None when empty or unusable (an error, or a report entry)."""
        if source is None or not source.strip():
            return None
        text = source.strip()
        row = node.row.number
        try:
            tokens = tokenize(text)
        except ExpressionSyntaxError as err:
            if not quiet:
                self.unusable(node, column, text, err)
            return None
        renames: dict[str, str] = {}
        for index, token in enumerate(tokens):
            if token.kind is TokenKind.REF:
                if token.text in self.keys:
                    if self.keys[token.text] != token.text:
                        renames[token.text] = self.keys[token.text]
                elif token.text in self.dropped:
                    renames[token.text] = "''"
                    if not quiet:
                        self.report_reference(node, token.text)
            elif (
                token.kind is TokenKind.NAME
                and tokens[index + 1].kind is TokenKind.LPAREN
                and token.text not in FUNCTIONS
            ):
                if not quiet:
                    self.note(
                        row,
                        column,
                        node.name,
                        f"the function {token.text}() is not supported; the expression was left out",
                    )
                return None
        converted = rename_references(text, renames) if renames else text
        try:
            parsed = parse_expression(converted)
        except ExpressionSyntaxError as err:
            if not quiet:
                self.unusable(node, column, text, err)
            return None
        if parsed.uses_current and column not in ("constraint", "required"):
            if not quiet:
                self.note(
                    row,
                    column,
                    node.name,
                    "'.' outside a constraint is not supported; the expression was left out",
                )
            return None
        return converted

    def unusable(self, node: _Node, column: str, text: str, err: ExpressionSyntaxError) -> None:
        """An expression we cannot parse: XPath features we do not support are reported, mistakes are errors."""
        row = node.row.number
        if _PATH_RE.search(text):
            self.note(row, column, node.name, "XPath paths (/data/...) are not supported; the expression was left out")
        elif "not supported" in err.reason:
            self.note(row, column, node.name, f"{err.reason}; the expression was left out")
        else:
            self.error(row, f"'{node.name}' {column}: {err}")

    # --- form ---------------------------------------------------------------------------------------
    def definition_key(self) -> str:
        for candidate in (self.form_key, self.settings.get("form_id"), self.settings.get("id_string")):
            if candidate:
                return _safe_key(candidate.lower())
        if self.file_name:
            return _safe_key(Path(self.file_name).stem.lower())
        return "imported_form"

    def form_metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {"source": "xlsform"}
        if self.file_name:
            metadata["file_name"] = self.file_name
        if self.settings.get("version"):
            metadata["xlsform_version"] = self.settings["version"]
        metadata["language"] = self.language or "default"
        others = [lang for lang in self.languages if lang not in (self.language, None)]
        if others:
            metadata["other_languages"] = others
        return metadata


_SHEET_ORDER = {"settings": 0, "choices": 1, "survey": 2}


def _report_order(note: ImportNote) -> tuple[int, int]:
    return (_SHEET_ORDER.get(note.sheet, 3), note.row or 0)


def _humanise(key: str) -> str:
    words = " ".join(key.replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else "Imported form"


def _walk(nodes: list[_Node]) -> list[_Node]:
    found: list[_Node] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.children))
    return found


def _safe_key(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_]", "_", name.strip())
    if not key or not (key[0].isalpha() or key[0] == "_") or not key[0].isascii():
        key = "_" + key
    key = key[:64]
    return key if KEY_RE.match(key) else "field"

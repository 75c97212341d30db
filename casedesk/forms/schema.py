"""Form definitions: typed dataclasses and their versioned JSON form (``"schema_version": 1``).

A definition is a tree of fields with stable keys. JSON shape::

    {"schema_version": 1, "key": "risk_assessment", "name": "Risk assessment", "description": "...",
     "version": 3, "status": "draft" | "published", "published_at": null, "metadata": {},
     "fields": [
        {"key": "self_harm", "type": "yes_no", "label": "Any self-harm since the last review?",
         "required": true},
        {"key": "self_harm_details", "type": "long_text", "label": "Describe",
         "relevant": "${self_harm} = 'yes'", "print": {"lines": 5}},
        {"key": "medications", "type": "repeat", "label": "Medications", "print": {"blank_rows": 6},
         "fields": [{"key": "med_name", "type": "text", "label": "Medication"}, ...]}
     ]}

Field attributes (all optional except key and type): label, hint, required (bool or expression),
required_message, constraint, constraint_message, relevant, default (a literal answer), default_expression
(evaluated when a response is started), calculation (calculate fields), read_only, choices
([{"value", "label"}], choice fields), binding (client_field: which client record field prefills it),
fields (children of group / repeat), max_rows (repeat), print ({"lines", "blank_rows", "hidden"}),
metadata (free JSON: translations, XLSForm appearance, ...).

Answers are keyed by field key. Keys are unique in the whole form; groups are visual only (their
children's answers sit beside them); a repeat group's answer is a list of row dicts.

``FormDefinition.from_dict`` checks everything (``casedesk.forms.validation``) and raises
``FormDefinitionError`` listing every problem with the field path it concerns.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from casedesk.errors import ValidationError
from casedesk.forms.expressions import KEY_RE

SCHEMA_VERSION = 1
MAX_FIELDS = 2000
MAX_DEFINITION_BYTES = 2_000_000
MAX_NESTING = 12
MAX_CHOICES = 1000
MAX_TEXT_LENGTH = 5000
MAX_REPEAT_ROWS = 500
MAX_PRINT_LINES = 60
MAX_BLANK_ROWS = 100
_MAX_JSON_DEPTH = 40
_MAX_JSON_NODES = 400_000


class FormDefinitionError(ValidationError):
    """A form definition (JSON or XLSForm) with problems. ``problems``: list of (path, message)."""

    def __init__(self, problems: list[tuple[str, str]], summary: str = "The form definition has problems") -> None:
        self.problems = list(problems)
        shown = self.problems[:25]
        lines = [f"{summary} ({len(self.problems)}):"]
        lines += [f"- {path}: {message}" if path else f"- {message}" for path, message in shown]
        if len(self.problems) > len(shown):
            lines.append(f"- ... and {len(self.problems) - len(shown)} more")
        super().__init__("\n".join(lines))


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    TIME = "time"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    CLIENT_FIELD = "client_field"
    GOAL_PICKER = "goal_picker"
    SIGNATURE = "signature"
    HEADING = "heading"
    NOTE = "note"
    GROUP = "group"
    REPEAT = "repeat"
    CALCULATE = "calculate"


#: Types a worker answers (they can be required, constrained, defaulted).
INPUT_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.LONG_TEXT,
        FieldType.INTEGER,
        FieldType.DECIMAL,
        FieldType.DATE,
        FieldType.TIME,
        FieldType.YES_NO,
        FieldType.SINGLE_CHOICE,
        FieldType.MULTIPLE_CHOICE,
        FieldType.CLIENT_FIELD,
        FieldType.GOAL_PICKER,
        FieldType.SIGNATURE,
    }
)
DISPLAY_TYPES = frozenset({FieldType.HEADING, FieldType.NOTE})
CONTAINER_TYPES = frozenset({FieldType.GROUP, FieldType.REPEAT})
CHOICE_TYPES = frozenset({FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE})


class ClientBinding(StrEnum):
    """Client record fields a ``client_field`` can prefill from (keys of ``FillContext.client``)."""

    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    PREFERRED_NAME = "preferred_name"
    DOB = "dob"
    RECORD_NUMBER = "record_number"
    MEDICAID_ID = "medicaid_id"
    ADDRESS = "address"
    PHONE = "phone"
    LANGUAGE = "language"
    PROGRAM = "program"


class FormStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class PrintHints:
    """How a field prints: writing lines for a blank answer, blank rows of a repeat table, or not at all."""

    lines: int | None = None
    blank_rows: int | None = None
    hidden: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.lines is not None:
            out["lines"] = self.lines
        if self.blank_rows is not None:
            out["blank_rows"] = self.blank_rows
        if self.hidden:
            out["hidden"] = True
        return out


JsonScalar = str | int | float | bool


@dataclass(frozen=True)
class FieldDef:
    key: str
    type: FieldType
    label: str = ""
    hint: str | None = None
    required: bool | str = False
    required_message: str | None = None
    constraint: str | None = None
    constraint_message: str | None = None
    relevant: str | None = None
    default: JsonScalar | tuple[str, ...] | None = None
    default_expression: str | None = None
    calculation: str | None = None
    read_only: bool = False
    choices: tuple[Choice, ...] = ()
    binding: ClientBinding | None = None
    children: tuple[FieldDef, ...] = ()
    max_rows: int | None = None
    print: PrintHints = field(default_factory=PrintHints)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINER_TYPES

    def choice_label(self, value: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "type": self.type.value}
        if self.label:
            out["label"] = self.label
        for name in ("hint", "required_message", "constraint", "constraint_message", "relevant"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.required is not False:
            out["required"] = self.required
        if self.default is not None:
            out["default"] = list(self.default) if isinstance(self.default, tuple) else self.default
        if self.default_expression is not None:
            out["default_expression"] = self.default_expression
        if self.calculation is not None:
            out["calculation"] = self.calculation
        if self.read_only:
            out["read_only"] = True
        if self.choices:
            out["choices"] = [{"value": choice.value, "label": choice.label} for choice in self.choices]
        if self.binding is not None:
            out["binding"] = self.binding.value
        if self.children:
            out["fields"] = [child.to_dict() for child in self.children]
        if self.max_rows is not None:
            out["max_rows"] = self.max_rows
        hints = self.print.to_dict()
        if hints:
            out["print"] = hints
        if self.metadata:
            out["metadata"] = json.loads(json.dumps(self.metadata))
        return out


@dataclass(frozen=True)
class FieldInfo:
    """A field with where it sits: ``path`` (keys joined by '.'), parent field and repeat ancestors."""

    field: FieldDef
    path: str
    parent: FieldDef | None
    repeats: tuple[str, ...]  # keys of the enclosing repeat groups, outermost first


@dataclass(frozen=True)
class FormDefinition:
    key: str
    name: str
    fields: tuple[FieldDef, ...] = ()
    description: str = ""
    version: int = 1
    status: FormStatus = FormStatus.DRAFT
    published_at: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    _compiled: Any = field(default=None, init=False, repr=False, compare=False)

    @property
    def is_published(self) -> bool:
        return self.status is FormStatus.PUBLISHED

    def walk(self) -> Iterator[FieldInfo]:
        """Every field, depth first in document order, with its path and repeat ancestors."""
        stack: list[tuple[FieldDef, str, FieldDef | None, tuple[str, ...]]] = [
            (f, f.key, None, ()) for f in reversed(self.fields)
        ]
        while stack:
            current, path, parent, repeats = stack.pop()
            yield FieldInfo(current, path, parent, repeats)
            inner_repeats = (*repeats, current.key) if current.type is FieldType.REPEAT else repeats
            for child in reversed(current.children):
                stack.append((child, f"{path}.{child.key}", current, inner_repeats))

    def field(self, key: str) -> FieldDef:
        for info in self.walk():
            if info.field.key == key:
                return info.field
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "key": self.key,
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "status": self.status.value,
        }
        if self.published_at is not None:
            out["published_at"] = self.published_at
        if self.metadata:
            out["metadata"] = json.loads(json.dumps(self.metadata))
        out["fields"] = [f.to_dict() for f in self.fields]
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False)

    @classmethod
    def from_dict(cls, data: object, *, validate: bool = True) -> FormDefinition:
        """Build from the JSON dict form; raises FormDefinitionError listing every problem."""
        parser = _DictParser()
        definition = parser.definition(data)
        if definition is None or parser.problems:
            if validate and definition is not None:
                from casedesk.forms.validation import definition_problems

                parser.problems += [
                    problem
                    for problem in definition_problems(definition, skip_references_to=parser.broken_keys)
                    if problem not in parser.problems
                ]
            raise FormDefinitionError(parser.problems or [("", "not a form definition")])
        if validate:
            from casedesk.forms.validation import compile_definition

            compile_definition(definition)
        return definition

    @classmethod
    def from_json(cls, text: str | bytes, *, validate: bool = True) -> FormDefinition:
        if len(text) > MAX_DEFINITION_BYTES:
            raise FormDefinitionError([("", f"the definition is larger than {MAX_DEFINITION_BYTES // 1_000_000} MB")])
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError, RecursionError) as err:
            raise FormDefinitionError([("", f"not valid JSON ({err})")]) from None
        return cls.from_dict(data, validate=validate)


_FORM_ATTRIBUTES = {
    "schema_version",
    "key",
    "name",
    "description",
    "version",
    "status",
    "published_at",
    "metadata",
    "fields",
}
_FIELD_ATTRIBUTES = {
    "key",
    "type",
    "label",
    "hint",
    "required",
    "required_message",
    "constraint",
    "constraint_message",
    "relevant",
    "default",
    "default_expression",
    "calculation",
    "read_only",
    "choices",
    "binding",
    "fields",
    "max_rows",
    "print",
    "metadata",
}
_TEXT_ATTRIBUTES = ("hint", "required_message", "constraint", "constraint_message", "relevant")


def json_shape_problem(data: object) -> str | None:
    """Why ``data`` is not plain JSON data of sane size (checked without recursion), or None."""
    stack: list[tuple[object, int]] = [(data, 0)]
    nodes = 0
    approximate_bytes = 0
    while stack:
        value, level = stack.pop()
        nodes += 1
        if nodes > _MAX_JSON_NODES:
            return "the definition is too large"
        if level > _MAX_JSON_DEPTH:
            return f"the definition is nested more than {_MAX_JSON_DEPTH} levels deep"
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"object keys must be text, not {type(key).__name__}"
                approximate_bytes += len(key) + 4
                stack.append((item, level + 1))
        elif isinstance(value, list | tuple):
            stack.extend((item, level + 1) for item in value)
        elif isinstance(value, str):
            approximate_bytes += len(value) + 2
        elif isinstance(value, float):
            if math.isnan(value) or math.isinf(value):
                return "numbers must be finite"
            approximate_bytes += 8
        elif value is None or isinstance(value, bool | int):
            approximate_bytes += 5
        else:
            return f"contains a {type(value).__name__}, which is not JSON data"
        if approximate_bytes > MAX_DEFINITION_BYTES:
            return f"the definition is larger than {MAX_DEFINITION_BYTES // 1_000_000} MB"
    return None


class _DictParser:
    """Turns the JSON dict into dataclasses, collecting every structural problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self.broken_keys: set[str] = set()
        self.field_count = 0

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def definition(self, data: object) -> FormDefinition | None:
        if not isinstance(data, dict):
            self.problem("", f"a form definition must be a JSON object, not {_type_name(data)}")
            return None
        shape = json_shape_problem(data)
        if shape is not None:
            self.problem("", shape)
            return None
        version_marker = data.get("schema_version")
        if version_marker != SCHEMA_VERSION:
            if isinstance(version_marker, int) and not isinstance(version_marker, bool) and version_marker > 1:
                self.problem(
                    "schema_version",
                    f"this form uses schema version {version_marker} from a newer CaseDesk; update CaseDesk",
                )
            else:
                self.problem("schema_version", f"must be {SCHEMA_VERSION}")
            return None
        for name in sorted(set(data) - _FORM_ATTRIBUTES):
            self.problem(name, "unknown form attribute")
        key = self.text(data, "key", "key", required=True)
        name = self.text(data, "name", "name", required=True)
        description = self.text(data, "description", "description") or ""
        version = data.get("version", 1)
        if not _is_int(version) or version < 1:
            self.problem("version", "must be a whole number of 1 or more")
            version = 1
        status_text = data.get("status", "draft")
        try:
            status = FormStatus(status_text)
        except ValueError:
            self.problem("status", "must be 'draft' or 'published'")
            status = FormStatus.DRAFT
        published_at = self.text(data, "published_at", "published_at")
        metadata = self.mapping(data, "metadata", "metadata")
        raw_fields = data.get("fields")
        if not isinstance(raw_fields, list):
            self.problem("fields", "must be a list of fields")
            raw_fields = []
        fields = self.field_list(raw_fields, "", 1)
        return FormDefinition(
            key=key or "",
            name=name or "",
            fields=fields,
            description=description,
            version=version,
            status=status,
            published_at=published_at,
            metadata=metadata,
        )

    def text(self, data: Mapping[str, Any], name: str, path: str, *, required: bool = False) -> str | None:
        value = data.get(name)
        if value is None:
            if required:
                self.problem(path, "is missing")
            return None
        if not isinstance(value, str):
            self.problem(path, f"must be text, not {_type_name(value)}")
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.problem(path, f"is longer than {MAX_TEXT_LENGTH} characters")
            return None
        return value

    def mapping(self, data: Mapping[str, Any], name: str, path: str) -> dict[str, Any]:
        value = data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be an object, not {_type_name(value)}")
            return {}
        return dict(value)

    def field_list(self, raw_fields: list[Any], parent_path: str, level: int) -> tuple[FieldDef, ...]:
        parsed: list[FieldDef] = []
        for index, raw in enumerate(raw_fields):
            where = f"{parent_path}fields[{index}]" if not parent_path else f"{parent_path}.fields[{index}]"
            self.field_count += 1
            if self.field_count > MAX_FIELDS:
                self.problem(where, f"the form has more than {MAX_FIELDS} fields")
                return tuple(parsed)
            result = self.field_def(raw, where, parent_path, level)
            if result is not None:
                parsed.append(result)
        return tuple(parsed)

    def field_def(self, raw: object, where: str, parent_path: str, level: int) -> FieldDef | None:
        if not isinstance(raw, dict):
            self.problem(where, f"a field must be an object, not {_type_name(raw)}")
            return None
        before = len(self.problems)
        key = raw.get("key")
        if isinstance(key, str) and key:
            path = f"{parent_path}.{key}" if parent_path else key
            if not KEY_RE.match(key):
                self.problem(path, f"key {key!r} must be letters, digits and _, starting with a letter (max 64)")
        else:
            path = where
            self.problem(where, "field has no key" if key in (None, "") else f"key must be text, not {_type_name(key)}")
        for name in sorted(set(raw) - _FIELD_ATTRIBUTES):
            hint = " (did you mean 'fields'?)" if name in ("children", "items") else ""
            self.problem(path, f"unknown attribute '{name}'{hint}")
        type_text = raw.get("type")
        field_type: FieldType | None = None
        try:
            if not isinstance(type_text, str):
                raise ValueError(type_text)
            field_type = FieldType(type_text)
        except ValueError:
            allowed = ", ".join(t.value for t in FieldType)
            self.problem(path, f"unknown field type {type_text!r} (expected one of: {allowed})")
        label = self.text(raw, "label", f"{path}: label") or ""
        texts = {name: self.text(raw, name, f"{path}: {name}") for name in _TEXT_ATTRIBUTES}
        required = raw.get("required", False)
        if not isinstance(required, bool | str):
            self.problem(path, "required must be true, false or an expression")
            required = False
        default = raw.get("default")
        if isinstance(default, list):
            if all(isinstance(item, str) for item in default):
                default = tuple(default)
            else:
                self.problem(path, "default must be a single value or a list of choice values")
                default = None
        elif default is not None and not isinstance(default, str | int | float | bool):
            self.problem(path, f"default must be a single value, not {_type_name(default)}")
            default = None
        default_expression = self.text(raw, "default_expression", f"{path}: default_expression")
        calculation = self.text(raw, "calculation", f"{path}: calculation")
        read_only = raw.get("read_only", False)
        if not isinstance(read_only, bool):
            self.problem(path, "read_only must be true or false")
            read_only = False
        choices = self.choices(raw.get("choices"), path)
        binding: ClientBinding | None = None
        if raw.get("binding") is not None:
            try:
                binding = ClientBinding(raw["binding"])
            except ValueError:
                allowed = ", ".join(b.value for b in ClientBinding)
                self.problem(path, f"unknown client binding {raw['binding']!r} (expected one of: {allowed})")
        max_rows = raw.get("max_rows")
        if max_rows is not None and (not _is_int(max_rows) or not 1 <= max_rows <= MAX_REPEAT_ROWS):
            self.problem(path, f"max_rows must be a whole number from 1 to {MAX_REPEAT_ROWS}")
            max_rows = None
        hints = self.print_hints(raw.get("print"), path)
        metadata = self.mapping(raw, "metadata", f"{path}: metadata")
        children: tuple[FieldDef, ...] = ()
        raw_children = raw.get("fields")
        if raw_children is not None:
            if field_type is not None and field_type not in CONTAINER_TYPES:
                self.problem(path, f"only group and repeat fields can contain fields, not {field_type.value}")
            elif not isinstance(raw_children, list):
                self.problem(path, "fields (the children) must be a list")
            elif level >= MAX_NESTING:
                self.problem(path, f"groups are nested more than {MAX_NESTING} levels deep")
            else:
                children = self.field_list(raw_children, path, level + 1)
        if field_type is None or not isinstance(key, str) or len(self.problems) > before:
            if isinstance(key, str):
                self.broken_keys.add(key)
            return None
        return FieldDef(
            key=key,
            type=field_type,
            label=label,
            hint=texts["hint"],
            required=required,
            required_message=texts["required_message"],
            constraint=texts["constraint"],
            constraint_message=texts["constraint_message"],
            relevant=texts["relevant"],
            default=default,
            default_expression=default_expression,
            calculation=calculation,
            read_only=read_only,
            choices=choices,
            binding=binding,
            children=children,
            max_rows=max_rows,
            print=hints,
            metadata=metadata,
        )

    def choices(self, raw: object, path: str) -> tuple[Choice, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(path, "choices must be a list of {value, label}")
            return ()
        if len(raw) > MAX_CHOICES:
            self.problem(path, f"more than {MAX_CHOICES} choices")
            return ()
        out: list[Choice] = []
        for index, item in enumerate(raw):
            if not isinstance(item, dict) or set(item) - {"value", "label"}:
                self.problem(path, f"choice {index + 1} must be an object with 'value' and 'label'")
                continue
            value, label = item.get("value"), item.get("label", item.get("value"))
            if _is_int(value):
                value = str(value)
            if not isinstance(value, str) or not isinstance(label, str):
                self.problem(path, f"choice {index + 1}: value and label must be text")
                continue
            out.append(Choice(value, label))
        return tuple(out)

    def print_hints(self, raw: object, path: str) -> PrintHints:
        if raw is None:
            return PrintHints()
        if not isinstance(raw, dict):
            self.problem(path, 'print must be an object like {"lines": 4}')
            return PrintHints()
        unknown = set(raw) - {"lines", "blank_rows", "hidden"}
        for name in sorted(unknown):
            self.problem(path, f"unknown print hint '{name}'")
        lines, blank_rows, hidden = raw.get("lines"), raw.get("blank_rows"), raw.get("hidden", False)
        if lines is not None and (not _is_int(lines) or not 1 <= lines <= MAX_PRINT_LINES):
            self.problem(path, f"print lines must be a whole number from 1 to {MAX_PRINT_LINES}")
            lines = None
        if blank_rows is not None and (not _is_int(blank_rows) or not 0 <= blank_rows <= MAX_BLANK_ROWS):
            self.problem(path, f"print blank_rows must be a whole number from 0 to {MAX_BLANK_ROWS}")
            blank_rows = None
        if not isinstance(hidden, bool):
            self.problem(path, "print hidden must be true or false")
            hidden = False
        return PrintHints(lines=lines, blank_rows=blank_rows, hidden=hidden)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__

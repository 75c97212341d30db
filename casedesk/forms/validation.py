"""Checking a whole form definition and compiling it for the engine.

``definition_problems`` lists every problem (path, message); ``compile_definition`` raises
``FormDefinitionError`` with them, or returns a ``CompiledForm``: parsed expressions and the order in
which relevance and calculations must be worked out (referenced fields before the fields that use them).
The compiled form is cached on the (immutable) definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from casedesk.forms._answers import coerce_answer
from casedesk.forms.expressions import KEY_RE, Expression, ExpressionSyntaxError, parse_expression
from casedesk.forms.schema import (
    CHOICE_TYPES,
    CONTAINER_TYPES,
    DISPLAY_TYPES,
    INPUT_TYPES,
    MAX_DEFINITION_BYTES,
    MAX_FIELDS,
    MAX_NESTING,
    FieldDef,
    FieldInfo,
    FieldType,
    FormDefinition,
    FormDefinitionError,
)

LABEL_REFERENCE_RE = re.compile(r"\$\{\s*([^}\s]*)\s*\}")
_CHOICE_VALUE_RE = re.compile(r"^\S{1,100}$")
_EXPRESSION_ATTRIBUTES = ("relevant", "required", "constraint", "calculation", "default_expression")
_TEXT_WITH_REFERENCES = ("label", "hint", "constraint_message", "required_message")


@dataclass(frozen=True)
class CompiledField:
    info: FieldInfo
    relevant: Expression | None
    required: Expression | None  # when required is an expression
    constraint: Expression | None
    calculation: Expression | None
    default_expression: Expression | None

    @property
    def field(self) -> FieldDef:
        return self.info.field

    @property
    def key(self) -> str:
        return self.info.field.key


@dataclass(frozen=True)
class CompiledForm:
    definition: FormDefinition
    fields: dict[str, CompiledField]  # by key, document order
    order: tuple[str, ...]  # evaluation order: what a field's relevance/value needs comes first

    def parent_key(self, key: str) -> str | None:
        parent = self.fields[key].info.parent
        return parent.key if parent is not None else None


def compile_definition(definition: FormDefinition) -> CompiledForm:
    """Validate and compile (cached on the definition). Raises FormDefinitionError listing every problem."""
    cached = definition._compiled
    if isinstance(cached, CompiledForm) and cached.definition is definition:
        return cached
    checker = _Checker(definition)
    problems = checker.run()
    if problems:
        raise FormDefinitionError(problems)
    compiled = CompiledForm(definition, checker.compiled, checker.evaluation_order())
    object.__setattr__(definition, "_compiled", compiled)
    return compiled


def definition_problems(definition: FormDefinition, *, skip_references_to: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every problem of a definition (empty when it is valid)."""
    return _Checker(definition, frozenset(skip_references_to)).run()


def validate_definition(definition: FormDefinition) -> FormDefinition:
    """Raise FormDefinitionError unless the definition is valid; returns it for chaining."""
    compile_definition(definition)
    return definition


class _Checker:
    def __init__(self, definition: FormDefinition, skip_references_to: frozenset[str] = frozenset()) -> None:
        self.definition = definition
        self.skip = skip_references_to
        self.problems: list[tuple[str, str]] = []
        self.infos: dict[str, FieldInfo] = {}
        self.compiled: dict[str, CompiledField] = {}
        self.dependencies: dict[str, set[str]] = {}

    def add(self, path: str, message: str) -> None:
        if (path, message) not in self.problems:
            self.problems.append((path, message))

    def run(self) -> list[tuple[str, str]]:
        self.check_form()
        infos = self.collect_fields()
        if infos is None:
            return self.problems
        for info in infos:
            self.check_field(info)
        for info in infos:
            self.check_expressions(info)
        self.check_cycles()
        self.check_size()
        return self.problems

    def check_form(self) -> None:
        definition = self.definition
        if not isinstance(definition.key, str) or not KEY_RE.match(definition.key):
            self.add("key", "the form key must be letters, digits and _, starting with a letter (max 64)")
        if not isinstance(definition.name, str) or not definition.name.strip():
            self.add("name", "the form needs a name")
        if not isinstance(definition.version, int) or isinstance(definition.version, bool) or definition.version < 1:
            self.add("version", "must be a whole number of 1 or more")
        if not definition.fields:
            self.add("fields", "the form has no fields")

    def collect_fields(self) -> list[FieldInfo] | None:
        infos: list[FieldInfo] = []
        numbers: dict[str, int] = {}
        for info in self.definition.walk():
            infos.append(info)
            if len(infos) > MAX_FIELDS:
                self.add("fields", f"the form has more than {MAX_FIELDS} fields")
                return None
            if info.path.count(".") >= MAX_NESTING:
                self.add(info.path, f"groups are nested more than {MAX_NESTING} levels deep")
                return None
            key = info.field.key
            if not isinstance(key, str) or not KEY_RE.match(key):
                self.add(info.path, f"key {key!r} must be letters, digits and _, starting with a letter (max 64)")
            elif key in self.infos:
                first = self.infos[key]
                self.add(
                    info.path,
                    f"duplicate key '{key}': field {len(infos)} ({_name(info.field)}) uses the same key as "
                    f"field {numbers[key]} ({_name(first.field)})",
                )
            else:
                self.infos[key] = info
                numbers[key] = len(infos)
        return infos

    def check_field(self, info: FieldInfo) -> None:
        field, path, kind = info.field, info.path, info.field.type
        if not isinstance(kind, FieldType):
            self.add(path, f"unknown field type {kind!r}")
            return
        if (kind in INPUT_OR_DISPLAY) and not field.label.strip():
            self.add(path, "needs a label")
        if kind in CHOICE_TYPES:
            self.check_choices(field, path)
        elif field.choices:
            self.add(path, f"choices are only for single_choice and multiple_choice, not {kind.value}")
        if kind is FieldType.CLIENT_FIELD and field.binding is None:
            self.add(path, "a client_field needs a binding (which client record field it shows)")
        if kind is not FieldType.CLIENT_FIELD and field.binding is not None:
            self.add(path, "binding is only for client_field")
        if kind is FieldType.CALCULATE and not field.calculation:
            self.add(path, "a calculate field needs a calculation")
        if kind is not FieldType.CALCULATE and field.calculation is not None:
            self.add(path, "calculation is only for calculate fields")
        if kind in CONTAINER_TYPES and not field.children:
            self.add(path, f"the {kind.value} has no fields inside it")
        if kind not in CONTAINER_TYPES and field.children:
            self.add(path, f"only group and repeat fields can contain fields, not {kind.value}")
        if kind is not FieldType.REPEAT and field.max_rows is not None:
            self.add(path, "max_rows is only for repeat groups")
        if kind is not FieldType.REPEAT and field.print.blank_rows is not None:
            self.add(path, "print blank_rows is only for repeat groups")
        answerable = kind in INPUT_TYPES or kind is FieldType.REPEAT
        if field.required is not False and not answerable:
            self.add(path, f"a {kind.value} field cannot be required")
        if field.constraint is not None and kind not in INPUT_TYPES:
            self.add(path, f"a {kind.value} field cannot have a constraint")
        self.check_default(field, path)

    def check_choices(self, field: FieldDef, path: str) -> None:
        if not field.choices:
            self.add(path, "the choice list is empty")
            return
        seen: set[str] = set()
        for number, choice in enumerate(field.choices, start=1):
            if not _CHOICE_VALUE_RE.match(choice.value):
                self.add(path, f"choice {number} value {choice.value!r} must be 1-100 characters without spaces")
            elif choice.value in seen:
                self.add(path, f"choice value '{choice.value}' appears twice")
            seen.add(choice.value)
            if not choice.label.strip():
                self.add(path, f"choice '{choice.value}' needs a label")

    def check_default(self, field: FieldDef, path: str) -> None:
        kind = field.type
        has_default = field.default is not None or field.default_expression is not None
        if not has_default:
            return
        if kind not in INPUT_TYPES or kind in (FieldType.SIGNATURE, FieldType.GOAL_PICKER):
            self.add(path, f"a {kind.value} field cannot have a default")
            return
        if field.default is not None:
            raw = list(field.default) if isinstance(field.default, tuple) else field.default
            _, problem = coerce_answer(field, raw)
            if problem is not None:
                self.add(path, f"default {problem}")
        info = self.infos.get(field.key)
        if field.default_expression is not None and info is not None and info.repeats:
            self.add(path, "default_expression is not supported inside a repeat group; use a fixed default")

    def parse(self, path: str, attribute: str, source: str) -> Expression | None:
        try:
            return parse_expression(source)
        except ExpressionSyntaxError as err:
            self.add(path, f"{attribute}: {err}")
            return None

    def check_expressions(self, info: FieldInfo) -> None:
        field, path = info.field, info.path
        parsed: dict[str, Expression | None] = {}
        for attribute in _EXPRESSION_ATTRIBUTES:
            source = getattr(field, attribute)
            if attribute == "required" and not isinstance(source, str):
                parsed[attribute] = None
                continue
            if source is None:
                parsed[attribute] = None
                continue
            expression = self.parse(path, attribute, source)
            parsed[attribute] = expression
            if expression is None:
                continue
            if expression.uses_current and attribute not in ("constraint", "required"):
                self.add(path, f"{attribute}: '.' (this field's value) can only be used in a constraint")
            for key in sorted(expression.references):
                self.check_reference(info, attribute, key)
        for attribute in _TEXT_WITH_REFERENCES:
            text = getattr(field, attribute)
            if not text:
                continue
            for match in LABEL_REFERENCE_RE.finditer(text):
                key = match.group(1)
                if not KEY_RE.match(key):
                    self.add(path, f"{attribute}: '${{{key}}}' is not a valid field name")
                else:
                    self.check_reference(info, attribute, key)
        dependencies: set[str] = set()
        for attribute in ("relevant", "calculation", "default_expression"):
            expression = parsed[attribute]
            if expression is not None:
                dependencies |= expression.references
        if info.parent is not None:
            dependencies.add(info.parent.key)
        self.dependencies[field.key] = dependencies
        self.compiled[field.key] = CompiledField(
            info=info,
            relevant=parsed["relevant"],
            required=parsed["required"],
            constraint=parsed["constraint"],
            calculation=parsed["calculation"],
            default_expression=parsed["default_expression"],
        )

    def check_reference(self, info: FieldInfo, attribute: str, key: str) -> None:
        target = self.infos.get(key)
        if target is None:
            if key not in self.skip:
                self.add(info.path, f"{attribute}: refers to ${{{key}}}, but there is no field with that key")
            return
        if target.field.type is FieldType.GROUP:
            self.add(info.path, f"{attribute}: ${{{key}}} is a group; refer to a field inside it")
        if attribute in ("relevant", "calculation") and key == info.field.key:
            self.add(info.path, f"{attribute}: refers to the field itself")

    def check_cycles(self) -> None:
        for cycle in find_cycles(self.dependencies, list(self.compiled)):
            readable = " -> ".join([*cycle, cycle[0]])
            path = self.compiled[cycle[0]].info.path
            self.add(path, f"relevance/calculation/default references go round in a circle: {readable}")

    def check_size(self) -> None:
        try:
            size = len(json.dumps(self.definition.to_dict(), ensure_ascii=False).encode())
        except (TypeError, ValueError, RecursionError):
            self.add("", "the definition contains data that cannot be stored as JSON")
            return
        if size > MAX_DEFINITION_BYTES:
            self.add("", f"the definition is larger than {MAX_DEFINITION_BYTES // 1_000_000} MB ({size:,} bytes)")

    def evaluation_order(self) -> tuple[str, ...]:
        return topological_order(self.dependencies, list(self.compiled))


def _name(field: FieldDef) -> str:
    label = field.label.strip() if isinstance(field.label, str) else ""
    if not label:
        return f"a {field.type} field"
    return f"'{label}'" if len(label) <= 40 else f"'{label[:37]}...'"


INPUT_OR_DISPLAY = INPUT_TYPES | DISPLAY_TYPES


def find_cycles(dependencies: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """Distinct cycles in a dependency graph (node -> nodes it needs), found without recursion."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(order, white)
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in order:
        if colour[start] != white:
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(dependencies.get(start, ())))]
        path = [start]
        colour[start] = grey
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                path.pop()
                colour[node] = black
                continue
            nxt = pending.pop(0)
            state = colour.get(nxt)
            if state is None:
                continue
            if state == grey:
                cycle = path[path.index(nxt) :]
                members = frozenset(cycle)
                if members not in seen:
                    seen.add(members)
                    cycles.append(cycle)
            elif state == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append((nxt, sorted(dependencies.get(nxt, ()))))
    return cycles


def topological_order(dependencies: dict[str, set[str]], order: list[str]) -> tuple[str, ...]:
    """Nodes with what each needs first; ties keep document order (stable)."""
    position = {key: index for index, key in enumerate(order)}
    remaining = {key: {d for d in dependencies.get(key, ()) if d in position and d != key} for key in order}
    dependents: dict[str, list[str]] = {key: [] for key in order}
    for key, needs in remaining.items():
        for need in needs:
            dependents[need].append(key)
    import heapq

    ready = [position[key] for key, needs in remaining.items() if not needs]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        key = order[heapq.heappop(ready)]
        result.append(key)
        for dependent in dependents[key]:
            needs = remaining[dependent]
            needs.discard(key)
            if not needs:
                heapq.heappush(ready, position[dependent])
    if len(result) != len(order):  # a cycle: compile_definition refuses those before asking
        result += [key for key in order if key not in set(result)]
    return tuple(result)

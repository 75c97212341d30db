"""Filling a form: relevance, calculations, defaults, client prefills and per-field validation.

Pure functions over plain data: a ``FormDefinition``, an answers dict and a ``FillContext`` (the client
record, the client's plan goals, today's date). Nothing is stored; a draft can always be saved whatever
``evaluate_form`` reports, and ``can_finalise`` says whether it may be marked final.

Answers are keyed by field key; groups are visual only, so a grouped field's answer sits beside the
others; a repeat group's answer is a list of row dicts (``{"medications": [{"med_name": ..}, ..]}``).
Results are keyed by *answer path*: ``"dob"``, ``"medications[0].dose"``,
``"kids[1].immunizations[0].vaccine"`` (row numbers from 0; groups do not appear in paths).

Rules (as in XLSForm): a field is relevant when its own ``relevant`` expression and every enclosing
group's are true; a non-relevant field reads as blank in expressions and is never validated; blank
answers are only checked for ``required``; constraints are checked on non-blank answers with ``.`` as the
answer; a calculate field is recomputed from the answers every time.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casedesk.forms._answers import coerce_answer, expression_value, goal_id_of, is_blank_answer
from casedesk.forms._values import BLANK, NodeSet, Value, format_number, to_string
from casedesk.forms.schema import FieldDef, FieldType, FormDefinition
from casedesk.forms.validation import LABEL_REFERENCE_RE, CompiledField, CompiledForm, compile_definition

Indices = tuple[int, ...]


@dataclass(frozen=True)
class GoalOption:
    """One goal of the client's current plan, offered by goal_picker fields."""

    id: str
    label: str


@dataclass(frozen=True)
class FillContext:
    """What a form can see besides its answers.

    ``client``: client record values by binding name (name, first_name, last_name, preferred_name,
    dob, record_number, medicaid_id, address, phone, language, program); dates as ``date`` or ISO text.
    ``goals``: the client's plan goals, or None when unknown (goal answers are then not checked).
    """

    client: Mapping[str, Any] = field(default_factory=dict)
    goals: tuple[GoalOption, ...] | None = None
    today: date = field(default_factory=date.today)
    now: datetime | None = None

    def moment(self) -> datetime:
        return self.now if self.now is not None else datetime.now()

    def goal_label(self, goal_id: str) -> str | None:
        for goal in self.goals or ():
            if goal.id == goal_id:
                return goal.label
        return None


@dataclass(frozen=True)
class FieldIssue:
    """A problem with one answer. kind: "required", "constraint", "type" or "rows"."""

    path: str
    key: str
    label: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.label or self.key} ({self.path}): {self.message}"


@dataclass(frozen=True)
class FormResult:
    relevant: Mapping[str, bool]
    values: Mapping[str, Any]  # answer path -> normalised value (None = blank), calculations included
    calculated: Mapping[str, Any]
    prefills: Mapping[str, Any]  # client_field paths -> value from the client record
    issues: tuple[FieldIssue, ...]
    answers: dict[str, Any]  # what to save: normalised answers, prefills and calculations applied
    final_answers: dict[str, Any]  # the same without answers to questions that are not relevant
    _evaluation: _Evaluation = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.issues

    def is_relevant(self, path: str) -> bool:
        return self.relevant.get(path, False)

    def issues_for(self, path: str) -> tuple[FieldIssue, ...]:
        return tuple(issue for issue in self.issues if issue.path == path)

    def row_count(self, repeat_key: str, indices: Indices = ()) -> int:
        return self._evaluation.row_count(repeat_key, indices)

    def value_of(self, key: str, indices: Indices = ()) -> Any:
        """Normalised value of a field instance (None when blank or not relevant)."""
        return self._evaluation.values.get((key, indices))

    def interpolate(self, text: str, indices: Indices = (), context: FillContext | None = None) -> str:
        """Text with ``${key}`` replaced by the answer as printed (labels like "Thanks, ${first_name}")."""
        return self._evaluation.interpolate(text, indices, context)


def can_finalise(result: FormResult) -> bool:
    """A response may be marked final only when no relevant field has a problem."""
    return not result.issues


def evaluate_form(
    definition: FormDefinition, answers: Mapping[str, Any] | None, context: FillContext | None = None
) -> FormResult:
    """Work out relevance, calculations, prefills and problems for a set of answers."""
    evaluation = _Evaluation(compile_definition(definition), answers or {}, context or FillContext())
    evaluation.run()
    return evaluation.result()


def new_response(definition: FormDefinition, context: FillContext | None = None) -> dict[str, Any]:
    """Answers to start a new response with: fixed defaults, client-record prefills, default expressions."""
    evaluation = _Evaluation(compile_definition(definition), {}, context or FillContext(), apply_defaults=True)
    evaluation.run()
    return evaluation.result().answers


def new_repeat_row(definition: FormDefinition, repeat_key: str, context: FillContext | None = None) -> dict[str, Any]:
    """A new row for a repeat group, with its fields' fixed defaults and client prefills."""
    compiled = compile_definition(definition)
    repeat = compiled.fields.get(repeat_key)
    if repeat is None or repeat.field.type is not FieldType.REPEAT:
        raise KeyError(f"{repeat_key!r} is not a repeat group of form {definition.key}")
    context = context or FillContext()
    row: dict[str, Any] = {}
    stack = list(repeat.field.children)
    while stack:
        child = stack.pop(0)
        if child.type is FieldType.GROUP:
            stack[:0] = list(child.children)
            continue
        value = _initial_value(child, context)
        if value is not None:
            row[child.key] = value
    return row


def format_answer(field_def: FieldDef, value: Any, context: FillContext | None = None) -> str:
    """An answer as a person reads it: choice labels, Yes/No, dates as YYYY-MM-DD, goal text."""
    if value is None or is_blank_answer(value):
        return ""
    kind = field_def.type
    if kind is FieldType.YES_NO:
        return {"yes": "Yes", "no": "No"}.get(str(value), str(value))
    if kind is FieldType.SINGLE_CHOICE:
        return field_def.choice_label(str(value))
    if kind is FieldType.MULTIPLE_CHOICE and isinstance(value, list):
        return ", ".join(field_def.choice_label(str(item)) for item in value)
    if kind is FieldType.GOAL_PICKER:
        goal_id = goal_id_of(value)
        label = context.goal_label(goal_id) if context is not None else None
        if label is None and isinstance(value, Mapping) and isinstance(value.get("label"), str):
            label = value["label"]
        return label if label is not None else f"Goal {goal_id}"
    if kind is FieldType.SIGNATURE:
        return "Signed"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def _initial_value(field_def: FieldDef, context: FillContext) -> Any:
    if field_def.type is FieldType.CLIENT_FIELD and field_def.binding is not None:
        prefill = _client_value(field_def, context)
        if prefill is not None:
            return prefill
    if field_def.default is not None:
        raw = list(field_def.default) if isinstance(field_def.default, tuple) else field_def.default
        value, problem = coerce_answer(field_def, raw)
        if problem is None:
            return value
    return None


def _client_value(field_def: FieldDef, context: FillContext) -> Any:
    if field_def.binding is None:
        return None
    raw = context.client.get(field_def.binding.value)
    value, problem = coerce_answer(field_def, raw)
    return None if problem is not None else value


def json_value(value: Value) -> Any:
    """A calculation result as stored in answers (None = blank)."""
    if isinstance(value, NodeSet):
        value = value[0] if value else BLANK
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return to_string(value)
    if isinstance(value, str):
        return None if value == "" else value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _Scope:
    """The environment an expression sees: one field instance."""

    def __init__(self, evaluation: _Evaluation, key: str, indices: Indices) -> None:
        self.evaluation = evaluation
        self.key = key
        self.indices = indices

    @property
    def today(self) -> date:
        return self.evaluation.context.today

    @property
    def now(self) -> datetime:
        return self.evaluation.now

    def lookup(self, key: str) -> Value:
        return self.evaluation.lookup(key, self.key, self.indices)

    def current(self) -> Value:
        return self.evaluation.expression_values.get((self.key, self.indices), BLANK)


class _Evaluation:
    def __init__(
        self,
        compiled: CompiledForm,
        answers: Mapping[str, Any],
        context: FillContext,
        *,
        apply_defaults: bool = False,
    ) -> None:
        self.compiled = compiled
        self.answers = copy.deepcopy(dict(answers)) if isinstance(answers, Mapping) else {}
        self.context = context
        self.now = context.moment()
        self.apply_defaults = apply_defaults
        self.goal_ids = None if context.goals is None else {goal.id for goal in context.goals}
        self.instances: dict[str, list[Indices]] = {}
        self.relevance: dict[tuple[str, Indices], bool] = {}
        self.values: dict[tuple[str, Indices], Any] = {}
        self.expression_values: dict[tuple[str, Indices], Value] = {}
        self.type_problems: dict[tuple[str, Indices], str] = {}
        self.rows: dict[tuple[str, Indices], list[dict[str, Any]]] = {}
        self.prefilled: set[tuple[str, Indices]] = set()
        self.issues: list[FieldIssue] = []

    # --- where answers live -------------------------------------------------------------------------
    def container(self, repeats: tuple[str, ...], indices: Indices) -> dict[str, Any]:
        """The dict holding answers of fields inside ``repeats`` at row ``indices`` (top level: answers)."""
        holder: dict[str, Any] = self.answers
        for depth, repeat_key in enumerate(repeats):
            holder = self.rows[(repeat_key, indices[:depth])][indices[depth]]
        return holder

    def row_count(self, repeat_key: str, indices: Indices) -> int:
        return len(self.rows.get((repeat_key, indices), ()))

    def path(self, key: str, indices: Indices) -> str:
        repeats = self.compiled.fields[key].info.repeats
        parts = [f"{repeat}[{index}]" for repeat, index in zip(repeats, indices, strict=False)]
        return ".".join([*parts, key])

    # --- evaluation ---------------------------------------------------------------------------------
    def run(self) -> None:
        for key in self.compiled.order:
            compiled_field = self.compiled.fields[key]
            for indices in self.enumerate_instances(compiled_field):
                self.evaluate_instance(compiled_field, indices)
        for key, compiled_field in self.compiled.fields.items():
            for indices in self.instances.get(key, ()):
                if self.relevance[(key, indices)]:
                    self.validate_instance(compiled_field, indices)

    def enumerate_instances(self, compiled_field: CompiledField) -> list[Indices]:
        repeats = compiled_field.info.repeats
        found: list[Indices] = [()]
        for depth, repeat_key in enumerate(repeats):
            del depth
            found = [(*indices, row) for indices in found for row in range(self.row_count(repeat_key, indices))]
        self.instances[compiled_field.key] = found
        return found

    def parent_relevant(self, compiled_field: CompiledField, indices: Indices) -> bool:
        parent = compiled_field.info.parent
        if parent is None:
            return True
        parent_indices = indices[:-1] if parent.type is FieldType.REPEAT else indices
        return self.relevance.get((parent.key, parent_indices), False)

    def evaluate_instance(self, compiled_field: CompiledField, indices: Indices) -> None:
        key, field_def = compiled_field.key, compiled_field.field
        scope = _Scope(self, key, indices)
        relevant = self.parent_relevant(compiled_field, indices)
        if relevant and compiled_field.relevant is not None:
            relevant = compiled_field.relevant.is_true(scope)
        self.relevance[(key, indices)] = relevant
        holder = self.container(compiled_field.info.repeats, indices)
        kind = field_def.type
        value: Any = None
        if kind is FieldType.REPEAT:
            raw_rows = holder.get(key)
            rows: list[dict[str, Any]] = []
            if isinstance(raw_rows, list) and all(isinstance(row, dict) for row in raw_rows):
                rows = raw_rows
            elif raw_rows is not None:
                self.type_problems[(key, indices)] = "must be a list of rows"
            self.rows[(key, indices)] = rows
            self.expression_values[(key, indices)] = NodeSet(("",) * len(rows)) if relevant else NodeSet()
            return
        if kind is FieldType.CALCULATE:
            if relevant and compiled_field.calculation is not None:
                value = json_value(compiled_field.calculation.evaluate(scope))
            self.values[(key, indices)] = value
            if value is None:
                holder.pop(key, None)
            else:
                holder[key] = value
            self.expression_values[(key, indices)] = expression_value(field_def, value) if relevant else BLANK
            return
        if field_def.is_input:
            raw = holder.get(key)
            if is_blank_answer(raw) and self.apply_defaults:
                raw = self.default_for(compiled_field, scope)
            if is_blank_answer(raw) and field_def.type is FieldType.CLIENT_FIELD:
                prefill = _client_value(field_def, self.context)
                if prefill is not None:
                    raw = prefill
                    self.prefilled.add((key, indices))
            value, problem = coerce_answer(field_def, raw, self.goal_ids)
            if problem is not None:
                self.type_problems[(key, indices)] = problem
            elif value is not None:
                holder[key] = value
        self.values[(key, indices)] = value
        self.expression_values[(key, indices)] = expression_value(field_def, value) if relevant else BLANK

    def default_for(self, compiled_field: CompiledField, scope: _Scope) -> Any:
        initial = _initial_value(compiled_field.field, self.context)
        if initial is not None:
            return initial
        if compiled_field.default_expression is not None:
            return json_value(compiled_field.default_expression.evaluate(scope))
        return None

    def validate_instance(self, compiled_field: CompiledField, indices: Indices) -> None:
        key, field_def = compiled_field.key, compiled_field.field
        place = (key, indices)
        scope = _Scope(self, key, indices)
        problem = self.type_problems.get(place)
        if problem is not None:
            self.issue(compiled_field, indices, "type", f"The answer {problem}.")
            return
        if field_def.type is FieldType.REPEAT:
            rows = self.row_count(key, indices)
            if rows == 0 and self.is_required(compiled_field, scope):
                message = field_def.required_message or "Add at least one row."
                self.issue(compiled_field, indices, "required", self.interpolate(message, indices))
            if field_def.max_rows is not None and rows > field_def.max_rows:
                self.issue(compiled_field, indices, "rows", f"No more than {field_def.max_rows} rows.")
            return
        if not field_def.is_input:
            return
        value = self.values.get(place)
        if value is None:
            if self.is_required(compiled_field, scope):
                default = "A signature is required." if field_def.type is FieldType.SIGNATURE else None
                message = field_def.required_message or default or "This question is required."
                self.issue(compiled_field, indices, "required", self.interpolate(message, indices))
            return
        if compiled_field.constraint is not None and not compiled_field.constraint.is_true(scope):
            message = field_def.constraint_message or "This answer is not allowed."
            self.issue(compiled_field, indices, "constraint", self.interpolate(message, indices))

    def is_required(self, compiled_field: CompiledField, scope: _Scope) -> bool:
        required = compiled_field.field.required
        if compiled_field.required is not None:
            return compiled_field.required.is_true(scope)
        return required is True

    def issue(self, compiled_field: CompiledField, indices: Indices, kind: str, message: str) -> None:
        label = self.interpolate(compiled_field.field.label, indices) if compiled_field.field.label else ""
        self.issues.append(FieldIssue(self.path(compiled_field.key, indices), compiled_field.key, label, kind, message))

    # --- references ---------------------------------------------------------------------------------
    def lookup(self, target_key: str, from_key: str, from_indices: Indices) -> Value:
        target = self.compiled.fields.get(target_key)
        if target is None:
            return BLANK
        own_repeats = self.compiled.fields[from_key].info.repeats
        target_repeats = target.info.repeats
        shared = 0
        while (
            shared < len(own_repeats)
            and shared < len(target_repeats)
            and own_repeats[shared] == target_repeats[shared]
            and shared < len(from_indices)
        ):
            shared += 1
        prefix = from_indices[:shared]
        if len(target_repeats) == shared:
            return self.expression_values.get((target_key, prefix), BLANK)
        collected: list[Value] = []
        for indices in self.instances.get(target_key, ()):
            if indices[:shared] == prefix:
                value = self.expression_values.get((target_key, indices), BLANK)
                if isinstance(value, NodeSet):
                    collected.extend(value)
                else:
                    collected.append(value)
        return NodeSet(collected)

    def display(self, key: str, indices: Indices, context: FillContext | None) -> str:
        target = self.compiled.fields.get(key)
        if target is None:
            return ""
        if target.info.repeats:
            seen = self.lookup(key, key, indices)
            if isinstance(seen, NodeSet):
                return ", ".join(to_string(item) for item in seen if item != "")
            return to_string(seen)
        value = self.values.get((key, ()))
        if not self.relevance.get((key, ()), False):
            return ""
        return format_answer(target.field, value, context or self.context)

    def interpolate(self, text: str, indices: Indices, context: FillContext | None = None) -> str:
        if "${" not in text:
            return text

        def replace(match: Any) -> str:
            key = match.group(1)
            target = self.compiled.fields.get(key)
            if target is None:
                return ""
            if target.info.repeats and len(indices) >= len(target.info.repeats):
                value = self.values.get((key, indices[: len(target.info.repeats)]))
                relevant = self.relevance.get((key, indices[: len(target.info.repeats)]), False)
                return format_answer(target.field, value, context or self.context) if relevant else ""
            return self.display(key, indices, context)

        return LABEL_REFERENCE_RE.sub(replace, text)

    # --- result -------------------------------------------------------------------------------------
    def result(self) -> FormResult:
        relevant: dict[str, bool] = {}
        values: dict[str, Any] = {}
        calculated: dict[str, Any] = {}
        prefills: dict[str, Any] = {}
        for key, compiled_field in self.compiled.fields.items():
            for indices in self.instances.get(key, ()):
                path = self.path(key, indices)
                relevant[path] = self.relevance[(key, indices)]
                if compiled_field.field.type is FieldType.REPEAT:
                    continue
                value = self.values.get((key, indices))
                values[path] = value
                if compiled_field.field.type is FieldType.CALCULATE:
                    calculated[path] = value
                if (key, indices) in self.prefilled:
                    prefills[path] = value
        return FormResult(
            relevant=relevant,
            values=values,
            calculated=calculated,
            prefills=prefills,
            issues=tuple(self.issues),
            answers=copy.deepcopy(self.answers),
            final_answers=self.final_answers(),
            _evaluation=self,
        )

    def final_answers(self) -> dict[str, Any]:
        pruned = copy.deepcopy(self.answers)
        self._prune(pruned, (), ())
        return pruned

    def _prune(self, holder: dict[str, Any], repeats: tuple[str, ...], indices: Indices) -> None:
        for key in list(holder):
            compiled_field = self.compiled.fields.get(key)
            if compiled_field is None or compiled_field.info.repeats != repeats:
                continue
            if not self.relevance.get((key, indices), False) or not _keeps_answer(compiled_field.field):
                del holder[key]
                continue
            if compiled_field.field.type is FieldType.REPEAT and isinstance(holder[key], list):
                for row_number, row in enumerate(holder[key]):
                    if isinstance(row, dict):
                        self._prune(row, (*repeats, key), (*indices, row_number))


def _keeps_answer(field_def: FieldDef) -> bool:
    return field_def.is_input or field_def.type in (FieldType.CALCULATE, FieldType.REPEAT)

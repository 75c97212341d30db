"""Form definition (+ answers) -> ``FormPrintLayout`` blocks for the report generator.

Blank (``answers=None``): every question, for paper filling: writing lines, a box per choice, repeat
tables with empty rows, signature lines. Client fields are filled in when a ``context`` is given, so a
blank intake can carry the client's name. Relevance cannot be worked out on paper, so nothing is skipped.

Filled: only relevant fields, answers as people read them (choice labels, Yes/No, goal text),
calculated values, repeat rows as table rows, signature blocks with the captured image when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from casedesk.domain.print_layout import (
    Block,
    ChoiceField,
    FieldLine,
    FormPrintLayout,
    Heading,
    NoteText,
    RepeatTable,
    SignatureLine,
)
from casedesk.forms.engine import FillContext, FormResult, Indices, evaluate_form, format_answer
from casedesk.forms.schema import ClientBinding, FieldDef, FieldType, FormDefinition
from casedesk.forms.validation import LABEL_REFERENCE_RE, compile_definition

DEFAULT_LONG_TEXT_LINES = 4
DEFAULT_BLANK_ROWS = 5
_BLANK_REFERENCE = "________"


@dataclass(frozen=True)
class SignatureCapture:
    """A signature to print in a signature field's block (image captured on screen, or just who/when)."""

    signer_name: str | None = None
    signed_at: str | None = None
    image_png: bytes | None = None


def layout_for(
    definition: FormDefinition,
    answers: Mapping[str, Any] | None = None,
    context: FillContext | None = None,
    signatures: Mapping[str, SignatureCapture] | None = None,
    *,
    status: str = "draft",
    date_format: str | None = None,
) -> FormPrintLayout:
    """Print layout of a blank (answers None) or filled form.

    ``signatures`` maps a signature field's key (or answer path inside a repeat) to what was captured.
    ``date_format`` (strftime, e.g. "%m/%d/%Y") formats date answers; default ISO (2024-05-01).
    """
    compile_definition(definition)
    builder = _Builder(definition, context, signatures or {}, date_format)
    if answers is None:
        blocks = builder.blank(definition.fields)
        filled = False
    else:
        builder.result = evaluate_form(definition, answers, context)
        blocks = builder.filled(definition.fields, ())
        filled = True
    return FormPrintLayout(
        title=definition.name,
        form_key=definition.key,
        form_version=definition.version,
        blocks=tuple(blocks),
        filled=filled,
        status=status,
    )


class _Builder:
    def __init__(
        self,
        definition: FormDefinition,
        context: FillContext | None,
        signatures: Mapping[str, SignatureCapture],
        date_format: str | None,
    ) -> None:
        self.definition = definition
        self.context = context
        self.signatures = signatures
        self.date_format = date_format
        self.result: FormResult | None = None

    # --- blank ------------------------------------------------------------------------------------
    def blank(self, fields: tuple[FieldDef, ...]) -> list[Block]:
        blocks: list[Block] = []
        for field_def in fields:
            if field_def.print.hidden:
                continue
            blocks.extend(self.blank_field(field_def))
        return blocks

    def blank_field(self, field_def: FieldDef) -> list[Block]:
        kind = field_def.type
        label = _blank_text(field_def.label)
        required = field_def.required is True
        if kind is FieldType.HEADING:
            return [Heading(label, 1)]
        if kind is FieldType.NOTE:
            return [NoteText(label)]
        if kind is FieldType.GROUP:
            heading: list[Block] = [Heading(label, 2)] if label else []
            return heading + self.blank(field_def.children)
        if kind is FieldType.REPEAT:
            blank_rows = field_def.print.blank_rows
            return [
                RepeatTable(
                    label=label,
                    columns=tuple(_blank_text(c.label) or c.key for c in _columns(field_def)),
                    rows=(),
                    blank_rows=DEFAULT_BLANK_ROWS if blank_rows is None else blank_rows,
                )
            ]
        if kind is FieldType.YES_NO:
            return [ChoiceField(label, ("Yes", "No"), required=required)]
        if kind in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            options = tuple(choice.label for choice in field_def.choices)
            multiple = kind is FieldType.MULTIPLE_CHOICE
            return [ChoiceField(label, options, multiple=multiple, required=required)]
        if kind is FieldType.GOAL_PICKER:
            goals = self.context.goals if self.context is not None else None
            if goals:
                return [ChoiceField(label, tuple(goal.label for goal in goals), required=required)]
            return [FieldLine(label, None, required, lines=field_def.print.lines or 2, hint=field_def.hint)]
        if kind is FieldType.SIGNATURE:
            return [SignatureLine(role=label)]
        if kind is FieldType.CALCULATE:
            if not label:
                return []
            return [FieldLine(label, None, False, lines=1, hint=field_def.hint)]
        value = None
        if kind is FieldType.CLIENT_FIELD and self.context is not None and field_def.binding is not None:
            value = self.client_text(field_def)
        return [FieldLine(label, value, required, lines=_lines(field_def), hint=field_def.hint)]

    def client_text(self, field_def: FieldDef) -> str | None:
        assert self.context is not None and field_def.binding is not None
        raw = self.context.client.get(field_def.binding.value)
        if raw is None or raw == "":
            return None
        if isinstance(raw, date):
            return self.format_date(raw.isoformat())
        text = str(raw)
        return self.format_date(text) if field_def.binding is ClientBinding.DOB else text

    # --- filled -----------------------------------------------------------------------------------
    def filled(self, fields: tuple[FieldDef, ...], indices: Indices) -> list[Block]:
        result = self.result
        assert result is not None
        blocks: list[Block] = []
        for field_def in fields:
            if field_def.print.hidden:
                continue
            path = _path(self.definition, field_def.key, indices)
            if not result.relevant.get(path, False):
                continue
            blocks.extend(self.filled_field(field_def, indices, path))
        return blocks

    def filled_field(self, field_def: FieldDef, indices: Indices, path: str) -> list[Block]:
        result = self.result
        assert result is not None
        kind = field_def.type
        label = result.interpolate(field_def.label, indices, self.context)
        required = field_def.required is True
        value = result.values.get(path)
        if kind is FieldType.HEADING:
            return [Heading(label, 1)]
        if kind is FieldType.NOTE:
            return [NoteText(label)]
        if kind is FieldType.GROUP:
            heading: list[Block] = [Heading(label, 2)] if label else []
            return heading + self.filled(field_def.children, indices)
        if kind is FieldType.REPEAT:
            return [self.filled_table(field_def, indices, label)]
        if kind is FieldType.YES_NO:
            picked = (format_answer(field_def, value),) if value is not None else ()
            return [ChoiceField(label, ("Yes", "No"), selected=picked, required=required)]
        if kind in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            options = tuple(choice.label for choice in field_def.choices)
            values = value if isinstance(value, list) else ([value] if value is not None else [])
            selected = tuple(field_def.choice_label(str(item)) for item in values)
            multiple = kind is FieldType.MULTIPLE_CHOICE
            return [ChoiceField(label, options, selected=selected, multiple=multiple, required=required)]
        if kind is FieldType.SIGNATURE:
            capture = self.signatures.get(path) or self.signatures.get(field_def.key)
            if capture is None:
                return [SignatureLine(role=label)]
            return [
                SignatureLine(
                    role=label,
                    signer_name=capture.signer_name,
                    signed_at=capture.signed_at,
                    image_png=capture.image_png,
                )
            ]
        if kind is FieldType.CALCULATE and not label:
            return []
        text = self.display(field_def, value)
        lines = 1 if text else _lines(field_def)
        return [FieldLine(label, text or None, required, lines=lines, hint=field_def.hint)]

    def filled_table(self, field_def: FieldDef, indices: Indices, label: str) -> RepeatTable:
        result = self.result
        assert result is not None
        columns = _columns(field_def)
        rows: list[tuple[str, ...]] = []
        for row in range(result.row_count(field_def.key, indices)):
            row_indices = (*indices, row)
            cells: list[str] = []
            for column in columns:
                cells.append(self.cell(column, row_indices))
            rows.append(tuple(cells))
        return RepeatTable(
            label=label,
            columns=tuple(result.interpolate(c.label, indices, self.context) or c.key for c in columns),
            rows=tuple(rows),
            blank_rows=0,
        )

    def cell(self, column: FieldDef, row_indices: Indices) -> str:
        result = self.result
        assert result is not None
        path = _path(self.definition, column.key, row_indices)
        if column.type is FieldType.REPEAT:
            if not result.relevant.get(path, False):
                return ""
            inner_rows = result.row_count(column.key, row_indices)
            parts = []
            for inner in range(inner_rows):
                inner_indices = (*row_indices, inner)
                texts = [self.cell(child, inner_indices) for child in _columns(column)]
                parts.append(" / ".join(text for text in texts if text))
            return "; ".join(part for part in parts if part)
        if not result.relevant.get(path, False):
            return ""
        return self.display(column, result.values.get(path))

    def display(self, field_def: FieldDef, value: Any) -> str:
        text = format_answer(field_def, value, self.context)
        is_date = field_def.type is FieldType.DATE or (
            field_def.type is FieldType.CLIENT_FIELD and field_def.binding is ClientBinding.DOB
        )
        return self.format_date(text) if is_date and text else text

    def format_date(self, iso: str) -> str:
        if self.date_format is None:
            return iso
        try:
            return date.fromisoformat(iso).strftime(self.date_format)
        except ValueError:
            return iso


def _columns(repeat: FieldDef) -> list[FieldDef]:
    """The table columns of a repeat: its questions (groups flattened), nested repeats as one column."""
    columns: list[FieldDef] = []
    stack = list(repeat.children)
    while stack:
        child = stack.pop(0)
        if child.print.hidden:
            continue
        if child.type is FieldType.GROUP:
            stack[:0] = list(child.children)
        elif child.type in (FieldType.HEADING, FieldType.NOTE) or (
            child.type is FieldType.CALCULATE and not child.label
        ):
            continue
        else:
            columns.append(child)
    return columns


def _lines(field_def: FieldDef) -> int:
    if field_def.print.lines is not None:
        return field_def.print.lines
    return DEFAULT_LONG_TEXT_LINES if field_def.type is FieldType.LONG_TEXT else 1


def _blank_text(text: str) -> str:
    return LABEL_REFERENCE_RE.sub(_BLANK_REFERENCE, text) if "${" in text else text


def _path(definition: FormDefinition, key: str, indices: Indices) -> str:
    repeats = compile_definition(definition).fields[key].info.repeats
    parts = [f"{repeat}[{index}]" for repeat, index in zip(repeats, indices, strict=False)]
    return ".".join([*parts, key])

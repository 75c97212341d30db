"""Pure helpers for the conflict review pane (no Qt): how values read, what a set of choices resolves to."""

from __future__ import annotations

import json
from typing import Any

from casedesk.errors import ValidationError
from casedesk.sync.conflicts import FieldConflict

MINE, THEIRS, EDIT = "mine", "theirs", "edit"
EMPTY = "(empty)"


def field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def format_value(value: Any) -> str:
    """A field value as the worker reads it: text as is, note sections one per line, nothing as (empty)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        lines = [f"{field_label(str(k))}: {format_value(v)}" for k, v in value.items()]
        return "\n".join(lines) if lines else EMPTY
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value) if value else EMPTY
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, int | float) else str(value)


def editable(f: FieldConflict) -> bool:
    """A field can be typed over when both sides are plain text (or empty)."""
    return all(v is None or isinstance(v, str) for v in (f.mine, f.theirs))


def resolution_for(
    fields: tuple[FieldConflict, ...], choices: dict[str, str], edits: dict[str, str] | None = None
) -> tuple[str, dict[str, Any] | None]:
    """The (choice, values) for casedesk.sync.conflicts.resolve from one choice per field.

    All "mine" -> "mine"; all "theirs" -> "theirs"; any mix or an edit -> "edit" with each field's value.
    """
    edits = edits or {}
    missing = [f.name for f in fields if f.name not in choices]
    if missing:
        raise ValidationError(f"Choose which version to keep for: {', '.join(field_label(m) for m in missing)}.")
    picked = {choices[f.name] for f in fields}
    if picked == {MINE}:
        return MINE, None
    if picked == {THEIRS}:
        return THEIRS, None
    values: dict[str, Any] = {}
    for f in fields:
        choice = choices[f.name]
        if choice == MINE:
            values[f.name] = f.mine
        elif choice == THEIRS:
            values[f.name] = f.theirs
        elif choice == EDIT:
            if not editable(f):
                raise ValidationError(f"{field_label(f.name)} cannot be typed over here; keep one of the two versions.")
            text = edits.get(f.name, "")
            values[f.name] = text if text.strip() else None
        else:
            raise ValidationError(f"Unknown choice {choice!r} for {field_label(f.name)}.")
    return EDIT, values

"""Form versions: publishing freezes a definition; changes go into a new draft version; answers move across.

Pure functions. The forms service stores the results; a response keeps the version it was filled under,
so old responses always render and print as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from casedesk.errors import ImmutableRecordError, InvalidTransitionError, ValidationError
from casedesk.forms._answers import coerce_answer, is_blank_answer
from casedesk.forms.engine import format_answer
from casedesk.forms.schema import FieldDef, FieldType, FormDefinition, FormStatus
from casedesk.forms.validation import CompiledField, CompiledForm, compile_definition

_TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})
_TO_TEXT = frozenset(
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
    }
)
_DIRECT = frozenset(
    {
        (FieldType.INTEGER, FieldType.DECIMAL),
        (FieldType.DECIMAL, FieldType.INTEGER),
        (FieldType.TEXT, FieldType.LONG_TEXT),
        (FieldType.LONG_TEXT, FieldType.TEXT),
        (FieldType.TEXT, FieldType.CLIENT_FIELD),
        (FieldType.LONG_TEXT, FieldType.CLIENT_FIELD),
    }
)
_CHOICE_LIKE = frozenset({FieldType.YES_NO, FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE})


def fingerprint(definition: FormDefinition) -> str:
    """SHA-256 of the canonical JSON of a definition (same content, same fingerprint)."""
    canonical = json.dumps(definition.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish(definition: FormDefinition, *, published_at: datetime | None = None) -> FormDefinition:
    """A published (frozen) copy of a valid draft. Raises FormDefinitionError if it has problems."""
    if definition.is_published:
        raise InvalidTransitionError(f"version {definition.version} of form '{definition.key}' is already published")
    compile_definition(definition)
    moment = published_at or datetime.now(UTC)
    published = replace(definition, status=FormStatus.PUBLISHED, published_at=moment.isoformat(timespec="seconds"))
    compile_definition(published)
    return published


def ensure_editable(definition: FormDefinition) -> None:
    """Refuse changes to a published version (responses were filled under it)."""
    if definition.is_published:
        raise ImmutableRecordError(
            f"version {definition.version} of form '{definition.key}' is published and cannot be changed; "
            "make a new draft version to edit it"
        )


def edit_draft(definition: FormDefinition, **changes: Any) -> FormDefinition:
    """A draft with attributes replaced (fields, name, description, metadata). Published: refused.

    The result is not validated (an editor passes through invalid states); validate before publishing.
    """
    ensure_editable(definition)
    forbidden = set(changes) & {"key", "version", "status", "published_at"}
    if forbidden:
        raise ValidationError(f"{', '.join(sorted(forbidden))} cannot be changed by editing a draft")
    return replace(definition, **changes)


def next_draft_version(published: FormDefinition) -> FormDefinition:
    """The draft that follows a published version: same content, version + 1, editable."""
    if not published.is_published:
        raise InvalidTransitionError(
            f"version {published.version} of form '{published.key}' is still a draft; edit it directly"
        )
    return replace(published, version=published.version + 1, status=FormStatus.DRAFT, published_at=None)


@dataclass(frozen=True)
class DroppedAnswer:
    """An answer that could not move to the new version: where it was, why, and what it said."""

    path: str
    reason: str
    value: Any = None


class Migration(NamedTuple):
    answers: dict[str, Any]
    dropped: list[DroppedAnswer]


def migrate_answers(
    old_definition: FormDefinition, new_definition: FormDefinition, answers: Mapping[str, Any]
) -> Migration:
    """Carry a draft's answers from one version to another.

    Answers whose field still exists (same key, same place inside or outside repeat groups) with a
    compatible type are kept, converted when needed (integer -> decimal, choice -> text, ...).
    Everything else is listed in ``dropped`` with the reason. Calculated fields are recomputed by the
    engine, so they are not carried over.
    """
    if old_definition.key != new_definition.key:
        raise ValidationError(
            f"cannot move answers from form '{old_definition.key}' to a different form '{new_definition.key}'"
        )
    old, new = compile_definition(old_definition), compile_definition(new_definition)
    dropped: list[DroppedAnswer] = []
    if not isinstance(answers, Mapping):
        return Migration({}, [DroppedAnswer("", "the saved answers were not readable", answers)])
    migrated = _migrate_level(old, new, answers, (), "", dropped)
    return Migration(migrated, dropped)


def _migrate_level(
    old: CompiledForm,
    new: CompiledForm,
    holder: Mapping[str, Any],
    repeats: tuple[str, ...],
    prefix: str,
    dropped: list[DroppedAnswer],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    version = new.definition.version
    for key, value in holder.items():
        path = f"{prefix}{key}"
        old_field = old.fields.get(key)
        new_field = new.fields.get(key)
        if is_blank_answer(value):
            continue
        if old_field is None:
            dropped.append(DroppedAnswer(path, "not a question of the old version", value))
            continue
        if old_field.field.type is FieldType.CALCULATE:
            continue  # recomputed from the answers
        if new_field is None:
            dropped.append(DroppedAnswer(path, f"the question was removed in version {version}", value))
            continue
        if new_field.info.repeats != repeats or old_field.info.repeats != repeats:
            dropped.append(DroppedAnswer(path, "the question moved into or out of a repeat group", value))
            continue
        if old_field.field.type is FieldType.REPEAT or new_field.field.type is FieldType.REPEAT:
            rows = _migrate_rows(old, new, old_field, new_field, value, path, dropped)
            if rows is not None:
                out[key] = rows
            continue
        if new_field.field.type is FieldType.CALCULATE:
            dropped.append(DroppedAnswer(path, f"the answer is calculated in version {version}", value))
            continue
        converted, reason = convert_answer(old_field.field, new_field.field, value)
        if reason is not None:
            dropped.append(DroppedAnswer(path, reason, value))
        if converted is not None:
            out[key] = converted
    return out


def _migrate_rows(
    old: CompiledForm,
    new: CompiledForm,
    old_field: CompiledField,
    new_field: CompiledField,
    value: Any,
    path: str,
    dropped: list[DroppedAnswer],
) -> list[dict[str, Any]] | None:
    if old_field.field.type is not new_field.field.type:
        dropped.append(
            DroppedAnswer(
                path,
                f"changed from {old_field.field.type.value} to {new_field.field.type.value}",
                value,
            )
        )
        return None
    if not isinstance(value, list):
        dropped.append(DroppedAnswer(path, "the saved rows were not readable", value))
        return None
    inner = (*old_field.info.repeats, old_field.key)
    rows: list[dict[str, Any]] = []
    for number, row in enumerate(value):
        if not isinstance(row, Mapping):
            dropped.append(DroppedAnswer(f"{path}[{number}]", "the saved row was not readable", row))
            continue
        rows.append(_migrate_level(old, new, row, inner, f"{path}[{len(rows)}].", dropped))
    limit = new_field.field.max_rows
    if limit is not None and len(rows) > limit:
        for number in range(limit, len(rows)):
            dropped.append(
                DroppedAnswer(
                    f"{path}[{number}]",
                    f"version {new.definition.version} allows at most {limit} row{'s' if limit != 1 else ''}",
                    rows[number],
                )
            )
        rows = rows[:limit]
    return rows


def convert_answer(old: FieldDef, new: FieldDef, value: Any) -> tuple[Any, str | None]:
    """(value for the new field or None, reason something was dropped or None)."""
    old_type, new_type = old.type, new.type
    if new_type is FieldType.MULTIPLE_CHOICE and old_type is FieldType.MULTIPLE_CHOICE:
        return _keep_offered(new, value)
    candidate: Any = value
    if old_type is new_type or (old_type, new_type) in _DIRECT:
        candidate = value
    elif new_type in _TEXT_TYPES and old_type in _TO_TEXT:
        candidate = format_answer(old, value)
    elif old_type in _CHOICE_LIKE and new_type in _CHOICE_LIKE:
        candidate = _between_choices(new_type, value)
        if candidate is None:
            return None, f"changed from {old_type.value} to {new_type.value} and the answer does not fit"
    else:
        return None, f"the question changed from {old_type.value} to {new_type.value}"
    converted, problem = coerce_answer(new, candidate)
    if problem is not None:
        return None, f"the answer {problem}"
    return converted, None


def _between_choices(new_type: FieldType, value: Any) -> Any:
    values = value if isinstance(value, list) else [value]
    if new_type is FieldType.MULTIPLE_CHOICE:
        return values
    if len(values) != 1:
        return None
    return values[0]


def _keep_offered(new: FieldDef, value: Any) -> tuple[Any, str | None]:
    offered = {choice.value for choice in new.choices}
    items = value if isinstance(value, list) else str(value).split()
    kept = [item for item in items if item in offered]
    gone = [str(item) for item in items if item not in offered]
    reason = None
    if gone:
        reason = f"{', '.join(repr(g) for g in gone)} no longer offered"
    return (kept or None), reason

"""Pure helpers for stored responses: answer paths and the content hash of a finalised response.

Answer paths are the engine's: ``"dob"``, ``"medications[0].dose"``, ``"kids[1].shots[0].vaccine"``
(groups do not appear; rows count from 0).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from casedesk.errors import ValidationError
from casedesk.forms.engine import FillContext
from casedesk.forms.schema import FieldDef, FieldType, FormDefinition

_SEGMENT_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,63})(?:\[(\d{1,4})\])?$")


def parse_answer_path(path: str) -> list[tuple[str, int | None]]:
    """``"a[1].b"`` -> ``[("a", 1), ("b", None)]``; only the last segment may lack a row number."""
    segments: list[tuple[str, int | None]] = []
    parts = path.split(".") if path else []
    if not parts:
        raise ValidationError("An answer path is empty.")
    for position, part in enumerate(parts):
        match = _SEGMENT_RE.match(part)
        if match is None:
            raise ValidationError(f"{path!r} is not an answer path (like 'field' or 'rows[0].field').")
        row = match.group(2)
        last = position == len(parts) - 1
        if last and row is not None:
            raise ValidationError(f"{path!r} must end with a field key, not a row.")
        if not last and row is None:
            raise ValidationError(f"{path!r}: '{part}' needs a row number, like '{part}[0]'.")
        segments.append((match.group(1), None if row is None else int(row)))
    return segments


def answer_at(answers: Mapping[str, Any], path: str) -> Any:
    """The stored answer at an answer path, or None when it (or its row) is not there."""
    holder: Any = answers
    for key, row in parse_answer_path(path):
        if not isinstance(holder, Mapping):
            return None
        holder = holder.get(key)
        if row is not None:
            if not isinstance(holder, list) or row >= len(holder):
                return None
            holder = holder[row]
    return holder


def with_answer(answers: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``answers`` with the answer at ``path`` set (value None removes it). The row must exist."""
    result = copy.deepcopy(dict(answers))
    segments = parse_answer_path(path)
    holder: dict[str, Any] = result
    for key, row in segments[:-1]:
        rows = holder.get(key)
        if not isinstance(rows, list) or row is None or row >= len(rows) or not isinstance(rows[row], dict):
            raise ValidationError(f"There is no row {path.split('.')[0]} in these answers.")
        holder = rows[row]
    last = segments[-1][0]
    if value is None:
        holder.pop(last, None)
    else:
        holder[last] = value
    return result


def canonical_response(
    *, response_id: str, client_id: str | None, form_key: str, form_version: int, answers: Mapping[str, Any]
) -> bytes:
    """The bytes a finalised response's hash covers: which form and version, whose, and the answers."""
    document = {
        "response_id": response_id,
        "client_id": client_id,
        "form_key": form_key,
        "form_version": form_version,
        "answers": answers,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def response_hash(
    *, response_id: str, client_id: str | None, form_key: str, form_version: int, answers: Mapping[str, Any]
) -> str:
    """SHA-256 (hex) of ``canonical_response``: same content, same hash; any answer changed, another hash."""
    return hashlib.sha256(
        canonical_response(
            response_id=response_id,
            client_id=client_id,
            form_key=form_key,
            form_version=form_version,
            answers=answers,
        )
    ).hexdigest()


def iter_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> Iterator[tuple[str, FieldDef, Any]]:
    """(answer path, field, stored value) for every non-repeat answer present, rows included, in any order.

    Answers whose key is not a field of the definition are skipped.
    """
    fields = {info.field.key: info.field for info in definition.walk()}
    stack: list[tuple[Mapping[str, Any], str]] = [(answers, "")]
    while stack:
        holder, prefix = stack.pop()
        for key, value in holder.items():
            field_def = fields.get(key)
            if field_def is None:
                continue
            if field_def.type is FieldType.REPEAT:
                if isinstance(value, list):
                    for row_number, row in enumerate(value):
                        if isinstance(row, Mapping):
                            stack.append((row, f"{prefix}{key}[{row_number}]."))
                continue
            yield f"{prefix}{key}", field_def, value


def label_goal_answers(definition: FormDefinition, answers: Mapping[str, Any], context: FillContext) -> dict[str, Any]:
    """A copy where each goal answer given as a bare id carries the goal's text too (``{"id", "label"}``).

    A stored response then prints the goal as it read when it was filled, even after the plan changes.
    Ids that are not goals of the context are left as they are.
    """
    result = copy.deepcopy(dict(answers))
    for path, field_def, value in list(iter_answers(definition, result)):
        if field_def.type is FieldType.GOAL_PICKER and isinstance(value, str):
            label = context.goal_label(value)
            if label is not None:
                result = with_answer(result, path, {"id": value, "label": label})
    return result

"""Editing a draft definition, one designer action at a time: add, delete, move, change, group fields.

Pure functions from a draft ``FormDefinition`` to a new one (published versions refuse, through
``versioning.edit_draft``). The results are *not* validated: a designer passes through states that are
not valid yet (a group with nothing in it, an expression half typed); ``definition_problems`` says what
is wrong, and the form editor shows it. Structural mistakes (an unknown key, moving a group into
itself, putting fields inside a question) raise ``EditError`` and change nothing.

Renaming a key rewrites every ``${old}`` reference in the form's expressions and texts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from casedesk.errors import ValidationError
from casedesk.forms.expressions import KEY_RE, ExpressionSyntaxError, rename_references
from casedesk.forms.schema import (
    CHOICE_TYPES,
    CONTAINER_TYPES,
    INPUT_TYPES,
    Choice,
    ClientBinding,
    FieldDef,
    FieldType,
    FormDefinition,
)
from casedesk.forms.validation import LABEL_REFERENCE_RE
from casedesk.forms.versioning import edit_draft

_EXPRESSION_ATTRIBUTES = ("relevant", "constraint", "calculation", "default_expression")
_TEXT_ATTRIBUTES = ("label", "hint", "constraint_message", "required_message")
_TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: "Text",
    FieldType.LONG_TEXT: "Long text",
    FieldType.INTEGER: "Whole number",
    FieldType.DECIMAL: "Decimal number",
    FieldType.DATE: "Date",
    FieldType.TIME: "Time",
    FieldType.YES_NO: "Yes / no",
    FieldType.SINGLE_CHOICE: "Single choice",
    FieldType.MULTIPLE_CHOICE: "Multiple choice",
    FieldType.CLIENT_FIELD: "From the client record",
    FieldType.GOAL_PICKER: "Plan goal",
    FieldType.SIGNATURE: "Signature",
    FieldType.HEADING: "Section heading",
    FieldType.NOTE: "Note (text only)",
    FieldType.GROUP: "Group",
    FieldType.REPEAT: "Repeat group (table)",
    FieldType.CALCULATE: "Calculation",
}
_NEW_LABELS: dict[FieldType, str] = {
    FieldType.HEADING: "New section",
    FieldType.NOTE: "Instructions",
    FieldType.GROUP: "New group",
    FieldType.REPEAT: "New table",
    FieldType.SIGNATURE: "Signature",
    FieldType.CALCULATE: "",
}


class EditError(ValidationError):
    """A designer action that cannot be done (nothing was changed)."""


@dataclass(frozen=True)
class Position:
    """Where a field sits: its parent's key (None: top level) and its index among the parent's fields."""

    parent: str | None
    index: int


def type_label(field_type: FieldType) -> str:
    """The name a designer sees for a field type."""
    return _TYPE_LABELS[field_type]


# --- looking things up ---------------------------------------------------------------------------------


def position_of(definition: FormDefinition, key: str) -> Position:
    for info in definition.walk():
        if info.field.key == key:
            siblings = info.parent.children if info.parent is not None else definition.fields
            index = next(i for i, f in enumerate(siblings) if f is info.field)
            return Position(info.parent.key if info.parent is not None else None, index)
    raise EditError(f"There is no field '{key}' in this form.")


def children_of(definition: FormDefinition, parent: str | None) -> tuple[FieldDef, ...]:
    if parent is None:
        return definition.fields
    container = _find(definition, parent)
    if container.type not in CONTAINER_TYPES:
        raise EditError(f"'{parent}' is a question, not a group; fields cannot go inside it.")
    return container.children


def descendant_keys(field_def: FieldDef) -> set[str]:
    keys: set[str] = set()
    stack = list(field_def.children)
    while stack:
        current = stack.pop()
        keys.add(current.key)
        stack.extend(current.children)
    return keys


def unique_key(definition: FormDefinition, base: str, taken: set[str] | None = None) -> str:
    """``base`` made into a key that no field uses yet (``base``, ``base_2``, ``base_3``...)."""
    used = {info.field.key for info in definition.walk()} | (taken or set())
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", base).strip("_").lower() or "field"
    if not clean[0].isalpha():
        clean = f"f_{clean}"
    clean = clean[:56]
    if clean not in used:
        return clean
    number = 2
    while f"{clean}_{number}" in used:
        number += 1
    return f"{clean}_{number}"


# --- making fields -----------------------------------------------------------------------------------


def new_field(definition: FormDefinition, field_type: FieldType, *, taken: set[str] | None = None) -> FieldDef:
    """A field of this type with a fresh key and what the type needs to be valid (choices, a child...)."""
    base = "question" if field_type in INPUT_TYPES else field_type.value
    key = unique_key(definition, base, taken)
    label = _NEW_LABELS.get(field_type, "New question")
    field_def = FieldDef(key=key, type=FieldType.TEXT, label=label)
    return _fit_to_type(definition, field_def, field_type, taken={key, *(taken or set())})


def _fit_to_type(
    definition: FormDefinition, field_def: FieldDef, field_type: FieldType, taken: set[str] | None = None
) -> FieldDef:
    """The field changed to another type, keeping what still applies and adding what the type needs."""
    changes: dict[str, Any] = {"type": field_type}
    if field_type in CHOICE_TYPES:
        if not field_def.choices:
            changes["choices"] = (Choice("option_1", "Option 1"), Choice("option_2", "Option 2"))
    else:
        changes["choices"] = ()
    changes["binding"] = (field_def.binding or ClientBinding.NAME) if field_type is FieldType.CLIENT_FIELD else None
    if field_type is FieldType.CALCULATE:
        changes["calculation"] = field_def.calculation or "1"
    else:
        changes["calculation"] = None
    if field_type in CONTAINER_TYPES:
        if not field_def.children:
            child_key = unique_key(definition, "question", {field_def.key, *(taken or set())})
            changes["children"] = (FieldDef(key=child_key, type=FieldType.TEXT, label="New question"),)
    else:
        changes["children"] = ()
    if field_type is not FieldType.REPEAT:
        changes["max_rows"] = None
        if field_def.print.blank_rows is not None:
            changes["print"] = replace(field_def.print, blank_rows=None)
    answerable = field_type in INPUT_TYPES or field_type is FieldType.REPEAT
    if not answerable:
        changes["required"] = False
        changes["required_message"] = None
    if field_type not in INPUT_TYPES:
        changes["constraint"] = None
        changes["constraint_message"] = None
    if field_type not in INPUT_TYPES or field_type in (FieldType.SIGNATURE, FieldType.GOAL_PICKER):
        changes["default"] = None
        changes["default_expression"] = None
    elif field_def.type is not field_type:
        changes["default"] = None  # a default of another type would not fit
    return replace(field_def, **changes)


# --- the actions -------------------------------------------------------------------------------------


def insert_field(
    definition: FormDefinition, field_def: FieldDef, parent: str | None = None, index: int | None = None
) -> FormDefinition:
    """Add a field inside ``parent`` (None: top level) at ``index`` (None: at the end)."""
    used = {info.field.key for info in definition.walk()}
    clash = ({field_def.key} | descendant_keys(field_def)) & used
    if clash:
        raise EditError(f"The key '{sorted(clash)[0]}' is already used in this form.")
    siblings = list(children_of(definition, parent))
    where = len(siblings) if index is None else max(0, min(index, len(siblings)))
    siblings.insert(where, field_def)
    return _with_children(definition, parent, tuple(siblings))


def remove_field(definition: FormDefinition, key: str) -> FormDefinition:
    """Delete a field (and everything inside it, for a group)."""
    where = position_of(definition, key)
    siblings = list(children_of(definition, where.parent))
    del siblings[where.index]
    return _with_children(definition, where.parent, tuple(siblings))


def move_field(definition: FormDefinition, key: str, parent: str | None, index: int) -> FormDefinition:
    """Move a field to ``index`` among ``parent``'s fields (index counted before the move)."""
    moving = _find(definition, key)
    if parent == key or (parent is not None and parent in descendant_keys(moving)):
        raise EditError("A group cannot be moved inside itself.")
    children_of(definition, parent)  # the target must be the top level or a group
    where = position_of(definition, key)
    if where.parent == parent and index > where.index:
        index -= 1
    without = remove_field(definition, key)
    return insert_field(without, moving, parent, index)


def update_field(definition: FormDefinition, field_key: str, /, **changes: Any) -> FormDefinition:
    """Change attributes of one field. ``type`` adapts the field; a new ``key`` renames references too."""
    current = _find(definition, field_key)
    new_key = changes.pop("key", field_key)
    new_type = FieldType(changes.pop("type", current.type))
    updated = replace(current, **changes) if changes else current
    if new_type is not current.type:
        if current.children and new_type not in CONTAINER_TYPES:
            raise EditError(
                f"'{field_key}' has fields inside it; move or delete them before making it a {type_label(new_type)}."
            )
        updated = _fit_to_type(definition, updated, new_type)
    result = _replace_field(definition, field_key, updated)
    if new_key != field_key:
        result = rename_key(result, field_key, new_key)
    return result


def rename_key(definition: FormDefinition, old: str, new: str) -> FormDefinition:
    """Give a field a new key and point every ``${old}`` in the form at it."""
    if not KEY_RE.match(new):
        raise EditError("A key must be letters, digits and _, starting with a letter (at most 64).")
    if new != old and any(info.field.key == new for info in definition.walk()):
        raise EditError(f"The key '{new}' is already used in this form.")
    renamed = _replace_field(definition, old, replace(_find(definition, old), key=new))
    return _map_fields(renamed, lambda f: _rename_references_in(f, old, new))


def wrap_fields(
    definition: FormDefinition, keys: list[str], container_type: FieldType, label: str = ""
) -> tuple[FormDefinition, str]:
    """Put sibling fields into a new group or repeat group at the first one's place. Returns (form, new key)."""
    if container_type not in CONTAINER_TYPES:
        raise EditError("Fields can only be grouped into a group or a repeat group.")
    if not keys:
        raise EditError("Select the fields to group first.")
    positions = [position_of(definition, key) for key in keys]
    parents = {p.parent for p in positions}
    if len(parents) != 1:
        raise EditError("Only fields side by side (with the same parent) can be grouped together.")
    parent = positions[0].parent
    siblings = list(children_of(definition, parent))
    chosen = sorted({p.index for p in positions})
    members = tuple(siblings[i] for i in chosen)
    base = "table" if container_type is FieldType.REPEAT else "group"
    container = FieldDef(
        key=unique_key(definition, base),
        type=container_type,
        label=label or ("New table" if container_type is FieldType.REPEAT else "New group"),
        children=members,
    )
    remaining = [f for i, f in enumerate(siblings) if i not in chosen]
    remaining.insert(chosen[0], container)
    return _with_children(definition, parent, tuple(remaining)), container.key


def unwrap_group(definition: FormDefinition, key: str) -> FormDefinition:
    """Replace a group or repeat group by the fields inside it."""
    container = _find(definition, key)
    if container.type not in CONTAINER_TYPES:
        raise EditError(f"'{key}' is not a group.")
    where = position_of(definition, key)
    siblings = list(children_of(definition, where.parent))
    siblings[where.index : where.index + 1] = list(container.children)
    return _with_children(definition, where.parent, tuple(siblings))


def set_form_details(
    definition: FormDefinition, *, name: str | None = None, description: str | None = None
) -> FormDefinition:
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if description is not None:
        changes["description"] = description
    return edit_draft(definition, **changes)


# --- internals ---------------------------------------------------------------------------------------


def _find(definition: FormDefinition, key: str) -> FieldDef:
    try:
        return definition.field(key)
    except KeyError:
        raise EditError(f"There is no field '{key}' in this form.") from None


def _with_children(definition: FormDefinition, parent: str | None, children: tuple[FieldDef, ...]) -> FormDefinition:
    if parent is None:
        return edit_draft(definition, fields=children)
    container = _find(definition, parent)
    return _replace_field(definition, parent, replace(container, children=children))


def _replace_field(definition: FormDefinition, key: str, new: FieldDef) -> FormDefinition:
    found = False

    def swap(fields: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
        nonlocal found
        out: list[FieldDef] = []
        for f in fields:
            if f.key == key and not found:
                found = True
                out.append(new)
            elif f.children:
                out.append(replace(f, children=swap(f.children)))
            else:
                out.append(f)
        return tuple(out)

    fields = swap(definition.fields)
    if not found:
        raise EditError(f"There is no field '{key}' in this form.")
    return edit_draft(definition, fields=fields)


def _map_fields(definition: FormDefinition, change: Callable[[FieldDef], FieldDef]) -> FormDefinition:
    def visit(fields: tuple[FieldDef, ...]) -> tuple[FieldDef, ...]:
        out = []
        for f in fields:
            updated = change(f)
            if updated.children:
                updated = replace(updated, children=visit(updated.children))
            out.append(updated)
        return tuple(out)

    return edit_draft(definition, fields=visit(definition.fields))


def _rename_references_in(field_def: FieldDef, old: str, new: str) -> FieldDef:
    changes: dict[str, Any] = {}
    for attribute in _EXPRESSION_ATTRIBUTES:
        source = getattr(field_def, attribute)
        if isinstance(source, str) and "${" in source:
            changes[attribute] = _rename_in_expression(source, old, new)
    if isinstance(field_def.required, str) and "${" in field_def.required:
        changes["required"] = _rename_in_expression(field_def.required, old, new)
    for attribute in _TEXT_ATTRIBUTES:
        text = getattr(field_def, attribute)
        if isinstance(text, str) and "${" in text:
            changes[attribute] = LABEL_REFERENCE_RE.sub(
                lambda m: "${" + new + "}" if m.group(1) == old else m.group(0), text
            )
    return replace(field_def, **changes) if changes else field_def


def _rename_in_expression(source: str, old: str, new: str) -> str:
    try:
        return rename_references(source, {old: new})
    except ExpressionSyntaxError:
        # half-typed expression: rename the references that can still be recognised
        return LABEL_REFERENCE_RE.sub(lambda m: "${" + new + "}" if m.group(1) == old else m.group(0), source)


# --- defaults as the designer types them -------------------------------------------------------------


def default_from_text(field_def: FieldDef, text: str) -> str | int | float | tuple[str, ...] | None:
    """The fixed default a designer typed, as the field type stores it (checked by validation)."""
    text = text.strip()
    if not text:
        return None
    kind = field_def.type
    if kind is FieldType.MULTIPLE_CHOICE:
        return tuple(part for part in re.split(r"[\s,]+", text) if part)
    if kind is FieldType.INTEGER and re.fullmatch(r"[-+]?\d{1,15}", text, re.ASCII):
        return int(text)
    if kind is FieldType.DECIMAL and re.fullmatch(r"[-+]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})", text, re.ASCII):
        return float(text) if "." in text else int(text)
    if kind is FieldType.YES_NO:
        return text.lower()
    return text


def default_text(field_def: FieldDef) -> str:
    """A field's fixed default as the designer sees it in the properties."""
    value = field_def.default
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

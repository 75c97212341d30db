"""Profile settings (stored encrypted in the profile) with defaults and validation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casedesk.db.models import Agency, Setting
from casedesk.errors import ValidationError
from casedesk.services import audit

DEFAULTS: dict[str, Any] = {
    "idle_lock_minutes": 10,
    "default_note_template": "dap",
    "units_rule": "cms8",
    "quarter_definition": "calendar",  # calendar | plan_year
    "report_due_days": 15,
    "note_due_hours": 48,
    "page_size": "letter",  # letter | a4
    "allow_remember_passphrase": True,
    "language": "en",
    "spell_check": True,  # underline misspelled words in note editors
    "spelling_words": [],  # the worker's own words (services.spelling)
}

_CHOICES: dict[str, tuple[Any, ...]] = {
    "default_note_template": ("dap", "soap", "narrative"),
    "units_rule": ("cms8", "whole"),
    "quarter_definition": ("calendar", "plan_year"),
    "page_size": ("letter", "a4"),
    "language": ("en", "es"),
}
_RANGES: dict[str, tuple[int, int]] = {
    "idle_lock_minutes": (1, 240),
    "report_due_days": (0, 90),
    "note_due_hours": (1, 24 * 14),
}


def get(session: Session, key: str) -> Any:
    if key not in DEFAULTS and not key.startswith("local."):
        raise ValidationError(f"Unknown setting {key!r}.")
    row = session.get(Setting, key)
    return DEFAULTS.get(key) if row is None else row.value


def all_settings(session: Session) -> dict[str, Any]:
    return {key: get(session, key) for key in DEFAULTS}


def validate(key: str, value: Any) -> Any:
    if key not in DEFAULTS:
        raise ValidationError(f"Unknown setting {key!r}.")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ValidationError(f"{key} must be one of {', '.join(map(str, _CHOICES[key]))}.")
    if key in _RANGES:
        low, high = _RANGES[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError(f"{key} must be a whole number from {low} to {high}.")
    if key in ("allow_remember_passphrase", "spell_check") and not isinstance(value, bool):
        raise ValidationError(f"{key} must be true or false.")
    if key == "spelling_words":
        from casedesk.services.spelling import validate_personal_words

        return validate_personal_words(value)
    return value


def set_many(session: Session, values: dict[str, Any]) -> None:
    for key, value in values.items():
        validate(key, value)
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
    audit.record(session, "update", "setting", None, {"keys": sorted(values)})


def agency(session: Session) -> Agency | None:
    row = session.get(Setting, "agency_id")
    return session.get(Agency, row.value) if row else None


def set_agency(session: Session, name: str | None = None, logo_png: bytes | None = None) -> None:
    ag = agency(session)
    if ag is None:
        raise ValidationError("This profile has no agency record.")
    if name is not None:
        if not name.strip():
            raise ValidationError("The agency name cannot be empty.")
        ag.name = name.strip()
    if logo_png is not None:
        if not logo_png.startswith(b"\x89PNG"):
            raise ValidationError("The agency logo must be a PNG image.")
        ag.logo_png = logo_png
    audit.record(session, "update", "agency", ag.id)

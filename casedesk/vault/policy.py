"""The passphrase rule, shared by the store (which enforces it) and the unlock screens (which explain it)."""

from __future__ import annotations

from casedesk.errors import ValidationError

MIN_PASSPHRASE_LENGTH = 8


def check_passphrase_policy(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"Choose a passphrase of at least {MIN_PASSPHRASE_LENGTH} characters.")

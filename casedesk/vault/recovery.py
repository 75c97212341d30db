"""Agency recovery keys: 160 random bits shown once as eight groups of base32 letters."""

from __future__ import annotations

import base64
import secrets

from casedesk.errors import WrongPassphraseError


def new_recovery_key() -> bytes:
    return secrets.token_bytes(20)


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    # People copy O for 0 and I/L for 1; base32 has no 0 or 1, so map them back.
    cleaned = cleaned.replace("0", "O").replace("1", "I")
    try:
        raw = base64.b32decode(cleaned)
    except (ValueError, base64.binascii.Error) as exc:  # type: ignore[attr-defined]
        raise WrongPassphraseError("That is not a valid recovery key (expected 8 groups of 4 letters).") from exc
    if len(raw) != 20:
        raise WrongPassphraseError("That is not a valid recovery key (expected 8 groups of 4 letters).")
    return raw

"""Pure rules behind the unlock screens: passphrase strength feedback and the delay after wrong tries."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from casedesk.vault.policy import MIN_PASSPHRASE_LENGTH

# Passphrases people pick first; a match costs most of the score.
COMMON = frozenset(
    {
        "password",
        "passw0rd",
        "password1",
        "12345678",
        "123456789",
        "qwertyuiop",
        "iloveyou",
        "letmein1",
        "casedesk",
        "welcome1",
        "changeme",
        "abcdefgh",
        "11111111",
    }
)
LABELS = ("Too short", "Weak", "Fair", "Good", "Strong")


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    label: str
    hint: str
    acceptable: bool


def estimate_bits(passphrase: str) -> float:
    """A rough guessing-entropy estimate: character pool size per character, less for repetition."""
    pool = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        pool += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pool += 26
    if any(c in string.digits for c in passphrase):
        pool += 10
    if any(not c.isalnum() for c in passphrase):
        pool += 33
    if any(ord(c) > 127 for c in passphrase):
        pool += 50
    distinct = len(set(passphrase))
    effective_length = min(len(passphrase), distinct * 2)
    return effective_length * math.log2(pool) if pool else 0.0


def passphrase_strength(passphrase: str) -> Strength:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return Strength(0, LABELS[0], f"Use at least {MIN_PASSPHRASE_LENGTH} characters.", False)
    if passphrase.casefold() in COMMON:
        return Strength(1, LABELS[1], "This is one of the most common passwords; pick something else.", False)
    bits = estimate_bits(passphrase)
    words = len(passphrase.split())
    if words >= 4:
        bits = max(bits, 11.0 * words)  # several random words: a few thousand choices each
    if bits < 40:
        return Strength(1, LABELS[1], "Add more words or characters; a short sentence works well.", True)
    if bits < 60:
        return Strength(2, LABELS[2], "Longer is stronger: add another word.", True)
    if bits < 80:
        return Strength(3, LABELS[3], "A good passphrase.", True)
    return Strength(4, LABELS[4], "A strong passphrase.", True)


FREE_TRIES = 2
MAX_DELAY_SECONDS = 60


def retry_delay_seconds(failures: int) -> int:
    """How long the unlock button waits after `failures` wrong tries in a row: 0, 0, 1, 2, 4, ... 60."""
    if failures <= FREE_TRIES:
        return 0
    return int(min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_TRIES - 1)))

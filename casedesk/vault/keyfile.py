"""The wrapped-key file that lives beside the database.

The database key is 32 random bytes used as a raw SQLCipher key. It is stored only wrapped
(AES-256-GCM) under key-encryption keys (KEKs):
- ``passphrase``: KEK = Argon2id(passphrase, salt, params); params are stored beside the wrap;
- ``recovery``: KEK = HKDF-SHA256(recovery key) (the recovery key already has 160 random bits).
Changing the passphrase re-wraps the same database key, so the database is never rekeyed.
The AES-GCM associated data binds each wrap to this profile and wrap name, so wraps cannot be swapped.
A SHA-256 checksum over the file's content tells a damaged file (a flipped bit on disk) apart from a
wrong passphrase; files written before the checksum existed are still accepted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from casedesk.errors import KeyFileError, WrongPassphraseError
from casedesk.fileio import atomic_write_bytes
from casedesk.vault.recovery import parse_recovery_key

FORMAT = "casedesk-keyfile"
FORMAT_VERSION = 1
LEGACY_KEYS = frozenset({"format", "version", "profile_id", "wraps"})  # files written before the checksum


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. The default takes about 0.4 s on a 2020s laptop."""

    time_cost: int = 4
    memory_kib: int = 131072
    parallelism: int = 4

    @classmethod
    def default(cls) -> KdfParams:
        # Test suites and benchmarks create hundreds of profiles; they may ask for a cheap KDF.
        # The parameters are stored in the key file, so opening always uses what creation used.
        if os.environ.get("CASEDESK_INSECURE_FAST_KDF") == "1":
            return cls(time_cost=1, memory_kib=8192, parallelism=1)
        return cls()


def content_checksum(doc: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything in the key file except the checksum itself."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )


def derive_recovery_kek(recovery_key: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"casedesk recovery kek").derive(recovery_key)


@dataclass
class KeyFile:
    """In-memory form of the key file. Holds only wrapped keys, never the database key itself."""

    profile_id: str
    wraps: dict[str, dict[str, Any]]

    # ---- creation -------------------------------------------------------------------------------

    @classmethod
    def create(cls, profile_id: str, db_key: bytes, passphrase: str, recovery_key: bytes, params: KdfParams) -> KeyFile:
        kf = cls(profile_id=profile_id, wraps={})
        kf.set_passphrase(db_key, passphrase, params)
        salt = secrets.token_bytes(16)
        kf._store_wrap("recovery", derive_recovery_kek(recovery_key, salt), db_key, {"kdf": "hkdf-sha256"}, salt)
        return kf

    def set_passphrase(self, db_key: bytes, passphrase: str, params: KdfParams | None = None) -> None:
        params = params or KdfParams.default()
        salt = secrets.token_bytes(16)
        kek = derive_passphrase_kek(passphrase, salt, params)
        self._store_wrap("passphrase", kek, db_key, {"kdf": "argon2id", **asdict(params)}, salt)

    def _aad(self, name: str) -> bytes:
        return f"{FORMAT}:{self.profile_id}:{name}".encode()

    def _store_wrap(self, name: str, kek: bytes, db_key: bytes, kdf: dict[str, Any], salt: bytes) -> None:
        nonce = secrets.token_bytes(12)
        ciphertext = AESGCM(kek).encrypt(nonce, db_key, self._aad(name))
        self.wraps[name] = {**kdf, "salt": _b64(salt), "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}

    # ---- unwrapping -----------------------------------------------------------------------------

    def passphrase_kek(self, passphrase: str) -> bytes:
        wrap = self._wrap("passphrase")
        params = KdfParams(
            time_cost=int(wrap["time_cost"]),
            memory_kib=int(wrap["memory_kib"]),
            parallelism=int(wrap["parallelism"]),
        )
        return derive_passphrase_kek(passphrase, _unb64(wrap["salt"]), params)

    def unwrap_with_kek(self, kek: bytes, name: str = "passphrase") -> bytes:
        wrap = self._wrap(name)
        try:
            return AESGCM(kek).decrypt(_unb64(wrap["nonce"]), _unb64(wrap["ciphertext"]), self._aad(name))
        except InvalidTag:
            if name == "recovery":
                raise WrongPassphraseError("That recovery key does not open this profile.") from None
            raise WrongPassphraseError("Wrong passphrase. Check Caps Lock and try again.") from None

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        return self.unwrap_with_kek(self.passphrase_kek(passphrase), "passphrase")

    def unwrap_with_recovery_key(self, recovery_text: str) -> bytes:
        raw = parse_recovery_key(recovery_text)
        wrap = self._wrap("recovery")
        return self.unwrap_with_kek(derive_recovery_kek(raw, _unb64(wrap["salt"])), "recovery")

    def _wrap(self, name: str) -> dict[str, Any]:
        try:
            wrap = self.wraps[name]
            # touch every field now so a damaged file fails here with a clear message
            _unb64(wrap["salt"]), _unb64(wrap["nonce"]), _unb64(wrap["ciphertext"])
            return wrap
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyFileError(f"The key file has no usable '{name}' entry; it is damaged.") from exc

    # ---- persistence ----------------------------------------------------------------------------

    def to_json(self) -> bytes:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "profile_id": self.profile_id,
            "wraps": self.wraps,
        }
        doc["checksum"] = content_checksum(doc)
        return json.dumps(doc, indent=2, sort_keys=True).encode("utf-8")

    def save(self, path: Path) -> None:
        atomic_write_bytes(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileError(
                f"The key file {path} is missing. Restore it from a backup of the profile folder, "
                "or ask your agency administrator."
            ) from None
        except OSError as exc:
            raise KeyFileError(f"The key file {path} cannot be read: {exc.strerror}.") from None
        try:
            doc = json.loads(raw.decode("utf-8"))
            if doc.get("format") != FORMAT:
                raise ValueError("format")
            if "checksum" in doc and doc["checksum"] != content_checksum(doc):
                raise ValueError("checksum")
            if "checksum" not in doc and set(doc) - LEGACY_KEYS:
                raise ValueError("checksum")  # e.g. the name "checksum" itself was damaged
            if int(doc["version"]) > FORMAT_VERSION:
                raise KeyFileError(
                    f"The key file {path} was written by a newer version of CaseDesk; please update CaseDesk."
                )
            profile_id = str(doc["profile_id"])
            wraps = doc["wraps"]
            if not isinstance(wraps, dict) or "passphrase" not in wraps:
                raise ValueError("wraps")
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
            raise KeyFileError(
                f"The key file {path} is damaged and cannot be read. Restore it from a backup of the "
                "profile folder; your notes are still in the database."
            ) from None
        return cls(profile_id=profile_id, wraps=wraps)

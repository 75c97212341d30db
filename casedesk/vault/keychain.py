"""Optional "remember on this computer": the passphrase KEK kept in the OS keychain.

Only real, secure backends count. keyring's fail backend, the plaintext/obfuscated file backends of
keyrings.alt, and any backend with priority < 1 are treated as "no keyring": we say so and the
passphrase is always asked. A keychain that changed or lost the secret never locks anyone out.
"""

from __future__ import annotations

import base64
import contextlib
import logging

SERVICE = "CaseDesk"
_INSECURE_MODULE_PREFIXES = ("keyring.backends.fail", "keyrings.alt")

log = logging.getLogger(__name__)


def _backend() -> object | None:
    try:
        import keyring
        from keyring.backends import chainer

        backend = keyring.get_keyring()
        if isinstance(backend, chainer.ChainerBackend):
            usable = [b for b in backend.backends if _is_secure(b)]
            return backend if usable else None
        return backend if _is_secure(backend) else None
    except Exception:  # any import or D-Bus failure means "no keyring"
        log.info("keyring unavailable", exc_info=True)
        return None


def _is_secure(backend: object) -> bool:
    module = type(backend).__module__
    if module.startswith(_INSECURE_MODULE_PREFIXES):
        return False
    try:
        priority = float(getattr(backend, "priority", 0))
    except Exception:
        return False
    return priority >= 1


def backend_name() -> str | None:
    """Human-readable name of the usable keyring backend, or None when there is none."""
    backend = _backend()
    if backend is None:
        return None
    return f"{type(backend).__module__}.{type(backend).__name__}"


def available() -> bool:
    return _backend() is not None


def remember(profile_id: str, kek: bytes) -> bool:
    backend = _backend()
    if backend is None:
        return False
    try:
        backend.set_password(SERVICE, profile_id, base64.b64encode(kek).decode("ascii"))  # type: ignore[attr-defined]
        return True
    except Exception:
        log.warning("could not store the key in the keyring", exc_info=False)
        return False


def recall(profile_id: str) -> bytes | None:
    backend = _backend()
    if backend is None:
        return None
    try:
        value = backend.get_password(SERVICE, profile_id)  # type: ignore[attr-defined]
        return base64.b64decode(value) if value else None
    except Exception:
        return None


def forget(profile_id: str) -> None:
    backend = _backend()
    if backend is None:
        return
    with contextlib.suppress(Exception):
        backend.delete_password(SERVICE, profile_id)  # type: ignore[attr-defined]

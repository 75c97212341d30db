"""Key wrapping, recovery keys and the keyring fallback, without a database."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.errors import KeyFileError, WrongPassphraseError
from casedesk.vault import keychain
from casedesk.vault.keyfile import KdfParams, KeyFile
from casedesk.vault.recovery import format_recovery_key, new_recovery_key, parse_recovery_key

FAST = KdfParams(time_cost=1, memory_kib=8192, parallelism=1)


def test_wraps_unwrap_to_the_same_key_and_wrong_secrets_fail(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db_key = secrets.token_bytes(32)
    recovery = new_recovery_key()
    kf = KeyFile.create("profile-1", db_key, "passphrase one", recovery, FAST)
    kf.save(tmp_path / "k")
    loaded = KeyFile.load(tmp_path / "k")
    assert loaded.unwrap_with_passphrase("passphrase one") == db_key
    assert loaded.unwrap_with_recovery_key(format_recovery_key(recovery)) == db_key
    with pytest.raises(WrongPassphraseError):
        loaded.unwrap_with_passphrase("passphrase two")
    with pytest.raises(WrongPassphraseError):
        loaded.unwrap_with_recovery_key(format_recovery_key(new_recovery_key()))
    assert b"passphrase one" not in (tmp_path / "k").read_bytes()
    assert db_key.hex().encode() not in (tmp_path / "k").read_bytes()


def test_wraps_are_bound_to_their_profile() -> None:
    db_key = secrets.token_bytes(32)
    a = KeyFile.create("profile-a", db_key, "same passphrase", new_recovery_key(), FAST)
    moved = KeyFile(profile_id="profile-b", wraps=a.wraps)
    with pytest.raises(WrongPassphraseError):
        moved.unwrap_with_passphrase("same passphrase")


def test_passphrase_change_keeps_recovery_working() -> None:
    db_key = secrets.token_bytes(32)
    recovery = new_recovery_key()
    kf = KeyFile.create("p", db_key, "old passphrase", recovery, FAST)
    kf.set_passphrase(db_key, "new passphrase", FAST)
    assert kf.unwrap_with_passphrase("new passphrase") == db_key
    assert kf.unwrap_with_recovery_key(format_recovery_key(recovery)) == db_key
    with pytest.raises(WrongPassphraseError):
        kf.unwrap_with_passphrase("old passphrase")


@given(st.binary(min_size=20, max_size=20))
def test_recovery_key_text_round_trips_even_sloppily_typed(raw: bytes) -> None:
    text = format_recovery_key(raw)
    assert parse_recovery_key(text) == raw
    assert parse_recovery_key(text.lower().replace("-", " ")) == raw


@given(st.text(max_size=60))
@settings(max_examples=200)
def test_garbage_recovery_keys_fail_cleanly(text: str) -> None:
    try:
        raw = parse_recovery_key(text)
    except WrongPassphraseError:
        return
    assert len(raw) == 20  # anything accepted is a well-formed key


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"format": "other"}', b'{"format": "casedesk-keyfile", "version": 1}', b"\xff\xfe"],
)
def test_damaged_key_files_give_a_clear_error(tmp_path, content: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "casedesk.key"
    path.write_bytes(content)
    with pytest.raises(KeyFileError, match="damaged"):
        KeyFile.load(path)


def test_key_file_from_newer_version(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "casedesk.key"
    path.write_text('{"format": "casedesk-keyfile", "version": 99, "profile_id": "x", "wraps": {}}')
    with pytest.raises(KeyFileError, match="newer version"):
        KeyFile.load(path)


def test_fail_backend_means_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert keychain.available() is False
    assert keychain.remember("p", b"k" * 32) is False
    assert keychain.recall("p") is None


def test_plaintext_and_low_priority_backends_count_as_no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class PlaintextFile(KeyringBackend):
        priority = 5  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise AssertionError("must never be used")

        def delete_password(self, service: str, username: str) -> None:
            pass

    PlaintextFile.__module__ = "keyrings.alt.file"
    monkeypatch.setattr(keyring, "get_keyring", lambda: PlaintextFile())
    assert keychain.available() is False

    class Weak(PlaintextFile):
        priority = 0.5  # type: ignore[assignment]

    Weak.__module__ = "some.vendor.backend"
    monkeypatch.setattr(keyring, "get_keyring", lambda: Weak())
    assert keychain.available() is False


def test_secure_backend_remembers_and_a_changed_backend_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 10  # type: ignore[assignment]
        store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    Memory.__module__ = "keyring.backends.SecretService"
    monkeypatch.setattr(keyring, "get_keyring", lambda: Memory())
    assert keychain.available()
    assert keychain.remember("p", b"\x01" * 32)
    assert keychain.recall("p") == b"\x01" * 32

    class Broken(Memory):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("D-Bus went away")

    Broken.__module__ = "keyring.backends.kwallet"
    monkeypatch.setattr(keyring, "get_keyring", lambda: Broken())
    assert keychain.recall("p") is None  # the passphrase prompt takes over; nobody is locked out

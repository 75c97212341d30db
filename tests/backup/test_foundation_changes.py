"""The small foundation changes the backup work needed: key file checksum, profile lock, database key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.db.profile_lock import ProfileLock
from casedesk.db.store import Store
from casedesk.errors import KeyFileError
from casedesk.vault.keyfile import KeyFile
from tests.backup.conftest import PASSPHRASE

Profile = tuple[Store, str, list[str]]


def test_every_single_bit_flip_in_the_key_file_is_reported_as_damage(profile: Profile, tmp_path: Path) -> None:
    store, _cid, _goals = profile
    original = store.paths.key_file.read_bytes()
    damaged = tmp_path / "casedesk.key"
    for offset in range(len(original)):
        for bit in range(8):
            data = bytearray(original)
            data[offset] ^= 1 << bit
            damaged.write_bytes(bytes(data))
            with pytest.raises(KeyFileError, match="damaged"):
                KeyFile.load(damaged)


def test_a_key_file_written_before_the_checksum_still_opens(profile: Profile) -> None:
    store, _cid, _goals = profile
    store.close()
    doc = json.loads(store.paths.key_file.read_text())
    del doc["checksum"]
    store.paths.key_file.write_text(json.dumps(doc))
    Store.open(store.paths.root, passphrase=PASSPHRASE).close()


def test_the_database_key_is_available_while_open_and_dropped_on_close(profile: Profile) -> None:
    store, _cid, _goals = profile
    assert store.database_key() == store.key_file.unwrap_with_passphrase(PASSPHRASE)
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.database_key()


def test_open_stores_share_the_profile_lock_and_block_an_exclusive_one(profile: Profile) -> None:
    store, _cid, _goals = profile
    second = Store.open(store.paths.root, passphrase=PASSPHRASE)  # two windows/commands at once: fine
    with ProfileLock(store.paths.root) as lock:
        assert not lock.exclusive()
    second.close()
    with ProfileLock(store.paths.root) as lock:
        assert not lock.exclusive()  # the first store is still open
    store.close()
    with ProfileLock(store.paths.root) as lock:
        assert lock.exclusive()

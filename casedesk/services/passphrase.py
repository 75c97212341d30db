"""Setting a new passphrase after unlocking with the agency recovery key (the old passphrase is forgotten)."""

from __future__ import annotations

from casedesk.db.store import Store
from casedesk.services import audit
from casedesk.vault import keychain
from casedesk.vault.policy import check_passphrase_policy


def reset_with_recovery_key(store: Store, recovery_key: str, new_passphrase: str) -> None:
    """Re-wrap the database key under `new_passphrase`, proving access with the recovery key."""
    check_passphrase_policy(new_passphrase)
    db_key = store.key_file.unwrap_with_recovery_key(recovery_key)
    store.key_file.set_passphrase(db_key, new_passphrase)
    store.key_file.save(store.paths.key_file)
    keychain.forget(store.profile_id)
    with store.session() as s:
        audit.record(s, "passphrase_change", detail={"via": "recovery_key"})

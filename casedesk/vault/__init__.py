"""Key management: passphrase -> key-encryption key -> random database key; recovery key; keyring."""

from casedesk.vault.keyfile import KdfParams, KeyFile
from casedesk.vault.recovery import format_recovery_key, new_recovery_key

__all__ = ["KdfParams", "KeyFile", "format_recovery_key", "new_recovery_key"]

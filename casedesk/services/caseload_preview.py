"""The caseload as it was stored, read before the store opens: what the main window paints first when
the key comes from the keychain (gui/startup.py).

With a remembered passphrase there is nothing to type, so no time to load SQLAlchemy, the models and
the services behind an unlock screen; loading them takes about half a second. This read needs none of
them: it unwraps the database key with the remembered KEK, opens the file read-only through a plain
SQLCipher connection and runs the caseload list's own query (`caseload_list.read_caseload`). The store
then opens as usual behind the painted window, and the caseload pane refreshes its rows from it.

Nothing is written. Anything out of the ordinary gives None and the usual open takes over, with its
checks and its messages: a key that no longer opens the profile, a restore to finish, a previous run
that did not close cleanly (or is still running), a schema from another version, a damaged file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from casedesk.db import cipher
from casedesk.db.profile import ProfilePaths
from casedesk.db.restore_swap import marker_path, staged_db_path
from casedesk.db.schema_version import HEAD_REVISION
from casedesk.services.caseload_list import CaseloadEntry, read_caseload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseloadPreview:
    entries: list[CaseloadEntry]  # sorted as the caseload list sorts them; no due items yet
    worker_id: str | None  # the profile's worker, for the "my clients" filter


def read_preview(data_dir: Path, kek: bytes, today: dt.date | None = None) -> CaseloadPreview | None:
    """The stored caseload, or None when the usual open must go first (see the module's text)."""
    paths = ProfilePaths(Path(data_dir))
    try:
        if not _ordinary(paths):
            return None
        from casedesk.vault.keyfile import KeyFile

        key = KeyFile.load(paths.key_file).unwrap_with_kek(kek)
        connection = cipher.raw_connect(paths.database, key, read_only=True)
        try:
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if revision is None or revision[0] != HEAD_REVISION:
                return None
            setting = connection.execute("SELECT value FROM setting WHERE key = 'current_worker_id'").fetchone()
            worker_id = json.loads(setting[0]) if setting and setting[0] else None
            rows = read_caseload(connection, today or dt.date.today(), dt.datetime.now(dt.UTC))
        finally:
            connection.close()
    except Exception as exc:  # the usual open reports it in its own words
        log.info("caseload preview skipped: %s", type(exc).__name__)
        return None
    return CaseloadPreview(
        [CaseloadEntry(row, None, 0) for row in rows], worker_id if isinstance(worker_id, str) else None
    )


def _ordinary(paths: ProfilePaths) -> bool:
    if not (paths.database.is_file() and paths.key_file.is_file()):
        return False
    if marker_path(paths).exists() or staged_db_path(paths).exists():
        return False  # a restore to finish first
    if paths.read_state().get("open"):
        return False  # the last run did not close cleanly, or another window has the profile open
    return os.access(paths.root, os.W_OK) and cipher.describe_file_problem(paths.database) is None

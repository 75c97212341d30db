"""Where a profile's files live, and its small non-secret state file.

<data dir>/casedesk.db        SQLCipher database (+ -wal, -shm)
<data dir>/casedesk.key       wrapped database key (JSON, no secret in clear)
<data dir>/state.json         open/clean-exit flag and failed-unlock counter (no client data)
<data dir>/backups/           encrypted backups
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from casedesk.fileio import atomic_write_bytes

APP_NAME = "CaseDesk"


def default_data_dir() -> Path:
    env = os.environ.get("CASEDESK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "profile"


def demo_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "demo"


@dataclass(frozen=True)
class ProfilePaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / "casedesk.db"

    @property
    def key_file(self) -> Path:
        return self.root / "casedesk.key"

    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def exists(self) -> bool:
        return self.database.exists() or self.key_file.exists()

    def sidecars(self) -> list[Path]:
        return [self.root / "casedesk.db-wal", self.root / "casedesk.db-shm", self.root / "casedesk.db-journal"]

    # ---- state file: never holds client data ------------------------------------------------------

    def read_state(self) -> dict[str, Any]:
        try:
            data = json.loads(self.state_file.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def write_state(self, **changes: Any) -> None:
        state = self.read_state()
        state.update(changes)
        # the state file is advisory; a read-only or full disk is reported where it matters
        with contextlib.suppress(Exception):
            atomic_write_bytes(self.state_file, json.dumps(state, indent=2).encode("utf-8"))

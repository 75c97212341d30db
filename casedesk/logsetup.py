"""Logging to a rotating file in the platform log folder (or <data dir>/logs). Never client data:
log ids, counts and outcomes only; SQL parameters are hidden by the engine."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

_configured = False


def log_dir(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir) / "logs"
    return Path(platformdirs.user_log_dir("CaseDesk", appauthor=False))


def configure(data_dir: Path | None, verbose: bool = False) -> Path | None:
    """Send log records to <log dir>/casedesk.log (5 x 1 MB). Returns the file, or None if unwritable."""
    global _configured
    if _configured:
        return None
    _configured = True
    directory = log_dir(data_dir)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            directory / "casedesk.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    for noisy in ("sqlalchemy", "alembic", "httpx", "httpcore", "urllib3", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return directory / "casedesk.log"

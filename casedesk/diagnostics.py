"""The diagnostic report ("Help > Save diagnostic report"): what IT support needs, never client data.

It holds versions, the operating system, the profile's settings (only the known configuration keys, never
secrets), the keyring backend name and the last lines of the log file. It never reads client, note or
agency tables, and the log is written without client data (see casedesk.logsetup).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import logging.handlers
import platform
import sys
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LOG_LINES = 200
# Settings keys that may appear in the report. Anything else in the settings table (worker or agency ids,
# local.* keys holding sync credentials) is left out.
REPORTABLE_SETTINGS = (
    "idle_lock_minutes",
    "default_note_template",
    "units_rule",
    "quarter_definition",
    "report_due_days",
    "note_due_hours",
    "page_size",
    "allow_remember_passphrase",
    "language",
)


def current_log_file() -> Path | None:
    """The file the running CaseDesk logs to (set up by casedesk.logsetup), if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def last_log_lines(path: Path | None, count: int = LOG_LINES) -> list[str]:
    if path is None or not path.is_file():
        return []
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        return [line.rstrip("\n") for line in deque(handle, maxlen=count)]


def reportable_settings(values: Mapping[str, Any] | None) -> dict[str, Any]:
    if not values:
        return {}
    return {key: values[key] for key in REPORTABLE_SETTINGS if key in values}


def build_report(
    *,
    settings: Mapping[str, Any] | None,
    keyring_backend: str | None,
    log_file: Path | None,
    data_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> str:
    from casedesk.app import versions

    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    lines = [
        "CaseDesk diagnostic report",
        f"Written: {when}",
        "",
        "== Versions ==",
        *versions().splitlines(),
        f"Operating system: {platform.platform()}",
        f"Bundle: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        "",
        "== Profile ==",
        f"Data folder: {data_dir if data_dir is not None else 'unknown'}",
        f"Keyring backend: {keyring_backend or 'none'}",
        "",
        "== Settings ==",
    ]
    shown = reportable_settings(settings)
    if shown:
        lines += [f"{key} = {value}" for key, value in shown.items()]
    else:
        lines.append("(not available: the profile was locked)")
    log_lines = last_log_lines(log_file)
    lines += ["", f"== Last {len(log_lines)} log lines ({log_file or 'no log file'}) ==", *log_lines, ""]
    return "\n".join(lines)


def write_report(target: Path, report: str) -> None:
    """Write the report owner-readable only (it names the data folder)."""
    target.write_text(report, encoding="utf-8")
    with contextlib.suppress(OSError):  # e.g. a USB stick formatted FAT: the write itself succeeded
        target.chmod(0o600)

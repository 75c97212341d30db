"""Window preferences (geometry, pane layout) in QSettings, with a version number and upgrade steps.

These hold no client data: only window sizes and which panes are where.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

PREFS_VERSION = 1
ORGANIZATION = "CaseDesk"
APPLICATION = "CaseDesk"


def window_settings() -> QSettings:
    prefs = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)
    upgrade(prefs)
    return prefs


def upgrade(prefs: QSettings) -> None:
    """Bring stored preferences to PREFS_VERSION. A newer file is left alone (its keys are ignored)."""
    version = int(str(prefs.value("prefs_version", 0) or 0))
    if version > PREFS_VERSION:
        return
    if version < 1:
        # Version 0 had no layout keys worth keeping: start from a clean layout.
        for key in ("window/state",):
            prefs.remove(key)
    prefs.setValue("prefs_version", PREFS_VERSION)

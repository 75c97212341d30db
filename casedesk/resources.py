"""Find shipped resources (fonts, form templates, icons, translations) the same way everywhere.

Source checkout: <repo>/resources. Installed wheel: casedesk/resources (force-included by hatch).
PyInstaller bundle: <bundle>/casedesk/resources (added by build.spec).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    package_dir = Path(__file__).resolve().parent
    candidates = [package_dir / "resources", package_dir.parent / "resources"]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "casedesk" / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("CaseDesk resources folder not found; the installation is incomplete")


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. resource_path("fonts", "DejaVuSans.ttf")."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"missing CaseDesk resource: {'/'.join(parts)}")
    return path

"""The Qt-free layers really are Qt-free (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QT_FREE = ["domain", "services", "db", "vault", "reports", "forms", "sync", "scheduling", "server"]


def test_core_layers_import_without_qt() -> None:
    modules = []
    for package in QT_FREE:
        folder = REPO / "casedesk" / package
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                rel = path.relative_to(REPO).with_suffix("")
                modules.append(".".join(p for p in rel.parts if p != "__init__"))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt imported by the core layers: {out.stdout}"
    assert len(modules) > 10

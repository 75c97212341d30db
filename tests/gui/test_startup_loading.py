"""Starting CaseDesk: the unlock screen comes up without the data layer; the rest loads behind it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from casedesk.gui.warmup import WarmUp

REPO = Path(__file__).resolve().parents[2]


def test_the_unlock_screen_needs_neither_sqlalchemy_nor_the_main_window() -> None:
    script = (
        "import sys\n"
        "from casedesk.gui.context import AppContext\n"
        "from casedesk.gui.unlock.dialog import UnlockDialog\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'casedesk.db.store', 'casedesk.gui.main_window',"
        " 'reportlab') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_modules_load_in_the_background_once_the_screen_has_painted(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "casedesk_warm_probe.py").write_text("LOADED = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "casedesk_warm_probe", raising=False)
    screen = QLabel("Unlock")
    qtbot.addWidget(screen)
    warm = WarmUp(("casedesk_warm_probe",)).start_after_first_paint(screen)
    assert not warm.done.is_set() and "casedesk_warm_probe" not in sys.modules  # nothing before the paint
    screen.show()
    qtbot.waitUntil(warm.done.is_set, timeout=10_000)
    assert sys.modules["casedesk_warm_probe"].LOADED


def test_a_module_that_fails_to_load_in_the_background_does_not_break_the_start(qtbot) -> None:
    screen = QLabel("Unlock")
    qtbot.addWidget(screen)
    warm = WarmUp(("casedesk_no_such_module_anywhere",)).start_after_first_paint(screen)
    screen.show()
    qtbot.waitUntil(warm.done.is_set, timeout=10_000)
    assert screen.isVisible()

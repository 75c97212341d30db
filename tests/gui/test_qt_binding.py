"""Guard against a Qt binding that corrupts reference counts (PySide6 6.12.0 on Python 3.11 aborts the
interpreter after enough background ops: "Fatal Python error: none_dealloc")."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

SCRIPT = textwrap.dedent(
    """
    import gc, sys
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from casedesk.gui.ops import OpRunner
    ops = OpRunner()
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(200):
        done = []
        ops.run(lambda: None, on_done=done.append)
        while not done:
            app.processEvents()
    class Emitter(QObject):
        sig_flag = Signal(bool)
    emitter = Emitter()
    emitter.sig_flag.connect(lambda flag: None)
    for _ in range(200):
        emitter.sig_flag.emit(True)
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(True)
    print(after[0] - before[0], after[1] - before[1])
    """
)


def test_background_ops_and_lambda_slots_keep_reference_counts(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-1500:]
    none_delta, true_delta = map(int, result.stdout.split())
    # a leak upwards is harmless; 200 ops must not take 200 references away from None or True
    assert none_delta > -50 and true_delta > -50, (none_delta, true_delta)

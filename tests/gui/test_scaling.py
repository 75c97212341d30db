"""The window at 150 % scaling (QT_SCALE_FACTOR must be set before Qt starts, so: a fresh process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from casedesk.db.store import Store
    from casedesk.gui.context import AppContext
    from casedesk.gui.main_window import MainWindow
    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    ctx = AppContext(root, demo=True)
    ctx.attach(Store.open(root, passphrase="demo"))
    win = MainWindow(ctx, QSettings(str(out.with_suffix(".ini")), QSettings.Format.IniFormat))
    win.resize(900, 500)
    win.show()
    while win.caseload.model.rowCount() == 0 or ctx.ops.busy:
        app.processEvents()
    ws = win.open_client(win.caseload.model.client_id(0))
    while ws.data is None or ctx.ops.busy:
        app.processEvents()
    editor = ws.new_note()
    app.processEvents()
    image = win.grab()
    image.save(str(out))
    hint = win.minimumSizeHint()
    print(json.dumps({"ratio": win.devicePixelRatioF(), "min_w": hint.width(), "min_h": hint.height(),
                      "image_w": image.width(), "w": win.width()}))
    win.close()
    """
)


def test_main_window_and_note_editor_fit_a_small_laptop_at_150_percent(demo_template: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(demo_template, tmp_path / "p")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}
    env.update(QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="1.5", PYTHONPATH=str(Path(__file__).parents[2]))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "p"), str(tmp_path / "shot.png")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    warnings = [
        line for line in result.stderr.splitlines() if line.strip() and "propagateSizeHints" not in line
    ]
    assert warnings == []
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    print(facts)
    assert facts["ratio"] == 1.5
    assert abs(facts["image_w"] - facts["w"] * 1.5) <= 1
    # a 1366 x 768 laptop at 150 % offers 910 x 512 logical pixels
    assert facts["min_w"] <= 910 and facts["min_h"] <= 512

"""Render the main window, a client workspace and the note editor on the demo caseload to PNG files.

    QT_QPA_PLATFORM=offscreen python -m casedesk.gui.screenshots docs

writes docs/img/main_window.png, docs/img/client_workspace.png and docs/img/note_editor.png.
A throwaway demo profile is made in a temporary folder; nothing is written anywhere else.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

WINDOW_SIZE = (1440, 900)


def _wait(app: object, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not finish loading in time")
        app.processEvents()
        time.sleep(0.01)


def render(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["CASEDESK_INSECURE_FAST_KDF"] = "1"  # a throwaway profile: no need for a slow KDF
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from casedesk.cli.demo_cmd import ensure_demo_profile
    from casedesk.gui.context import AppContext
    from casedesk.gui.main_window import MainWindow

    img_dir = out_dir / "img"
    img_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="casedesk-shots-") as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        store, _created = ensure_demo_profile(Path(tmp) / "demo")
        context = AppContext(Path(tmp) / "demo", demo=True)
        context.attach(store)
        prefs = QSettings(str(Path(tmp) / "prefs.ini"), QSettings.Format.IniFormat)
        window = MainWindow(context, prefs)
        window.resize(*WINDOW_SIZE)
        window.restore_layout()
        window.show()
        _wait(app, lambda: window.caseload.model.rowCount() > 0 and bool(window.counts_label.text()))
        _wait(app, lambda: not context.ops.busy)
        written = []

        path = img_dir / "main_window.png"
        window.caseload.view.selectRow(2)
        app.processEvents()
        window.grab().save(str(path))
        written.append(path)

        client_id = window.caseload.model.client_id(2)
        assert client_id is not None
        ws = window.open_client(client_id)
        _wait(app, lambda: ws.data is not None)
        # with a client open, give the workspace the room (as a worker would drag the splitters)
        from PySide6.QtCore import Qt

        window.resizeDocks([window.caseload_dock, window.upcoming_dock], [420, 260], Qt.Orientation.Horizontal)
        ws.show_section(0)
        _wait(app, lambda: not context.ops.busy)
        for _ in range(5):
            app.processEvents()
        path = img_dir / "client_workspace.png"
        window.grab().save(str(path))
        written.append(path)

        editor = ws.new_note()
        editor.duration_spin.setValue(60)
        editor.location_edit.setText("Client's home")
        editor.service_code_edit.setText("T1017")
        texts = {
            "data": "Met at home. Reviewed the weekly budget and the pill organiser together; two doses missed.",
            "assessment": "Progress on the medication goal is slower than planned; budgeting is on track.",
            "plan": "Call the pharmacy about blister packs; next visit in two weeks.",
        }
        for section, text in texts.items():
            if section in editor.current_state().body:
                editor.section_edit(section).setPlainText(text)
        first_goal = next(iter(editor.goal_rows.values()), None)
        if first_goal is not None:
            first_goal.check.setChecked(True)
        app.processEvents()
        path = img_dir / "note_editor.png"
        window.grab().save(str(path))
        written.append(path)

        window.close()
        app.processEvents()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else "docs")
    for path in render(out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

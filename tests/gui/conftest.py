"""Qt fixtures for the GUI tests: real widgets, real SQLCipher profiles on disk in tmp_path.

Every test under tests/gui fails on a Qt warning (pytest-qt `qt_log_level_fail` mark added below).
The one message ignored is the offscreen platform's "does not support propagateSizeHints()", which the
offscreen plugin prints for any main window with dock widgets; it is a limit of that plugin, not ours.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

GUI_TESTS = Path(__file__).resolve().parent
DEMO_PASSPHRASE = "demo"
OFFSCREEN_NOISE = r"does not support propagateSizeHints"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if GUI_TESTS in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session", autouse=True)
def isolated_window_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Window preferences written by code under test go to a temporary folder, not the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path_factory.mktemp("qsettings")))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo profile (8 clients) made once; each test gets its own copy."""
    from casedesk.cli.demo_cmd import ensure_demo_profile

    root = tmp_path_factory.mktemp("demo-template") / "profile"
    store, _created = ensure_demo_profile(root, clients=8, seed=7)
    store.close()
    return root


@pytest.fixture
def profile_dir(demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "profile"
    shutil.copytree(demo_template, target)
    return target


@pytest.fixture
def prefs(tmp_path: Path) -> Iterator[object]:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    yield settings
    settings.sync()


@pytest.fixture
def context(qapp: object, profile_dir: Path) -> Iterator[object]:
    """An AppContext on the copied demo profile, still locked."""
    from casedesk.gui.context import AppContext

    ctx = AppContext(profile_dir, demo=True)
    yield ctx
    ctx.ops.wait()
    if ctx.store is not None:
        ctx.shutdown()


@pytest.fixture
def unlocked(context: object) -> object:
    from casedesk.db.store import Store
    from casedesk.gui.context import AppContext

    assert isinstance(context, AppContext)
    context.attach(Store.open(context.data_dir, passphrase=DEMO_PASSPHRASE))
    return context


@pytest.fixture
def window(qtbot: object, unlocked: object, prefs: object) -> object:
    """The main window on the unlocked demo profile, with the caseload loaded."""
    from casedesk.gui.main_window import MainWindow

    win = MainWindow(unlocked, prefs)  # type: ignore[arg-type]
    qtbot.addWidget(win)  # type: ignore[attr-defined]
    win.show()
    qtbot.waitUntil(lambda: win.caseload.model.rowCount() > 0 and bool(win.counts_label.text()))  # type: ignore[attr-defined]
    return win

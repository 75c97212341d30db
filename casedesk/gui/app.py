"""Desktop entry point: check the display libraries, then first-run or unlock, then the main window.

`casedesk` opens the profile in the data folder (first-run wizard when there is none);
`casedesk --demo` opens (creating it if needed) the demo profile, whose passphrase is shown on screen.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casedesk.gui.context import AppContext
    from casedesk.gui.main_window import MainWindow

# Shared libraries the Qt xcb platform plugin loads, and the Debian/Ubuntu packages that ship them.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
EXIT_NO_DISPLAY = 3


def _can_load(library: str) -> bool:
    try:
        ctypes.CDLL(library)
        return True
    except OSError:
        return False


def missing_xcb_packages(can_load: Callable[[str], bool] = _can_load) -> list[str]:
    """Debian packages whose libraries the xcb plugin needs but cannot be loaded."""
    return sorted({package for library, package in XCB_LIBRARIES.items() if not can_load(library)})


def display_problem(
    env: Mapping[str, str], platform: str = sys.platform, can_load: Callable[[str], bool] = _can_load
) -> str | None:
    """A plain message when Qt's xcb plugin would fail on Linux, else None (other platforms: None)."""
    if not platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen not in ("", "xcb"):
        return None
    if not chosen and env.get("WAYLAND_DISPLAY"):
        return None  # Qt picks its Wayland plugin
    missing = missing_xcb_packages(can_load)
    if missing:
        return (
            "CaseDesk cannot open its window: these system libraries are missing: "
            f"{', '.join(missing)}.\nInstall them with:\n  sudo apt-get install {' '.join(missing)}\n"
            "(On other distributions, install the packages that provide the same libraries.)"
        )
    if not env.get("DISPLAY"):
        return (
            "CaseDesk cannot open its window: no display was found (DISPLAY is not set). "
            "Start it from a desktop session; command-line use is `casedesk --help`."
        )
    return None


def resolve_profile(args: argparse.Namespace) -> tuple[Path, bool]:
    from casedesk.db.profile import default_data_dir, demo_data_dir

    demo = bool(getattr(args, "demo", False))
    given = getattr(args, "data_dir", None)
    if given:
        return Path(given).expanduser(), demo
    return (demo_data_dir() if demo else default_data_dir()), demo


def prepare_demo(data_dir: Path) -> None:
    """Create and fill the demo profile if it is not there yet."""
    from casedesk.cli.demo_cmd import ensure_demo_profile
    from casedesk.db.profile import ProfilePaths

    if not ProfilePaths(data_dir).exists():
        store, _created = ensure_demo_profile(data_dir)
        store.close()


def run(args: argparse.Namespace) -> int:
    problem = display_problem(os.environ)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_NO_DISPLAY
    data_dir, demo = resolve_profile(args)
    if demo:
        prepare_demo(data_dir)

    from PySide6.QtWidgets import QApplication

    from casedesk.gui.context import AppContext
    from casedesk.gui.prefs import window_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("CaseDesk")
    app.setOrganizationName("CaseDesk")
    app.setApplicationDisplayName("CaseDesk")
    from casedesk.gui import i18n

    i18n.install_remembered(window_settings(), app)
    context = AppContext(data_dir, demo=demo)
    window = _open_window(context, demo)
    if window is None:
        return 0
    window.show()
    return int(app.exec())


def _open_window(context: AppContext, demo: bool) -> MainWindow | None:
    """The main window over an unlocked profile, or None when the worker closed the unlock screen."""
    from casedesk.db.profile import ProfilePaths
    from casedesk.gui.prefs import window_settings

    data_dir = context.data_dir
    if ProfilePaths(data_dir).exists():
        kek = None
        if not demo:  # the demo profile's passphrase is on its unlock screen; it is never remembered
            from casedesk.gui import startup

            kek = startup.remembered_kek(data_dir)
            # A remembered key: the window paints the caseload first and the store opens behind it.
            window = startup.open_with_preview(context, window_settings(), kek) if kek is not None else None
            if window is not None:
                return window
        # The unlock screen comes up with what it needs only; the rest loads while the passphrase is typed.
        from casedesk.gui.unlock.dialog import UnlockDialog
        from casedesk.gui.warmup import WarmUp

        dialog = UnlockDialog(context)
        WarmUp().start_after_first_paint(dialog)
        if kek is not None:
            dialog.form.try_remembered(kek)  # the usual open, which reports why the key did not serve
        if dialog.exec() != UnlockDialog.DialogCode.Accepted or dialog.store is None:
            return None
        store = dialog.store
    else:
        from casedesk.gui.unlock.wizard import FirstRunWizard

        wizard = FirstRunWizard(context)
        if wizard.exec() != FirstRunWizard.DialogCode.Accepted or wizard.store is None:
            return None
        store = wizard.store
    context.attach(store)
    from casedesk.gui.main_window import MainWindow

    return MainWindow(context, window_settings())

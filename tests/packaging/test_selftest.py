"""`casedesk --self-test`: one line per check, exit 0 when all pass, 1 when one fails, temp folder removed."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from casedesk.selftest import SelfTest, choose_qt_platform

REPO_ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CHECKS = (
    "version",
    "resources",
    "sqlcipher",
    "spelling",
    "encrypted profile",
    "note signed",
    "pdf",
    "integrity checks",
    "keyring",
    "qt widgets",
    "qt print support",
    "translations",
)


def test_self_test_passes_with_one_line_per_check_and_leaves_nothing_behind(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp), PYTHONPATH=str(REPO_ROOT))
    env["CASEDESK_DATA_DIR"] = str(tmp_path / "never-used")
    result = subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(tmp_path / "logs-only"), "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    check_lines = lines[:-1]
    assert [line.split(":")[0].split(None, 1)[1] for line in check_lines] == list(EXPECTED_CHECKS)
    assert all(line.startswith("ok  ") for line in check_lines), result.stdout
    assert lines[-1] == f"self-test: {len(EXPECTED_CHECKS)} passed, 0 failed"
    assert list(temp.iterdir()) == []  # the temporary profile and PDFs are gone
    assert not (tmp_path / "never-used").exists()  # no profile was created in the data folder


def test_a_failing_check_prints_fail_with_the_reason_and_fails_the_run() -> None:
    out = io.StringIO()
    test = SelfTest(out=out)

    def broken() -> str:
        raise RuntimeError("the fonts folder is empty")

    assert test.check("good", lambda: "fine")
    assert not test.check("fonts", broken)
    test.skip_after("pdf", "fonts")
    assert not test.passed
    assert out.getvalue().splitlines() == [
        "ok    good: fine",
        "FAIL  fonts: RuntimeError: the fonts folder is empty",
        "FAIL  pdf: not run: fonts failed",
    ]


def test_offscreen_is_chosen_only_on_linux_without_a_display() -> None:
    assert choose_qt_platform({}, "linux") == "offscreen"
    assert choose_qt_platform({"DISPLAY": ":0"}, "linux") is None
    assert choose_qt_platform({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert choose_qt_platform({"QT_QPA_PLATFORM": "xcb"}, "linux") is None
    assert choose_qt_platform({}, "win32") is None

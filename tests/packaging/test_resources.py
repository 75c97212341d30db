"""Shipped resources are found the same way from a source checkout, an installed wheel and the bundle."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from casedesk.resources import resource_path, resources_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (
    "fonts/DejaVuSans.ttf",
    "fonts/DejaVu-LICENSE.txt",
    "icons/casedesk.svg",
    "forms/intake_face_sheet.json",
    "help/index.html",
    "translations/casedesk_es.qm",
    "linux/casedesk.desktop",
)
LOOKUP = "from casedesk.resources import resources_dir, resource_path; print(resources_dir()); print(resource_path('help', 'index.html'))"


def test_source_checkout_uses_the_repository_resources_folder() -> None:
    assert resources_dir() == REPO_ROOT / "resources"
    for name in SHIPPED:
        assert resource_path(*name.split("/")).is_file(), name


def test_a_missing_resource_is_named_in_the_error() -> None:
    with pytest.raises(FileNotFoundError, match=r"help/nope\.html"):
        resource_path("help", "nope.html")


def _run_lookup(pythonpath: Path, extra: str = "") -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run(
        [sys.executable, "-c", extra + LOOKUP], capture_output=True, text=True, env=env, cwd=pythonpath, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_frozen_bundle_looks_under_meipass_first(tmp_path: Path) -> None:
    """PyInstaller puts data under sys._MEIPASS/casedesk/resources (build.spec); the lookup prefers it."""
    bundle = tmp_path / "bundle"
    (bundle / "casedesk" / "resources" / "help").mkdir(parents=True)
    (bundle / "casedesk" / "resources" / "help" / "index.html").write_text("<h1>guide</h1>")
    setup = f"import sys; sys.frozen = True; sys._MEIPASS = {str(bundle)!r}; "
    env_root = REPO_ROOT
    lines = _run_lookup(env_root, setup)
    assert lines == [
        str(bundle / "casedesk" / "resources"),
        str(bundle / "casedesk" / "resources" / "help" / "index.html"),
    ]


def test_build_spec_ships_resources_and_migrations_where_the_code_looks() -> None:
    spec = (REPO_ROOT / "build.spec").read_text()
    assert 'tree(ROOT / "resources", "casedesk/resources")' in spec
    assert '"casedesk/db/migrations"' in spec and '"casedesk/server/migrations"' in spec


@pytest.mark.slow
def test_installed_wheel_carries_the_resources_inside_the_package(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = wheels.glob("casedesk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in SHIPPED:
            assert f"casedesk/resources/{name}" in names, name
        assert "casedesk/db/migrations/versions/0001_core_tables.py" in names
        assert not any(name.startswith("resources/") for name in names)
        site = tmp_path / "site"
        archive.extractall(site)
    lines = _run_lookup(site)
    assert lines == [
        str(site / "casedesk" / "resources"),
        str(site / "casedesk" / "resources" / "help" / "index.html"),
    ]

"""The caseload read before the store opens (remembered passphrase): the same rows as the store gives,
nothing written, and no preview at all whenever the usual open has something to check or report."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from casedesk.db import cipher
from casedesk.db.restore_swap import marker_path
from casedesk.db.store import Store
from casedesk.demo import generate
from casedesk.services import clients
from casedesk.services.caseload_preview import read_preview
from casedesk.vault.keyfile import KeyFile

PASSPHRASE = "correct horse battery"  # as in conftest.py
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def profile(tmp_path: Path) -> tuple[Path, bytes]:
    """A closed profile with a small demo caseload, and the KEK a keychain would keep for it."""
    root = tmp_path / "profile"
    store, _recovery = Store.create(root, PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    with store.session() as s:
        generate(s, clients=12, seed=3)
    store.close()
    return root, KeyFile.load(root / "casedesk.key").passphrase_kek(PASSPHRASE)


def test_the_preview_lists_what_the_store_lists_and_writes_nothing(profile: tuple[Path, bytes]) -> None:
    root, kek = profile
    kept = ("casedesk.db", "casedesk.key", "state.json")
    files = {name: (root / name).read_bytes() for name in kept}

    preview = read_preview(root, kek, today=TODAY)

    assert preview is not None
    assert {name: (root / name).read_bytes() for name in kept} == files
    # a read-only SQLite connection to a WAL database may leave an empty log and its index behind
    assert not (root / "casedesk.db-wal").exists() or (root / "casedesk.db-wal").stat().st_size == 0
    store = Store.open(root, passphrase=PASSPHRASE)
    try:
        with store.read_session() as s:
            expected = clients.caseload(s, today=TODAY)
        assert [e.row for e in preview.entries] == expected
        assert len(expected) == 12
        assert preview.worker_id == store.worker_id
        assert all(e.next_due is None and e.overdue == 0 for e in preview.entries)  # the due pass comes later
    finally:
        store.close()


def test_a_key_that_no_longer_opens_the_profile_gives_no_preview(profile: tuple[Path, bytes]) -> None:
    root, _kek = profile
    assert read_preview(root, b"\0" * 32) is None


def test_after_an_unclean_exit_the_usual_open_goes_first(profile: tuple[Path, bytes]) -> None:
    root, kek = profile
    state = json.loads((root / "state.json").read_text("utf-8"))
    (root / "state.json").write_text(json.dumps({**state, "open": True}), "utf-8")
    assert read_preview(root, kek) is None


def test_a_restore_to_finish_gives_no_preview(profile: tuple[Path, bytes]) -> None:
    root, kek = profile
    from casedesk.db.profile import ProfilePaths

    marker_path(ProfilePaths(root)).write_text("{}", "utf-8")
    assert read_preview(root, kek) is None


def test_a_schema_from_another_version_gives_no_preview(profile: tuple[Path, bytes]) -> None:
    root, kek = profile
    key = KeyFile.load(root / "casedesk.key").unwrap_with_kek(kek)
    conn = cipher.raw_connect(root / "casedesk.db", key)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    assert read_preview(root, kek) is None


def test_a_damaged_database_gives_no_preview(profile: tuple[Path, bytes]) -> None:
    root, kek = profile
    database = root / "casedesk.db"
    with database.open("r+b") as fh:
        fh.write(b"\0" * cipher.PAGE_SIZE)
    assert read_preview(root, kek) is None


def test_the_preview_and_the_first_painted_window_load_no_sqlalchemy() -> None:
    """What the window paints first must not wait for SQLAlchemy, the models or the services."""
    script = (
        "import sys\n"
        "from casedesk.gui.startup import open_with_preview\n"
        "from casedesk.gui.main_window import MainWindow\n"
        "from casedesk.services.caseload_preview import read_preview\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'casedesk.db.models', 'casedesk.db.store',"
        " 'casedesk.services.workspace', 'casedesk.gui.caseload.workspace', 'reportlab') if m in sys.modules))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "[]"

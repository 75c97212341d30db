"""The command line as agency IT scripts use it: exit codes, JSON, plain messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"


def run(
    data_dir: Path, *args: str, passphrase: str | None = PASSPHRASE, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(CASEDESK_INSECURE_FAST_KDF="1", PYTHONPATH=str(REPO), CASEDESK_DATA_DIR=str(data_dir))
    if passphrase is not None:
        env["CASEDESK_PASSPHRASE"] = passphrase
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "demo"
    result = run(root, "demo", "--clients", "12", "--seed", "5")
    assert result.returncode == 0, result.stderr
    assert "12 clients" in result.stdout
    return root


def test_init_prints_recovery_key_once_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = run(tmp_path / "p", "init", "--agency", "Riverbend", "--name", "Ana Ruiz")
    assert result.returncode == 0, result.stderr
    key_line = next(line.strip() for line in result.stdout.splitlines() if line.count("-") == 7)
    assert len(key_line) == 39
    again = run(tmp_path / "p", "init")
    assert_clean_failure(again, "already exists")
    # the recovery key opens the profile without the passphrase
    check = run(tmp_path / "p", "check", passphrase=None, CASEDESK_RECOVERY_KEY=key_line)
    assert check.returncode == 0, check.stderr


def test_clients_notes_search_json(demo_dir: Path) -> None:
    clients = json.loads(run(demo_dir, "clients", "--json").stdout)
    assert len(clients) == 12
    first = clients[0]
    assert {"id", "display_name", "record_number", "age", "program", "last_contact", "next_visit"} <= set(first)
    notes = json.loads(run(demo_dir, "notes", first["id"], "--json").stdout)
    assert notes and all(n["client_id"] == first["id"] for n in notes)
    assert notes == sorted(notes, key=lambda n: n["contact_start"], reverse=True)
    found = json.loads(run(demo_dir, "search", "blister pack", "--json").stdout)
    assert found["notes"] and all("[blister]" in n["snippet"] for n in found["notes"])
    by_name = json.loads(run(demo_dir, "search", first["display_name"].split()[0], "--json").stdout)
    assert first["id"] in [c["client_id"] for c in by_name["clients"]]


def test_demo_has_non_ascii_names_and_realistic_content(demo_dir: Path) -> None:
    names = [c["display_name"] for c in json.loads(run(demo_dir, "clients", "--json").stdout)]
    assert any(ch in "".join(names) for ch in "ëễéñ")
    table = run(demo_dir, "clients")
    assert table.returncode == 0 and "12 clients" in table.stdout


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = run(tmp_path / "a", "demo", "--clients", "5", "--seed", "9")
    b = run(tmp_path / "b", "demo", "--clients", "5", "--seed", "9")
    assert a.returncode == b.returncode == 0

    def shape(root: Path) -> list[tuple[str, str | None, str | None]]:
        rows = json.loads(run(root, "clients", "--json").stdout)
        return [(r["display_name"], r["record_number"], r["program"]) for r in rows]

    assert shape(tmp_path / "a") == shape(tmp_path / "b")


def test_check_passes_then_fails_after_tampering(demo_dir: Path, tmp_path: Path) -> None:
    import shutil

    good = run(demo_dir, "check")
    assert good.returncode == 0 and "All checks passed" in good.stdout
    copy = tmp_path / "copy"
    shutil.copytree(demo_dir, copy)
    db = copy / "casedesk.db"
    data = bytearray(db.read_bytes())
    data[4096 * 3 + 100] ^= 0xFF  # flip one byte inside an encrypted page
    db.write_bytes(bytes(data))
    bad = run(copy, "check")
    assert bad.returncode == 1
    assert "FAIL" in bad.stdout and "Traceback" not in bad.stdout + bad.stderr


def test_wrong_missing_and_changed_passphrases(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert run(root, "init").returncode == 0
    assert_clean_failure(run(root, "clients", passphrase="wrong wrong wrong"), "Wrong passphrase")
    assert_clean_failure(run(root, "clients", passphrase=None), "CASEDESK_PASSPHRASE")
    changed = run(root, "passwd", CASEDESK_NEW_PASSPHRASE="another long passphrase")
    assert changed.returncode == 0, changed.stderr
    assert_clean_failure(run(root, "clients"), "Wrong passphrase")
    assert run(root, "clients", passphrase="another long passphrase").returncode == 0


def test_bad_files_and_arguments_get_plain_messages(tmp_path: Path) -> None:
    root = tmp_path / "p"
    assert_clean_failure(run(root, "clients"), "No CaseDesk profile")
    assert run(root, "init").returncode == 0
    (root / "casedesk.db").write_bytes(b"\0" * 8192)
    assert_clean_failure(run(root, "clients"), "overwritten with zeros")
    (root / "casedesk.key").write_text("not json")
    assert_clean_failure(run(root, "clients"), "key file")
    assert_clean_failure(run(tmp_path / "q", "demo", "--clients", "0"), "--clients must be")
    assert_clean_failure(run(tmp_path / "q", "init", passphrase="short"), "at least 8")


def test_notes_for_unknown_client(demo_dir: Path) -> None:
    assert_clean_failure(run(demo_dir, "notes", "no-such-id"), "No client with id no-such-id")


def test_version_lists_sqlcipher() -> None:
    result = run(Path("/nonexistent"), "--version")
    assert result.returncode == 0
    assert "SQLCipher 4." in result.stdout and "CaseDesk" in result.stdout

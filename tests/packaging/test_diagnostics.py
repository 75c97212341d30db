"""The diagnostic report: versions, settings without secrets, keyring backend, last log lines, no client data."""

from __future__ import annotations

import logging
from pathlib import Path

from casedesk import diagnostics
from casedesk.services import settings as settings_service


def test_report_on_a_demo_profile_names_no_client(tmp_path: Path) -> None:
    from casedesk.cli.demo_cmd import ensure_demo_profile
    from casedesk.db.models import Client
    from casedesk.services import clients

    log_file = tmp_path / "casedesk.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        store, _created = ensure_demo_profile(tmp_path / "demo", clients=12, seed=11)
        try:
            with store.read_session() as s:
                names = [(c.first_name, c.last_name) for c in s.query(Client).all()]
                clients.caseload(s)
                values = settings_service.all_settings(s)
            report = diagnostics.build_report(
                settings=values, keyring_backend=None, log_file=log_file, data_dir=tmp_path / "demo"
            )
        finally:
            store.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    target = tmp_path / "report.txt"
    diagnostics.write_report(target, report)
    text = target.read_text(encoding="utf-8")

    assert len(names) == 12
    for first, last in names:
        assert f"{first} {last}" not in text
        assert last not in text
    assert "CaseDesk 0.1.0" in text and "SQLCipher" in text
    assert "idle_lock_minutes = 10" in text and "language = en" in text
    assert "Keyring backend: none" in text
    assert "== Last " in text and "log lines" in text
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_only_known_settings_are_reported() -> None:
    shown = diagnostics.reportable_settings(
        {"page_size": "a4", "local.sync_token": "secret-token", "current_worker_id": "w-1", "agency_id": "a-1"}
    )
    assert shown == {"page_size": "a4"}


def test_only_the_last_200_log_lines_are_kept(tmp_path: Path) -> None:
    log_file = tmp_path / "casedesk.log"
    log_file.write_text("".join(f"line {n}\n" for n in range(1, 501)), encoding="utf-8")
    lines = diagnostics.last_log_lines(log_file)
    assert len(lines) == 200
    assert lines[0] == "line 301" and lines[-1] == "line 500"
    assert diagnostics.last_log_lines(tmp_path / "missing.log") == []


def test_locked_profile_report_says_settings_are_not_available(tmp_path: Path) -> None:
    report = diagnostics.build_report(
        settings=None, keyring_backend="keyring.backends.SecretService.Keyring", log_file=None
    )
    assert "(not available: the profile was locked)" in report
    assert "Keyring backend: keyring.backends.SecretService.Keyring" in report

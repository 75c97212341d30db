"""`casedesk due` and `casedesk calendar export/import` as agency IT scripts use them: real
subprocesses, JSON, exit codes, plain messages, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"


def run(data_dir: Path, *args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(
        CASEDESK_INSECURE_FAST_KDF="1",
        PYTHONPATH=str(REPO),
        CASEDESK_DATA_DIR=str(data_dir),
        CASEDESK_PASSPHRASE=passphrase,
    )
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("calendar-cli") / "demo"
    ok(run(root, "demo", "--clients", "12", "--seed", "7"))
    return root


def events_without_stamp(path: Path) -> list[bytes]:
    calendar = Calendar.from_ical(path.read_bytes())
    events = []
    for event in calendar.walk("VEVENT"):
        del event["DTSTAMP"]
        events.append(event.to_ical())
    return sorted(events)


def test_due_lists_open_items_by_date_with_names(demo_dir: Path) -> None:
    items = json.loads(ok(run(demo_dir, "due", "--json")))
    assert items, "the demo caseload has things due"
    assert [i["due_date"] for i in items] == sorted(i["due_date"] for i in items)
    assert all(i["client_name"] and i["status"] != "done" for i in items)
    assert {"client_id", "kind", "title", "due", "status", "resolves"} <= set(items[0])
    assert any(i["status"] == "overdue" for i in items)
    overdue = json.loads(ok(run(demo_dir, "due", "--overdue", "--json")))
    assert overdue == [i for i in items if i["status"] == "overdue"]
    nearer = json.loads(ok(run(demo_dir, "due", "--within", "3", "--json")))
    assert len(overdue) <= len(nearer) <= len(items)
    table = ok(run(demo_dir, "due"))
    assert "OVERDUE" in table and f"{len(items)} items, {len(overdue)} overdue" in table
    bad = run(demo_dir, "due", "--within", "-2")
    assert bad.returncode != 0 and "--within" in bad.stderr and "Traceback" not in bad.stderr


def test_export_import_export_round_trip_through_the_command_line(demo_dir: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.ics"
    out = ok(run(demo_dir, "calendar", "export", "-o", str(first)))
    assert "were left out" in out
    names = [c["display_name"] for c in json.loads(ok(run(demo_dir, "clients", "--json")))]
    text = first.read_text(encoding="utf-8")
    assert not [name for name in names if name in text]

    empty = tmp_path / "empty"
    ok(run(empty, "init", "--agency", "Riverbend", "--name", "Ana Ruiz"))
    imported = ok(run(empty, "calendar", "import", str(first)))
    count = len(Calendar.from_ical(first.read_bytes()).walk("VEVENT"))
    assert f"{count} added, 0 updated, 0 already in the calendar" in imported
    again = ok(run(empty, "calendar", "import", str(first)))
    assert f"0 added, 0 updated, {count} already in the calendar" in again
    second = tmp_path / "second.ics"
    ok(run(empty, "calendar", "export", "-o", str(second)))
    assert events_without_stamp(second) == events_without_stamp(first)


def test_export_with_names_and_due_items_and_the_deadlines_are_not_imported_back(
    demo_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "named.ics"
    out = ok(run(demo_dir, "calendar", "export", "-o", str(path), "--include-client-names", "--with-due-items"))
    assert "holds client names" in out
    due_count = len(json.loads(ok(run(demo_dir, "due", "--within", "100000", "--json"))))
    text = path.read_text(encoding="utf-8")
    assert text.count("X-CASEDESK-DUE:") == due_count
    first_name = json.loads(ok(run(demo_dir, "clients", "--json")))[0]["display_name"]
    assert first_name in text
    report = run(demo_dir, "calendar", "import", str(path), "--json")
    assert report.returncode == 2, report.stderr  # some events were reported and left out
    summary = json.loads(report.stdout)
    assert summary["added"] == 0 and summary["updated"] == 0
    skipped = [i for i in summary["issues"] if not i["imported"]]
    assert len(skipped) == due_count and all("deadline" in i["reason"] for i in skipped)


def test_every_shared_file_imports_or_is_refused_clearly(shared_testdata: Path, tmp_path: Path) -> None:
    root = tmp_path / "p"
    ok(run(root, "init"))
    for path in sorted((shared_testdata / "ics" / "valid").glob("*.ics")):
        result = run(root, "calendar", "import", str(path))
        assert result.returncode in (0, 2), (path.name, result.stderr)
        assert "added" in result.stdout and "Traceback" not in result.stderr
        if result.returncode == 2:
            assert "not imported" in result.stdout
    before = (tmp_path / "before.ics", tmp_path / "after.ics")
    ok(run(root, "calendar", "export", "-o", str(before[0])))
    for path in sorted((shared_testdata / "ics" / "malformed").glob("*.ics")):
        result = run(root, "calendar", "import", str(path))
        assert result.returncode != 0, path.name
        assert "Traceback" not in result.stderr + result.stdout
        assert "not imported" in result.stdout or "casedesk:" in result.stderr
    ok(run(root, "calendar", "export", "-o", str(before[1])))
    assert events_without_stamp(before[0]) == events_without_stamp(before[1])


def test_broken_or_missing_files_get_one_clear_sentence(demo_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20260601T100000Z\r\n")
    result = run(demo_dir, "calendar", "import", str(broken))
    assert result.returncode == 1 and "never closed" in result.stderr and "Traceback" not in result.stderr
    missing = run(demo_dir, "calendar", "import", str(tmp_path / "nope.ics"))
    assert missing.returncode == 1 and "no file" in missing.stderr
    nowhere = run(demo_dir, "calendar", "export", "-o", str(tmp_path / "no" / "such" / "dir.ics"))
    assert nowhere.returncode == 1 and "does not exist" in nowhere.stderr

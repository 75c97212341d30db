"""`casedesk forms ...` as agency IT runs it: real subprocesses, real XLSForm files, exit codes, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env.update(
        CASEDESK_INSECURE_FAST_KDF="1",
        PYTHONPATH=str(REPO),
        CASEDESK_DATA_DIR=str(data_dir),
        CASEDESK_PASSPHRASE=PASSPHRASE,
        PYTHONIOENCODING="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "casedesk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        stdin=subprocess.DEVNULL,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "profile"
    ok(run(root, "init"))
    return root


def list_json(profile: Path) -> dict[str, dict[str, object]]:
    return {t["key"]: t for t in json.loads(ok(run(profile, "forms", "list", "--json")))}


def test_import_prints_what_came_in_and_every_unmapped_row(profile: Path, shared_testdata: Path) -> None:
    path = shared_testdata / "xlsform" / "valid" / "onadata__tutorial.xlsx"
    out = ok(run(profile, "forms", "import", str(path)))
    assert "as form onadata__tutorial version 1" in out
    assert "survey row 5: photo" in out and "photo capture is not supported" in out
    assert "survey row 7: geopoint" in out
    for row in (26, 27, 28, 29, 30):
        assert f"survey row {row}:" in out
    forms = list_json(profile)
    assert forms["onadata__tutorial"]["draft_version"] == 1
    assert forms["onadata__tutorial"]["published_version"] is None


def test_import_json_lists_the_same_report(profile: Path, shared_testdata: Path) -> None:
    path = shared_testdata / "xlsform" / "valid" / "pyodk__fav_color.xlsx"
    report = json.loads(ok(run(profile, "forms", "import", str(path), "--json")))
    assert (report["key"], report["version"], report["status"]) == ("fav_color", 1, "draft")
    assert {(n["sheet"], n["row"], n["type"]) for n in report["unmapped"]} == {
        ("settings", 2, "instance_name"),
        ("survey", 6, "geopoint"),
        ("survey", 7, "audit"),
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("xlsform-offline__pyxform-error.xlsx", "survey row 2: unknown question type 'textX'"),
        ("onadata__transportation.no_choices.xlsx", "choice list 'transport_types'"),
    ],
)
def test_malformed_workbooks_fail_cleanly_and_store_nothing(
    profile: Path, shared_testdata: Path, name: str, message: str
) -> None:
    before = list_json(profile)
    result = run(profile, "forms", "import", str(shared_testdata / "xlsform" / "invalid" / name))
    assert result.returncode != 0
    assert message in result.stderr and "could not be imported" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert list_json(profile) == before


def test_missing_file_and_wrong_kind_of_file(profile: Path, tmp_path: Path) -> None:
    missing = run(profile, "forms", "import", str(tmp_path / "nope.xlsx"))
    assert missing.returncode != 0 and "There is no file" in missing.stderr
    text_file = tmp_path / "notes.xlsx"
    text_file.write_text("this is not a workbook")
    wrong = run(profile, "forms", "import", str(text_file))
    assert wrong.returncode != 0 and "Traceback" not in wrong.stderr
    assert wrong.stderr.startswith("casedesk: ")


def test_list_show_and_publish(profile: Path, shared_testdata: Path) -> None:
    forms = list_json(profile)
    assert {"intake_face_sheet", "consent_release_of_information", "risk_assessment"} <= set(forms)
    assert all(f["builtin"] and f["published_version"] == 1 for f in forms.values())
    table = ok(run(profile, "forms", "list"))
    assert "Intake face sheet" in table and "built-in" in table

    shown = json.loads(ok(run(profile, "forms", "show", "intake_face_sheet", "--json")))
    assert shown["key"] == "intake_face_sheet" and shown["status"] == "published" and shown["version"] == 1
    text = ok(run(profile, "forms", "show", "intake_face_sheet"))
    assert "version 1, published" in text and "client_name [client_field]" in text

    path = shared_testdata / "xlsform" / "valid" / "pyodk__fav_color.xlsx"
    ok(run(profile, "forms", "import", str(path)))
    again = run(profile, "forms", "import", str(path))
    assert again.returncode != 0 and "unpublished draft" in again.stderr
    assert "Published form fav_color version 1" in ok(run(profile, "forms", "publish", "fav_color"))
    assert "version 2" in ok(run(profile, "forms", "import", str(path)))
    fav = list_json(profile)["fav_color"]
    assert (fav["published_version"], fav["draft_version"]) == (1, 2)
    first = json.loads(ok(run(profile, "forms", "show", "fav_color", "--version", "1", "--json")))
    assert first["version"] == 1 and first["status"] == "published"

    unknown = run(profile, "forms", "show", "fav_color", "--version", "7")
    assert unknown.returncode != 0 and "has no version 7" in unknown.stderr
    nothing = run(profile, "forms", "show", "no_such_form")
    assert nothing.returncode != 0 and "No form 'no_such_form'" in nothing.stderr


def test_report_form_and_blank_form_write_pdfs(profile: Path, tmp_path: Path) -> None:
    import datetime as dt

    from pypdf import PdfReader

    from casedesk.db.store import Store
    from casedesk.services import clients
    from casedesk.services import forms as form_service

    store = Store.open(profile, passphrase=PASSPHRASE)
    try:
        with store.session() as s:
            form_service.ensure_builtin_templates(s)
            client_id = clients.create_client(s, first_name="Zoë", last_name="Nguyễn", dob=dt.date(1990, 4, 2))
            response_id = form_service.start_response(s, client_id, "risk_assessment")
    finally:
        store.close()

    filled = tmp_path / "filled.pdf"
    out = ok(run(profile, "report", "form", response_id, "-o", str(filled)))
    assert "DRAFT" in out
    text = "\n".join(page.extract_text() for page in PdfReader(filled).pages)
    assert "Zoë Nguyễn" in text and "Risk assessment" in text and "DRAFT" in text

    blank = tmp_path / "blank.pdf"
    ok(run(profile, "report", "blank-form", "intake_face_sheet", "--client", client_id, "-o", str(blank)))
    blank_text = "\n".join(page.extract_text() for page in PdfReader(blank).pages)
    assert "Intake face sheet" in blank_text and "Zoë Nguyễn" in blank_text

    missing = run(profile, "report", "form", "no-such-id", "-o", str(tmp_path / "x.pdf"))
    assert missing.returncode != 0 and "no-such-id" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "x.pdf").exists()

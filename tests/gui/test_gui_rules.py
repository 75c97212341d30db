"""Pure rules behind the window (no Qt imported here): passphrase strength, unlock delay, display check,
note editor state, and the read services the window uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from casedesk.errors import ValidationError
from casedesk.gui.app import display_problem, missing_xcb_packages, resolve_profile
from casedesk.gui.notes.state import NoteState, switch_template
from casedesk.gui.unlock.rules import passphrase_strength, retry_delay_seconds
from casedesk.services import signatures


def test_passphrase_strength_feedback() -> None:
    assert not passphrase_strength("short").acceptable
    assert passphrase_strength("short").label == "Too short"
    assert not passphrase_strength("password").acceptable
    weak = passphrase_strength("aaaaaaaa")
    assert weak.score == 1
    good = passphrase_strength("kettle orbit maple lantern")
    assert good.acceptable and good.score >= 3
    assert passphrase_strength("Tr0ub4dor&3 horse battery").score == 4


def test_unlock_delay_grows_and_is_capped() -> None:
    assert [retry_delay_seconds(n) for n in range(0, 8)] == [0, 0, 0, 1, 2, 4, 8, 16]
    assert retry_delay_seconds(50) == 60


def test_display_check_names_missing_debian_packages() -> None:
    missing = {"libxcb-cursor.so.0", "libxkbcommon-x11.so.0"}
    assert missing_xcb_packages(lambda lib: lib not in missing) == ["libxcb-cursor0", "libxkbcommon-x11-0"]
    message = display_problem({"DISPLAY": ":0"}, "linux", lambda lib: lib not in missing)
    assert message is not None
    assert "libxcb-cursor0" in message and "sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0" in message
    assert display_problem({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", lambda lib: False) is not None


def test_display_check_stays_quiet_when_xcb_is_not_used() -> None:
    def nothing_loads(lib: str) -> bool:
        return False

    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", nothing_loads) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", nothing_loads) is None
    assert display_problem({}, "win32", nothing_loads) is None
    assert display_problem({"DISPLAY": ":0"}, "linux", lambda lib: True) is None
    no_display = display_problem({}, "linux", lambda lib: True)
    assert no_display is not None and "DISPLAY" in no_display


def test_profile_choice_for_demo_and_plain_start(tmp_path: Path) -> None:
    class Args:
        data_dir: str | None = None
        demo = False

    args = Args()
    args.demo = True
    path, demo = resolve_profile(args)  # type: ignore[arg-type]
    assert demo and path.name == "demo"
    args.data_dir = str(tmp_path)
    assert resolve_profile(args) == (tmp_path, True)  # type: ignore[arg-type]


def test_note_state_payload_round_trip_and_bad_payload() -> None:
    state = NoteState.blank("n1", "c1", "soap", now=dt.datetime(2026, 3, 2, 10, 37, tzinfo=dt.UTC))
    assert state.start_time.minute % 15 == 0
    state.body = {"subjective": "said", "plan": "next"}
    state.goals = [("g1", "good")]
    again = NoteState.from_payload(state.to_payload())
    assert again == state
    data = again.to_input()
    assert set(data.body) == {"subjective", "objective", "assessment", "plan"}
    assert data.contact_start.tzinfo is not None
    with pytest.raises(ValidationError, match="recovered draft"):
        NoteState.from_payload({"note_id": "x"})


def test_switching_template_keeps_all_text() -> None:
    body = {"data": "D", "assessment": "A", "plan": "P"}
    soap = switch_template(body, "dap", "soap")
    assert soap == {"subjective": "Data: D", "objective": "", "assessment": "A", "plan": "P"}
    narrative = switch_template(body, "dap", "narrative")
    assert all(t in narrative["narrative"] for t in ("D", "A", "P"))


def test_signature_strokes_are_validated() -> None:
    assert signatures.validate_strokes([[[1, 2], [3, 4, 5.5]]]) == [[[1.0, 2.0], [3.0, 4.0, 5.5]]]
    for bad in ("x", [["no"]], [[[1]]], [[[True, 2]]]):
        with pytest.raises(ValidationError):
            signatures.validate_strokes(bad)

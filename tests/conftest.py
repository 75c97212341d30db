"""Shared test configuration. Qt is never imported here: GUI fixtures live in tests/gui/conftest.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# GUI tests run offscreen; set before anything could import Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Profiles made by tests use a cheap Argon2 cost (stored in each key file; opening uses what it says).
os.environ["CASEDESK_INSECURE_FAST_KDF"] = "1"
# Never touch a real keyring from tests.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = REPO_ROOT.parent / "shared" / "testdata"


@pytest.fixture
def shared_testdata() -> Path:
    if not SHARED_TESTDATA.is_dir():
        pytest.fail(f"third-party test data not found at {SHARED_TESTDATA} (shared/ must sit beside the repo)")
    return SHARED_TESTDATA


def cli_env(data_dir: Path, passphrase: str | None = "correct horse battery") -> dict[str, str]:
    """Environment for running `python -m casedesk` in a subprocess against a test profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEDESK_")}
    env["CASEDESK_INSECURE_FAST_KDF"] = "1"
    env["CASEDESK_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(REPO_ROOT)
    if passphrase is not None:
        env["CASEDESK_PASSPHRASE"] = passphrase
    return env


PYTHON = sys.executable

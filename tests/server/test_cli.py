"""The admin and sync commands end to end: `casedesk serve` in a subprocess, admin commands against the
same server folder, a profile enrolled and synced from the command line, then revoked."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PYTHON, cli_env
from tests.server.helpers import free_port

pytestmark = pytest.mark.server


def casedesk(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([PYTHON, "-m", "casedesk", *args], env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_serve_admin_enroll_sync_revoke(tmp_path: Path) -> None:
    server_dir = str(tmp_path / "server")
    env = cli_env(tmp_path / "profile")
    port = free_port()
    serve = subprocess.Popen(
        [PYTHON, "-m", "casedesk", "serve", "--server-dir", server_dir, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and serve.poll() is None, "casedesk serve did not come up"
            time.sleep(0.1)
        casedesk(env, "server", "add-user", "sam", "--name", "Sam Ortiz", "--role", "supervisor", "--server-dir", server_dir)
        casedesk(env, "server", "add-user", "ana", "--name", "Ana Ruiz", "--role", "worker", "--supervisor", "sam",
                 "--server-dir", server_dir)
        bad = casedesk(env, "server", "add-user", "ana", "--name", "Again", "--role", "worker", "--server-dir", server_dir,
                       check=False)
        assert bad.returncode != 0 and "already exists" in bad.stderr and "Traceback" not in bad.stderr
        code = casedesk(env, "server", "enroll-code", "ana", "--server-dir", server_dir).stdout.split()[0]
        casedesk(env, "init", "--name", "Ana Ruiz")
        insecure = casedesk(env, "enroll", "http://casedesk.example.org", code, check=False)
        assert insecure.returncode != 0 and "plain http" in insecure.stderr
        enrolled = casedesk(env, "enroll", url, code).stdout
        assert "Enrolled as ana" in enrolled
        device_id = enrolled.split("Device id:")[1].split()[0]
        result = json.loads(casedesk(env, "sync", "--json").stdout)
        assert result["stuck"] == 0 and result["waiting"] == 0
        status = casedesk(env, "sync-status").stdout
        assert "Changes waiting: 0" in status
        users = casedesk(env, "server", "users", "--server-dir", server_dir).stdout
        assert "ana" in users and "supervisor" in users
        casedesk(env, "server", "revoke-device", device_id, "--server-dir", server_dir)
        revoked = casedesk(env, "sync", check=False)
        assert revoked.returncode == 4 and "revoked" in revoked.stderr and "Traceback" not in revoked.stderr
    finally:
        serve.terminate()
        serve.communicate(timeout=30)

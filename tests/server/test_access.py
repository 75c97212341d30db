"""Enrolment, tokens, revocation, the authorisation matrix, and hostile or malformed requests."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from casedesk.server import admin
from casedesk.server.models import AuditEntry, Record
from casedesk.sync import client as sync_client
from casedesk.sync.errors import DeviceRevokedError, InsecureServerError, ServerRejectedError
from casedesk.sync.transport import check_server_url
from tests.server.helpers import FAST_RETRY, ServerThread, add_user, enroll_device, new_store, running_server

pytestmark = pytest.mark.server
API = "/api/v1"


def raw_enroll(server: ServerThread, login: str) -> str:
    code, _ = admin.make_enrol_code(server.db, login)
    r = httpx.post(f"{server.url}{API}/enroll", json={"code": code, "device_id": str(uuid.uuid4())})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def op(table: str, row_id: str, fields: dict[str, Any], kind: str = "update", base: int = 1) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "table": table, "row_id": row_id, "kind": kind, "base": base, "fields": fields}


def push(server: ServerThread, token: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.post(f"{server.url}{API}/push", json={"ops": list(ops)}, headers=auth(token))
    assert r.status_code == 200, r.text
    return list(r.json()["results"])


def record_count(server: ServerThread) -> int:
    with server.db.read() as s:
        return int(s.execute(select(func.count()).select_from(Record)).scalar_one())


# ---- enrolment and tokens -------------------------------------------------------------------------------


def test_enrolment_code_is_single_use_and_expires(server: ServerThread, tmp_path: Path) -> None:
    login = add_user(server.db)
    code, expires = admin.make_enrol_code(server.db, login)
    assert expires - dt.datetime.now(dt.UTC) > dt.timedelta(hours=23, minutes=59)
    store = new_store(tmp_path / "a")
    sync_client.enroll(store, server.url, code.lower().replace("-", " "), policy=FAST_RETRY)  # typed loosely: fine
    other = new_store(tmp_path / "b")
    with pytest.raises(ServerRejectedError, match="already used"):
        sync_client.enroll(other, server.url, code, policy=FAST_RETRY)
    old, _ = admin.make_enrol_code(server.db, login, now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    with pytest.raises(ServerRejectedError, match="expired"):
        sync_client.enroll(other, server.url, old, policy=FAST_RETRY)
    with pytest.raises(ServerRejectedError, match="not valid"):
        sync_client.enroll(other, server.url, "ABCD-EFGH-JKLM", policy=FAST_RETRY)
    # secrets are stored only as hashes
    with server.db.read() as s:
        from casedesk.server.models import Device, EnrolCode

        hashes = [row.code_hash for row in s.execute(select(EnrolCode)).scalars()]
        tokens = [d.token_hash for d in s.execute(select(Device)).scalars()]
    assert all(code.replace("-", "") not in h for h in hashes)
    with store.read_session() as s:
        from casedesk.db.models import SyncState

        token = s.get(SyncState, 1).device_token  # type: ignore[union-attr]
    assert token and token not in tokens
    store.close()
    other.close()


def test_a_lost_enrolment_answer_can_be_retried_by_the_same_device(server: ServerThread) -> None:
    login = add_user(server.db)
    code, _ = admin.make_enrol_code(server.db, login)
    device_id = str(uuid.uuid4())
    first = httpx.post(f"{server.url}{API}/enroll", json={"code": code, "device_id": device_id}).json()["token"]
    again = httpx.post(f"{server.url}{API}/enroll", json={"code": code, "device_id": device_id})
    assert again.status_code == 200
    second = again.json()["token"]
    assert httpx.get(f"{server.url}{API}/me", headers=auth(second)).status_code == 200
    replay = httpx.get(f"{server.url}{API}/me", headers=auth(first))  # the replaced token is dead
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_token"
    stranger = httpx.post(f"{server.url}{API}/enroll", json={"code": code, "device_id": str(uuid.uuid4())})
    assert stranger.status_code == 400 and stranger.json()["error"] == "used_code"


def test_revoked_device_gets_401_and_the_client_says_so(server: ServerThread, tmp_path: Path) -> None:
    login = add_user(server.db)
    device = enroll_device(server.db, server.url, tmp_path / "a", login)
    device.sync()
    info = sync_client.status(device.store)
    admin.revoke_device(server.db, info.device_id or "")
    from casedesk.services import clients

    with device.store.session() as s:
        clients.create_client(s, first_name="Kwame", last_name="Mensah")
    with pytest.raises(DeviceRevokedError, match="revoked"):
        device.sync()
    after = sync_client.status(device.store)
    assert after.waiting == 1  # the unsent change is still on the device
    assert "revoked" in (after.last_error or "")
    device.close()


def test_forged_missing_and_malformed_tokens_are_refused(server: ServerThread) -> None:
    for headers in ({}, auth("cdt_" + "A" * 43), auth("not-a-token"), {"Authorization": "Basic dXNlcjpwdw=="}):
        r = httpx.get(f"{server.url}{API}/changes", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"] in ("missing_token", "invalid_token")


def test_the_client_refuses_plain_http_except_to_this_computer() -> None:
    for url in ("http://localhost:8765", "http://127.0.0.1:1/", "http://[::1]:8765", "https://casedesk.example.org"):
        assert check_server_url(url) == url.rstrip("/")
    for url in ("http://casedesk.example.org", "http://10.0.0.5:8765", "ftp://x", "casedesk.example.org",
                "https://user:pw@casedesk.example.org"):
        with pytest.raises(InsecureServerError):
            check_server_url(url)


# ---- authorisation matrix -------------------------------------------------------------------------------


@pytest.fixture
def agency(server: ServerThread) -> dict[str, Any]:
    """w1 (owner of client C) and w2 in sup's team; sup2 leads another team; admin has no caseload."""
    sup = add_user(server.db, "supervisor")
    sup2 = add_user(server.db, "supervisor")
    w1 = add_user(server.db, "worker", supervisor=sup)
    w2 = add_user(server.db, "worker", supervisor=sup)
    adm = add_user(server.db, "admin")
    tokens = {role: raw_enroll(server, login) for role, login in
              {"owner": w1, "other_worker": w2, "supervisor": sup, "other_supervisor": sup2, "admin": adm}.items()}
    cid = str(uuid.uuid4())
    answers = push(server, tokens["owner"], op("client", cid, {"first_name": "Imani", "last_name": "Brooks"}, "insert", 0))
    assert answers[0]["status"] == "applied"
    return {"tokens": tokens, "client": cid, "logins": {"owner": w1, "other_worker": w2}}


EXPECTED = {
    #  role: (sees C in changes/caseload, snapshot status, push outcome, assign status, list users status)
    "owner": (True, 200, "applied", 403, 403),
    "other_worker": (False, 403, "rejected", 403, 403),
    "supervisor": (True, 200, "applied", 200, 403),
    "other_supervisor": (False, 403, "rejected", 403, 403),
    "admin": (False, 403, "rejected", 200, 200),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_authorisation_matrix(server: ServerThread, agency: dict[str, Any], role: str) -> None:
    sees, snap_status, push_status, assign_status, users_status = EXPECTED[role]
    token, cid = agency["tokens"][role], agency["client"]
    h = auth(token)
    caseload = httpx.get(f"{server.url}{API}/caseload", headers=h).json()["clients"]
    assert (cid in caseload) is sees
    changes = httpx.get(f"{server.url}{API}/changes", params={"cursor": 0, "limit": 5000}, headers=h).json()
    assert any(r["id"] == cid for r in changes["rows"]) is sees
    snap = httpx.post(f"{server.url}{API}/snapshot", json={"clients": [cid]}, headers=h)
    assert snap.status_code == snap_status
    (answer,) = push(server, token, op("client", cid, {"phone": f"555-{role}"}, base=0))
    assert answer["status"] == push_status
    if push_status == "rejected":
        assert "caseload" in answer["reason"] and "row" not in answer
    (contact,) = push(server, token, op("contact", str(uuid.uuid4()), {"client_id": cid, "name": "Mo", "relation": "aunt"},
                                        "insert", 0))
    assert contact["status"] == ("applied" if sees else "rejected")
    assign = httpx.post(f"{server.url}{API}/admin/assign", json={"client_id": cid, "login": agency["logins"]["owner"]},
                        headers=h)
    assert assign.status_code == assign_status, assign.text
    assert httpx.get(f"{server.url}{API}/admin/users", headers=h).status_code == users_status
    for method, path in (("GET", "/caseload"), ("GET", "/changes"), ("POST", "/push"), ("POST", "/snapshot"),
                         ("POST", "/admin/assign"), ("GET", "/admin/users"), ("GET", "/me")):
        assert httpx.request(method, f"{server.url}{API}{path}", json={}).status_code == 401


def test_a_worker_cannot_reassign_or_move_records(server: ServerThread, agency: dict[str, Any]) -> None:
    token, cid = agency["tokens"]["owner"], agency["client"]
    other = str(uuid.uuid4())
    push(server, token, op("client", other, {"first_name": "A", "last_name": "B"}, "insert", 0))
    contact = str(uuid.uuid4())
    push(server, token, op("contact", contact, {"client_id": cid, "name": "Mo", "relation": "aunt"}, "insert", 0))
    (moved,) = push(server, token, op("contact", contact, {"client_id": other}))
    assert moved["status"] == "rejected" and "another client" in moved["reason"]
    (reassign,) = push(server, token, op("client", cid, {"assigned_worker_id": str(uuid.uuid4())}))
    assert reassign["status"] == "rejected" and "supervisor" in reassign["reason"]
    (worker_row,) = push(server, token, op("worker", str(uuid.uuid4()), {"name": "Me", "role": "admin"}, "insert", 0))
    assert worker_row["status"] == "rejected" and "administrator" in worker_row["reason"]


# ---- hostile and malformed bodies -----------------------------------------------------------------------


def test_malformed_and_hostile_bodies_get_4xx_and_change_nothing(server: ServerThread, agency: dict[str, Any]) -> None:
    token, cid = agency["tokens"]["owner"], agency["client"]
    h = {**auth(token), "Content-Type": "application/json"}
    before = record_count(server)
    url = f"{server.url}{API}/push"
    cases: list[tuple[bytes, int, str]] = [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "not valid JSON"),
        (json.dumps({"ops": "all of them"}).encode(), 422, "ops"),
        (json.dumps({"ops": [], "sneaky": 1}).encode(), 422, "sneaky"),
        (json.dumps({"ops": [{**op("client", cid, {"phone": "1"}), "row_id": "x' OR '1'='1"}]}).encode(), 422, "row_id"),
        (json.dumps({"ops": [{**op("client", cid, {"phone": "1"}), "base": -1}]}).encode(), 422, "base"),
        (json.dumps({"ops": [op("client", cid, {"phone": "1"})] * 1001}).encode(), 422, "ops"),
        (b'{"ops": [' + b"[" * 5000 + b"]" * 5000 + b"]}", 400, "JSON"),
    ]
    for body, status, words in cases:
        r = httpx.post(url, content=body, headers=h)
        assert r.status_code == status, (body[:60], r.text)
        assert words.lower() in r.json().get("message", "").lower(), (body[:40], r.json())
    bad_ops = (
        op("client", cid, {"phone": 12345}),
        op("client", cid, {"no_such_field": "x"}),
        op("no_such_table", cid, {"x": 1}),
        op("client", cid, {"dob": "last tuesday"}),
        op("client", cid, {"first_name": "x" * 101}),
        op("attachment", str(uuid.uuid4()), {"client_id": cid, "filename": "a", "mime_type": "x", "size": 1,
                                             "sha256": "0", "data": {"$b64": "!!!"}}, "insert", 0),
    )
    answers = [push(server, token, bad)[0] for bad in bad_ops]  # one by one: a refused op holds back its row
    assert [a["status"] for a in answers] == ["rejected"] * 6
    assert "phone must be text" in answers[0]["reason"]
    assert "no field 'no_such_field'" in answers[1]["reason"]
    assert "unknown table" in answers[2]["reason"]
    assert "date" in answers[3]["reason"]
    assert "longer than 100" in answers[4]["reason"]
    assert "base64" in answers[5]["reason"]
    assert record_count(server) == before


def test_oversized_bodies_are_refused_before_they_are_read(server: ServerThread, tmp_path: Path) -> None:
    with running_server(server.db, max_body=64 * 1024) as small:
        token = raw_enroll(small, add_user(server.db))
        big = b'{"ops": [], "pad": "' + b"x" * (70 * 1024) + b'"}'
        r = httpx.post(f"{small.url}{API}/push", content=big, headers={**auth(token), "Content-Type": "application/json"})
        assert r.status_code == 413 and "larger than" in r.json()["message"]

        def chunks() -> Any:  # no Content-Length: counted while reading
            for _ in range(70):
                yield b"x" * 1024

        r = httpx.post(f"{small.url}{API}/push", content=chunks(), headers=auth(token))
        assert r.status_code == 413


def test_every_request_and_change_is_audited(server: ServerThread, agency: dict[str, Any]) -> None:
    token, cid = agency["tokens"]["owner"], agency["client"]
    with server.db.read() as s:
        start = s.execute(select(func.max(AuditEntry.id))).scalar_one()
    push(server, token, op("client", cid, {"phone": "555-7777"}, base=0))
    httpx.get(f"{server.url}{API}/changes", headers=auth(token))
    httpx.get(f"{server.url}{API}/changes", headers=auth("cdt_forged"))
    with server.db.read() as s:
        entries = list(s.execute(select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)).scalars())
    actions = [(e.action, e.target, e.status) for e in entries]
    assert ("apply", f"client:{cid}", "applied") in actions
    assert ("request", "POST /api/v1/push", "200") in actions
    assert ("request", "GET /api/v1/changes", "200") in actions
    assert ("request", "GET /api/v1/changes", "401") in actions
    assert all("555-7777" not in json.dumps(e.detail) for e in entries)  # ids and counts, never client data


def test_wrong_enrolment_codes_from_one_address_are_refused_for_a_while(server: ServerThread, tmp_path: Path) -> None:
    from casedesk.server.app import ENROL_GUESS_WINDOW, enrol_guesses

    already = enrol_guesses(server.db, "127.0.0.1")  # other tests' wrong codes, on the same database
    login = add_user(server.db)
    code, _ = admin.make_enrol_code(server.db, login)
    with running_server(server.db, enrol_guesses_allowed=already + 3) as guarded:
        url = f"{guarded.url}{API}/enroll"
        for guess in ("WXYZ-WXYZ-WXY2", "WXYZ-WXYZ-WXY3", "WXYZ-WXYZ-WXY4"):
            r = httpx.post(url, json={"code": guess, "device_id": str(uuid.uuid4())})
            assert r.status_code == 400 and r.json()["error"] == "invalid_code"
        # now even the right code is refused from this address, and the answer says how long to wait
        r = httpx.post(url, json={"code": code, "device_id": str(uuid.uuid4())})
        assert r.status_code == 429 and r.json()["error"] == "too_many_attempts"
        assert r.headers["Retry-After"] == str(int(ENROL_GUESS_WINDOW.total_seconds()))
        # the laptop's `casedesk enroll` says so at once instead of retrying as for a busy server
        store = new_store(tmp_path / "a")
        with pytest.raises(ServerRejectedError, match="Too many wrong enrolment codes"):
            sync_client.enroll(store, guarded.url, code, policy=FAST_RETRY)
        # another address is not held up
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
            assert other.post(url, json={"code": code, "device_id": str(uuid.uuid4())}).status_code == 200
        # once the window has passed (the guesses are older than it), this address may enrol again
        age_guesses(server)
        code2, _ = admin.make_enrol_code(server.db, login)
        r = httpx.post(url, json={"code": code2, "device_id": str(uuid.uuid4())})
        assert r.status_code == 200, r.text
        store.close()


def age_guesses(server: ServerThread) -> None:
    """Make every wrong code recorded so far older than the guess window (as if it had passed)."""
    from casedesk.server.app import ENROL_GUESS_ACTION, ENROL_GUESS_WINDOW

    with server.db.write() as s:
        s.execute(
            update(AuditEntry)
            .where(AuditEntry.action == ENROL_GUESS_ACTION)
            .values(at=AuditEntry.at - ENROL_GUESS_WINDOW - dt.timedelta(minutes=1))
        )


def test_wrong_codes_sent_all_at_once_are_counted_one_by_one(server: ServerThread) -> None:
    """Forty guesses fired together: only as many are checked as the limit allows, the rest get 429."""
    from concurrent.futures import ThreadPoolExecutor

    from casedesk.server.app import enrol_guesses

    age_guesses(server)
    assert enrol_guesses(server.db, "127.0.0.1") == 0
    with running_server(server.db, enrol_guesses_allowed=5) as guarded, httpx.Client() as http:
        url = f"{guarded.url}{API}/enroll"

        def guess(i: int) -> int:
            body = {"code": f"WXYZ-WXYZ-{i:04d}", "device_id": str(uuid.uuid4())}
            return http.post(url, json=body, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(pool.map(guess, range(40)))
    assert statuses.count(400) == 5 and statuses.count(429) == 35
    assert enrol_guesses(server.db, "127.0.0.1") == 5
    age_guesses(server)  # the shared server's other tests enrol from this address too

"""The agency server's HTTP API (FastAPI). Every request is authenticated by device token, authorised
server-side, size-limited and audited; a malformed or hostile request gets a 4xx naming what is wrong and
changes nothing.

    uvicorn: casedesk serve [--server-dir DIR] [--db URL] [--host H] [--port P]
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired

import anyio
import uvicorn
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, with_config
from sqlalchemy import select, update
from starlette.exceptions import HTTPException as StarletteHTTPException
from typing_extensions import TypedDict

from casedesk import __version__
from casedesk.errors import NotFoundError
from casedesk.server import admin, pull
from casedesk.server import audit as server_audit
from casedesk.server import push as push_service
from casedesk.server.auth import Actor, AuthFailure, authenticate, visible_clients
from casedesk.server.db import Database
from casedesk.server.models import Device, User, utcnow
from casedesk.sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    MAX_BATCH_OPS,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_SNAPSHOT_CLIENTS,
)

ID_PATTERN = r"^[0-9A-Za-z-]{1,36}$"
# Wrong enrolment codes one address may send in a window before its enrolments are refused for a while.
ENROL_GUESSES_ALLOWED = 10
ENROL_GUESS_WINDOW = dt.timedelta(minutes=15)
ENROL_GUESS_ACTION = "enrol_wrong_code"  # audit action of each wrong code, written before the answer goes out
# Check, enrolment and the record of a wrong code happen under one lock, so codes sent all at once are
# counted one after another (`casedesk serve` runs one server process).
_ENROL_GATE = threading.Lock()
Id = Annotated[str, Field(pattern=ID_PATTERN)]


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds, sent as Retry-After


# ---- request bodies ---------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnrolBody(Strict):
    code: Annotated[str, Field(min_length=4, max_length=40)]
    device_id: Annotated[str, Field(pattern=r"^[0-9a-fA-F-]{36}$")]
    device_name: Annotated[str, Field(max_length=200)] = ""
    worker_id: Id | None = None
    has_records: bool = False


@with_config(ConfigDict(extra="forbid"))
class OpBody(TypedDict):
    """One pushed op, validated into a plain dict (a batch holds a thousand: no model object per op)."""

    op_id: Id
    table: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+$")]
    row_id: Id
    kind: Literal["insert", "update", "delete", "resolve"]
    base: Annotated[int, Field(ge=0, le=2**31)]
    fields: dict[str, Any]
    created_at: NotRequired[Annotated[str, Field(max_length=40)] | None]


class PushBody(Strict):
    ops: Annotated[list[OpBody], Field(max_length=MAX_BATCH_OPS)]


class SnapshotBody(Strict):
    clients: Annotated[list[Id], Field(max_length=MAX_SNAPSHOT_CLIENTS)] = []
    base: bool = False
    own: Annotated[list[Id], Field(max_length=MAX_SNAPSHOT_CLIENTS)] = []  # clients this device created this sync
    after: Annotated[int, Field(ge=0)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT


class AssignBody(Strict):
    client_id: Id
    login: Annotated[str, Field(max_length=100)]


# ---- middleware: body limit + audit of every request ----------------------------------------------------


@dataclass
class RequestNote:
    """What the handlers tell the audit middleware about a request."""

    actor: Actor | None = None
    detail: dict[str, Any] | None = None


class LimitAndAudit:
    """Pure ASGI middleware: refuse bodies over the limit (413) before or while reading them, and write
    one audit entry per request (who, what, status), refreshing the device's last-seen time."""

    def __init__(self, app: Any, db: Database, max_body: int) -> None:
        self.app = app
        self.db = db
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        note = RequestNote()
        scope.setdefault("state", {})["note"] = note
        status: dict[str, int] = {"code": 0}
        flags = {"started": False, "refused": False, "audited": False}
        client = scope.get("client")
        target = f"{scope.get('method', '')} {scope.get('path', '')}"

        async def audit_once() -> None:
            # Written before the last byte of the answer goes out: a request the device saw answered is audited.
            if not flags["audited"]:
                flags["audited"] = True
                await anyio.to_thread.run_sync(self._audit, note, target, status["code"], client[0] if client else None)

        async def send_wrapper(message: dict[str, Any]) -> None:
            if flags["refused"]:
                return  # a 413 already went out; whatever the app says afterwards is dropped
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                flags["started"] = True
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                await audit_once()
            await send(message)

        async def refuse() -> None:
            await send_wrapper_raw(413)
            flags["refused"] = True

        async def send_wrapper_raw(code: int) -> None:
            status["code"] = code
            flags["started"] = True
            await audit_once()
            await _send_error(send, code, "body_too_large", self._too_big())

        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_big = False
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                too_big = True
        if too_big:
            await refuse()
        else:
            received = {"n": 0}

            async def receive_wrapper() -> dict[str, Any]:
                if flags["refused"]:
                    return {"type": "http.disconnect"}
                message: dict[str, Any] = await receive()
                if message["type"] == "http.request":
                    received["n"] += len(message.get("body", b""))
                    if received["n"] > self.max_body:
                        if not flags["started"]:
                            await refuse()
                        return {"type": "http.disconnect"}
                return message

            try:
                await self.app(scope, receive_wrapper, send_wrapper)
            except Exception:
                if not flags["refused"]:
                    raise
        await audit_once()

    def _too_big(self) -> str:
        return f"The request body is larger than the server's limit of {self.max_body // (1024 * 1024)} MB."

    def _audit(self, note: RequestNote, target: str, status: int, remote: str | None) -> None:
        actor = note.actor
        with self.db.write() as s:
            server_audit.log(
                s,
                "request",
                user_id=actor.user_id if actor else None,
                device_id=actor.device_id if actor else None,
                target=target,
                status=str(status),
                detail=note.detail or {},
                remote_addr=remote,
            )
            if actor is not None and actor.seen_stale:
                s.execute(update(Device).where(Device.id == actor.device_id).values(last_seen_at=utcnow()))


async def _send_error(send: Any, status: int, code: str, message: str) -> None:
    body = JSONResponse({"error": code, "message": message}, status_code=status).body
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# ---- the app ---------------------------------------------------------------------------------------------


def fast_json(payload: dict[str, Any]) -> Response:
    """Big answers (pages of rows) are plain JSON already: skip FastAPI's per-value encoder."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(body, media_type="application/json")


def note(request: Request) -> RequestNote:
    value: RequestNote = request.scope.setdefault("state", {}).setdefault("note", RequestNote())
    return value


def current_actor(request: Request) -> Actor:
    """The device and user behind the request's token (401 with the reason if there is none)."""
    db: Database = request.app.state.db
    header = request.headers.get("authorization")
    try:
        with db.read() as s:
            actor = authenticate(s, header)
    except AuthFailure as exc:
        raise ApiError(401, exc.code, exc.message) from None
    note(request).actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def _validation_message(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "invalid_json", "The request body is not valid JSON."
    if any(e.get("type") == "missing" and tuple(e.get("loc", ())) == ("body",) for e in errors):
        return 400, "invalid_json", "The request body is empty; it should be JSON, and it is not valid JSON."
    first = errors[0] if errors else {}
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid"))
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return 422, "invalid_request", f"{loc or 'body'}: {msg}{more}"


def enrol_guesses(db: Database, remote_addr: str) -> int:
    """Wrong enrolment codes sent from `remote_addr` within the last ENROL_GUESS_WINDOW."""
    with db.read() as s:
        return server_audit.count_since(s, ENROL_GUESS_ACTION, remote_addr, utcnow() - ENROL_GUESS_WINDOW)


def record_enrol_guess(db: Database, remote_addr: str) -> None:
    with db.write() as s:
        server_audit.log(s, ENROL_GUESS_ACTION, target="enrolment code", status="invalid_code", remote_addr=remote_addr)


def create_app(db: Database, *, max_body: int = MAX_BODY_BYTES, enrol_guesses_allowed: int = ENROL_GUESSES_ALLOWED) -> Any:
    """The ASGI application: the FastAPI routes wrapped in the body-limit and audit middleware.

    `enrol_guesses_allowed`: wrong enrolment codes one address may send within ENROL_GUESS_WINDOW before
    its enrolment requests are refused (429) until the window has passed."""
    app = FastAPI(title="CaseDesk agency server", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = db

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if exc.retry_after is not None:
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        status, code, message = _validation_message(exc)
        return JSONResponse({"error": code, "message": message}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in detail:
            code, message = "invalid_json", "The request body could not be read as JSON (too deeply nested or garbled)."
        else:
            code, message = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request"), detail
        return JSONResponse({"error": code, "message": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": "server_error", "message": f"The server failed ({type(exc).__name__}); nothing was changed."},
            status_code=500,
        )

    @app.get(f"{API_PREFIX}/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "service": "casedesk", "api": 1, "version": __version__}

    @app.post(f"{API_PREFIX}/enroll")
    def enroll(body: EnrolBody, request: Request) -> dict[str, Any]:
        remote = request.client.host if request.client else None
        with _ENROL_GATE:
            if remote is not None and enrol_guesses(db, remote) >= enrol_guesses_allowed:
                # Codes are long enough that guessing one is hopeless; this keeps it so, and the log short.
                note(request).detail = {"failure": "too_many_attempts"}
                minutes = int(ENROL_GUESS_WINDOW.total_seconds() // 60)
                raise ApiError(
                    429,
                    "too_many_attempts",
                    f"Too many wrong enrolment codes came from this computer's address. Wait {minutes} minutes, "
                    "check the code with your administrator, and try again.",
                    retry_after=int(ENROL_GUESS_WINDOW.total_seconds()),
                )
            try:
                result = admin.enroll(
                    db,
                    body.code,
                    body.device_id.lower(),
                    body.device_name,
                    body.worker_id,
                    remote_addr=remote,
                    has_records=body.has_records,
                )
            except admin.EnrolFailure as exc:
                if exc.code == "invalid_code" and remote is not None:
                    record_enrol_guess(db, remote)
                note(request).detail = {"failure": exc.code}
                status = {"device_exists": 409, "identity_mismatch": 409, "user_inactive": 403}.get(exc.code, 400)
                raise ApiError(status, exc.code, str(exc)) from None
        note(request).detail = {"device_id": result["device_id"]}
        return result

    @app.get(f"{API_PREFIX}/me")
    def me(actor: ActorDep) -> dict[str, Any]:
        return {
            "user": {"id": actor.user_id, "login": actor.login, "name": actor.name, "role": actor.role},
            "device_id": actor.device_id,
            "worker_id": actor.worker_id,
        }

    @app.post(f"{API_PREFIX}/push")
    def push(body: PushBody, actor: ActorDep, request: Request) -> Response:
        ops = [
            push_service.OpIn(o["op_id"], o["table"], o["row_id"], o["kind"], o["base"], o["fields"], o.get("created_at"))
            for o in body.ops
        ]
        answers = push_service.push(db, actor, ops)
        counts: dict[str, int] = {}
        for a in answers:
            counts[a["status"]] = counts.get(a["status"], 0) + 1
        note(request).detail = {"ops": len(ops), **counts}
        return fast_json({"results": answers})

    @app.get(f"{API_PREFIX}/caseload")
    def caseload(actor: ActorDep, request: Request) -> dict[str, Any]:
        with db.read() as s:
            result = pull.caseload(s, actor)
        note(request).detail = {"clients": len(result["clients"])}
        return result

    @app.get(f"{API_PREFIX}/changes")
    def changes(
        actor: ActorDep,
        request: Request,
        cursor: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
        own_upto: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        with db.read() as s:
            result = pull.changes(s, actor, cursor, limit, own_upto)
        note(request).detail = {"cursor": cursor, "rows": len(result["rows"]), "conflicts": len(result["conflicts"])}
        rows = result.pop("rows")
        return Response(pull.page_body(rows, result), media_type="application/json")

    @app.post(f"{API_PREFIX}/snapshot")
    def snapshot(body: SnapshotBody, actor: ActorDep, request: Request) -> Response:
        try:
            with db.read() as s:
                result = pull.snapshot(
                    s, actor, list(dict.fromkeys(body.clients)), body.base, body.after, body.limit, frozenset(body.own)
                )
        except pull.Forbidden as exc:
            raise ApiError(403, "forbidden", str(exc)) from None
        note(request).detail = {"clients": len(body.clients), "rows": len(result["rows"])}
        rows = result.pop("rows")
        return Response(pull.page_body(rows, result), media_type="application/json")

    @app.post(f"{API_PREFIX}/admin/assign")
    def assign(body: AssignBody, actor: ActorDep, request: Request) -> dict[str, Any]:
        if actor.role not in ("supervisor", "admin"):
            raise ApiError(403, "forbidden", "Only a supervisor or an administrator can assign clients.")
        with db.read() as s:
            target = s.execute(select(User).where(User.login == body.login.strip().lower())).scalar_one_or_none()
        if target is None:
            raise ApiError(404, "not_found", f"No user with login {body.login!r}.")
        if actor.role == "supervisor" and target.id not in actor.visible_users:
            raise ApiError(403, "forbidden", "A supervisor can only assign clients within her team.")
        try:
            if actor.role == "supervisor":
                with db.read() as s:
                    if body.client_id not in visible_clients(s, actor):
                        raise ApiError(403, "forbidden", "This client is not in your team's caseload.")
            info = admin.assign_client(db, body.client_id, target.login, actor_user_id=actor.user_id)
        except NotFoundError as exc:
            raise ApiError(404, "not_found", str(exc)) from None
        note(request).detail = {"client_id": body.client_id, "to_user": info.id}
        return {"client_id": body.client_id, "login": info.login}

    @app.get(f"{API_PREFIX}/admin/users")
    def users(actor: ActorDep) -> dict[str, Any]:
        if not actor.is_admin:
            raise ApiError(403, "forbidden", "Only an administrator can list users.")
        return {
            "users": [
                {"login": u.login, "name": u.name, "role": u.role, "supervisor": u.supervisor, "active": u.active}
                for u in admin.list_users(db)
            ]
        }

    return LimitAndAudit(app, db, max_body)



def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket with Nagle's algorithm off (accepted connections inherit it): without it a
    response written in two parts waits for the client's delayed ACK, about 40 ms per request."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def serve(db: Database, host: str, port: int, *, max_body: int = MAX_BODY_BYTES) -> None:
    """Run the server in this thread until interrupted (uvicorn)."""
    sock = listening_socket(host, port)
    config = uvicorn.Config(
        create_app(db, max_body=max_body), log_level="warning", proxy_headers=True, access_log=False
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()

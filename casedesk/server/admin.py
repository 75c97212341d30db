"""Administration: users, enrolment codes, devices, caseload assignments. Used by the admin CLI
(`casedesk server ...`), by the enrolment endpoint and by tests. Every change is audited."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.errors import CaseDeskError, NotFoundError, ValidationError
from casedesk.server import audit
from casedesk.server.auth import CODE_TTL, hash_secret, new_enrol_code, new_token, normalize_code
from casedesk.server.db import Database, SeqAllocator
from casedesk.server.models import ROLES, Assignment, Device, EnrolCode, PastAssignment, Record, User, utcnow
from casedesk.server.records import row_payload, server_change

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
REISSUE_WINDOW = dt.timedelta(minutes=10)


class EnrolFailure(CaseDeskError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class UserInfo:
    id: str
    login: str
    name: str
    role: str
    supervisor: str | None
    worker_id: str | None
    active: bool


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    login: str
    name: str
    created_at: dt.datetime
    last_seen_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _user_by_login(session: Session, login: str) -> User:
    user = session.execute(select(User).where(User.login == login.strip().lower())).scalar_one_or_none()
    if user is None:
        raise NotFoundError(f"No user with login {login!r} on this server (add one with `casedesk server add-user`).")
    return user


def _info(session: Session, user: User) -> UserInfo:
    sup = session.get(User, user.supervisor_id) if user.supervisor_id else None
    return UserInfo(user.id, user.login, user.name, user.role, sup.login if sup else None, user.worker_id, user.active)


def add_user(db: Database, login: str, name: str, role: str, supervisor: str | None = None) -> UserInfo:
    login = login.strip().lower()
    if not LOGIN_RE.match(login):
        raise ValidationError("A login is 1-100 characters: lower-case letters, digits, '.', '_' or '-'.")
    if not name.strip():
        raise ValidationError("A user needs a name (--name).")
    if role not in ROLES:
        raise ValidationError(f"--role must be one of {', '.join(ROLES)}.")
    with db.write() as s:
        if s.execute(select(User.id).where(User.login == login)).first():
            raise ValidationError(f"A user with login {login!r} already exists.")
        sup_id = None
        if supervisor:
            sup = _user_by_login(s, supervisor)
            if sup.role != "supervisor":
                raise ValidationError(f"{sup.login} is a {sup.role}, not a supervisor.")
            sup_id = sup.id
        user = User(id=str(uuid.uuid4()), login=login, name=name.strip(), role=role, supervisor_id=sup_id, active=True)
        s.add(user)
        s.flush()
        audit.log(s, "add_user", target=f"user:{user.id}", detail={"login": login, "role": role})
        return _info(s, user)


def list_users(db: Database) -> list[UserInfo]:
    with db.read() as s:
        return [_info(s, u) for u in s.execute(select(User).order_by(User.login)).scalars()]


def make_enrol_code(db: Database, login: str, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A one-time code for `login` valid 24 hours. Only its hash is stored."""
    now = now or utcnow()
    with db.write() as s:
        user = _user_by_login(s, login)
        if not user.active:
            raise ValidationError(f"The account {user.login} is disabled.")
        code = new_enrol_code()
        expires = now + CODE_TTL
        s.add(
            EnrolCode(
                id=str(uuid.uuid4()),
                user_id=user.id,
                code_hash=hash_secret(normalize_code(code)),
                created_at=now,
                expires_at=expires,
            )
        )
        audit.log(s, "enrol_code", user_id=user.id, target=f"user:{user.id}", detail={"expires_at": expires.isoformat()})
    return code, expires


def revoke_device(db: Database, device_id: str) -> DeviceInfo:
    with db.write() as s:
        device = s.get(Device, device_id.strip())
        if device is None:
            raise NotFoundError(f"No device with id {device_id} on this server.")
        if device.revoked_at is None:
            device.revoked_at = utcnow()
        user = s.get(User, device.user_id)
        audit.log(s, "revoke_device", user_id=device.user_id, device_id=device.id, target=f"device:{device.id}")
        assert user is not None
        return DeviceInfo(device.id, user.login, device.name, device.created_at, device.last_seen_at, device.revoked_at)


def list_devices(db: Database, login: str | None = None) -> list[DeviceInfo]:
    with db.read() as s:
        query = select(Device, User.login).join(User, User.id == Device.user_id).order_by(Device.created_at)
        if login:
            query = query.where(User.login == login.strip().lower())
        return [
            DeviceInfo(d.id, lg, d.name, d.created_at, d.last_seen_at, d.revoked_at)
            for d, lg in s.execute(query)
        ]


def ensure_worker_record(session: Session, alloc: SeqAllocator, user: User, preferred_id: str | None = None) -> Record:
    """The synced Worker record that stands for `user` (created on first need, kept in step with the user)."""
    if user.worker_id is None:
        taken = preferred_id and session.execute(select(User.id).where(User.worker_id == preferred_id)).first()
        exists = preferred_id and session.execute(
            select(Record.row_id).where(Record.table_name == "worker", Record.row_id == preferred_id)
        ).first()
        user.worker_id = preferred_id if preferred_id and not taken and not exists else str(uuid.uuid4())
        session.flush()
    return server_change(
        session,
        alloc,
        "worker",
        user.worker_id,
        {"name": user.name, "login": user.login, "role": user.role, "email": None, "agency_id": None,
         "credentials": None, "deleted_at": None},
        is_global=True,
    )


def assign_client(db: Database, client_id: str, login: str, actor_user_id: str | None = None) -> UserInfo:
    """Put a client in `login`'s caseload (and out of anyone else's)."""
    with db.write() as s:
        alloc = SeqAllocator(s)
        user = _user_by_login(s, login)
        info = assign_in_session(s, alloc, client_id.strip(), user, actor_user_id)
        alloc.save()
        return info


def assign_in_session(
    s: Session, alloc: SeqAllocator, client_id: str, user: User, actor_user_id: str | None
) -> UserInfo:
    rec = s.execute(select(Record).where(Record.table_name == "client", Record.row_id == client_id)).scalar_one_or_none()
    if rec is None:
        raise NotFoundError(f"No client with id {client_id} on this server.")
    worker = ensure_worker_record(s, alloc, user)
    row = s.get(Assignment, client_id)
    previous = row.user_id if row else None
    if row is None:
        s.add(Assignment(client_id=client_id, user_id=user.id, assigned_at=utcnow()))
    elif row.user_id != user.id:
        s.add(PastAssignment(client_id=client_id, user_id=row.user_id, ended_at=utcnow()))
        row.user_id = user.id
        row.assigned_at = utcnow()
    server_change(s, alloc, "client", client_id, {"assigned_worker_id": worker.row_id}, by=actor_user_id)
    audit.log(
        s,
        "assign",
        user_id=actor_user_id,
        target=f"client:{client_id}",
        detail={"to_user": user.id, "from_user": previous},
    )
    return _info(s, user)


def enroll(
    db: Database,
    code: str,
    device_id: str,
    device_name: str,
    worker_id: str | None,
    remote_addr: str | None = None,
    has_records: bool = False,
) -> dict[str, Any]:
    """Exchange a one-time code for a device token (returned once; only its hash is kept)."""
    now = utcnow()
    with db.write() as s:
        alloc = SeqAllocator(s)
        row = s.execute(select(EnrolCode).where(EnrolCode.code_hash == hash_secret(normalize_code(code)))).scalar_one_or_none()

        def fail(reason: str, message: str) -> EnrolFailure:
            return EnrolFailure(reason, message)  # the request's own audit entry records the failure

        if row is None:
            raise fail("invalid_code", "This enrolment code is not valid. Check it, or ask your administrator for a new one.")
        expires = _aware(row.expires_at)
        assert expires is not None
        user = s.get(User, row.user_id)
        assert user is not None
        reissue = False
        if row.used_at is not None:
            used_at = _aware(row.used_at)
            assert used_at is not None
            if row.device_id == device_id and now - used_at < REISSUE_WINDOW:
                reissue = True  # the answer to the first try was lost on the way: same device, new token
            else:
                raise fail("used_code", "This enrolment code was already used. Ask your administrator for a new one.")
        elif now >= expires:
            raise fail("expired_code", "This enrolment code has expired (codes are valid 24 hours). Ask for a new one.")
        if not user.active:
            raise fail("user_inactive", f"The account {user.login} is disabled on the agency server.")
        if user.worker_id is not None and worker_id and worker_id != user.worker_id and has_records and not reissue:
            raise fail(
                "identity_mismatch",
                f"This profile already holds records made under another identity, and {user.login} already has one "
                "on the server. Enroll a new, empty profile (casedesk init) for this account; the code is still valid.",
            )
        token = new_token()
        device = s.get(Device, device_id)
        if reissue and device is not None:
            device.token_hash = hash_secret(token)
        elif device is not None:
            raise fail("device_exists", "This device id is already enrolled; ask your administrator for help.")
        else:
            device = Device(id=device_id, user_id=user.id, name=device_name[:200], token_hash=hash_secret(token), created_at=now)
            s.add(device)
        row.used_at = row.used_at or now
        row.device_id = device_id
        worker = ensure_worker_record(s, alloc, user, preferred_id=worker_id)
        s.flush()
        alloc.save()
        audit.log(s, "enroll", user_id=user.id, device_id=device_id, target=f"device:{device_id}", remote_addr=remote_addr,
                  detail={"reissued": reissue})
        return {
            "device_id": device_id,
            "token": token,
            "user": {"id": user.id, "login": user.login, "name": user.name, "role": user.role},
            "worker": row_payload(worker),
        }

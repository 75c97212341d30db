"""Secrets and identities: enrolment codes, device tokens (both stored only as SHA-256), who is asking."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casedesk.server.models import Assignment, Device, User, utcnow

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud over the phone
CODE_LENGTH = 12
CODE_TTL = dt.timedelta(hours=24)
TOKEN_PREFIX = "cdt_"
LAST_SEEN_EVERY = dt.timedelta(seconds=60)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_enrol_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class AuthFailure(Exception):
    """Why a request is not authenticated: error code and a sentence for the device to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Actor:
    """The authenticated device and its user, with the users whose caseloads she may see."""

    user_id: str
    login: str
    name: str
    role: str
    worker_id: str | None
    device_id: str
    visible_users: frozenset[str]
    seen_stale: bool = False  # last_seen_at is old enough to be refreshed (done with the request's audit entry)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def team_of(session: Session, user: User) -> frozenset[str]:
    """Users whose clients this user may see: herself, plus her team when she is a supervisor."""
    users = {user.id}
    if user.role == "supervisor":
        users |= set(session.execute(select(User.id).where(User.supervisor_id == user.id)).scalars())
    return frozenset(users)


def authenticate(session: Session, authorization: str | None) -> Actor:
    if not authorization or not authorization.startswith("Bearer "):
        raise AuthFailure("missing_token", "This request has no device token. Enroll the device first.")
    token = authorization[len("Bearer ") :].strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise AuthFailure("invalid_token", "The device token is not valid. Enroll the device again.")
    row = session.execute(
        select(Device, User).join(User, User.id == Device.user_id).where(Device.token_hash == hash_secret(token))
    ).first()
    if row is None:
        raise AuthFailure("invalid_token", "The device token is not known to this server. Enroll the device again.")
    device, user = row[0], row[1]
    if device.revoked_at is not None:
        raise AuthFailure(
            "device_revoked",
            "This device's access was revoked by the agency. Ask your administrator to enroll it again.",
        )
    if not user.active:
        raise AuthFailure("user_inactive", f"The account {user.login} is disabled on the agency server.")
    seen = device.last_seen_at
    return Actor(
        user_id=user.id,
        login=user.login,
        name=user.name,
        role=user.role,
        worker_id=user.worker_id,
        device_id=device.id,
        visible_users=team_of(session, user),
        seen_stale=seen is None or utcnow() - _aware(seen) > LAST_SEEN_EVERY,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def visible_clients(session: Session, actor: Actor) -> set[str]:
    return set(session.execute(select(Assignment.client_id).where(Assignment.user_id.in_(actor.visible_users))).scalars())

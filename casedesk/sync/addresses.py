"""Which server addresses CaseDesk will talk to (no HTTP library needed to decide: the window checks an
address as it is typed, long before anything is sent)."""

from __future__ import annotations

from urllib.parse import urlsplit

from casedesk.sync.errors import InsecureServerError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def check_server_url(url: str) -> str:
    """The server URL without a trailing slash, or an error if CaseDesk must not talk to it."""
    raw = url.strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureServerError(f"{url!r} is not a server address (expected https://server.example.org).")
    host = parts.hostname.lower()
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise InsecureServerError(
            f"CaseDesk will not send client records over plain http to {host}. Use the server's https:// "
            "address (plain http is allowed only to this computer: localhost, 127.0.0.1, ::1)."
        )
    if parts.username or parts.password:
        raise InsecureServerError("Put no user name or password in the server address; enrol with a code instead.")
    return raw.rstrip("/")

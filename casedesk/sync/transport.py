"""HTTP to the agency server: https only (plain http only to this computer), retries with backoff on
network failures and 5xx, clear errors for everything else."""

from __future__ import annotations

import json
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

import certifi
import httpx

from casedesk import __version__
from casedesk.gcpause import collection_paused
from casedesk.sync.addresses import check_server_url
from casedesk.sync.backoff import RetryPolicy
from casedesk.sync.errors import (
    KEPT,
    DeviceRevokedError,
    ServerRejectedError,
    ServerUnreachableError,
)
from casedesk.sync.protocol import API_PREFIX

__all__ = ["Transport", "check_server_url"]

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
FINAL_REFUSALS = frozenset({"too_many_attempts"})  # error codes of a 429 that is not retried


_ssl_context: ssl.SSLContext | None = None
_ssl_lock = threading.Lock()


def _default_ssl_context() -> ssl.SSLContext:
    """Loading the CA bundle costs ~70 ms: do it once per process."""
    global _ssl_context
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = ssl.create_default_context(cafile=certifi.where())
        return _ssl_context


class Transport:
    """Talks JSON to one server with one device token. Thread-confined: one per sync run."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = check_server_url(base_url)
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()
        self.sleep = sleep
        headers = {"User-Agent": f"CaseDesk/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.policy.timeout, connect=self.policy.connect_timeout),
            follow_redirects=False,
            verify=_default_ssl_context(),
            transport=httpx.HTTPTransport(
                verify=_default_ssl_context(), socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            ),
        )
        self.bytes_sent = 0
        self.bytes_received = 0
        self.requests = 0
        self.retries = 0

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any) -> dict[str, Any]:
        return self.request("POST", path, body=body)

    def post_json(self, path: str, content: bytes) -> dict[str, Any]:
        """POST a body that is JSON already (built from stored JSON text without decoding it)."""
        return self.request("POST", path, content=content)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        headers = {}
        if body is not None:
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if content is not None:
            headers["Content-Type"] = "application/json"
        attempts = self.policy.attempts if retry else 1
        last_problem = "no answer"
        last_status = 0
        for attempt in range(attempts):
            if attempt:
                self.retries += 1
                self.sleep(self._wait(attempt - 1, last_problem))
            self.requests += 1
            try:
                response = self.client.request(method, API_PREFIX + path, content=content, params=params, headers=headers)
                self.bytes_sent += len(content or b"")
                data = response.content
                self.bytes_received += len(data)
            except httpx.TransportError as exc:
                last_problem = _describe(exc)
                last_status = 0
                continue
            last_status = response.status_code
            if response.status_code in RETRY_STATUSES and not _final_refusal(response.status_code, data):
                last_problem = f"the server answered {response.status_code}"
                self._retry_after = _retry_after(response)
                continue
            with collection_paused():  # a page of rows: thousands of objects that all stay alive
                payload = _json(data)
            if response.status_code == 401:
                message = payload.get("message") if isinstance(payload, dict) else None
                raise DeviceRevokedError(
                    (message or "The agency server no longer accepts this device.")
                    + " Unsent work stays on this device; ask your administrator for a new enrolment code."
                )
            if response.status_code >= 400:
                code = payload.get("error", "error") if isinstance(payload, dict) else "error"
                message = payload.get("message") if isinstance(payload, dict) else None
                raise ServerRejectedError(
                    response.status_code,
                    str(code),
                    f"The agency server refused the request ({response.status_code}): "
                    f"{message or response.reason_phrase}",
                )
            if not isinstance(payload, dict):
                last_problem = "the answer was cut off or garbled"
                last_status = 0
                continue
            return payload
        if last_status >= 500:
            raise ServerRejectedError(
                last_status, "server_error", f"The agency server kept failing ({last_status}) on this request. {KEPT}"
            )
        raise ServerUnreachableError(
            f"Could not sync with the agency server at {self.base_url} after {attempts} tries "
            f"(last problem: {last_problem}). {KEPT}"
        )

    _retry_after: float | None = None

    def _wait(self, retry: int, _problem: str) -> float:
        delay = self.policy.delay(retry, self.rng)
        if self._retry_after is not None:
            delay = max(delay, min(self._retry_after, self.policy.retry_after_cap))
            self._retry_after = None
        return delay


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def _final_refusal(status: int, data: bytes) -> bool:
    """A 429 that retrying within seconds cannot cure (too many wrong enrolment codes): said at once."""
    if status != 429:
        return False
    payload = _json(data)
    return isinstance(payload, dict) and payload.get("error") in FINAL_REFUSALS


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "the server could not be reached"
    if isinstance(exc, httpx.TimeoutException):
        return "the server did not answer in time"
    return "the connection broke"

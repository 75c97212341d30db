"""Sync errors a worker may see: each says what happened and that her work is still on the device."""

from __future__ import annotations

from casedesk.errors import CaseDeskError

KEPT = "Your work is kept on this device and will be sent at the next sync."


class SyncError(CaseDeskError):
    exit_code = 3


class NotEnrolledError(SyncError):
    pass


class InsecureServerError(SyncError):
    pass


class DeviceRevokedError(SyncError):
    """The server no longer accepts this device's token (revoked, or unknown to it)."""

    exit_code = 4


class ServerUnreachableError(SyncError):
    pass


class ServerRejectedError(SyncError):
    """The server answered a request with a 4xx that retrying will not fix."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class SyncBusyError(SyncError):
    pass

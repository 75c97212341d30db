"""An advisory lock on a profile folder: every open Store holds it shared, a restore holds it exclusive.

Restoring swaps the database file by renames. A process that still had the old file open would keep
writing into the copy that was moved aside, and its notes would silently vanish from the profile, so a
restore refuses to start while anyone has the profile open, and nobody can open it while a restore
runs. The lock is ``flock`` on ``<data dir>/casedesk.lock`` (released by the OS when a process dies).
On platforms without ``fcntl`` the lock is a no-op: there, open files cannot be renamed anyway.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from casedesk.errors import StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "casedesk.lock"

IN_USE_MESSAGE = (
    "This profile is open in CaseDesk (the desktop app or another command). "
    "Close it first, then try again. Nothing was changed."
)
RESTORING_MESSAGE = "A restore of this profile is running in another CaseDesk process. Try again when it has finished."


class ProfileLock:
    """One lock file descriptor. ``shared()``/``exclusive()`` return False when another process holds
    a conflicting lock (they never wait)."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _open(self, create: bool) -> int | None:
        if self._fd is not None:
            return self._fd
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        for attempt in (flags, os.O_RDONLY):
            try:
                self._fd = os.open(self.path, attempt, 0o600)
                return self._fd
            except OSError:
                continue
        return None

    def _lock(self, mode: int, create: bool) -> bool:
        if fcntl is None:  # pragma: no cover - Windows
            return True
        fd = self._open(create)
        if fd is None:
            return False
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def shared(self) -> bool:
        """Take the lock shared (an open store). True also when the lock file cannot be made at all
        (a read-only folder): then nothing can be restored into it either."""
        if fcntl is None:  # pragma: no cover - Windows
            return True
        if self._open(create=True) is None:
            return True
        return self._lock(fcntl.LOCK_SH, create=True)

    def exclusive(self) -> bool:
        """Take the lock exclusive (a restore). Converts a shared lock this object holds."""
        if fcntl is None:  # pragma: no cover - Windows
            return True
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                raise StorageError(
                    f"CaseDesk cannot write to {self.path.parent} (read-only or no permission). Nothing was changed."
                ) from None
        return self._lock(fcntl.LOCK_EX, create=True)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> ProfileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

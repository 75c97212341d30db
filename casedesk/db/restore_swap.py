"""Swapping a verified database copy into a profile by renames, so a crash never leaves half a restore.

The caller (services.backup.restore_backup) has already written and verified the staged copy
``casedesk.db.restoring`` (and, when the profile's key file is missing or damaged, a staged key file
``casedesk.key.restoring``) and holds the profile lock exclusively. Then:

1. write the marker ``restore-in-progress.json`` (atomically): staged names, their SHA-256, the folder
   that will keep the replaced files;
2. move the current ``casedesk.db-wal``, ``-shm``, ``-journal`` and ``casedesk.db`` into that folder
   (the WAL travels with its database: it may hold committed notes, and an old WAL left beside the new
   file would be replayed into it);
3. rename the staged key file, then the staged database, into place;
4. delete the marker.

Every step is a rename within one file system (fsync'd directory after each group), so after a crash the
marker says exactly what was going on and ``finish_interrupted_restore`` (run by ``Store.open`` before
anything else touches the files) completes the swap. It rolls back instead only if a staged file no
longer matches the checksum recorded in the marker.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casedesk.db.profile import ProfilePaths
from casedesk.db.profile_lock import RESTORING_MESSAGE, ProfileLock
from casedesk.db.utc_text import utcnow
from casedesk.errors import StorageError
from casedesk.fileio import atomic_write_bytes, fsync_dir, storage_error

MARKER_NAME = "restore-in-progress.json"
STAGED_DB_NAME = "casedesk.db.restoring"
STAGED_KEY_NAME = "casedesk.key.restoring"
DB_NAME = "casedesk.db"
KEY_NAME = "casedesk.key"
# Sidecars first: the database file is the last of the old set to leave and the first of the new to arrive.
MOVED_NAMES = ("casedesk.db-wal", "casedesk.db-shm", "casedesk.db-journal", DB_NAME)


@dataclass(frozen=True)
class SwapPlan:
    staged_db: Path
    keep_dir: Path
    staged_key: Path | None = None
    source_label: str = ""


def marker_path(paths: ProfilePaths) -> Path:
    return paths.root / MARKER_NAME


def staged_db_path(paths: ProfilePaths) -> Path:
    return paths.root / STAGED_DB_NAME


def staged_key_path(paths: ProfilePaths) -> Path:
    return paths.root / STAGED_KEY_NAME


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def swap_in(paths: ProfilePaths, plan: SwapPlan) -> None:
    """Steps 1-4 above. The caller holds the profile lock exclusively."""
    root = paths.root
    if plan.staged_db.parent != root or (plan.staged_key is not None and plan.staged_key.parent != root):
        raise ValueError("staged files must sit in the profile folder")
    plan.keep_dir.mkdir(parents=True, exist_ok=True)
    if os.stat(plan.keep_dir).st_dev != os.stat(root).st_dev:
        raise StorageError(
            f"The backups folder {plan.keep_dir.parent} is on another drive than the profile; "
            "a restore needs it on the same drive. Nothing was changed."
        )
    marker: dict[str, Any] = {
        "version": 1,
        "staged": plan.staged_db.name,
        "staged_sha256": file_sha256(plan.staged_db),
        "staged_key": plan.staged_key.name if plan.staged_key else None,
        "staged_key_sha256": file_sha256(plan.staged_key) if plan.staged_key else None,
        "keep_dir": os.path.relpath(plan.keep_dir, root),
        "source": plan.source_label,
        "started_at": utcnow().isoformat(),
    }
    atomic_write_bytes(marker_path(paths), json.dumps(marker, indent=2).encode("utf-8"))
    _roll_forward(paths, marker)
    _remove_marker(paths)


def finish_interrupted_restore(paths: ProfilePaths) -> str | None:
    """Complete (or, if a staged file was damaged, roll back) a restore that a crash interrupted.

    Returns a sentence saying what was done, or None when there was nothing to do. Takes the profile
    lock exclusively while it works; raises StorageError if another process is restoring right now.
    """
    marker_file = marker_path(paths)
    if not marker_file.exists():
        _remove_stray_staged_files(paths)
        return None
    with ProfileLock(paths.root) as lock:
        if not lock.exclusive():
            raise StorageError(RESTORING_MESSAGE)
        if not marker_file.exists():  # another process finished it while we waited for the lock
            return None
        try:
            marker = json.loads(marker_file.read_text("utf-8"))
            keep_dir = paths.root / str(marker["keep_dir"])
            str(marker["staged"])
        except (OSError, ValueError, KeyError, TypeError):
            raise StorageError(
                f"An interrupted restore left the file {marker_file}, and it cannot be read. The profile files "
                "were left exactly as they are; ask IT support to look at the folder."
            ) from None
        outcome = _roll_forward(paths, marker)
        _remove_marker(paths)
    label = marker.get("source") or "a backup"
    if outcome == "rolled back":
        return (
            f"A restore from {label} was interrupted and its staged copy was damaged, so it was undone: "
            "the database is as it was before the restore."
        )
    return (
        f"A restore from {label} was interrupted and has now been completed. "
        f"The database it replaced is kept in {keep_dir}."
    )


def _remove_stray_staged_files(paths: ProfilePaths) -> None:
    """Staged files without a marker are copies that never started to swap in: safe to delete, unless a
    restore running right now (it holds the lock exclusively) is still writing them."""
    strays = [p for p in (staged_db_path(paths), staged_key_path(paths)) if p.exists()]
    if not strays:
        return
    with ProfileLock(paths.root) as lock:
        try:
            if not lock.exclusive() or marker_path(paths).exists():
                return
        except StorageError:
            return
        for path in strays:
            with contextlib.suppress(OSError):
                path.unlink()


def _remove_marker(paths: ProfilePaths) -> None:
    try:
        marker_path(paths).unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise storage_error(exc, marker_path(paths)) from None
    fsync_dir(paths.root)


def _free_name(path: Path) -> Path:
    """Never clobber a kept file: a second file of the same name gets a numbered name."""
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{n}")
        n += 1
    return candidate


def _roll_forward(paths: ProfilePaths, marker: dict[str, Any]) -> str:
    root = paths.root
    keep_dir = root / str(marker["keep_dir"])
    staged = root / str(marker["staged"])
    staged_key = root / str(marker["staged_key"]) if marker.get("staged_key") else None
    try:
        if not staged.exists():
            if paths.database.exists():
                return "completed"  # the last rename had happened
            _roll_back(paths, keep_dir, staged_key)
            return "rolled back"
        if file_sha256(staged) != marker.get("staged_sha256") or (
            staged_key is not None
            and staged_key.exists()
            and file_sha256(staged_key) != marker.get("staged_key_sha256")
        ):
            _roll_back(paths, keep_dir, staged_key, staged)
            return "rolled back"
        keep_dir.mkdir(parents=True, exist_ok=True)
        for name in MOVED_NAMES:
            current = root / name
            if current.exists():
                os.replace(current, _free_name(keep_dir / name))
        fsync_dir(keep_dir)
        fsync_dir(root)
        if staged_key is not None and staged_key.exists():
            if paths.key_file.exists():
                os.replace(paths.key_file, _free_name(keep_dir / KEY_NAME))
            os.replace(staged_key, paths.key_file)
            fsync_dir(root)
        os.replace(staged, paths.database)
        fsync_dir(root)
        return "completed"
    except OSError as exc:
        raise storage_error(exc, paths.database) from None


def _roll_back(paths: ProfilePaths, keep_dir: Path, staged_key: Path | None, staged: Path | None = None) -> None:
    """Put the kept files back where they were and drop the staged copies."""
    for name in (*MOVED_NAMES, KEY_NAME):
        kept = keep_dir / name
        target = paths.root / name
        if kept.exists() and not target.exists():
            os.replace(kept, target)
    fsync_dir(paths.root)
    for path in (staged, staged_key):
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()
    with contextlib.suppress(OSError):
        keep_dir.rmdir()  # only if empty

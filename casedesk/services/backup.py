"""Encrypted backups: automatic rotating copies, manual copies, listing, verification and restore.

A backup is a copy of the SQLCipher database made with SQLite's online backup API (consistent while the
app keeps writing), encrypted with the profile's own database key, so the passphrase and the recovery
key open it through the profile's key file. Backups live in ``<data dir>/backups/``:

    casedesk-20261123T101500Z-auto.cdbackup     one self-contained encrypted file each
    manifest.json                               dates, sizes, SHA-256, note/client counts (no client data)
    casedesk.key                                a copy of the wrapped-key file (no secret in clear), so a
                                                damaged key file does not make the backups unreadable
    replaced-<time>/                            only when a database replaced by a restore could not be
                                                turned into a backup (damaged): the raw files, kept

Every new backup is written under a temporary name, checked (opens with the key, cipher_integrity_check
and integrity_check pass, notes counted), renamed into place, and only then are older ones pruned
(the newest per day for 7 days and per ISO week for 4 weeks; see backup_policy).

For the GUI (File > Backups) and the CLI:
    maybe_backup(store, reason)              after signing, on close/lock, at start-up; never raises
    create_backup(store, dest=None)          now; into the backups folder, or to a file of your choice
    list_backups(paths, db_key=None)         newest first; with the key every file is fully checked
    verify_backup(path, db_key)
    newest_good_backup(paths, db_key)
    restore_backup(paths, db_key, source)    with the profile closed (store.close() first)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from casedesk.db import dbcopy, migrate, restore_swap
from casedesk.db import engine as dbengine
from casedesk.db.profile import ProfilePaths
from casedesk.db.profile_lock import IN_USE_MESSAGE, ProfileLock
from casedesk.db.restore_swap import file_sha256
from casedesk.db.store import Store
from casedesk.db.types import utcnow
from casedesk.errors import (
    CaseDeskError,
    DatabaseDamagedError,
    KeyFileError,
    NewerVersionError,
    StorageError,
    ValidationError,
    WrongPassphraseError,
)
from casedesk.fileio import atomic_write_bytes, fsync_dir, storage_error
from casedesk.services import audit
from casedesk.services.backup_policy import (
    KEEP_BEFORE_RESTORE,
    KIND_AUTO,
    KIND_BEFORE_RESTORE,
    KIND_MANUAL,
    REASON_SIGNED,
    ROTATED_KINDS,
    BackupName,
    backup_due,
    backups_to_keep,
    newest,
    parse_backup_name,
)
from casedesk.vault.keyfile import KeyFile

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "casedesk-backup-manifest"
KEY_COPY_NAME = "casedesk.key"
FOLDER_LOCK_NAME = ".lock"
TEMP_PREFIX = ".casedesk-tmp-"
KIND_EXTERNAL = "external"

STATUS_GOOD = "good"  # fully checked now
STATUS_CHECKED_WHEN_MADE = "checked when made"  # unchanged size since its check (no key given to re-check)
STATUS_UNCHECKED = "not checked"  # not made by this profile's backup routine (copied in)
STATUS_DAMAGED = "damaged"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file, as the File > Backups dialog and `casedesk backups` show it."""

    path: Path
    created_at: dt.datetime
    kind: str  # auto / manual / before-restore / external
    size: int
    status: str
    notes: int | None = None
    signed_notes: int | None = None
    clients: int | None = None
    problem: str | None = None  # completes "The backup <path> ..." when status is damaged

    @property
    def ok(self) -> bool:
        return self.status in (STATUS_GOOD, STATUS_CHECKED_WHEN_MADE)


@dataclass(frozen=True)
class BackupOutcome:
    """What maybe_backup() did: made a backup, had nothing to do, or failed (with a sentence to show)."""

    made: BackupInfo | None = None
    error: str | None = None


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    previous_copy: Path | None  # the replaced database, now a before-restore backup
    previous_raw: Path | None  # ... or, if it could not be read, the raw files kept here
    warnings: tuple[str, ...] = ()


# ---- small helpers ----------------------------------------------------------------------------------


def _local(when: dt.datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Serialise writers of the backups folder (the app's automatic backup and a `casedesk backup`)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(folder / FOLDER_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise storage_error(exc, folder / FOLDER_LOCK_NAME) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _ensure_folder(paths: ProfilePaths) -> Path:
    folder = paths.backups
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, folder / MANIFEST_NAME) from None
    return folder


def _remove_leftovers(folder: Path) -> None:
    """Temporary files and scratch folders of a backup that was interrupted (called under the folder
    lock, so no other writer is using them)."""
    for entry in folder.iterdir():
        if entry.name.startswith(TEMP_PREFIX) or entry.name.startswith(".casedesk-scratch-"):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


# ---- the manifest: dates, sizes, checksums and counts; never client data ---------------------------


def _read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    try:
        doc = json.loads((folder / MANIFEST_NAME).read_text("utf-8"))
        entries = doc.get("backups") if isinstance(doc, dict) and doc.get("format") == MANIFEST_FORMAT else None
        return {str(k): v for k, v in entries.items() if isinstance(v, dict)} if isinstance(entries, dict) else {}
    except (OSError, ValueError):
        return {}  # a lost manifest only means the files are listed as "not checked" until re-checked


def _write_manifest(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    doc = {"format": MANIFEST_FORMAT, "version": 1, "backups": dict(sorted(entries.items()))}
    atomic_write_bytes(folder / MANIFEST_NAME, json.dumps(doc, indent=2).encode("utf-8"))


def _manifest_entry(check: dbcopy.FileCheck, kind: str, created_at: dt.datetime, size: int, sha: str) -> dict[str, Any]:
    return {
        "created_at": created_at.isoformat(),
        "kind": kind,
        "size": size,
        "sha256": sha,
        "notes": check.notes,
        "signed_notes": check.signed_notes,
        "clients": check.clients,
        "schema": check.schema,
        "checked_at": utcnow().isoformat(),
    }


def _refresh_key_copy(paths: ProfilePaths, folder: Path) -> None:
    """Keep backups/casedesk.key equal to the profile's key file (only when that one is intact)."""
    try:
        current = paths.key_file.read_bytes()
        KeyFile.load(paths.key_file)
    except (OSError, KeyFileError):
        return
    copy = folder / KEY_COPY_NAME
    with contextlib.suppress(OSError):
        if copy.read_bytes() == current:
            return
    atomic_write_bytes(copy, current)


# ---- making backups ----------------------------------------------------------------------------------


def _check_new_copy(tmp: Path, key: bytes) -> dbcopy.FileCheck:
    check = dbcopy.check_file(tmp, key)
    if not check.ok:
        dbcopy.remove_quietly(tmp)
        raise DatabaseDamagedError(
            f"The new backup failed its check: it {check.problem}. Older backups were kept. The database itself "
            "may be damaged: run `casedesk recover`."
        )
    return check


def _write_into_folder(paths: ProfilePaths, source_db: Path, key: bytes, kind: str, now: dt.datetime) -> BackupInfo:
    """Copy `source_db` into the backups folder as a new `kind` backup: temp name, check, rename,
    manifest, prune. The caller holds the folder lock."""
    folder = paths.backups
    serial = 0
    while True:
        name = BackupName(now, kind, serial)
        final = folder / name.file_name()
        if not final.exists():
            break
        serial += 1
    tmp = folder / f"{TEMP_PREFIX}{name.file_name()}"
    dbcopy.remove_quietly(tmp)
    try:
        if kind == KIND_BEFORE_RESTORE:
            dbcopy.single_file_copy(source_db, key, tmp)
        else:
            dbcopy.online_copy(source_db, key, tmp)
        check = _check_new_copy(tmp, key)
        sha = file_sha256(tmp)
        size = tmp.stat().st_size
        os.replace(tmp, final)
        fsync_dir(folder)
    except OSError as exc:
        dbcopy.remove_quietly(tmp)
        raise storage_error(exc, final) from None
    except BaseException:
        dbcopy.remove_quietly(tmp)
        raise
    entries = _read_manifest(folder)
    entries[final.name] = _manifest_entry(check, kind, name.created_at, size, sha)
    _prune(folder, entries)
    _write_manifest(folder, entries)
    return BackupInfo(final, name.created_at, kind, size, STATUS_GOOD, check.notes, check.signed_notes, check.clients)


def _prune(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    """Delete rotated-out backups (only ever files whose names CaseDesk gave them)."""
    names = {}
    for entry in folder.iterdir():
        parsed = parse_backup_name(entry.name)
        if parsed is not None and entry.is_file():
            names[parsed] = entry
    keep = backups_to_keep([n for n in names if n.kind in ROTATED_KINDS])
    keep |= newest([n for n in names if n.kind == KIND_BEFORE_RESTORE], KEEP_BEFORE_RESTORE)
    for parsed, path in names.items():
        if parsed not in keep:
            with contextlib.suppress(OSError):
                path.unlink()
                entries.pop(path.name, None)
    for stale in [n for n in entries if not (folder / n).exists()]:
        entries.pop(stale)
    fsync_dir(folder)


def _guard_destination(paths: ProfilePaths, dest: Path) -> None:
    protected = {p.resolve() for p in (paths.database, paths.key_file, *paths.sidecars())}
    if dest.resolve() in protected or dest.resolve().parent == paths.root.resolve():
        raise ValidationError(
            f"{dest} is inside the profile folder; choose another place for the backup (e.g. a USB drive)."
        )
    if not dest.parent.is_dir():
        raise ValidationError(f"The folder {dest.parent} does not exist.")
    if dest.exists() and dest.is_dir():
        raise ValidationError(f"{dest} is a folder; give a file name for the backup.")


def create_backup(store: Store, dest: Path | None = None, *, kind: str = KIND_MANUAL) -> BackupInfo:
    """Make a backup now: into the profile's backups folder (rotated), or to `dest` (a file the worker
    chose, e.g. on a USB drive; written beside it: `<dest>.key`, a copy of the wrapped-key file, without
    which the backup cannot be opened on another computer). Raises StorageError (disk full, read-only)
    with older backups untouched."""
    paths = store.paths
    key = store.database_key()
    now = utcnow().replace(microsecond=0)
    if dest is None:
        folder = _ensure_folder(paths)
        with _folder_lock(folder):
            _remove_leftovers(folder)
            info = _write_into_folder(paths, paths.database, key, kind, now)
            _refresh_key_copy(paths, folder)
    else:
        dest = Path(dest).expanduser()
        _guard_destination(paths, dest)
        tmp = dest.with_name(f"{TEMP_PREFIX}{dest.name}")
        dbcopy.remove_quietly(tmp)
        try:
            dbcopy.online_copy(paths.database, key, tmp)
            check = _check_new_copy(tmp, key)
            os.replace(tmp, dest)
            fsync_dir(dest.parent)
            atomic_write_bytes(dest.with_name(dest.name + ".key"), paths.key_file.read_bytes())
        except OSError as exc:
            raise storage_error(exc, dest) from None
        finally:
            dbcopy.remove_quietly(tmp)
        info = BackupInfo(
            dest, now, KIND_EXTERNAL, dest.stat().st_size, STATUS_GOOD, check.notes, check.signed_notes, check.clients
        )
    with contextlib.suppress(CaseDeskError), store.session() as s:
        audit.record(s, "backup", detail={"file": info.path.name, "kind": info.kind, "notes": info.notes})
    paths.write_state(last_backup_at=info.created_at.isoformat(), signed_since_backup=False)
    return info


def maybe_backup(store: Store, reason: str = REASON_SIGNED, *, now: dt.datetime | None = None) -> BackupOutcome:
    """Call after a batch of notes was signed (reason "signed"), when the window closes or the profile
    locks ("close"), and at start-up ("startup"). Makes an automatic backup when one is due (see
    backup_policy.backup_due). Never raises for a storage problem: the notes are already safely stored,
    so a failed backup is reported (BackupOutcome.error) for the status bar instead."""
    now = now or utcnow()
    state = store.paths.read_state()
    signed = bool(state.get("signed_since_backup")) or reason == REASON_SIGNED
    if reason == REASON_SIGNED and not state.get("signed_since_backup"):
        store.paths.write_state(signed_since_backup=True)
    last = _last_backup_time(store.paths)
    if not backup_due(reason, now, last, signed):
        with contextlib.suppress(CaseDeskError, OSError):
            if store.paths.backups.is_dir():
                _refresh_key_copy(store.paths, store.paths.backups)
        return BackupOutcome()
    try:
        return BackupOutcome(made=create_backup(store, kind=KIND_AUTO))
    except CaseDeskError as exc:
        return BackupOutcome(error=f"The automatic backup was not made: {exc}")


def _last_backup_time(paths: ProfilePaths) -> dt.datetime | None:
    if not paths.backups.is_dir():
        return None
    times = [
        parsed.created_at
        for entry in paths.backups.iterdir()
        if (parsed := parse_backup_name(entry.name)) is not None and parsed.kind in ROTATED_KINDS
    ]
    return max(times, default=None)


# ---- listing and checking -------------------------------------------------------------------------------


def _info_from_check(path: Path, created_at: dt.datetime, kind: str, check: dbcopy.FileCheck) -> BackupInfo:
    size = path.stat().st_size if path.exists() else 0
    if check.ok:
        return BackupInfo(path, created_at, kind, size, STATUS_GOOD, check.notes, check.signed_notes, check.clients)
    return BackupInfo(path, created_at, kind, size, STATUS_DAMAGED, problem=check.problem)


def verify_backup(path: Path, db_key: bytes) -> BackupInfo:
    """Fully check one backup file: unchanged since it was made (when the manifest knows it), opens with
    the key, cipher_integrity_check and integrity_check pass, readable by this CaseDesk."""
    path = Path(path)
    parsed = parse_backup_name(path.name)
    entry = _read_manifest(path.parent).get(path.name, {})
    created_at = parsed.created_at if parsed else _mtime(path)
    kind = parsed.kind if parsed else KIND_EXTERNAL
    if not path.is_file():
        return BackupInfo(path, created_at, kind, 0, STATUS_DAMAGED, problem="does not exist or is not a file")
    sha = entry.get("sha256")
    if sha and file_sha256(path) != sha:
        return BackupInfo(
            path,
            created_at,
            kind,
            path.stat().st_size,
            STATUS_DAMAGED,
            problem="has changed since it was made (its checksum no longer matches): the file is damaged",
        )
    check = dbcopy.check_file(path, db_key)
    if check.ok and check.schema not in migrate_known_revisions():
        check = dbcopy.FileCheck(False, f"was made by a newer version of CaseDesk (schema {check.schema})")
    return _info_from_check(path, created_at, kind, check)


def migrate_known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _mtime(path: Path) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    except OSError:
        return utcnow()


def list_backups(paths: ProfilePaths, db_key: bytes | None = None) -> list[BackupInfo]:
    """The backups in the profile's folder, newest first. Without the key this is quick (the manifest:
    counts recorded when each was made and checked, sizes compared); with the key every file is fully
    checked (verify_backup), which reads each one."""
    folder = paths.backups
    if not folder.is_dir():
        return []
    entries = _read_manifest(folder)
    found: list[tuple[BackupName, Path]] = []
    for entry in folder.iterdir():
        parsed = parse_backup_name(entry.name)
        if parsed is not None and entry.is_file():
            found.append((parsed, entry))
    found.sort(key=lambda item: (item[0].created_at, item[0].serial), reverse=True)
    result = []
    for parsed, path in found:
        if db_key is not None:
            result.append(verify_backup(path, db_key))
            continue
        meta = entries.get(path.name)
        size = path.stat().st_size
        if meta is None:
            result.append(BackupInfo(path, parsed.created_at, parsed.kind, size, STATUS_UNCHECKED))
        elif meta.get("size") != size:
            result.append(
                BackupInfo(
                    path,
                    parsed.created_at,
                    parsed.kind,
                    size,
                    STATUS_DAMAGED,
                    problem=f"has changed size since it was made ({meta.get('size')} -> {size} bytes)",
                )
            )
        else:
            result.append(
                BackupInfo(
                    path,
                    parsed.created_at,
                    parsed.kind,
                    size,
                    STATUS_CHECKED_WHEN_MADE,
                    meta.get("notes"),
                    meta.get("signed_notes"),
                    meta.get("clients"),
                )
            )
    return result


def kept_raw_copies(paths: ProfilePaths) -> list[Path]:
    """Folders holding databases replaced by a restore that could not be made into backups (damaged)."""
    if not paths.backups.is_dir():
        return []
    return sorted(
        p
        for p in paths.backups.iterdir()
        if p.is_dir() and p.name.startswith("replaced-") and (p / "casedesk.db").exists()
    )


def newest_good_backup(paths: ProfilePaths, db_key: bytes) -> BackupInfo | None:
    """The newest backup in the folder that passes every check now (older ones are tried in turn)."""
    for info in list_backups(paths):
        checked = verify_backup(info.path, db_key)
        if checked.status == STATUS_GOOD:
            return checked
    return None


# ---- restore --------------------------------------------------------------------------------------------


def database_key_from(
    key_file: Path, *, passphrase: str | None = None, recovery_key: str | None = None
) -> tuple[bytes, KeyFile]:
    """Unwrap the database key from a key file without opening the database (which may be damaged)."""
    kf = KeyFile.load(key_file)
    if recovery_key is not None:
        return kf.unwrap_with_recovery_key(recovery_key), kf
    if passphrase is None:
        raise ValidationError("A passphrase or the recovery key is needed.")
    return kf.unwrap_with_passphrase(passphrase), kf


@dataclass(frozen=True)
class UnlockedKey:
    db_key: bytes
    key_file: KeyFile
    source: Path  # the key file that opened
    profile_key_problem: str | None  # why the profile's own key file could not be used, if it could not


def unlock_database_key(
    paths: ProfilePaths,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    fallbacks: tuple[Path, ...] = (),
) -> UnlockedKey:
    """The database key from the profile's key file; if that file is missing or damaged, from a copy
    (`fallbacks`, e.g. the `.key` file beside an external backup, then backups/casedesk.key). A wrong
    passphrase for an intact key file is reported as such (copies are not tried)."""
    try:
        key, kf = database_key_from(paths.key_file, passphrase=passphrase, recovery_key=recovery_key)
        return UnlockedKey(key, kf, paths.key_file, None)
    except KeyFileError as exc:
        problem = str(exc)
    for candidate in (*fallbacks, paths.backups / KEY_COPY_NAME):
        if not candidate.is_file():
            continue
        try:
            key, kf = database_key_from(candidate, passphrase=passphrase, recovery_key=recovery_key)
        except (KeyFileError, WrongPassphraseError):
            continue
        return UnlockedKey(key, kf, candidate, problem)
    raise KeyFileError(
        problem + f" No usable copy was found either ({paths.backups / KEY_COPY_NAME}, or a .key file beside a backup)."
    )


def repair_key_file(paths: ProfilePaths, unlocked: UnlockedKey) -> Path | None:
    """Replace a missing or damaged profile key file with the intact copy that opened; the damaged file
    is kept beside it as casedesk.key.damaged-<time>. Returns where the damaged one went (None: nothing
    to do or it was missing)."""
    if unlocked.profile_key_problem is None or unlocked.source == paths.key_file:
        return None
    kept = None
    if paths.key_file.exists():
        kept = paths.key_file.with_name(f"casedesk.key.damaged-{utcnow():%Y%m%dT%H%M%SZ}")
        try:
            os.replace(paths.key_file, kept)
        except OSError as exc:
            raise storage_error(exc, paths.key_file) from None
    atomic_write_bytes(paths.key_file, unlocked.source.read_bytes())
    return kept


def restore_backup(
    paths: ProfilePaths,
    db_key: bytes,
    source: Path,
    *,
    key_file_source: Path | None = None,
) -> RestoreResult:
    """Replace the profile's database with the backup `source`.

    The profile must be closed (the GUI calls store.close() first; Store.open afterwards). Order: check
    the backup; copy it beside the database and check the copy; swap it in by renames under a marker
    (db.restore_swap: a crash at any point is completed by the next Store.open); then turn the replaced
    database into a "before-restore" backup (or keep its raw files if it cannot be read). Nothing is
    changed if the backup fails its checks, the profile is open elsewhere, or the disk is full.

    `key_file_source`: a key file to install as well, used only when the profile's own is missing or
    damaged (the backups folder's copy, or the `.key` file written beside an external backup).
    """
    source = Path(source).expanduser()
    if source.resolve() in {p.resolve() for p in (paths.database, *paths.sidecars())}:
        raise ValidationError(f"{source} is this profile's own database, not a backup. Choose a backup file.")
    # A raw copy of a profile's database may come with its WAL (committed notes not yet in the file):
    # then it is checked and staged as one file made from both, on scratch copies.
    with_wal = source.with_name(source.name + "-wal").exists()
    checked = None if with_wal else _usable_backup(source, verify_backup(source, db_key))
    if not paths.root.is_dir():
        try:
            paths.root.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise storage_error(exc, paths.database) from None
    restore_swap.finish_interrupted_restore(paths)
    lock = ProfileLock(paths.root)
    if not lock.exclusive():
        raise StorageError(IN_USE_MESSAGE)
    staged = restore_swap.staged_db_path(paths)
    staged_key = restore_swap.staged_key_path(paths)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    keep_dir = paths.backups / f"replaced-{stamp}"
    swapping = False
    try:
        dbcopy.remove_quietly(staged, staged_key)
        _ensure_folder(paths)
        try:
            if with_wal:
                dbcopy.single_file_copy(source, db_key, staged, scratch_near=paths.backups)
            else:
                shutil.copyfile(source, staged)
                dbcopy.fsync_file(staged)
        except OSError as exc:
            raise storage_error(exc, staged) from None
        staged_check = dbcopy.check_file(staged, db_key)
        if checked is None:
            checked = _usable_backup(source, _info_from_check(source, _mtime(source), KIND_EXTERNAL, staged_check))
        elif not staged_check.ok or staged_check.notes != checked.notes:
            raise StorageError(
                f"The copy of the backup written to {paths.root} did not read back correctly "
                f"({staged_check.problem or 'different content'}); the drive may be failing. Nothing was changed."
            )
        install_key = _key_file_to_install(paths, key_file_source, staged_key)
        n = 1
        while keep_dir.exists():
            keep_dir = paths.backups / f"replaced-{stamp}-{n}"
            n += 1
        swapping = True  # from here on the marker rules: a failure is finished by the next Store.open
        restore_swap.swap_in(
            paths,
            restore_swap.SwapPlan(
                staged_db=staged,
                keep_dir=keep_dir,
                staged_key=staged_key if install_key else None,
                source_label=str(source),
            ),
        )
    except BaseException:
        if not swapping:
            dbcopy.remove_quietly(staged, staged_key)
        raise
    finally:
        lock.release()
    paths.write_state(open=False, restore_note=None, restored_at=utcnow().isoformat(), signed_since_backup=False)
    warnings: list[str] = []
    previous_copy, previous_raw = _keep_replaced(paths, keep_dir, db_key, warnings)
    _record_restore(paths, db_key, source, warnings)
    return RestoreResult(replace(checked, path=source), previous_copy, previous_raw, tuple(warnings))


def _usable_backup(source: Path, checked: BackupInfo) -> BackupInfo:
    if checked.ok:
        return checked
    if checked.problem and "newer version" in checked.problem:
        raise NewerVersionError(f"The backup {source} {checked.problem}. Please update CaseDesk; nothing was changed.")
    raise DatabaseDamagedError(f"The backup {source} {checked.problem}. Nothing was changed; choose another backup.")


def _key_file_to_install(paths: ProfilePaths, key_file_source: Path | None, staged_key: Path) -> bool:
    """Stage `key_file_source` as the profile's key file if (and only if) the profile's own is missing or
    damaged."""
    try:
        KeyFile.load(paths.key_file)
        return False
    except KeyFileError:
        if key_file_source is None:
            raise
    try:
        KeyFile.load(key_file_source)
        shutil.copyfile(key_file_source, staged_key)
        dbcopy.fsync_file(staged_key)
        os.chmod(staged_key, 0o600)
    except OSError as exc:
        raise storage_error(exc, staged_key) from None
    return True


def _keep_replaced(
    paths: ProfilePaths, keep_dir: Path, db_key: bytes, warnings: list[str]
) -> tuple[Path | None, Path | None]:
    """Turn the replaced database (moved into keep_dir with its WAL) into a before-restore backup, then
    drop the raw files. If it cannot be read (it was damaged), keep the raw files and say where."""
    old_db = keep_dir / "casedesk.db"
    if not old_db.exists():
        _discard_folder(keep_dir)
        return None, None
    try:
        with _folder_lock(paths.backups):
            info = _write_into_folder(paths, old_db, db_key, KIND_BEFORE_RESTORE, utcnow().replace(microsecond=0))
    except CaseDeskError as exc:
        warnings.append(
            f"The database that was replaced could not be read as a backup ({exc}); its files are kept in {keep_dir}."
        )
        return None, keep_dir
    _discard_folder(keep_dir)
    return info.path, None


def _discard_folder(folder: Path) -> None:
    """Rename first (atomic), then delete: a crash half-way leaves a temporary name that the next backup
    sweeps up, never a half-emptied folder that looks like a kept copy."""
    doomed = folder.with_name(f"{TEMP_PREFIX}{folder.name}")
    try:
        os.replace(folder, doomed)
    except OSError:
        return
    shutil.rmtree(doomed, ignore_errors=True)


def _record_restore(paths: ProfilePaths, db_key: bytes, source: Path, warnings: list[str]) -> None:
    engine = dbengine.make_engine(paths.database, db_key)
    try:
        migrate.upgrade(engine)
        with Session(engine) as s:
            s.info["actor"] = "system"
            audit.record(s, "restore", detail={"file": source.name})
            s.commit()
    except Exception as exc:  # the restore itself is complete; only its audit line is missing
        warnings.append(f"The restore could not be written to the audit log ({type(exc).__name__}).")
    finally:
        engine.dispose()  # closing the last connection checkpoints the WAL into the file

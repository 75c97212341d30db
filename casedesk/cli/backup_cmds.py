"""backup, backups, restore, recover: encrypted backups and what to do after a crash or damage.

casedesk backup [-o FILE] [--force]   back up now (into the profile's backups folder, or to FILE;
                                      FILE.key is written beside FILE: keep the two together)
casedesk backups [--verify] [--json]  list backups with dates, sizes, note counts and status
casedesk restore FILE                 check FILE, keep the current database as a "before-restore"
                                      backup, then swap FILE in (crash-safe)
casedesk recover [--restore-newest] [--export-json FILE | --export-profile DIR]
                                      run every check, list recovered drafts, and for a damaged
                                      database restore the newest good backup and/or export what
                                      can still be read (the damaged file is never overwritten)
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from casedesk.cli.common import (
    data_dir,
    local_time,
    open_store,
    print_json,
    print_table,
    read_passphrase,
    to_jsonable,
)
from casedesk.db import dbcopy, restore_swap
from casedesk.db.profile import ProfilePaths
from casedesk.db.store import Store
from casedesk.errors import DatabaseDamagedError, ValidationError
from casedesk.services import backup as backup_service
from casedesk.services import recovery


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help="make an encrypted backup now (checked before older ones are pruned)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the backup to FILE (and FILE.key beside it)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("backups", help="list backups: dates, sizes, note counts, status")
    p.add_argument("--verify", action="store_true", help="fully check every backup (asks for the passphrase)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_backups)

    p = sub.add_parser("restore", help="replace the database with a backup (the current one is kept as a backup)")
    p.add_argument("file", help="the backup file (see `casedesk backups`)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "recover",
        help="after a crash or with a damaged database: check, list recovered drafts, restore or export",
    )
    p.add_argument("--restore-newest", action="store_true", help="restore the newest backup that passes its checks")
    dest = p.add_mutually_exclusive_group()
    dest.add_argument("--export-json", metavar="FILE", help="write every readable row to FILE (plain JSON!)")
    dest.add_argument("--export-profile", metavar="DIR", help="copy every readable row into a new encrypted profile")
    p.set_defaults(func=cmd_recover)


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(1, n // 1024)} KB"


@dataclass(frozen=True)
class Credentials:
    passphrase: str | None = None
    recovery_key: str | None = None


def _credentials() -> Credentials:
    recovery_key = os.environ.get("CASEDESK_RECOVERY_KEY")
    if recovery_key:
        return Credentials(recovery_key=recovery_key)
    return Credentials(passphrase=read_passphrase())


def _unlock(paths: ProfilePaths, credentials: Credentials, *fallbacks: Path) -> backup_service.UnlockedKey:
    return backup_service.unlock_database_key(
        paths, passphrase=credentials.passphrase, recovery_key=credentials.recovery_key, fallbacks=fallbacks
    )


def _describe(info: backup_service.BackupInfo) -> str:
    counts = f"{info.notes} notes ({info.signed_notes} signed), {info.clients} clients"
    return f"{info.path} ({_size(info.size)}, {counts})"


def cmd_backup(args: argparse.Namespace) -> int:
    dest = Path(args.output).expanduser() if args.output else None
    if dest is not None and dest.exists() and not args.force:
        raise ValidationError(f"{dest} already exists; choose another name or add --force to replace it.")
    store = open_store(args)
    try:
        info = backup_service.create_backup(store, dest)
    finally:
        store.close()
    print(f"Backup written and checked: {_describe(info)}.")
    if dest is not None:
        print(
            f"The key file {dest}.key was written beside it. Keep the two together: the backup opens with this "
            "profile's passphrase or recovery key through that key file."
        )
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    paths = ProfilePaths(data_dir(args))
    key = None
    if args.verify:
        key = _unlock(paths, _credentials()).db_key
    rows = backup_service.list_backups(paths, key)
    raw = backup_service.kept_raw_copies(paths)
    if args.json:
        listed = [{**to_jsonable(r), "path": str(r.path)} for r in rows]
        print_json({"backups": listed, "kept_raw_copies": [str(p) for p in raw]})
        return 0 if all(r.ok or r.status == backup_service.STATUS_UNCHECKED for r in rows) else 1
    if not rows:
        print(f"No backups yet in {paths.backups}. Make one with `casedesk backup`.")
    else:
        print_table(
            ["made", "kind", "size", "notes", "signed", "clients", "status", "file"],
            [
                (
                    local_time(r.created_at),
                    r.kind,
                    _size(r.size),
                    r.notes,
                    r.signed_notes,
                    r.clients,
                    r.status if r.problem is None else f"{r.status}: {r.problem}",
                    r.path.name,
                )
                for r in rows
            ],
        )
        print(f"\n{len(rows)} backups in {paths.backups}")
    for folder in raw:
        print(f"Files of a damaged database replaced by a restore are kept in {folder}.")
    damaged = [r for r in rows if r.status == backup_service.STATUS_DAMAGED]
    if damaged:
        print(f"{len(damaged)} backup(s) are damaged and cannot be restored.")
        return 1
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    source = Path(args.file).expanduser()
    if not source.is_file():
        raise ValidationError(f"There is no backup file {source}.")
    paths = ProfilePaths(data_dir(args))
    companion = source.with_name(source.name + ".key")
    unlocked = _unlock(paths, _credentials(), companion)
    if unlocked.profile_key_problem:
        print(f"The profile's key file could not be used ({unlocked.profile_key_problem}); using {unlocked.source}.")
    result = backup_service.restore_backup(
        paths,
        unlocked.db_key,
        source,
        key_file_source=unlocked.source if unlocked.profile_key_problem else None,
    )
    print(f"Restored {_describe(result.restored)}.")
    if result.previous_copy is not None:
        print(f"The database it replaced was kept as the backup {result.previous_copy}.")
    for line in result.warnings:
        print(line)
    return 0


def _open_for_recovery(paths: ProfilePaths, credentials: Credentials) -> Store:
    return Store.open(paths.root, passphrase=credentials.passphrase, recovery_key=credentials.recovery_key)


def cmd_recover(args: argparse.Namespace) -> int:
    dbcopy.quiet_cipher_log()
    paths = ProfilePaths(data_dir(args))
    note = restore_swap.finish_interrupted_restore(paths) if paths.root.is_dir() else None
    if note:
        print(note)
    credentials = _credentials()
    unlocked = _unlock(paths, credentials)
    if unlocked.profile_key_problem:
        kept = backup_service.repair_key_file(paths, unlocked)
        print(f"The key file was damaged or missing ({unlocked.profile_key_problem})")
        print(
            f"It was replaced by the intact copy {unlocked.source}"
            + (f"; the damaged file is {kept}." if kept else ".")
        )
    damage: str | None = None
    try:
        store = _open_for_recovery(paths, credentials)
    except DatabaseDamagedError as exc:
        damage = str(exc)
    else:
        try:
            report = recovery.startup_recovery(store, force_checks=True)
        finally:
            store.close()
        for check in report.checks:
            print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.message}")
        for draft in report.drafts:
            print(f"Recovered draft {draft.editor_key} (autosaved {local_time(draft.saved_at)})")
        if not report.damaged:
            for line in report.messages:
                print(line)
            print("\nThe profile is healthy.")
            return 0
        damage = recovery.describe_check_failure(report.checks) or "it cannot be read"
    print(f"\nThe database is damaged: {damage}")
    newest = backup_service.newest_good_backup(paths, unlocked.db_key)
    exit_code = 1
    if args.export_json or args.export_profile:
        if not paths.database.exists():
            print("There is no database file to export from.")
        else:
            exported = recovery.export_readable(
                paths.database,
                unlocked.db_key,
                json_path=Path(args.export_json) if args.export_json else None,
                profile_dir=Path(args.export_profile) if args.export_profile else None,
                key_file=unlocked.key_file,
            )
            for line in exported.messages:
                print(line)
            if args.export_json:
                print("The JSON file is NOT encrypted: keep it as safe as the paper chart, and delete it when done.")
    if args.restore_newest:
        if newest is None:
            print("There is no good backup to restore.")
        else:
            result = backup_service.restore_backup(paths, unlocked.db_key, newest.path)
            print(f"Restored {_describe(result.restored)}.")
            if result.previous_copy is not None:
                print(f"The damaged database was kept as {result.previous_copy}.")
            for line in result.warnings:
                print(line)
            exit_code = 0
    else:
        for line in recovery.damage_options(newest):
            print(line)
    return exit_code

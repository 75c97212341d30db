"""Pure rules for automatic backups: when one is due, which ones to keep, how their files are named."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

BACKUP_SUFFIX = ".cdbackup"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_BEFORE_RESTORE = 3
MIN_INTERVAL_AFTER_SIGNING = dt.timedelta(minutes=10)
MAX_AGE = dt.timedelta(days=1)

# Why a backup was made. Automatic ones are rotated; "before-restore" copies are kept separately.
KIND_AUTO = "auto"
KIND_MANUAL = "manual"
KIND_BEFORE_RESTORE = "before-restore"
KINDS = (KIND_AUTO, KIND_MANUAL, KIND_BEFORE_RESTORE)
ROTATED_KINDS = (KIND_AUTO, KIND_MANUAL)

# reasons maybe_backup() is called with
REASON_SIGNED = "signed"  # after a batch of notes was signed
REASON_CLOSE = "close"  # window closing / profile locking / idle: flush a pending backup
REASON_STARTUP = "startup"  # app started: the daily backup if none was made today
REASONS = (REASON_SIGNED, REASON_CLOSE, REASON_STARTUP)

_NAME = re.compile(r"^casedesk-(\d{8}T\d{6}Z)-(auto|manual|before-restore)(?:-(\d+))?" + re.escape(BACKUP_SUFFIX) + "$")


@dataclass(frozen=True)
class BackupName:
    created_at: dt.datetime
    kind: str
    serial: int = 0

    def file_name(self) -> str:
        stamp = self.created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        serial = f"-{self.serial}" if self.serial else ""
        return f"casedesk-{stamp}-{self.kind}{serial}{BACKUP_SUFFIX}"


def parse_backup_name(name: str) -> BackupName | None:
    """The time and kind encoded in a backup file name; None for any other file."""
    match = _NAME.match(name)
    if not match:
        return None
    when = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    return BackupName(when, match.group(2), int(match.group(3) or 0))


def backup_due(
    reason: str,
    now: dt.datetime,
    last_backup_at: dt.datetime | None,
    signed_since_last: bool,
    *,
    min_interval: dt.timedelta = MIN_INTERVAL_AFTER_SIGNING,
    max_age: dt.timedelta = MAX_AGE,
) -> bool:
    """Whether maybe_backup() should make a backup now.

    - no backup yet, or the newest is older than a day: yes, whatever the reason;
    - after signing: yes once `min_interval` has passed since the last backup (a run of signatures in a
      few minutes makes one backup, not one per note); the "signed since last backup" flag stays set
      otherwise, so the next call catches up;
    - on close/lock/idle/startup: yes if anything was signed since the last backup.
    A clock that went backwards (last backup "in the future") counts as "long ago".
    """
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    if last_backup_at is None:
        return True
    age = now - last_backup_at
    if age < dt.timedelta(0) or age >= max_age:
        return True
    if reason == REASON_SIGNED:
        return age >= min_interval
    return signed_since_last


def backups_to_keep(
    backups: Iterable[BackupName],
    *,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    tz: dt.tzinfo | None = None,
) -> set[BackupName]:
    """Grandfather-father rotation: the newest backup of each of the last `daily` days that have one,
    then, further back, the newest of each of `weekly` ISO weeks that have one (so history reaches
    about a month). Days and weeks are counted in `tz` (default: the computer's local time zone), the
    way the worker thinks of "yesterday"."""
    newest_first = sorted(set(backups), key=lambda b: (b.created_at, b.serial), reverse=True)
    keep: set[BackupName] = set()
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    for backup in newest_first:
        local = backup.created_at.astimezone(tz)
        day = local.date()
        if len(days) < daily or day in days:
            if day not in days:
                days.add(day)
                keep.add(backup)
            continue
        iso = local.isocalendar()
        week = (iso.year, iso.week)
        if week not in weeks and len(weeks) < weekly:
            weeks.add(week)
            keep.add(backup)
    return keep


def newest(backups: Iterable[BackupName], count: int) -> set[BackupName]:
    return set(sorted(set(backups), key=lambda b: (b.created_at, b.serial), reverse=True)[:count])

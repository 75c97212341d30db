"""The pure backup rules: when a backup is due, which backups rotation keeps, file names."""

from __future__ import annotations

import datetime as dt

import pytest

from casedesk.services.backup_policy import (
    BackupName,
    backup_due,
    backups_to_keep,
    newest,
    parse_backup_name,
)

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_first_backup_is_always_due() -> None:
    for reason in ("signed", "close", "startup"):
        assert backup_due(reason, NOW, None, signed_since_last=False)


def test_signing_backs_up_at_most_every_ten_minutes() -> None:
    assert not backup_due("signed", NOW, NOW - dt.timedelta(minutes=3), signed_since_last=True)
    assert backup_due("signed", NOW, NOW - dt.timedelta(minutes=10), signed_since_last=True)


def test_close_flushes_signatures_not_yet_backed_up() -> None:
    recent = NOW - dt.timedelta(minutes=2)
    assert backup_due("close", NOW, recent, signed_since_last=True)
    assert not backup_due("close", NOW, recent, signed_since_last=False)
    assert not backup_due("startup", NOW, recent, signed_since_last=False)


def test_a_day_old_backup_is_replaced_whatever_the_reason() -> None:
    old = NOW - dt.timedelta(days=1, seconds=1)
    for reason in ("signed", "close", "startup"):
        assert backup_due(reason, NOW, old, signed_since_last=False)


def test_a_clock_set_back_does_not_stop_backups() -> None:
    assert backup_due("startup", NOW, NOW + dt.timedelta(days=3), signed_since_last=False)


def test_unknown_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="reason"):
        backup_due("whenever", NOW, None, signed_since_last=False)


def _hourly(days: int) -> list[BackupName]:
    """Four backups a day (06, 10, 14, 18 UTC) for `days` days ending on NOW's date."""
    start = NOW.replace(hour=0) - dt.timedelta(days=days - 1)
    return [BackupName(start + dt.timedelta(days=d, hours=h), "auto") for d in range(days) for h in (6, 10, 14, 18)]


def test_rotation_keeps_newest_per_day_for_seven_days_and_per_week_for_four() -> None:
    backups = _hourly(60)
    keep = backups_to_keep(backups, tz=dt.UTC)
    days = sorted({b.created_at.date() for b in keep}, reverse=True)
    # the newest of each of the last 7 days ...
    last_seven = sorted({b.created_at.date() for b in backups}, reverse=True)[:7]
    for day in last_seven:
        newest_that_day = max(b.created_at for b in backups if b.created_at.date() == day)
        assert BackupName(newest_that_day, "auto") in keep
    # ... then one per ISO week for 4 more weeks: 7 + 4 files, reaching back about a month
    assert len(keep) == 11
    assert (NOW.date() - days[-1]).days >= 21
    weeks = [d.isocalendar()[:2] for d in days[7:]]
    assert len(set(weeks)) == 4
    assert all(b.created_at.hour == 18 for b in keep)  # always the last backup of its day


def test_rotation_with_gaps_keeps_the_last_seven_days_that_have_backups() -> None:
    sparse = [BackupName(NOW - dt.timedelta(days=3 * i), "auto") for i in range(10)]
    keep = backups_to_keep(sparse, tz=dt.UTC)
    assert {b.created_at for b in sparse[:7]} <= {b.created_at for b in keep}


def test_rotation_tells_apart_backups_made_in_the_same_second() -> None:
    a, b = BackupName(NOW, "auto", 0), BackupName(NOW, "auto", 1)
    assert backups_to_keep([a, b], tz=dt.UTC) == {b}
    assert newest([a, b], 1) == {b}


def test_names_round_trip_and_other_files_are_ignored() -> None:
    name = BackupName(dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC), "before-restore", 2)
    assert name.file_name() == "casedesk-20260304T050607Z-before-restore-2.cdbackup"
    assert parse_backup_name(name.file_name()) == name
    for other in ("manifest.json", "casedesk.key", "casedesk-2026-auto.cdbackup", ".casedesk-tmp-x.cdbackup"):
        assert parse_backup_name(other) is None

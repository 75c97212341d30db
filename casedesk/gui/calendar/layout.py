"""Calendar geometry without Qt: which days a page shows, how overlapping visits share a day column,
snapping drags to a time grid. Pure functions, tested without a QApplication."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

ONE_DAY = dt.timedelta(days=1)


def week_start_on_or_before(day: dt.date, first_weekday: int = 0) -> dt.date:
    """The first day (``first_weekday``: Monday = 0 ... Sunday = 6) of the week holding ``day``."""
    return day - dt.timedelta(days=(day.weekday() - first_weekday) % 7)


def month_grid(day: dt.date, first_weekday: int = 0) -> list[dt.date]:
    """The 42 days (six full weeks) a month page shows for the month of ``day``."""
    first = week_start_on_or_before(day.replace(day=1), first_weekday)
    return [first + dt.timedelta(days=offset) for offset in range(42)]


def week_days(day: dt.date, first_weekday: int = 0) -> list[dt.date]:
    first = week_start_on_or_before(day, first_weekday)
    return [first + dt.timedelta(days=offset) for offset in range(7)]


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    following = dt.date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    last = (following - ONE_DAY).day
    return dt.date(year, month0 + 1, min(day.day, last))


def overlap_columns(intervals: Sequence[tuple[float, float]]) -> list[tuple[int, int]]:
    """Side-by-side placement of overlapping intervals (start, end) in one day column: for each, its
    column and how many columns its cluster of overlapping intervals uses. Input order is kept.

    Intervals are placed by start time into the leftmost free column; a cluster ends where no
    interval reaches past the next start.
    """
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i][0], -intervals[i][1]))
    result: list[tuple[int, int]] = [(0, 1)] * len(intervals)
    cluster: list[int] = []
    column_ends: list[float] = []
    cluster_end = float("-inf")

    def close_cluster() -> None:
        width = len(column_ends)
        for index in cluster:
            result[index] = (result[index][0], width)

    for index in order:
        start, end = intervals[index]
        end = max(end, start)
        if cluster and start >= cluster_end:
            close_cluster()
            cluster, column_ends = [], []
        for column, column_end in enumerate(column_ends):
            if column_end <= start:
                column_ends[column] = end
                break
        else:
            column = len(column_ends)
            column_ends.append(end)
        result[index] = (column, 0)
        cluster.append(index)
        cluster_end = max(cluster_end, end) if len(cluster) > 1 else end
    if cluster:
        close_cluster()
    return result


def snap_minutes(minutes: float, step: int = 15) -> int:
    """Minutes rounded to the nearest ``step``."""
    return round(minutes / step) * step


def local_minutes(moment: dt.datetime, zone: dt.tzinfo) -> float:
    """Minutes since local midnight of ``moment`` in ``zone`` (its wall clock)."""
    local = moment.astimezone(zone)
    return local.hour * 60 + local.minute + local.second / 60


def at_local(day: dt.date, minutes: int, zone: dt.tzinfo) -> dt.datetime:
    """The aware moment ``minutes`` after local midnight of ``day`` (on the wall clock)."""
    minutes = max(0, min(minutes, 24 * 60 - 1))
    return dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)

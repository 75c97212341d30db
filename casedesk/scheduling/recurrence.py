"""Recurring appointments: expanding a series into occurrences, and editing one or all future ones.

A series is the first occurrence (start and end) plus an RRULE, kept on the wall clock of an IANA zone:
a weekly 10:00 visit in Chicago stays at 10:00 Chicago time across DST changes (so its UTC instant
moves). Occurrences are identified by their *original start* as a UTC instant (RFC 5545 RECURRENCE-ID).
EXDATEs remove occurrences; an override - a separate record with ``original_start`` - replaces one
(moved, retitled, cancelled ...).

Wall-clock rules (RFC 5545 section 3.3.5): a local time that does not exist (the spring-forward gap) is
read with the offset before the gap, so a 02:30 visit happens at 03:30 that day; a local time that
happens twice (fall back) means its first occurrence.

Times are kept to the second, as iCalendar does. The series start is always its first occurrence, even
when the rule would not produce it (RFC 5545 leaves that case undefined; calendar apps show it).

All functions are pure: editing returns new values and the caller stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from dateutil import rrule as du

from casedesk.domain.deadline_facts import zone_name
from casedesk.scheduling.rrule import RecurrenceError, RecurrenceRule, parse_rrule

_UTC = dt.UTC
_ONE_SECOND = dt.timedelta(seconds=1)
_FREQ = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
DEFAULT_LIMIT = 5000


def _utc(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise RecurrenceError(f"{what} must be a date and time with a time zone, not {value!r}.")
    return value.astimezone(_UTC).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class Series:
    """A repeating appointment (or a single one, when ``rrule`` is None).

    ``start``/``end`` are the first occurrence; every occurrence lasts as long. ``exdates`` are the
    original starts of removed occurrences. ``until`` is an extra inclusive cut (the Appointment
    model's ``until`` column), applied on top of the rule's own end. Times are stored in UTC.
    """

    id: str
    start: dt.datetime
    end: dt.datetime
    timezone: str
    rrule: str | None = None
    exdates: tuple[dt.datetime, ...] = ()
    until: dt.datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start, "The first visit's start"))
        object.__setattr__(self, "end", _utc(self.end, "The first visit's end"))
        if self.end < self.start:
            raise RecurrenceError("An appointment cannot end before it starts.")
        zone_name(self.timezone)
        object.__setattr__(
            self, "exdates", tuple(sorted({_utc(moment, "A removed occurrence") for moment in self.exdates}))
        )
        if self.until is not None:
            object.__setattr__(self, "until", _utc(self.until, "The end of the series"))
        if self.rrule is not None:
            object.__setattr__(self, "rrule", parse_rrule(self.rrule, zone_name(self.timezone)).to_string())

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def rule(self) -> RecurrenceRule | None:
        return parse_rrule(self.rrule) if self.rrule is not None else None

    @property
    def local_start(self) -> dt.datetime:
        """The first start on the series' wall clock."""
        return self.start.astimezone(zone_name(self.timezone))


@dataclass(frozen=True, slots=True)
class Override:
    """One occurrence changed on its own ("edit this one"): it replaces the occurrence whose original
    start is ``original_start``. ``status`` lets a single occurrence be cancelled or marked done."""

    id: str
    series_id: str
    original_start: dt.datetime
    start: dt.datetime
    end: dt.datetime
    status: str = "planned"

    def __post_init__(self) -> None:
        object.__setattr__(self, "original_start", _utc(self.original_start, "The original start"))
        object.__setattr__(self, "start", _utc(self.start, "The start"))
        object.__setattr__(self, "end", _utc(self.end, "The end"))
        if self.end < self.start:
            raise RecurrenceError("An appointment cannot end before it starts.")


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One concrete appointment of a series, in UTC. ``override_id`` is set when an override replaced it."""

    start: dt.datetime
    end: dt.datetime
    series_id: str
    original_start: dt.datetime
    override_id: str | None = None
    status: str | None = None


# ---------------------------------------------------------------------------------------------
# Expansion
# ---------------------------------------------------------------------------------------------


def _dateutil_rule(series: Series) -> du.rrule | None:
    rule = series.rule
    if rule is None:
        return None
    zone = zone_name(series.timezone)
    dtstart = series.start.astimezone(zone)
    by_weekday = [du.weekday(entry.weekday, entry.nth) for entry in rule.by_day] or None
    return du.rrule(
        _FREQ[rule.freq],
        dtstart=dtstart,
        interval=rule.interval,
        wkst=rule.week_start,
        count=rule.count,
        until=rule.until,
        bysetpos=list(rule.by_set_pos) or None,
        bymonth=list(rule.by_month) or None,
        bymonthday=list(rule.by_month_day) or None,
        byyearday=list(rule.by_year_day) or None,
        byweekno=list(rule.by_week_no) or None,
        byweekday=by_weekday,
    )


def _generated(series: Series, after: dt.datetime, before: dt.datetime, limit: int) -> list[dt.datetime]:
    """Original starts (UTC) of the rule's occurrences with after < start < before, EXDATEs included."""
    generator = _dateutil_rule(series)
    if generator is None:
        return [series.start] if after < series.start < before else []
    first_wall = series.start.astimezone(zone_name(series.timezone)).replace(tzinfo=None)
    cut = series.until
    result: list[dt.datetime] = []
    # A start that the rule itself would not produce (say, a Tuesday start of a Monday/Thursday series)
    # is still the first visit, as Google Calendar and Outlook show it.
    first_by_rule = next(iter(generator), None)
    unsynchronised = first_by_rule is None or first_by_rule.replace(tzinfo=None) != first_wall
    if unsynchronised and after < series.start < before and (cut is None or series.start <= cut):
        result.append(series.start)
    for moment in generator.xafter(after, inc=False):
        if moment.replace(tzinfo=None) == first_wall:
            # The first occurrence is the series start itself, even when it falls in the second of two
            # repeated wall-clock hours (the rule alone would pick the first one).
            utc = series.start
        else:
            utc = moment.astimezone(_UTC)
        if utc >= before or (cut is not None and utc > cut):
            break
        result.append(utc)
        if len(result) > limit:
            raise RecurrenceError(
                f"The repeat rule gives more than {limit} visits in the period asked for; choose a shorter period."
            )
    return result


def expand(
    series: Series,
    window_start: dt.datetime,
    window_end: dt.datetime,
    overrides: Iterable[Override] = (),
    *,
    limit: int = DEFAULT_LIMIT,
) -> list[Occurrence]:
    """Occurrences of ``series`` overlapping ``[window_start, window_end)``, sorted by start.

    EXDATEs are left out; each override replaces the occurrence with its original start and is listed
    wherever it was moved to (inside the window), even when the original was outside it.
    """
    window_start = _utc(window_start, "The start of the period")
    window_end = _utc(window_end, "The end of the period")
    duration = series.duration
    mine = [item for item in overrides if item.series_id == series.id]
    replaced = {item.original_start for item in mine}
    excluded = set(series.exdates) | replaced
    # An occurrence overlaps the window when it starts before the window ends and ends after it starts.
    after = window_start - duration - _ONE_SECOND if duration else window_start - _ONE_SECOND
    result = [
        Occurrence(start, start + duration, series.id, start)
        for start in _generated(series, after, window_end, limit)
        if start not in excluded and (start + duration > window_start or start >= window_start)
    ]
    for item in mine:
        if item.start < window_end and (item.end > window_start or item.start >= window_start):
            result.append(Occurrence(item.start, item.end, series.id, item.original_start, item.id, item.status))
    result.sort()
    return result


def is_occurrence(series: Series, original_start: dt.datetime) -> bool:
    """Whether the rule (ignoring EXDATEs) produces an occurrence starting at ``original_start``."""
    moment = _utc(original_start, "The occurrence")
    return moment in _generated(series, moment - _ONE_SECOND, moment + _ONE_SECOND, 2)


def occurrences_before(series: Series, moment: dt.datetime) -> int:
    """How many occurrences the rule produces (EXDATEs included, as COUNT counts them) before ``moment``."""
    before = _utc(moment, "The moment")
    return len(_generated(series, series.start - _ONE_SECOND, before, 1_000_000))


# ---------------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------------


def _require_occurrence(series: Series, original_start: dt.datetime) -> dt.datetime:
    moment = _utc(original_start, "The occurrence")
    if not is_occurrence(series, moment):
        raise RecurrenceError(
            f"{moment.isoformat()} is not one of this appointment's repeats; reload the calendar and try again."
        )
    return moment


def make_override(
    series: Series,
    original_start: dt.datetime,
    *,
    new_id: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    status: str = "planned",
) -> Override:
    """ "Edit this one": an override replacing the occurrence at ``original_start``.

    Without a new ``start`` the occurrence keeps its time; without ``end`` it keeps its length.
    """
    original = _require_occurrence(series, original_start)
    if original in series.exdates:
        raise RecurrenceError("That visit was removed from the series; it cannot be edited on its own.")
    new_start = original if start is None else _utc(start, "The new start")
    new_end = new_start + series.duration if end is None else _utc(end, "The new end")
    return Override(new_id, series.id, original, new_start, new_end, status)


def exclude_occurrence(series: Series, original_start: dt.datetime) -> Series:
    """ "Delete this one": the series with that occurrence removed (an EXDATE)."""
    original = _require_occurrence(series, original_start)
    return replace(series, exdates=(*series.exdates, original))


@dataclass(frozen=True, slots=True)
class SeriesSplit:
    """The result of "edit all future".

    ``before`` is the old series ending just before the split (None when the split is at the first
    occurrence: the whole series changes, and the old one should be deleted). ``after`` is the new
    series. Overrides of earlier occurrences stay in ``kept``; later ones that still match an
    occurrence of the new series are in ``moved`` (re-pointed at it); the rest are ``dropped`` (their
    occurrence no longer exists, so the caller deletes them).
    """

    before: Series | None
    after: Series
    kept: tuple[Override, ...]
    moved: tuple[Override, ...]
    dropped: tuple[Override, ...]


def split_series(
    series: Series,
    at: dt.datetime,
    *,
    new_id: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    rrule: str | None = None,
    timezone: str | None = None,
    overrides: Iterable[Override] = (),
) -> SeriesSplit:
    """ "Edit all future": end ``series`` before the occurrence ``at`` and start a new one there.

    The new series starts at ``start`` (default: the occurrence ``at`` itself), lasts until ``end``
    (default: the old length) and repeats by ``rrule`` (default: the old rule; a COUNT is reduced by the
    occurrences already past). The old series gets UNTIL one second before ``at`` (or a reduced COUNT).
    """
    rule = series.rule
    if rule is None:
        raise RecurrenceError("This appointment does not repeat; edit it directly.")
    split_at = _require_occurrence(series, at)
    zone = timezone or series.timezone
    new_start = split_at if start is None else _utc(start, "The new start")
    new_end = new_start + series.duration if end is None else _utc(end, "The new end")
    earlier = occurrences_before(series, split_at)

    if rrule is not None:
        new_rule_text = parse_rrule(rrule, zone_name(zone)).to_string()
    elif rule.count is not None:
        new_rule_text = rule.with_end(count=rule.count - earlier).to_string()
    else:
        new_rule_text = rule.to_string()
    after = Series(new_id, new_start, new_end, zone, new_rule_text, until=series.until)

    before: Series | None = None
    if earlier > 0:
        cut = split_at - _ONE_SECOND
        old_rule = rule.with_end(count=earlier) if rule.count is not None else rule.with_end(until=cut)
        before = replace(
            series,
            rrule=old_rule.to_string(),
            exdates=tuple(moment for moment in series.exdates if moment < split_at),
            until=cut if series.until is None or series.until > cut else series.until,
        )

    # Later EXDATEs and overrides carry over only where the new series still has that occurrence.
    carried = tuple(m for m in series.exdates if m >= split_at and is_occurrence(after, m))
    if carried:
        after = replace(after, exdates=carried)
    kept: list[Override] = []
    moved: list[Override] = []
    dropped: list[Override] = []
    for item in overrides:
        if item.series_id != series.id:
            continue
        if item.original_start < split_at:
            kept.append(item)
        elif is_occurrence(after, item.original_start):
            moved.append(replace(item, series_id=new_id))
        else:
            dropped.append(item)
    return SeriesSplit(before, after, tuple(kept), tuple(moved), tuple(dropped))


def parse_exdates(values: Iterable[str | dt.datetime]) -> tuple[dt.datetime, ...]:
    """EXDATEs as stored in the Appointment model (ISO-8601 UTC text) to UTC datetimes."""
    result = []
    for value in values:
        if isinstance(value, dt.datetime):
            result.append(_utc(value, "A removed occurrence"))
            continue
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise RecurrenceError(f"{value!r} is not a date and time (removed occurrence).") from None
        result.append(_utc(moment, "A removed occurrence"))
    return tuple(result)


def format_exdates(values: Iterable[dt.datetime]) -> list[str]:
    """UTC datetimes to the ISO-8601 text the Appointment model stores."""
    return [_utc(value, "A removed occurrence").isoformat() for value in values]

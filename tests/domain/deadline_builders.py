"""Small builders for deadline-rule tests (imported by the test modules beside this file)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from casedesk.domain.deadline_facts import ClientFacts, DeadlineSettings
from casedesk.domain.deadlines import DueItem, compute_due_items

NEW_YORK = ZoneInfo("America/New_York")


def local(zone: ZoneInfo | str, *parts: int) -> dt.datetime:
    """An aware datetime from local wall-clock parts (year, month, day, hour, minute)."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return dt.datetime(*parts, tzinfo=tz)


def client(**kwargs: Any) -> ClientFacts:
    kwargs.setdefault("client_id", "c1")
    kwargs.setdefault("name", "Zoë Nguyễn")
    return ClientFacts(**kwargs)


def run(facts: ClientFacts, now: dt.datetime, **settings: Any) -> list[DueItem]:
    settings.setdefault("timezone", "America/New_York")
    return compute_due_items(facts, DeadlineSettings(**settings), now)


def of_kind(items: list[DueItem], kind: str) -> list[DueItem]:
    return [item for item in items if item.kind == kind]


def by_ref(items: list[DueItem]) -> dict[tuple[str, ...], DueItem]:
    return {item.resolves: item for item in items}

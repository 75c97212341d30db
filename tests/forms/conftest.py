"""Shared fixtures for the forms engine tests (no Qt, no database)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest

from casedesk.forms import FillContext, FormDefinition, GoalOption


@pytest.fixture
def context() -> FillContext:
    return FillContext(
        client={
            "name": "Zoë Nguyễn",
            "first_name": "Zoë",
            "last_name": "Nguyễn",
            "preferred_name": "Zo",
            "dob": date(1988, 3, 14),
            "record_number": "R-1001",
            "medicaid_id": "MA123456",
            "address": "12 Elm St, Springfield",
            "phone": "555-201-3344",
            "language": "Vietnamese",
            "program": "Supported living",
        },
        goals=(GoalOption("g1", "Cook two meals a week"), GoalOption("g2", "Ride the bus alone")),
        today=date(2024, 5, 20),
        now=datetime(2024, 5, 20, 9, 30),
    )


@pytest.fixture
def make_form() -> Callable[..., FormDefinition]:
    """Build a validated definition from field dicts: make_form({"key": "a", "type": "text", ...}, ...)."""

    def build(*fields: dict[str, Any], key: str = "test_form", **extra: Any) -> FormDefinition:
        data: dict[str, Any] = {
            "schema_version": 1,
            "key": key,
            "name": "Test form",
            "version": 1,
            "fields": list(fields),
        }
        data.update(extra)
        return FormDefinition.from_dict(data)

    return build

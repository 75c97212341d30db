from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.db.store import Store
from casedesk.services import clients, plans

PASSPHRASE = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st, _recovery = Store.create(tmp_path / "profile", PASSPHRASE, agency_name="Test Agency", worker_name="Ana Ruiz")
    yield st
    st.close()


@pytest.fixture
def client_with_goals(store: Store) -> tuple[str, list[str]]:
    with store.session() as s:
        cid = clients.create_client(
            s, first_name="Zoë", last_name="Nguyễn", dob=dt.date(1990, 4, 2), record_number="R-1"
        )
        plan = plans.create_plan(s, cid, dt.date(2026, 1, 1), review_due=dt.date(2026, 12, 1))
        goals = [
            plans.add_goal(s, plan, "Zoë will cook a simple meal three times a week."),
            plans.add_goal(s, plan, "Zoë will ride the bus to work on her own."),
        ]
    return cid, goals

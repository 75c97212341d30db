"""A push stores each batch's answers while the next batch is on its way. If storing them fails, the sync
says so, nothing is lost: ops whose answers were not stored stay in the outbox, and the next sync sends
them again and gets them answered as duplicates, with their rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casedesk.services import clients
from casedesk.sync import outbox as sync_outbox
from casedesk.sync.outbox import PushTally
from tests.server.helpers import ServerThread, add_user, device_rows, enroll_device, outbox, server_rows

pytestmark = pytest.mark.server


class DiskFull(OSError):
    pass


def test_answers_that_could_not_be_stored_are_sent_again_and_nothing_is_lost(
    server: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = add_user(server.db, "worker")
    laptop = enroll_device(server.db, server.url, tmp_path / "laptop", worker)
    laptop.sync()
    with laptop.store.session() as s:
        ids = [clients.create_client(s, first_name="Ada", last_name=f"Batch{i}") for i in range(5)]
    real = sync_outbox.record_answers
    calls = {"n": 0}

    def fails_on_the_second_batch(*args: Any, **kwargs: Any) -> PushTally:
        calls["n"] += 1
        if calls["n"] == 2:
            raise DiskFull("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(sync_outbox, "record_answers", fails_on_the_second_batch)
    with pytest.raises(DiskFull):
        laptop.sync(batch_size=1)
    assert calls["n"] == 2  # the push stopped at the first failure
    waiting = {op.row_id for op in outbox(laptop.store)}
    assert ids[0] not in waiting and ids[1] in waiting  # the first answer stored, the second not
    assert len(server_rows(server.db, {("client", i) for i in ids})) >= 2  # yet the server applied both

    monkeypatch.setattr(sync_outbox, "record_answers", real)
    again = laptop.sync(batch_size=1)

    assert again.duplicates >= 1 and again.stuck == 0
    assert outbox(laptop.store) == []
    rows = device_rows(laptop.store)
    srv = server_rows(server.db, {("client", i) for i in ids})
    for i in ids:
        assert rows[("client", i)]["server_version"] == srv[("client", i)]["version"]
        assert rows[("client", i)]["data"] == srv[("client", i)]["data"]

"""Garbage collection pauses around bulk sync work: off while any pause runs, in any thread, and back to
how it was once the last one ends, even when the work fails."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from casedesk.gcpause import collection_paused


@pytest.fixture(autouse=True)
def collection_back_on() -> Iterator[None]:
    yield
    gc.enable()


def test_collection_waits_until_every_pause_has_ended() -> None:
    gc.enable()
    inside, leave = threading.Event(), threading.Event()

    def other_thread() -> None:
        with collection_paused():
            inside.set()
            leave.wait(10)

    with collection_paused():
        assert not gc.isenabled()
        worker = threading.Thread(target=other_thread)
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause still runs
    leave.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_failure_inside_still_ends_the_pause() -> None:
    gc.enable()
    with pytest.raises(ValueError), collection_paused(), collection_paused():
        raise ValueError("the batch failed")
    assert gc.isenabled()


def test_collection_someone_turned_off_stays_off() -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()

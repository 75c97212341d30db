"""Pausing the cyclic garbage collector around bulk work: sync batches, deadline facts, the caseload list.

A push batch on the server, a page of rows on a device, a chunk of deadline facts or the 10k rows of a
caseload allocate tens of thousands of objects that all stay alive until the work is done. Automatic collection would meanwhile walk the whole
heap again and again and find nothing to free. While such work runs, automatic collection waits; it resumes
(and catches up) as soon as the last one ends. Reference counting frees everything else as usual, and each
paused stretch is bounded by the batch or page size.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_resume = False  # whether collection was on when the first pause began


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Automatic garbage collection waits until every pause (from any thread) has ended."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()

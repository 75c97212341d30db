"""Retry timing: exponential backoff with full jitter (pure, seeded by the caller)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries per request, the first included
    base: float = 0.5  # seconds; the n-th retry waits up to base * 2**n
    cap: float = 20.0  # longest single wait
    timeout: float = 60.0  # read timeout per request
    connect_timeout: float = 10.0
    retry_after_cap: float = 60.0  # a server's Retry-After is honoured up to this

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (0 = first retry)."""
        return rng.uniform(0, min(self.cap, self.base * (2**retry)))

    def schedule(self, rng: random.Random) -> list[float]:
        return [self.delay(n, rng) for n in range(self.attempts - 1)]

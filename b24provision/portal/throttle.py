"""A client-side leaky bucket, so that normal use never meets the portal's 503.

Bitrix24 counts every HTTP request of a portal (a ``batch`` counts once) in a leaky bucket: the
counter grows by one per request, drains by ``per_second`` every second, and a request that finds
it above ``burst`` is refused with ``503 QUERY_LIMIT_EXCEEDED`` (reference §3.1: 2/s and 50 on most
plans, 5/s and 250 on Enterprise). The client keeps the same bucket on its side and waits just long
enough before a request that would overflow it. Waiting here is cheaper than a refused request,
which costs a round trip and still fills the portal's bucket.

The client keeps one request of headroom below ``burst``: the portal measures the gaps between
requests when they arrive, and network jitter can make two of them arrive closer together than they
were sent. Other applications on the same portal and IP share the portal's bucket, so a 503 can
still happen; the client then calls :meth:`LeakyBucket.saturate` and the next request waits for a
free slot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimit", "LeakyBucket"]


@dataclass(frozen=True)
class RateLimit:
    """How many requests a portal lets through: ``burst`` at once, then ``per_second``."""

    burst: int = 50
    """Requests the bucket holds before the portal refuses one."""
    per_second: float = 2.0
    """How fast the bucket drains."""

    def __post_init__(self) -> None:
        if self.burst < 1 or self.per_second <= 0:
            raise ValueError(f"a rate limit needs burst >= 1 and per_second > 0, got {self}")


STANDARD = RateLimit(burst=50, per_second=2.0)
ENTERPRISE = RateLimit(burst=250, per_second=5.0)


class LeakyBucket:
    """The client's copy of the portal's request counter.

    ``clock`` must be monotonic (wall-clock jumps must not free or block requests); ``clock`` and
    ``sleep`` can be replaced to test the arithmetic without waiting.
    """

    def __init__(
        self,
        rate: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = float(max(1, rate.burst - 1))
        """Requests the client lets pile up: one below the portal's burst (see the module docstring)."""
        self._clock = clock
        self._sleep = sleep
        self._level = 0.0
        self._updated = clock()
        self._lock = threading.Lock()

    def level(self) -> float:
        """The counter as the portal would see it now."""
        with self._lock:
            self._drain()
            return self._level

    def delay(self) -> float:
        """Seconds to wait before one more request fits in the bucket (0.0 if it fits now)."""
        with self._lock:
            self._drain()
            return self._delay()

    def acquire(self) -> float:
        """Wait until one more request fits, then count it. Returns the seconds waited."""
        with self._lock:
            self._drain()
            wait = self._delay()
            if wait > 0:
                # Sleeping under the lock is deliberate: other threads must queue behind this request.
                self._sleep(wait)
                self._drain()
            self._level += 1.0
            return wait

    def saturate(self) -> None:
        """The portal refused a request for its rate: assume its bucket is full."""
        with self._lock:
            self._drain()
            self._level = max(self._level, self.capacity)

    def _drain(self) -> None:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._updated) * self.rate.per_second)
        self._updated = now

    def _delay(self) -> float:
        overflow = self._level + 1.0 - self.capacity
        return overflow / self.rate.per_second if overflow > 0 else 0.0

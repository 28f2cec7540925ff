"""The portal's request limits (reference §3.1, §3.2).

* Rate: a leaky bucket per portal. Each HTTP request adds 1 (a batch too, whatever it holds), the
  level drains at a steady rate, and a request that would overflow the burst is refused with 503
  QUERY_LIMIT_EXCEEDED (and does not fill the bucket).
* Operating time: per method, seconds spent in the current window (10 minutes on a real portal;
  ``PortalSettings.operating_window``, so that tests wait seconds); over the budget the method is
  blocked with 429 OPERATION_TIME_LIMIT until the window ends (``operating_reset_at``). Off unless a
  test switches it on through ``Faults.operating_budget``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

OPERATING_WINDOW = 600.0


@dataclass
class LeakyBucket:
    level: float = 0.0
    last: float = field(default_factory=time.monotonic)

    def admit(self, burst: float, drain: float) -> bool:
        """Count one request; False when the bucket is full."""
        now = time.monotonic()
        self.level = max(0.0, self.level - (now - self.last) * drain)
        self.last = now
        if self.level + 1 > burst:
            return False
        self.level += 1
        return True

    def reset(self) -> None:
        self.level = 0.0
        self.last = time.monotonic()


@dataclass
class OperatingClock:
    """Seconds of work per method inside the current window (``window`` seconds, 10 minutes)."""

    spent: dict[str, float] = field(default_factory=dict)
    window_start: dict[str, float] = field(default_factory=dict)
    window: float = OPERATING_WINDOW

    def _roll(self, name: str, now: float) -> None:
        # The window ends at the whole second the portal reports as operating_reset_at.
        if name not in self.window_start or now >= self.reset_at(name, now):
            self.window_start[name] = now
            self.spent[name] = 0.0

    def blocked(self, name: str, budget: float | None, now: float) -> bool:
        self._roll(name, now)
        return budget is not None and self.spent[name] > budget

    def add(self, name: str, seconds: float, now: float) -> float:
        self._roll(name, now)
        self.spent[name] += seconds
        return self.spent[name]

    def reset_at(self, name: str, now: float) -> int:
        """When the method's window ends, as a unix time in whole seconds (as the portal writes it)."""
        return int(self.window_start.get(name, now) + self.window)

    def reset(self) -> None:
        self.spent.clear()
        self.window_start.clear()

"""Fault injection: the network and the portal misbehaving on purpose, so clients can be tested.

Random faults (``rate_*``) draw from a seeded generator, so a test run is repeatable. ``script``
hits exact request numbers (1-based, counted from when the script was set), ``stop_after`` drops
every request from that number on (a killed process or a dead network). Kinds:

* ``"drop"``: close the socket without any HTTP response (httpx raises RemoteProtocolError);
* ``"lost_response"``: do the work, commit it, then drop the socket (the write happened, the client
  cannot know);
* ``"500"``: INTERNAL_SERVER_ERROR; ``"503"``: QUERY_LIMIT_EXCEEDED; ``"429"``: OPERATION_TIME_LIMIT;
* damaged answers, after the work is done and committed, each with HTTP 200 and a Content-Length
  that matches what is sent (so the HTTP layer sees nothing wrong): ``"truncated"`` (the JSON cut
  in half, as by a proxy or a PHP process killed mid-output), ``"empty"`` (no body at all),
  ``"malformed"`` (a PHP warning printed before the JSON, as with ``display_errors`` on) and
  ``"no_result"`` (a JSON object without its ``result``).

``operating_budget`` switches on the per-method operating-time limit (reference §3.2): each call of
a method adds ``operating_cost`` seconds to that method's account, and once the account exceeds the
budget the method answers 429 until its window ends (``PortalSettings.operating_window``: 10 minutes,
shorter in tests). A scripted ``"429"`` reports the end of that window as ``operating_reset_at`` (when
the quirk ``operating_reset_at`` is "present").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

DAMAGED_ANSWERS = ("truncated", "empty", "malformed", "no_result")
"""Fault kinds that run the request and then answer 200 with a body that is not a REST reply."""
FAULT_KINDS = ("drop", "lost_response", "500", "503", "429", *DAMAGED_ANSWERS)


@dataclass
class Faults:
    """Switchable at runtime; ``emulator.faults.rate_503 = 0.2`` takes effect on the next request."""

    latency: float = 0.0
    """Seconds to wait before answering each request."""
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    rate_lost_response: float = 0.0
    rate_damaged: float = 0.0
    """Chance of a damaged 200 answer (one of DAMAGED_ANSWERS, drawn in turn) after the work is done."""
    script: dict[int, str] = field(default_factory=dict)
    """Request number (1-based, since the script was set) -> fault kind."""
    stop_after: int | None = None
    """From this request number on (1-based, since it was set) every connection is dropped."""
    operating_budget: float | None = None
    """Seconds of operating time per method per 10 minutes; None = no 429s."""
    operating_cost: float = 0.0
    """Simulated operating seconds each call adds to its method's account."""
    seed: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._script_count = 0
        self._stop_count = 0

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        # Counting starts again whenever a test sets a new script / stop point.
        if name == "script":
            super().__setattr__("_script_count", 0)
        elif name == "stop_after":
            super().__setattr__("_stop_count", 0)
        elif name == "seed":
            super().__setattr__("_rng", random.Random(value))

    def clear(self) -> None:
        """Switch every fault off."""
        self.latency = 0.0
        self.rate_500 = self.rate_503 = self.rate_drop = self.rate_lost_response = self.rate_damaged = 0.0
        self.script = {}
        self.stop_after = None
        self.operating_budget = None
        self.operating_cost = 0.0
        self.seed = self.seed  # restarts the random sequence

    def next_fault(self) -> str | None:
        """Count one HTTP request and say which fault (if any) it gets."""
        self._script_count += 1
        self._stop_count += 1
        if self.stop_after is not None and self._stop_count >= self.stop_after:
            return "drop"
        if self._script_count in self.script:
            kind = self.script[self._script_count]
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
            return kind
        for kind, rate in (
            ("drop", self.rate_drop),
            ("lost_response", self.rate_lost_response),
            ("500", self.rate_500),
            ("503", self.rate_503),
        ):
            if rate > 0 and self._rng.random() < rate:
                return kind
        if self.rate_damaged > 0 and self._rng.random() < self.rate_damaged:
            return self._rng.choice(DAMAGED_ANSWERS)
        return None


@dataclass(frozen=True)
class LoggedRequest:
    """One REST call as the emulator saw it (batch sub-calls are logged too, with ``sub_call``)."""

    method: str
    """Lower-cased method name ("" when the URL named none)."""
    write: bool
    """The method changes state (add/update/delete/set...)."""
    status: int
    """HTTP status answered (for a sub-call: 200, or 400 when it failed); 0 when the connection dropped."""
    sub_call: bool = False
    executed: bool = True
    """The handler ran (False for requests refused by faults, auth or the rate limiter)."""
    auth: str = "webhook"
    """"webhook", "oauth" or "none"."""

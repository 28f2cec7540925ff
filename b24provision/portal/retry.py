"""The retry rule: repeat a request only when repeating it cannot do harm.

:class:`RetryingSender` wraps :class:`~.exchange.HttpExchange`'s one request in the rule every call
of :class:`~b24provision.portal.client.PortalClient` follows:

* ``503 QUERY_LIMIT_EXCEEDED`` and ``429 OPERATION_TIME_LIMIT`` mean the portal refused the call
  without running it, so any call, writes included, is retried after a wait: exponential backoff
  with jitter for 503; for 429, until the method's operating-time window frees, which can take up
  to its 10 minutes (reference §3.2, §13.8). The wait for a 429 is its own budget
  (``operating_wait``, 11 minutes), not the retries': it sleeps until ``operating_reset_at`` when the
  answer carries one, else backs off (up to ``max_wait`` a time), and says on stderr how long is left.
* A connection refused or a connect timeout means nothing was sent: retried.
* A timeout, a dropped connection, a 5xx after the request went out, or a 200 whose body is no
  REST reply (cut short, empty, text before the JSON, no ``result``) leaves the outcome unknown.
  A read (see :func:`.envelope.is_read`) is retried; a write is **never** resent, because a second
  ``crm.status.add`` would make a second stage. It raises :class:`OutcomeUnknown` instead, and the
  caller must re-read the portal.
* Every retry is announced (``notify``, by default one line on stderr): the method, the attempt,
  the wait and why, so a slow portal is never minutes of silence.
* An OAuth ``401 expired_token`` means the call was rejected: the token is refreshed once and the
  call repeated.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from b24provision.errors import OutcomeUnknown, PortalError, PortalNotFound, PortalRateLimited, redact
from b24provision.portal.credentials import Credentials, OAuthCredentials
from b24provision.portal.envelope import optional_int, portal_error, portal_words
from b24provision.portal.exchange import HttpExchange, NoAnswer, NotSent, TooLarge, json_object, readable_size
from b24provision.portal.throttle import LeakyBucket, RateLimit

Notify = Callable[[str], None]
"""Told one line each time a call is retried or waits to be repeated."""


def notify_stderr(line: str) -> None:
    """The default ``notify``: the line on standard error (the CLI's progress channel).

    A reader that went away (``apply ... | head``) must not stop a call half-way through an apply:
    the line is dropped then, the call goes on."""
    try:
        print(line, file=sys.stderr, flush=True)
    except BrokenPipeError:
        pass


_PROGRESS_EVERY = 30.0
"""Seconds between "still blocked" lines while waiting out an operating-time block."""


class _Blocked:
    """A call's waiting for an operating-time block: how often refused, how long waited."""

    def __init__(self) -> None:
        self.refusals = 0
        self.waited = 0.0


def _duration(seconds: float) -> str:
    """ "9 min 5 s", "12 s", "0.3 s": how long, for people."""
    if seconds >= 60:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


class RetryingSender(HttpExchange):
    """Sends one call, repeating it only where that is safe (see the module docstring).

    Args:
        credentials, rate, timeout, max_response_bytes: as for :class:`~.exchange.HttpExchange`.
        retries: how many times a call is repeated when that is safe.
        max_wait: the longest single wait between retries, in seconds.
        backoff: the first wait after a 503 or a failed read; it doubles with each retry.
        operating_wait: the longest a call waits in all for a method blocked by its operating-time
            limit (429), in seconds.
        notify: told one line per retry or wait; None: silent.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate: RateLimit | LeakyBucket | None,
        timeout: float,
        max_response_bytes: int,
        retries: int,
        max_wait: float,
        backoff: float,
        operating_wait: float,
        notify: Notify | None,
    ) -> None:
        super().__init__(credentials, rate=rate, timeout=timeout, max_response_bytes=max_response_bytes)
        self.notify = notify
        self.retries = retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.operating_wait = operating_wait

    def _send(self, method: str, params: dict[str, Any], *, read: bool) -> dict[str, Any]:
        """POST one call, retrying only where that is safe; the envelope on success."""
        refreshed = False
        attempt = 0
        blocked = _Blocked()
        while True:
            last = attempt >= self.retries
            try:
                response = self._post(method, params)
            except NotSent as exc:
                if last:
                    raise PortalError(
                        f"{method}: cannot reach {self.host} ({exc}); check the portal address and network",
                        method=method,
                    ) from None
                self._retry(
                    method, attempt, self._backoff_delay(attempt), f"cannot reach {self.host} ({exc})"
                )
                attempt += 1
                continue
            except NoAnswer as exc:
                if not read:
                    raise outcome_unknown(method, self.host, str(exc)) from None
                if last:
                    raise PortalError(
                        f"{method}: no answer from {self.host} ({exc}) after {attempt + 1} attempts; "
                        "try again later",
                        method=method,
                    ) from None
                self._retry(method, attempt, self._backoff_delay(attempt), f"no answer ({exc})")
                attempt += 1
                continue
            except TooLarge:
                limit = readable_size(self.max_response_bytes)
                if not read:
                    raise outcome_unknown(method, self.host, f"the answer is over {limit}") from None
                raise PortalError(
                    f"{method}: the answer from {self.host} is over {limit}, the most b24provision reads "
                    "from one answer, so it was not read; check the portal address (a REST answer is "
                    "never that large), and report it if the address is right",
                    method=method,
                ) from None

            status = response.status_code
            data = json_object(response)
            damage = _damaged_answer(response, data)
            if damage is not None:
                # A 2xx that is no REST reply: the call may well have run (the writes happened).
                if not read:
                    raise outcome_unknown(method, self.host, f"HTTP {status} with {damage}") from None
                if not last and _worth_retrying(response):
                    self._retry(method, attempt, self._backoff_delay(attempt), f"HTTP {status} with {damage}")
                    attempt += 1
                    continue
                raise _not_rest(method, self.host, status, damage)
            if data is not None and "error" not in data and status < 400:
                return data
            code = str(data.get("error") or "") if data is not None else ""
            words = data.get("error_description") if data is not None else None

            if code == "QUERY_LIMIT_EXCEEDED" or (status == 429 and code != "OPERATION_TIME_LIMIT"):
                # Refused for the rate, not run: safe to repeat, writes included.
                if self._bucket is not None:
                    self._bucket.saturate()
                if last:
                    raise _rate_limited(method, status, code, words, attempt + 1)
                self._retry(method, attempt, self._backoff_delay(attempt), code or f"HTTP {status}")
                attempt += 1
                continue
            if code == "OPERATION_TIME_LIMIT":
                # Refused, not run: safe to repeat once the method's window frees (its own budget).
                self._wait_operating(method, data or {}, response, blocked, words)
                continue
            if code == "expired_token" and isinstance(self.credentials, OAuthCredentials) and not refreshed:
                # The portal rejected the call, so repeating it after a refresh is safe.
                refreshed = True
                self._refresh_token()
                continue
            if status >= 500 and code != "OVERLOAD_LIMIT":
                reason = f"HTTP {status}" + (f": {portal_words(words)}" if words else "")
                if not read:
                    raise outcome_unknown(method, self.host, reason) from None
                if not last:
                    self._retry(method, attempt, self._backoff_delay(attempt), reason)
                    attempt += 1
                    continue
            if data is None:
                raise _not_rest(method, self.host, status)
            raise portal_error(method, status, code, words) from None

    # --- waiting -----------------------------------------------------------------------------

    def _backoff_delay(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that clients refused together do not return together."""
        return min(self.max_wait, self.backoff * 2.0**attempt) * random.uniform(0.5, 1.0)

    def _wait_operating(
        self, method: str, data: Mapping[str, Any], response: httpx.Response, blocked: _Blocked, words: Any
    ) -> None:
        """Wait for a method blocked by its operating-time limit, or raise when the budget is spent.

        Where a real 429 says when the block ends is undocumented (reference §13.8; error answers
        have no ``time`` block, §2.1): ``operating_reset_at`` at the top level, then in ``time``,
        then Retry-After; without any, back off (doubling from ``backoff``, at most ``max_wait`` a
        time). Waiting until ``operating_reset_at`` adds that backoff too: the portal's clock and
        ours differ, and its time has whole seconds.

        Raises:
            PortalRateLimited: still blocked after ``operating_wait`` seconds of waiting.
        """
        left = self.operating_wait - blocked.waited
        if left <= 0:
            raise PortalRateLimited(
                f"{method}: {portal_words(words) or 'blocked by the operating-time limit'} "
                f"(OPERATION_TIME_LIMIT) — still blocked after waiting {_duration(blocked.waited)}, longer "
                "than the portal's 10-minute window; the method is busy for other callers too: try "
                "again later",
                method=method,
                code="OPERATION_TIME_LIMIT",
                status=response.status_code,
            )
        timing = data.get("time")
        reset_at = optional_int(data.get("operating_reset_at"))
        if reset_at is None and isinstance(timing, Mapping):
            reset_at = optional_int(timing.get("operating_reset_at"))
        retry_after = optional_int(response.headers.get("Retry-After"))
        margin = min(self.max_wait, self.backoff * 2.0**blocked.refusals)
        if reset_at is not None:
            # The margin doubles when the portal still refuses at its own reset time (clock skew).
            delay = max(0.0, reset_at - time.time()) + margin
            why = "until the portal's operating_reset_at"
        elif retry_after is not None:
            delay, why = max(0.0, float(retry_after)), "as Retry-After says"
        else:
            delay = margin
            why = "the portal did not say until when (no operating_reset_at); asking again then"
        delay = min(delay, left)
        blocked.refusals += 1
        self._say(
            f"{method}: the portal blocks this method for its operating-time limit (OPERATION_TIME_LIMIT); "
            f"waiting {_duration(delay)} ({why}; at most {_duration(left)} more)"
        )
        # Long waits are cut into steps, each saying how long is left, so nobody takes it for a hang.
        end = time.monotonic() + delay
        while (remaining := end - time.monotonic()) > 0:
            step = min(remaining, _PROGRESS_EVERY)
            self._pause(step)
            if remaining - step > 0:
                self._say(f"{method}: still blocked; {_duration(remaining - step)} left to wait")
        blocked.waited += delay

    def _say(self, line: str) -> None:
        if self.notify is not None:
            self.notify(redact(line))

    def _retry(self, method: str, attempt: int, seconds: float, why: str) -> None:
        """Say what is retried, and wait before it."""
        if self.notify is not None:
            self.notify(redact(f"Retry {attempt + 1} of {self.retries} in {seconds:.1f} s: {method}: {why}"))
        self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def _damaged_answer(response: httpx.Response, data: dict[str, Any] | None) -> str | None:
    """What is wrong with a 2xx answer that is no REST reply, or None when it is one."""
    if response.status_code >= 300:
        return None
    if data is not None:
        return None if ("result" in data or "error" in data) else "a JSON object without a result"
    if not response.content.strip():
        return "an empty body"
    try:
        json.loads(response.content)
    except ValueError:
        return "a body that is not JSON (cut short, or text before it)"
    return "JSON that is not an object"


def _worth_retrying(response: httpx.Response) -> bool:
    """A damaged answer that looks like the portal's own (JSON, or nothing): a read is repeated.

    An HTML page at 200 is a wrong address (a web site, a login page): no retry will change it.
    """
    kind = response.headers.get("Content-Type", "").lower()
    return not response.content.strip() or "json" in kind or not kind


def outcome_unknown(method: str, host: str, reason: str) -> OutcomeUnknown:
    error = OutcomeUnknown(
        f"{method}: sent to {host}, but no usable answer came back ({reason}); the write may or may not "
        "have happened, so it was not repeated — re-read the portal (e.g. run `b24provision plan`) "
        "before trying again",
        method=method,
    )
    error.reason = redact(reason)
    return error


def _rate_limited(method: str, status: int, code: str, words: Any, attempts: int) -> PortalRateLimited:
    text = portal_words(words) or "the portal refused the call for its rate limit"
    return PortalRateLimited(
        f"{method}: {text} ({code or status}) — still refused after {attempts} attempts; "
        "wait a few minutes and run again, or lower the request rate for this portal",
        method=method,
        code=code,
        status=status,
    )


def _not_rest(method: str, host: str, status: int, what: str = "") -> PortalError:
    text = f"{method}: {host} answered HTTP {status}" + (f" with {what}" if what else "")
    text += ", not a Bitrix24 REST reply; check the portal address, or try again later"
    if status == 404:
        return PortalNotFound(text, method=method, status=status)
    return PortalError(text, method=method, status=status)

"""The REST client: one place where HTTP, auth, batching, paging, throttling and retries live.

Everything else in b24provision talks to a portal through :class:`PortalClient` and never sees
httpx. Calls are POSTs with a JSON body (reference §1.3); ``batch`` sends up to 50 sub-commands in
one request, each a ``"method?php-bracket-query"`` string (:mod:`.encoding`).

**Retries follow one rule: repeat a request only when repeating it cannot do harm.**

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

One answer is read up to ``max_response_bytes`` (:data:`MAX_RESPONSE_BYTES`, 32 MiB): the body is
streamed and the read stops there, so a runaway answer cannot grow the process without bound.

Secrets: the webhook URL (and an OAuth token) is the credential. httpx puts URLs into its
exceptions and its INFO log lines, so exceptions are translated here, at the boundary, into our
own errors with no URL (``raise ... from None`` so the httpx exception is not chained), and the
``httpx`` logger gets a filter that redacts what it logs.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import re
import ssl
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx

from b24provision import __version__
from b24provision.errors import (
    OutcomeUnknown,
    PortalAuthError,
    PortalError,
    PortalNotFound,
    PortalRateLimited,
    redact,
)
from b24provision.portal.credentials import Credentials, OAuthCredentials
from b24provision.portal.encoding import encode_query
from b24provision.portal.envelope import (
    BatchReply,
    Command,
    Reply,
    as_map,
    is_read,
    optional_int,
    portal_error,
    portal_words,
)
from b24provision.portal.throttle import LeakyBucket, RateLimit
from b24provision.portal.trace import transport as trace_transport

__all__ = ["BatchReply", "Command", "PortalClient", "RateLimit", "Reply", "BATCH_LIMIT"]

BATCH_LIMIT = 50
"""Sub-commands per batch request (``CRestUtil::BATCH_MAX_LENGTH``, reference §4)."""
PAGE_SIZE = 50
"""Items per page of a list method (reference §3.3)."""

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The most read from one answer (after decompression); more is an error, not a bigger process."""
DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for connect, send and each read of an answer (``B24_TIMEOUT``, profile ``timeout:``)."""
MAX_TIMEOUT = 3600.0
"""The longest timeout a setting may ask for."""

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


# A reference to an earlier command of the same batch, by the core's names (reference §13.6):
# $result[key], $next[key], $total[key], $error[key], $time[key].
_BATCH_REF = re.compile(r"\$(?:result|next|total|time|error)\[([^\[\]&=]*)\]")


class _RedactingFilter(logging.Filter):
    """httpx logs ``HTTP Request: POST <url>`` at INFO; the URL of a webhook holds its code."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def _install_log_filter() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


_install_log_filter()


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


class _NotSent(Exception):
    """The request never reached the portal (connection refused, connect timeout): safe to repeat."""


class _NoAnswer(Exception):
    """The request may have reached the portal, but no answer came back: the outcome is unknown."""


class _TooLarge(Exception):
    """The answer is larger than ``max_response_bytes``: the read was stopped there."""


class PortalClient:
    """A Bitrix24 REST client for one portal.

    Args:
        credentials: a webhook or an OAuth application.
        rate: the portal's request rate to stay under (None: no client-side throttle).
        timeout: seconds to wait for connect, send and answer.
        retries: how many times a call is repeated when that is safe: refused for the rate (503/429),
            connection refused, or (reads only) no answer / a 5xx.
        max_wait: the longest single wait between retries, in seconds.
        backoff: the first wait after a 503 or a failed read; it doubles with each retry.
        operating_wait: the longest a call waits in all for a method blocked by its operating-time
            limit (429), in seconds: the portal's window is 10 minutes.
        notify: told one line per retry or wait (method, attempt, wait, why; default: on stderr);
            None: silent.
        max_response_bytes: the most read from one answer; a larger one is an error.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate: RateLimit | None = RateLimit(burst=50, per_second=2.0),  # noqa: B008 (frozen value)
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 5,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        operating_wait: float = 660.0,
        notify: Notify | None = notify_stderr,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        """Seconds to wait for connect, send and each read of an answer."""
        self.notify = notify
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.operating_wait = operating_wait
        self.request_count = 0
        """HTTP requests sent to the portal's REST API, retries included (token refreshes are not)."""
        self._bucket = LeakyBucket(rate) if rate is not None else None
        self._http = httpx.Client(
            verify=_ssl_context(),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": f"b24provision/{__version__}"},
            follow_redirects=False,
            transport=trace_transport(_ssl_context()),  # --trace: records at the HTTP layer
        )

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The portal's host, safe to print (``Portal: <host>``)."""
        return self.credentials.host

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PortalClient({self.credentials!r})"

    # --- calls -------------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Reply:
        """Call one REST method.

        Raises:
            PortalError (or a subclass): the portal answered with an error, or could not be reached.
            OutcomeUnknown: a write was sent and no answer came back.
        """
        data = self._send(method, dict(params or {}), read=is_read(method))
        return Reply(
            result=data.get("result"),
            total=optional_int(data.get("total")),
            next=optional_int(data.get("next")),
            time=dict(data.get("time") or {}),
        )

    def call_all(
        self, method: str, params: Mapping[str, Any] | None = None, *, key: str | None = None
    ) -> list[Any]:
        """Read every page of a list method, one request per page (follows ``next``).

        Args:
            key: for methods that answer ``{"items": [...]}`` or ``{"categories": [...]}``, the key
                holding the list (found by itself when the result has exactly one list in it).
        """
        base = dict(params or {})
        reply = self.call(method, base)
        items = _page_items(method, reply.result, key)
        start = optional_int(base.get("start")) or 0
        while reply.next is not None and reply.next > start:
            start = reply.next
            reply = self.call(method, {**base, "start": start})
            items.extend(_page_items(method, reply.result, key))
        return items

    def call_list_batched(
        self, method: str, params: Mapping[str, Any] | None = None, *, key: str | None = None
    ) -> list[Any]:
        """Read every page of a list method with few requests: the first page tells the total,
        then the remaining pages are fetched by ``start=`` offset, up to 50 pages per batch.

        1,000 items take 2 requests instead of 20.
        """
        base = dict(params or {})
        first = self.call(method, base)
        items = _page_items(method, first.result, key)
        if first.next is None:
            return items
        start = optional_int(base.get("start")) or 0
        if first.total is None:
            return items + self.call_all(method, {**base, "start": first.next}, key=key)
        page = first.next - start if first.next > start else PAGE_SIZE
        commands = [
            Command(f"page{offset}", method, {**base, "start": offset})
            for offset in range(first.next, first.total, page)
        ]
        replies = self.batch_all(commands)
        replies.raise_first_error()
        for command in commands:
            items.extend(_page_items(method, replies.results.get(command.key), key))
        # Items added since the first page was read push the list past `total`: follow on.
        last_next = replies.nexts.get(commands[-1].key) if commands else None
        if last_next is not None and last_next > int(commands[-1].params["start"]):
            items.extend(self.call_all(method, {**base, "start": last_next}, key=key))
        return items

    def batch(self, commands: Sequence[Command], *, halt: bool = False) -> BatchReply:
        """Send up to 50 commands as ONE request; later commands may use ``$result[key][...]``.

        The reply holds a result or an error per key; a failing sub-command does not raise.

        Raises:
            ValueError: more than 50 commands, or two with the same key.
        """
        if len(commands) > BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {BATCH_LIMIT} commands, got {len(commands)}")
        keys = [command.key for command in commands]
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"batch command keys must be unique: {sorted(k for k in keys if keys.count(k) > 1)}"
            )
        if not commands:
            return BatchReply()
        cmd = {
            command.key: f"{command.method}?{query}"
            if (query := encode_query(command.params))
            else command.method
            for command in commands
        }
        read = all(is_read(command.method) for command in commands)
        data = self._send("batch", {"halt": 1 if halt else 0, "cmd": cmd}, read=read)
        outer = data.get("result")
        if not read and not _complete_batch(outer, keys):
            # Answered 200, but not with a result or an error for each command: what ran is unknown.
            raise _outcome_unknown("batch", self.host, "the answer lacks the results of its commands")
        outer = outer if isinstance(outer, Mapping) else {}
        methods = {command.key: command.method for command in commands}
        errors: dict[str, PortalError] = {}
        for sub_key, envelope in as_map(outer.get("result_error")).items():
            envelope = envelope if isinstance(envelope, Mapping) else {}
            errors[sub_key] = portal_error(
                methods.get(sub_key, "batch"), 0, envelope.get("error"), envelope.get("error_description")
            )
        return BatchReply(
            results=as_map(outer.get("result")),
            errors=errors,
            totals={
                k: v
                for k, raw in as_map(outer.get("result_total")).items()
                if (v := optional_int(raw)) is not None
            },
            nexts={
                k: v
                for k, raw in as_map(outer.get("result_next")).items()
                if (v := optional_int(raw)) is not None
            },
            time=dict(data.get("time") or {}),
        )

    def batch_all(self, commands: Sequence[Command]) -> BatchReply:
        """Send any number of independent commands, 50 per batch request.

        Raises:
            ValueError: a command refers with ``$result[...]`` to a command in another chunk.
        """
        reply = BatchReply()
        for chunk in _chunks(commands, BATCH_LIMIT):
            keys = {command.key for command in chunk}
            for command in chunk:
                for ref in _BATCH_REF.findall(encode_query(command.params)):
                    if ref not in keys:
                        raise ValueError(
                            f"batch_all: command {command.key!r} refers to command {ref!r} outside its batch "
                            "of 50; send dependent commands together with batch()"
                        )
            reply.merge(self.batch(chunk))
        return reply

    # --- transport ---------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any], *, read: bool) -> dict[str, Any]:
        """POST one call, retrying only where that is safe; the envelope on success."""
        refreshed = False
        attempt = 0
        blocked = _Blocked()
        while True:
            last = attempt >= self.retries
            try:
                response = self._post(method, params)
            except _NotSent as exc:
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
            except _NoAnswer as exc:
                if not read:
                    raise _outcome_unknown(method, self.host, str(exc)) from None
                if last:
                    raise PortalError(
                        f"{method}: no answer from {self.host} ({exc}) after {attempt + 1} attempts; "
                        "try again later",
                        method=method,
                    ) from None
                self._retry(method, attempt, self._backoff_delay(attempt), f"no answer ({exc})")
                attempt += 1
                continue
            except _TooLarge:
                limit = _size(self.max_response_bytes)
                if not read:
                    raise _outcome_unknown(method, self.host, f"the answer is over {limit}") from None
                raise PortalError(
                    f"{method}: the answer from {self.host} is over {limit}, the most b24provision reads "
                    "from one answer, so it was not read; check the portal address (a REST answer is "
                    "never that large), and report it if the address is right",
                    method=method,
                ) from None

            status = response.status_code
            data = _json_object(response)
            damage = _damaged_answer(response, data)
            if damage is not None:
                # A 2xx that is no REST reply: the call may well have run (the writes happened).
                if not read:
                    raise _outcome_unknown(method, self.host, f"HTTP {status} with {damage}") from None
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
                    raise _outcome_unknown(method, self.host, reason) from None
                if not last:
                    self._retry(method, attempt, self._backoff_delay(attempt), reason)
                    attempt += 1
                    continue
            if data is None:
                raise _not_rest(method, self.host, status)
            raise portal_error(method, status, code, words) from None

    def _post(self, method: str, params: dict[str, Any]) -> httpx.Response:
        """One HTTP request; httpx's exceptions (which carry the URL) are turned into our two kinds."""
        if isinstance(self.credentials, OAuthCredentials) and self.credentials.access_token is None:
            self._refresh_token()
        body = dict(params)
        if isinstance(self.credentials, OAuthCredentials):
            body["auth"] = self.credentials.access_token
        url = self.credentials.base_url + method
        # default=str: dates, Decimals and Paths go as the strings the portal expects.
        content = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
        if self._bucket is not None:
            self._bucket.acquire()
        self.request_count += 1
        try:
            return self._post_capped(url, content)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _NotSent(_describe(exc)) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _NoAnswer(_describe(exc)) from None
        except httpx.HTTPError as exc:
            raise PortalError(
                f"{method}: request to {self.host} failed: {_describe(exc)}", method=method
            ) from None

    def _post_capped(self, url: str, content: bytes) -> httpx.Response:
        """POST and read the answer, at most ``max_response_bytes`` of it (decompressed)."""
        request = self._http.build_request(
            "POST", url, content=content, headers={"Content-Type": "application/json"}
        )
        return self._read_capped(request)

    def _read_capped(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; read its answer up to ``max_response_bytes``, else raise _TooLarge."""
        limit = self.max_response_bytes
        response = self._http.send(request, stream=True)
        try:
            declared = optional_int(response.headers.get("Content-Length"))
            if declared is not None and declared > limit and "Content-Encoding" not in response.headers:
                raise _TooLarge()
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise _TooLarge()
        finally:
            response.close()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-encoding"}
        return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)

    def _refresh_token(self) -> None:
        """Get a new access token (and refresh token) from the OAuth server."""
        credentials = self.credentials
        assert isinstance(credentials, OAuthCredentials)
        query = {
            "grant_type": "refresh_token",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": credentials.refresh_token,
        }
        try:
            response = self._read_capped(self._http.build_request("GET", credentials.token_url, params=query))
        except httpx.HTTPError as exc:
            raise PortalAuthError(
                f"OAuth token refresh for {self.host} failed: {_describe(exc)}; check the network, try again"
            ) from None
        except _TooLarge:
            raise PortalAuthError(
                f"OAuth token refresh for {self.host}: the OAuth server's answer is over "
                f"{_size(self.max_response_bytes)}, so it was not read; check token_url"
            ) from None
        data = _json_object(response) or {}
        access_token = data.get("access_token")
        if response.status_code != 200 or not isinstance(access_token, str) or not access_token:
            code = str(data.get("error") or f"HTTP {response.status_code}")
            words = (
                portal_words(data.get("error_description")) or "the OAuth server refused the refresh token"
            )
            raise PortalAuthError(
                f"OAuth token refresh for {self.host}: {words} ({code}) — re-authorize the application "
                "to get a new refresh token",
                code=code,
                status=response.status_code,
            )
        refresh_token = data.get("refresh_token")
        credentials.update_tokens(access_token, refresh_token if isinstance(refresh_token, str) else None)

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


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client: loading the CA bundle costs ~70 ms each time."""
    return httpx.create_ssl_context()


def _page_items(method: str, result: Any, key: str | None) -> list[Any]:
    """The list inside one page's result."""
    if key is not None:
        if isinstance(result, Mapping):
            inner = result.get(key, [])
        elif result in ([], None):
            inner = []  # PHP writes an empty map as []
        else:
            inner = None
        if isinstance(inner, list):
            return list(inner)
        if isinstance(inner, Mapping):
            return list(inner.values())
        raise PortalError(f"{method}: expected a list under {key!r} in the result", method=method)
    if isinstance(result, list):
        return list(result)
    if result is None:
        return []
    if isinstance(result, Mapping):
        lists = [value for value in result.values() if isinstance(value, list)]
        if len(result) == 1 and len(lists) == 1:
            return list(lists[0])
    raise PortalError(f"{method}: expected a list result; pass key= naming the list inside it", method=method)


def _chunks(commands: Sequence[Command], size: int) -> Iterator[Sequence[Command]]:
    for index in range(0, len(commands), size):
        yield commands[index : index + size]


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


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


def _complete_batch(outer: Any, keys: Sequence[str]) -> bool:
    """A batch answer has a result or an error for each command (``halt`` stops after an error)."""
    if not isinstance(outer, Mapping):
        return False
    done = set(as_map(outer.get("result"))) | set(as_map(outer.get("result_error")))
    return bool(as_map(outer.get("result_error"))) or all(key in done for key in keys)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def _describe(exc: httpx.HTTPError) -> str:
    """What went wrong, without the URL httpx may have put into the message."""
    text = redact(str(exc)).split(" for url ")[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _outcome_unknown(method: str, host: str, reason: str) -> OutcomeUnknown:
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

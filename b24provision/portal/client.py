"""The REST client: one place where HTTP, auth, batching, paging, throttling and retries live.

Everything else in b24provision talks to a portal through :class:`PortalClient` and never sees
httpx. Calls are POSTs with a JSON body (reference §1.3); ``batch`` sends up to 50 sub-commands in
one request, each a ``"method?php-bracket-query"`` string (:mod:`.encoding`).

**Retries follow one rule: repeat a request only when repeating it cannot do harm.**

* ``503 QUERY_LIMIT_EXCEEDED`` and ``429 OPERATION_TIME_LIMIT`` mean the portal refused the call
  without running it, so any call, writes included, is retried after a wait (exponential backoff
  with jitter for 503; until ``operating_reset_at`` for 429, capped by ``max_wait``).
* A connection refused or a connect timeout means nothing was sent: retried.
* A timeout, a dropped connection or a 5xx after the request went out leaves the outcome unknown.
  A read (see :func:`.envelope.is_read`) is retried; a write is **never** resent, because a second
  ``crm.status.add`` would make a second stage. It raises :class:`OutcomeUnknown` instead, and the
  caller must re-read the portal.
* An OAuth ``401 expired_token`` means the call was rejected: the token is refreshed once and the
  call repeated.

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
import time
from collections.abc import Iterator, Mapping, Sequence
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

_BATCH_REF = re.compile(r"\$result\[([^\[\]&=]*)\]")


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


class _NotSent(Exception):
    """The request never reached the portal (connection refused, connect timeout): safe to repeat."""


class _NoAnswer(Exception):
    """The request may have reached the portal, but no answer came back: the outcome is unknown."""


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
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate: RateLimit | None = RateLimit(burst=50, per_second=2.0),  # noqa: B008 (frozen value)
        timeout: float = 30.0,
        retries: int = 5,
        max_wait: float = 60.0,
        backoff: float = 0.5,
    ) -> None:
        self.credentials = credentials
        self.retries = retries
        self.max_wait = max_wait
        self.backoff = backoff
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
                            f"batch_all: command {command.key!r} refers to $result[{ref}] outside its batch "
                            "of 50; send dependent commands together with batch()"
                        )
            reply.merge(self.batch(chunk))
        return reply

    # --- transport ---------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any], *, read: bool) -> dict[str, Any]:
        """POST one call, retrying only where that is safe; the envelope on success."""
        refreshed = False
        attempt = 0
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
                self._pause(self._backoff_delay(attempt))
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
                self._pause(self._backoff_delay(attempt))
                attempt += 1
                continue

            status = response.status_code
            data = _json_object(response)
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
                self._pause(self._backoff_delay(attempt))
                attempt += 1
                continue
            if code == "OPERATION_TIME_LIMIT":
                if last:
                    raise _rate_limited(method, status, code, words, attempt + 1)
                self._pause(self._operating_delay(data or {}, response, attempt))
                attempt += 1
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
                    self._pause(self._backoff_delay(attempt))
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
            return self._http.post(url, content=content, headers={"Content-Type": "application/json"})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _NotSent(_describe(exc)) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _NoAnswer(_describe(exc)) from None
        except httpx.HTTPError as exc:
            raise PortalError(
                f"{method}: request to {self.host} failed: {_describe(exc)}", method=method
            ) from None

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
            response = self._http.get(credentials.token_url, params=query)
        except httpx.HTTPError as exc:
            raise PortalAuthError(
                f"OAuth token refresh for {self.host} failed: {_describe(exc)}; check the network, try again"
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

    def _operating_delay(self, data: Mapping[str, Any], response: httpx.Response, attempt: int) -> float:
        """Until the method's operating-time window frees up (``operating_reset_at``, a unix time).

        Where a real 429 carries it is UNVERIFIED (error answers have no ``time`` block, reference
        §2.1): look at the top level, then in ``time``, then at Retry-After, else back off.
        """
        timing = data.get("time")
        reset_at = optional_int(data.get("operating_reset_at"))
        if reset_at is None and isinstance(timing, Mapping):
            reset_at = optional_int(timing.get("operating_reset_at"))
        if reset_at is not None:
            return max(0.0, min(self.max_wait, reset_at - time.time()))
        retry_after = optional_int(response.headers.get("Retry-After"))
        if retry_after is not None:
            return max(0.0, min(self.max_wait, float(retry_after)))
        return self._backoff_delay(attempt)

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


def _describe(exc: httpx.HTTPError) -> str:
    """What went wrong, without the URL httpx may have put into the message."""
    text = redact(str(exc)).split(" for url ")[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _outcome_unknown(method: str, host: str, reason: str) -> OutcomeUnknown:
    return OutcomeUnknown(
        f"{method}: sent to {host}, but no usable answer came back ({reason}); the write may or may not "
        "have happened, so it was not repeated — re-read the portal (e.g. run `b24provision plan`) "
        "before trying again",
        method=method,
    )


def _rate_limited(method: str, status: int, code: str, words: Any, attempts: int) -> PortalRateLimited:
    text = portal_words(words) or "the portal refused the call for its rate limit"
    return PortalRateLimited(
        f"{method}: {text} ({code or status}) — still refused after {attempts} attempts; "
        "wait a few minutes and run again, or lower the request rate for this portal",
        method=method,
        code=code,
        status=status,
    )


def _not_rest(method: str, host: str, status: int) -> PortalError:
    text = f"{method}: {host} answered HTTP {status}, not a Bitrix24 REST reply; check the portal address"
    if status == 404:
        return PortalNotFound(text, method=method, status=status)
    return PortalError(text, method=method, status=status)

"""The REST client: the one way b24provision talks to a portal (calls, paging, batches).

Everything else in b24provision talks to a portal through :class:`PortalClient` and never sees
httpx. Calls are POSTs with a JSON body (reference §1.3); ``batch`` sends up to 50 sub-commands in
one request, each a ``"method?php-bracket-query"`` string (:mod:`.encoding`); ``call_all`` and
``call_list_batched`` read every page of a list method.

The layers under it, each in its own module: :mod:`.retry` (**repeat a request only when repeating
it cannot do harm**: refused for the rate, not sent, or a read; a write whose outcome is unknown
raises :class:`~b24provision.errors.OutcomeUnknown`), :mod:`.exchange` (one HTTP request, its
answer read up to a cap, OAuth refresh, no URL in any error or log line) and :mod:`.throttle`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from b24provision.errors import PortalError
from b24provision.portal.credentials import Credentials
from b24provision.portal.encoding import encode_query
from b24provision.portal.envelope import (
    BatchReply,
    Command,
    Reply,
    as_map,
    is_read,
    optional_int,
    portal_error,
)
from b24provision.portal.exchange import DEFAULT_TIMEOUT, MAX_RESPONSE_BYTES, MAX_TIMEOUT
from b24provision.portal.retry import Notify, RetryingSender, notify_stderr, outcome_unknown
from b24provision.portal.throttle import LeakyBucket, RateLimit

__all__ = [
    "BATCH_LIMIT",
    "DEFAULT_TIMEOUT",
    "MAX_RESPONSE_BYTES",
    "MAX_TIMEOUT",
    "PAGE_SIZE",
    "BatchReply",
    "Command",
    "Notify",
    "PortalClient",
    "RateLimit",
    "Reply",
    "notify_stderr",
]

BATCH_LIMIT = 50
"""Sub-commands per batch request (``CRestUtil::BATCH_MAX_LENGTH``, reference §4)."""
PAGE_SIZE = 50
"""Items per page of a list method (reference §3.3)."""

# A reference to an earlier command of the same batch, by the core's names (reference §13.6):
# $result[key], $next[key], $total[key], $error[key], $time[key].
_BATCH_REF = re.compile(r"\$(?:result|next|total|time|error)\[([^\[\]&=]*)\]")


class PortalClient(RetryingSender):
    """A Bitrix24 REST client for one portal.

    Args:
        credentials: a webhook or an OAuth application.
        rate: the portal's request rate to stay under (None: no client-side throttle), or a
            :class:`~.throttle.LeakyBucket` already made (several clients of one portal can share one).
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
        rate: RateLimit | LeakyBucket | None = RateLimit(burst=50, per_second=2.0),  # noqa: B008 (frozen value)
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 5,
        max_wait: float = 60.0,
        backoff: float = 0.5,
        operating_wait: float = 660.0,
        notify: Notify | None = notify_stderr,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        super().__init__(
            credentials,
            rate=rate,
            timeout=timeout,
            max_response_bytes=max_response_bytes,
            retries=retries,
            max_wait=max_wait,
            backoff=backoff,
            operating_wait=operating_wait,
            notify=notify,
        )

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
            raise outcome_unknown("batch", self.host, "the answer lacks the results of its commands")
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


def _complete_batch(outer: Any, keys: Sequence[str]) -> bool:
    """A batch answer has a result or an error for each command (``halt`` stops after an error)."""
    if not isinstance(outer, Mapping):
        return False
    done = set(as_map(outer.get("result"))) | set(as_map(outer.get("result_error")))
    return bool(as_map(outer.get("result_error"))) or all(key in done for key in keys)

"""One HTTP exchange with a portal: a POST, its answer read up to a cap, and the OAuth token refresh.

:class:`HttpExchange` is the lowest layer of :class:`~b24provision.portal.client.PortalClient`: it
sends one request and hands back the answer, or says which of two things went wrong, because the
retry rule (:mod:`.retry`) depends on it: :class:`NotSent` (connection refused, connect timeout:
nothing reached the portal) or :class:`NoAnswer` (the request may have reached it; the outcome is
unknown). It never repeats anything itself.

One answer is read up to ``max_response_bytes`` (:data:`MAX_RESPONSE_BYTES`, 32 MiB): the body is
streamed and the read stops there (:class:`TooLarge`), so a runaway answer cannot grow the process
without bound.

Secrets: the webhook URL (and an OAuth token) is the credential. httpx puts URLs into its
exceptions and its INFO log lines, so exceptions are translated here, at the boundary, into our
own errors with no URL (``raise ... from None`` so the httpx exception is not chained), and the
``httpx`` logger gets a filter that redacts what it logs.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
from typing import Any

import httpx

from b24provision import __version__
from b24provision.errors import PortalAuthError, PortalError, redact
from b24provision.portal.credentials import Credentials, OAuthCredentials
from b24provision.portal.envelope import optional_int, portal_words
from b24provision.portal.throttle import LeakyBucket, RateLimit
from b24provision.portal.trace import transport as trace_transport

MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The most read from one answer (after decompression); more is an error, not a bigger process."""
DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for connect, send and each read of an answer (``B24_TIMEOUT``, profile ``timeout:``)."""
MAX_TIMEOUT = 3600.0
"""The longest timeout a setting may ask for."""


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


class NotSent(Exception):
    """The request never reached the portal (connection refused, connect timeout): safe to repeat."""


class NoAnswer(Exception):
    """The request may have reached the portal, but no answer came back: the outcome is unknown."""


class TooLarge(Exception):
    """The answer is larger than ``max_response_bytes``: the read was stopped there."""


class HttpExchange:
    """Sends one request to one portal and reads its answer; knows nothing of retries.

    Args:
        credentials: a webhook or an OAuth application.
        rate: the portal's request rate to stay under (None: no client-side throttle), or a
            :class:`LeakyBucket` already made (shared by several clients of one portal, or on a clock
            a test moves).
        timeout: seconds to wait for connect, send and answer.
        max_response_bytes: the most read from one answer; a larger one is an error.
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        rate: RateLimit | LeakyBucket | None,
        timeout: float,
        max_response_bytes: int,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        """Seconds to wait for connect, send and each read of an answer."""
        self.max_response_bytes = max_response_bytes
        self.request_count = 0
        """HTTP requests sent to the portal's REST API, retries included (token refreshes are not)."""
        self._bucket = LeakyBucket(rate) if isinstance(rate, RateLimit) else rate
        self._http = httpx.Client(
            verify=ssl_context(),
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/json", "User-Agent": f"b24provision/{__version__}"},
            follow_redirects=False,
            transport=trace_transport(ssl_context()),  # --trace: records at the HTTP layer
        )

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The portal's host, safe to print (``Portal: <host>``)."""
        return self.credentials.host

    def close(self) -> None:
        self._http.close()

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
            raise NotSent(describe(exc)) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise NoAnswer(describe(exc)) from None
        except httpx.HTTPError as exc:
            raise PortalError(
                f"{method}: request to {self.host} failed: {describe(exc)}", method=method
            ) from None

    def _post_capped(self, url: str, content: bytes) -> httpx.Response:
        """POST and read the answer, at most ``max_response_bytes`` of it (decompressed)."""
        request = self._http.build_request(
            "POST", url, content=content, headers={"Content-Type": "application/json"}
        )
        return self._read_capped(request)

    def _read_capped(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; read its answer up to ``max_response_bytes``, else raise TooLarge."""
        limit = self.max_response_bytes
        response = self._http.send(request, stream=True)
        try:
            declared = optional_int(response.headers.get("Content-Length"))
            if declared is not None and declared > limit and "Content-Encoding" not in response.headers:
                raise TooLarge()
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise TooLarge()
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
                f"OAuth token refresh for {self.host} failed: {describe(exc)}; check the network, try again"
            ) from None
        except TooLarge:
            raise PortalAuthError(
                f"OAuth token refresh for {self.host}: the OAuth server's answer is over "
                f"{readable_size(self.max_response_bytes)}, so it was not read; check token_url"
            ) from None
        data = json_object(response) or {}
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


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client: loading the CA bundle costs ~70 ms each time."""
    return httpx.create_ssl_context()


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's body as a JSON object, or None when it is not one."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def readable_size(count: int) -> str:
    """ "32 MiB", "512 bytes": a size limit, for people."""
    return f"{count / (1024 * 1024):g} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def describe(exc: httpx.HTTPError) -> str:
    """What went wrong, without the URL httpx may have put into the message."""
    text = redact(str(exc)).split(" for url ")[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

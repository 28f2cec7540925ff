"""How the client proves who it is to a portal: an incoming webhook or an OAuth application.

A **webhook** URL, ``https://<portal>/rest/<user id>/<code>/``, is the credential itself: the code
is a password (reference §1.1). Methods are called as ``<webhook url><method>``.

An **OAuth application** calls ``<client_endpoint><method>`` (``client_endpoint`` is
``https://<portal>/rest/`` from the token response) with ``auth=<access token>``. The access token
lives an hour; a new one comes from the OAuth server with ``grant_type=refresh_token``, and every
refresh also returns a new refresh token that must replace the old one (reference §1.2).

Both objects hold secrets: their ``repr``/``str`` show only the host, and no error built here
contains a code or token. Each secret is also registered with :func:`errors.hide_secret`, so that
:func:`errors.redact` hides it by its value wherever it might turn up (an error, a log line, a
progress line), not only where it matches a URL pattern.

A URL is checked here, once: scheme, host (an IPv6 address in brackets), port (1-65535), no
control characters or spaces — each wrong one is one :class:`ConfigError` that never repeats the URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from b24provision.errors import ConfigError, hide_secret

__all__ = ["WebhookCredentials", "OAuthCredentials", "Credentials", "DEFAULT_TOKEN_URL", "endpoint_host"]

DEFAULT_TOKEN_URL = "https://oauth.bitrix.info/oauth/token/"

# /rest/<user id>/<code>/ and, tolerated because the portal's UI shows such sample URLs, a method
# name after it (".../profile.json") which is dropped.
_WEBHOOK_PATH = re.compile(r"^(?P<prefix>/(?:.*/)?)rest/(?P<user>\d+)/(?P<code>[^/]+)(?:/[^/]*)?/?$")
_WEBHOOK_SHAPE = "https://<portal>/rest/<user id>/<code>/"


_COPY_AGAIN = "copy it again from the portal (Developer resources > Other > Incoming webhook)"
_ENDPOINT = "the OAuth client_endpoint (https://<portal>/rest/)"
_ENDPOINT_HINT = "copy it from the token response (client_endpoint)"
_BAD_CHARACTER = re.compile(r"[\x00-\x20\x7f]")


def _split(url: str, what: str, hint: str) -> SplitResult:
    """``url`` split, with a scheme, a host and a valid port; one ConfigError (never the URL) if not.

    Args:
        what: what the URL is, for the message ("a webhook URL", "the OAuth client_endpoint").
        hint: what to do about it.
    """
    bad = _BAD_CHARACTER.search(url)
    if bad is not None:
        kind = "a space" if bad.group() == " " else "a control character"
        raise ConfigError(f"{what} holds {kind} (at position {bad.start() + 1}); {hint}")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        text = str(exc)
        if "IPv6" in text:
            why = "a malformed IPv6 address (it goes in brackets: https://[2001:db8::1]:8443/)"
        elif "Port" in text or "port" in text:
            why = "a port that is not a number from 1 to 65535"
        else:
            why = "a malformed host"
        raise ConfigError(f"{what} has {why}; {hint}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{what} has no http(s) scheme and host; {hint}")
    if port == 0:
        raise ConfigError(f"{what} has a port that is not a number from 1 to 65535; {hint}")
    if "%" in host:
        raise ConfigError(f"{what} has an IPv6 zone (%...), which cannot be used here; {hint}")
    return parts


def _netloc(parts: SplitResult) -> str:
    """Host and port, never "user:password@"; an IPv6 address in brackets."""
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def _netloc_of(url: str) -> str:
    return _netloc(urlsplit(url))


def endpoint_host(client_endpoint: str) -> str:
    """The host (and port) of an OAuth ``client_endpoint``, safe to print.

    Raises:
        ConfigError: the URL is malformed (see :func:`_split`).
    """
    return _netloc(_split(client_endpoint, _ENDPOINT, _ENDPOINT_HINT))


class WebhookCredentials:
    """An incoming webhook URL, ``https://<portal>/rest/<user id>/<code>/``."""

    def __init__(self, url: str) -> None:
        url = url.strip()
        parts = _split(url, f"a webhook URL ({_WEBHOOK_SHAPE})", _COPY_AGAIN)
        match = _WEBHOOK_PATH.match(parts.path)
        if match is None:
            raise ConfigError(
                f"the webhook URL for {_netloc(parts)} must look like {_WEBHOOK_SHAPE}; {_COPY_AGAIN}"
            )
        self._scheme = parts.scheme
        self._netloc = _netloc(parts)
        self._prefix = match["prefix"]
        self.user_id = int(match["user"])
        self._code = match["code"]
        hide_secret(self._code)

    @property
    def host(self) -> str:
        """The portal's host name, safe to print."""
        return self._netloc

    @property
    def base_url(self) -> str:
        """The webhook URL with a trailing slash; a method name appended to it gives the call URL.

        This holds the secret code: never print or log it.
        """
        return f"{self._scheme}://{self._netloc}{self._prefix}rest/{self.user_id}/{self._code}/"

    def __repr__(self) -> str:
        return f"WebhookCredentials({self._scheme}://{self._netloc}{self._prefix}rest/{self.user_id}/***/)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WebhookCredentials) and other.base_url == self.base_url

    def __hash__(self) -> int:
        return hash(self.base_url)


class OAuthCredentials:
    """An OAuth application's tokens for one portal; refreshed by the client when they expire.

    Args:
        client_endpoint: the portal's REST base, ``https://<portal>/rest/``.
        client_id: the application's id (``app.xxxx`` or ``local.xxxx``).
        client_secret: the application's secret.
        refresh_token: a refresh token; replaced on every refresh (``.refresh_token`` holds the latest).
        access_token: a current access token, if one is known; otherwise the first call gets one.
        token_url: the OAuth server's token endpoint.
        on_token_refresh: called with these credentials after each refresh, to store the new
            refresh token (it is valid for 180 days, and the old one stops working).
    """

    def __init__(
        self,
        client_endpoint: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        access_token: str | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        *,
        on_token_refresh: Callable[[OAuthCredentials], None] | None = None,
    ) -> None:
        _split(client_endpoint, _ENDPOINT, _ENDPOINT_HINT)
        _split(token_url, "the OAuth token_url", f"leave it out for the default, {DEFAULT_TOKEN_URL}")
        if not client_id or not client_secret or not refresh_token:
            raise ConfigError("OAuth credentials need client_id, client_secret and refresh_token")
        for secret in (client_secret, refresh_token, access_token):
            hide_secret(secret)
        self.client_endpoint = client_endpoint if client_endpoint.endswith("/") else client_endpoint + "/"
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.access_token = access_token
        self.token_url = token_url
        self.on_token_refresh = on_token_refresh

    @property
    def host(self) -> str:
        """The portal's host name, safe to print."""
        return _netloc_of(self.client_endpoint)

    @property
    def base_url(self) -> str:
        """The REST base; holds no secret (the token travels in the request body)."""
        return self.client_endpoint

    def update_tokens(self, access_token: str, refresh_token: str | None) -> None:
        """Keep what a token response returned, and tell the owner (``on_token_refresh``).

        The response's ``client_endpoint`` is not taken: the portal the user configured stays the one
        called.
        """
        self.access_token = access_token
        hide_secret(access_token)
        if refresh_token:
            self.refresh_token = refresh_token
            hide_secret(refresh_token)
        if self.on_token_refresh is not None:
            self.on_token_refresh(self)

    def __repr__(self) -> str:
        return f"OAuthCredentials({self.client_endpoint}, client_id={self.client_id!r}, tokens=***)"

    __str__ = __repr__


Credentials = WebhookCredentials | OAuthCredentials

"""How the client proves who it is to a portal: an incoming webhook or an OAuth application.

A **webhook** URL, ``https://<portal>/rest/<user id>/<code>/``, is the credential itself: the code
is a password (reference §1.1). Methods are called as ``<webhook url><method>``.

An **OAuth application** calls ``<client_endpoint><method>`` (``client_endpoint`` is
``https://<portal>/rest/`` from the token response) with ``auth=<access token>``. The access token
lives an hour; a new one comes from the OAuth server with ``grant_type=refresh_token``, and every
refresh also returns a new refresh token that must replace the old one (reference §1.2).

Both objects hold secrets: their ``repr``/``str`` show only the host, and no error built here
contains a code or token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from b24provision.errors import ConfigError

__all__ = ["WebhookCredentials", "OAuthCredentials", "Credentials", "DEFAULT_TOKEN_URL"]

DEFAULT_TOKEN_URL = "https://oauth.bitrix.info/oauth/token/"

# /rest/<user id>/<code>/ and, tolerated because the portal's UI shows such sample URLs, a method
# name after it (".../profile.json") which is dropped.
_WEBHOOK_PATH = re.compile(r"^(?P<prefix>/(?:.*/)?)rest/(?P<user>\d+)/(?P<code>[^/]+)(?:/[^/]*)?/?$")
_WEBHOOK_SHAPE = "https://<portal>/rest/<user id>/<code>/"


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname or ""


def _netloc_of(url: str) -> str:
    # Host and port, never "user:password@".
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


class WebhookCredentials:
    """An incoming webhook URL, ``https://<portal>/rest/<user id>/<code>/``."""

    def __init__(self, url: str) -> None:
        url = url.strip()
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            raise ConfigError(
                f"a webhook URL must look like {_WEBHOOK_SHAPE}: this one has no http(s) scheme and host; "
                "copy it again from the portal (Developer resources > Other > Incoming webhook)"
            )
        match = _WEBHOOK_PATH.match(parts.path)
        if match is None:
            raise ConfigError(
                f"the webhook URL for {host} must look like {_WEBHOOK_SHAPE}; "
                "copy it again from the portal (Developer resources > Other > Incoming webhook)"
            )
        self._scheme = parts.scheme
        self._netloc = _netloc_of(url)
        self._prefix = match["prefix"]
        self.user_id = int(match["user"])
        self._code = match["code"]

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
        parts = urlsplit(client_endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                "an OAuth client_endpoint must look like https://<portal>/rest/ "
                "(it is in the token response as client_endpoint)"
            )
        if not client_id or not client_secret or not refresh_token:
            raise ConfigError("OAuth credentials need client_id, client_secret and refresh_token")
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
        if refresh_token:
            self.refresh_token = refresh_token
        if self.on_token_refresh is not None:
            self.on_token_refresh(self)

    def __repr__(self) -> str:
        return f"OAuthCredentials({self.client_endpoint}, client_id={self.client_id!r}, tokens=***)"

    __str__ = __repr__


Credentials = WebhookCredentials | OAuthCredentials

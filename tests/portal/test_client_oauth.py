"""An OAuth application's client: tokens are fetched, refreshed on expiry, and the new refresh token kept."""

from __future__ import annotations

import httpx
import pytest

from b24provision.errors import PortalAuthError
from b24provision.portal import OAuthCredentials, PortalClient


def _credentials(server, app, refresh_token, **kwargs):
    return OAuthCredentials(
        f"{server.url}/rest/",
        *app,
        refresh_token,
        token_url=f"{server.url}/oauth/token/",
        **kwargs,
    )


def test_first_call_gets_a_token_and_keeps_the_new_refresh_token(server, emulator, oauth_app):
    first = emulator.issue_refresh_token(oauth_app[0])
    seen = []
    credentials = _credentials(
        server, oauth_app, first, on_token_refresh=lambda c: seen.append(c.refresh_token)
    )
    with PortalClient(credentials, rate=None) as client:
        assert client.call("app.info").result
    assert credentials.access_token and credentials.refresh_token != first
    assert seen == [credentials.refresh_token]
    assert client.host == server.url.removeprefix("http://")


def test_expired_access_token_is_refreshed_once_and_the_call_repeated(server, emulator, oauth_app):
    # A token that is already expired when it is issued.
    emulator.settings.access_token_ttl = -10
    answer = httpx.get(
        f"{server.url}/oauth/token/",
        params={
            "grant_type": "refresh_token",
            "client_id": oauth_app[0],
            "client_secret": oauth_app[1],
            "refresh_token": emulator.issue_refresh_token(oauth_app[0]),
        },
    ).json()
    emulator.settings.access_token_ttl = 3600
    credentials = _credentials(
        server, oauth_app, answer["refresh_token"], access_token=answer["access_token"]
    )
    with PortalClient(credentials, rate=None) as client:
        reply = client.call("crm.dealcategory.add", {"fields": {"NAME": "Made by the app"}})
    assert reply.result
    assert credentials.access_token != answer["access_token"]
    assert credentials.refresh_token != answer["refresh_token"]
    added = [r for r in emulator.request_log if r.method == "crm.dealcategory.add"]
    assert [(r.status, r.executed) for r in added] == [(401, False), (200, True)]


def test_refused_refresh_token_is_an_auth_error_without_secrets(server, emulator, oauth_app):
    credentials = _credentials(server, oauth_app, "revokedREFRESHtoken77")
    with PortalClient(credentials, rate=None) as client, pytest.raises(PortalAuthError) as info:
        client.call("profile")
    message = str(info.value)
    assert "Invalid refresh token (invalid_grant)" in message and "re-authorize" in message
    assert "revokedREFRESHtoken77" not in message and oauth_app[1] not in message
    assert client.request_count == 0


def test_an_oversized_token_answer_is_one_clear_error(server, emulator, oauth_app):
    """The OAuth server's answer is read with the same cap as the portal's (here: 100 bytes)."""
    credentials = _credentials(server, oauth_app, emulator.issue_refresh_token(oauth_app[0]))
    with PortalClient(credentials, rate=None, max_response_bytes=100) as client:
        with pytest.raises(PortalAuthError, match="the OAuth server's answer is over 100 bytes"):
            client.call("app.info")
    assert oauth_app[1] not in str(credentials) and credentials.access_token is None

"""Secrets never show: not in a repr, not in an error, not in a log line; and errors read well."""

from __future__ import annotations

import logging
import socket

import pytest

from b24provision.errors import (
    ConfigError,
    OutcomeUnknown,
    PortalAuthError,
    PortalError,
    PortalNotFound,
    PortalRateLimited,
)
from b24provision.portal import OAuthCredentials, PortalClient, WebhookCredentials
from b24provision.portal.envelope import is_read, portal_error

SECRET = "s3cr3tc0de9x7q"


def test_webhook_url_is_parsed():
    creds = WebhookCredentials(f"https://acme.bitrix24.ru/rest/7/{SECRET}/")
    assert creds.host == "acme.bitrix24.ru"
    assert creds.user_id == 7
    assert creds.base_url == f"https://acme.bitrix24.ru/rest/7/{SECRET}/"


@pytest.mark.parametrize(
    "url",
    [
        f"https://acme.bitrix24.ru/rest/7/{SECRET}",
        f"  https://acme.bitrix24.ru/rest/7/{SECRET}/profile.json ",
    ],
)
def test_webhook_url_tolerates_missing_slash_and_a_sample_method(url):
    assert WebhookCredentials(url).base_url == f"https://acme.bitrix24.ru/rest/7/{SECRET}/"


def test_local_webhook_keeps_its_port():
    creds = WebhookCredentials(f"http://127.0.0.1:8123/rest/1/{SECRET}/")
    assert creds.host == "127.0.0.1:8123"
    assert creds.base_url == f"http://127.0.0.1:8123/rest/1/{SECRET}/"


def test_reprs_hide_the_secret():
    creds = WebhookCredentials(f"https://acme.bitrix24.ru/rest/1/{SECRET}/")
    assert repr(creds) == "WebhookCredentials(https://acme.bitrix24.ru/rest/1/***/)"
    assert SECRET not in str(creds)
    with PortalClient(creds) as client:
        assert SECRET not in repr(client)
        assert client.host == "acme.bitrix24.ru"
    oauth = OAuthCredentials(
        "https://acme.bitrix24.ru/rest/", "app.1", SECRET + "cs", SECRET + "rt", access_token=SECRET + "at"
    )
    assert SECRET not in repr(oauth) and SECRET not in str(oauth)
    assert oauth.host == "acme.bitrix24.ru"


@pytest.mark.parametrize(
    "url",
    [
        f"acme.bitrix24.ru/rest/1/{SECRET}/",
        f"https://acme.bitrix24.ru/{SECRET}/",
        f"https://acme.bitrix24.ru/rest/{SECRET}/",
        f"ftp://acme.bitrix24.ru/rest/1/{SECRET}/",
    ],
)
def test_bad_webhook_url_is_a_config_error_without_the_secret(url):
    with pytest.raises(ConfigError) as info:
        WebhookCredentials(url)
    assert SECRET not in str(info.value)
    assert "/rest/<user id>/<code>/" in str(info.value)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_portal_error_has_no_url(caplog):
    # Nothing listens on the port: connection refused, retried (safe), then one clear error.
    creds = WebhookCredentials(f"http://127.0.0.1:{_free_port()}/rest/1/{SECRET}/")
    caplog.set_level(logging.DEBUG)
    with (
        PortalClient(creds, retries=1, backoff=0.001, rate=None) as client,
        pytest.raises(PortalError) as info,
    ):
        client.call("crm.status.add", {"fields": {"NAME": "x"}})
    error = info.value
    assert "crm.status.add: cannot reach 127.0.0.1" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error)
    assert error.__cause__ is None and error.__suppress_context__
    assert client.request_count == 2
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("status", "code", "words", "kind", "message"),
    [
        (
            400,
            "",
            "The field STATUS_ID is required.",
            PortalError,
            "crm.status.add: The field STATUS_ID is required.",
        ),
        (
            400,
            "ERROR_CORE",
            "Field name is too long (more than 50 characters).<br>",
            PortalError,
            "crm.status.add: Field name is too long (more than 50 characters). (ERROR_CORE)",
        ),
        (400, "", "A\nB", PortalError, "crm.status.add: A; B"),
        (
            404,
            "ERROR_METHOD_NOT_FOUND",
            "Method not found!",
            PortalNotFound,
            "crm.status.add: Method not found! (ERROR_METHOD_NOT_FOUND)",
        ),
        (
            400,
            "ERROR_NOT_FOUND",
            "The entity with ID '5' is not found.",
            PortalNotFound,
            "crm.status.add: The entity with ID '5' is not found. (ERROR_NOT_FOUND)",
        ),
        (400, "", "Not found", PortalNotFound, "crm.status.add: Not found"),
        (
            401,
            "INVALID_CREDENTIALS",
            "Invalid request credentials",
            PortalAuthError,
            "crm.status.add: Invalid request credentials (INVALID_CREDENTIALS) — check the webhook URL",
        ),
        (
            401,
            "insufficient_scope",
            "The request requires higher privileges",
            PortalAuthError,
            "crm.status.add: The request requires higher privileges (insufficient_scope) — give the webhook",
        ),
        (
            403,
            "ACCESS_DENIED",
            "Access denied! Application context required",
            PortalAuthError,
            "needs an OAuth application; a webhook cannot call it",
        ),
        (
            503,
            "OVERLOAD_LIMIT",
            "REST API is blocked due to overload",
            PortalRateLimited,
            "crm.status.add: REST API is blocked due to overload (OVERLOAD_LIMIT)",
        ),
    ],
)
def test_portal_errors_carry_method_words_and_code(status, code, words, kind, message):
    error = portal_error("crm.status.add", status, code, words)
    assert type(error) is kind
    assert message in str(error)
    assert (error.method, error.code, error.status) == ("crm.status.add", code, status)
    assert "<br>" not in str(error)


def test_outcome_unknown_is_a_portal_error():
    assert issubclass(OutcomeUnknown, PortalError)


@pytest.mark.parametrize(
    ("method", "read"),
    [
        ("crm.status.list", True),
        ("crm.category.get", True),
        ("crm.deal.userfield.list", True),
        ("crm.deal.fields", True),
        ("crm.status.entity.types", True),
        ("app.info", True),
        ("profile", True),
        ("server.time", True),
        ("crm.status.add", False),
        ("crm.category.update", False),
        ("crm.deal.userfield.delete", False),
        ("bizproc.robot.add", False),
    ],
)
def test_reads_and_writes(method, read):
    assert is_read(method) is read

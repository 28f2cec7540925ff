"""--portal specs: the embedded emulator, a webhook from the environment, and clear refusals."""

from __future__ import annotations

import re
import time

import pytest

from b24provision.errors import ConfigError, PortalError
from b24provision.portal import describe_portal, open_portal

SECRET = "envSECRETcode5511"


def test_local_portal_runs_the_emulator_with_state_in_the_state_dir(tmp_path):
    with open_portal("local", state_dir=tmp_path / "state") as client:
        client.call("crm.dealcategory.add", {"fields": {"NAME": "Kept"}})
        assert client.host.startswith("127.0.0.1:")
    assert (tmp_path / "state" / "local.sqlite").exists()
    # The state survives: a second run sees the pipeline.
    with open_portal("local", state_dir=tmp_path / "state") as client:
        names = [
            c["name"] for c in client.call("crm.category.list", {"entityTypeId": 2}).result["categories"]
        ]
    assert "Kept" in names
    assert describe_portal("local", state_dir=tmp_path / "state") == (
        f"local emulator ({tmp_path / 'state' / 'local.sqlite'})"
    )


def test_local_file_portal(tmp_path):
    file = tmp_path / "staging.sqlite"
    with open_portal(f"local:{file}") as client:
        assert client.call("profile").result
    assert file.exists()
    assert str(file) in describe_portal(f"local:{file}")


def test_env_portal_uses_the_webhook_in_the_variable(monkeypatch, server):
    monkeypatch.setenv("B24_TEST_HOOK", server.webhook_url)
    with open_portal("env:B24_TEST_HOOK") as client:
        assert client.call("profile").result
    assert describe_portal("env:B24_TEST_HOOK") == server.url.removeprefix("http://")


def test_env_portal_with_missing_variable_names_it(monkeypatch):
    monkeypatch.delenv("B24_NOPE", raising=False)
    with pytest.raises(ConfigError, match="environment variable B24_NOPE is not set"):
        open_portal("env:B24_NOPE")


def test_env_portal_with_a_bad_url_names_the_variable_not_the_value(monkeypatch):
    monkeypatch.setenv("B24_BAD", f"https://acme.bitrix24.ru/{SECRET}")
    with pytest.raises(ConfigError) as info:
        describe_portal("env:B24_BAD")
    assert "B24_BAD" in str(info.value) and SECRET not in str(info.value)


def test_unknown_portal_says_what_is_accepted():
    with pytest.raises(ConfigError, match="unknown portal 'prod': use local, local:FILE or env:VAR"):
        open_portal("prod")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            f"https://acme.bitrix24.ru:99999/rest/1/{SECRET}/",
            "has a port that is not a number from 1 to 65535",
        ),
        (
            f"https://acme.bitrix24.ru:443x/rest/1/{SECRET}/",
            "has a port that is not a number from 1 to 65535",
        ),
        (f"https://acme.bitrix24.ru:0/rest/1/{SECRET}/", "has a port that is not a number from 1 to 65535"),
        (f"https://[2001:db8::1/rest/1/{SECRET}/", "has a malformed IPv6 address (it goes in brackets"),
        (f"https://[fe80::1%eth0]/rest/1/{SECRET}/", "has an IPv6 zone"),
        (f"https://acme.bitrix24.ru/rest/1/{SECRET}\x01/", "holds a control character (at position"),
        (f"https://acme.bitrix24.ru/rest/1/{SECRET} x/", "holds a space (at position"),
        (
            f"https://acme.bitrix24.ru/api/1/{SECRET}/",
            "must look like https://<portal>/rest/<user id>/<code>/",
        ),
        (f"acme.bitrix24.ru/rest/1/{SECRET}/", "has no http(s) scheme and host"),
    ],
    ids=[
        "port-range",
        "port-text",
        "port-zero",
        "ipv6-open",
        "ipv6-zone",
        "control",
        "space",
        "no-rest",
        "no-scheme",
    ],
)
def test_a_malformed_webhook_url_is_one_line_without_the_secret(monkeypatch, url, says):
    monkeypatch.setenv("B24_BAD", url)
    for attempt in (describe_portal, open_portal):
        with pytest.raises(ConfigError) as info:
            attempt("env:B24_BAD")
        message = str(info.value)
        assert message.startswith("environment variable B24_BAD: ") and says in message, message
        assert SECRET not in message and "\n" not in message


def test_an_ipv6_webhook_url_is_called_with_brackets(monkeypatch):
    from b24provision.portal import WebhookCredentials

    credentials = WebhookCredentials(f"http://[::1]:8024/rest/1/{SECRET}/")
    assert credentials.host == "[::1]:8024"
    assert credentials.base_url == f"http://[::1]:8024/rest/1/{SECRET}/"


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "1e9"])
def test_a_bad_b24_timeout_is_one_line(monkeypatch, server, value):
    monkeypatch.setenv("B24_TEST_HOOK", server.webhook_url)
    monkeypatch.setenv("B24_TIMEOUT", value)
    with pytest.raises(ConfigError, match=r"B24_TIMEOUT=.*: give the seconds to wait for an answer"):
        with open_portal("env:B24_TEST_HOOK"):
            pass


def test_b24_timeout_is_how_long_the_client_waits(monkeypatch, server, emulator):
    """A portal slower than B24_TIMEOUT: the read times out (and is retried) at that many seconds."""
    monkeypatch.setenv("B24_TEST_HOOK", server.webhook_url)
    monkeypatch.setenv("B24_TIMEOUT", "0.05")
    emulator.faults.latency = 0.3
    lines = []
    try:
        with open_portal("env:B24_TEST_HOOK") as client:
            assert client.timeout == 0.05
            client.notify, client.retries, client.backoff = lines.append, 1, 0.001
            with pytest.raises(PortalError, match="no answer from"):
                client.call("server.time")
    finally:
        emulator.faults.latency = 0.0
    assert lines and "server.time: no answer (ReadTimeout" in lines[0]
    deadline = time.monotonic() + 5  # the portal answers late: keep those requests out of the next test
    while sum(r.method == "server.time" for r in emulator.request_log) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("endpoint", "token_url", "says"),
    [
        ("https://acme.bitrix24.ru:70000/rest/", None, "the OAuth client_endpoint (https://<portal>/rest/)"),
        ("https://[::1/rest/", None, "has a malformed IPv6 address"),
        ("https://acme.bitrix24.ru/rest/", "https://oauth.bitrix.info:x/", "the OAuth token_url has a port"),
    ],
)
def test_a_malformed_oauth_url_is_one_line(endpoint, token_url, says):
    from b24provision.portal.credentials import DEFAULT_TOKEN_URL, OAuthCredentials

    with pytest.raises(ConfigError, match=re.escape(says)):
        token_url = token_url or DEFAULT_TOKEN_URL
        OAuthCredentials(endpoint, "local.app", "appSECRETvalue1", "refreshVALUE123", token_url=token_url)

"""portals.yaml profiles: where a portal's credentials come from, never the credentials themselves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from b24provision.cli import app
from b24provision.errors import ConfigError
from b24provision.portal import describe_portal, open_portal
from b24provision.portal.profiles import RATES, find_profile, load_profiles
from b24provision.portal.throttle import ENTERPRISE


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portals.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    # OAuth token files and the default ./portals.yaml are relative to the working directory.
    monkeypatch.chdir(tmp_path)


def test_webhook_profile_opens_the_portal_in_its_variable(tmp_path, server, token, monkeypatch):
    monkeypatch.setenv("B24_STAGING_HOOK", server.webhook_url)
    _write(tmp_path, "staging:\n  webhook_env: B24_STAGING_HOOK\n  tariff: crm_plus\n")
    with open_portal("staging") as client:  # ./portals.yaml is the default file
        assert client.call("profile").result
    host = server.url.removeprefix("http://")
    assert describe_portal("staging") == f"{host} (profile staging)"
    profile = load_profiles(tmp_path / "portals.yaml")["staging"]
    assert (profile.tariff, profile.rate, profile.webhook_env) == ("crm_plus", "standard", "B24_STAGING_HOOK")
    assert token not in repr(profile)


def test_portals_option_names_another_file_and_rate_sets_the_throttle(tmp_path, server, monkeypatch):
    monkeypatch.setenv("B24_PROD_HOOK", server.webhook_url)
    other = tmp_path / "conf" / "prod-portals.yaml"
    other.parent.mkdir()
    other.write_text("production:\n  webhook_env: B24_PROD_HOOK\n  rate: enterprise\n", encoding="utf-8")
    profile = find_profile("production", other)
    assert profile.rate_limit == ENTERPRISE == RATES["enterprise"]
    with open_portal("production", portals_file=other) as client:
        assert client.call("profile").result


def test_timeout_sets_how_long_to_wait_and_b24_timeout_wins(tmp_path, server, monkeypatch):
    monkeypatch.setenv("B24_SLOW_HOOK", server.webhook_url)
    _write(tmp_path, "slow:\n  webhook_env: B24_SLOW_HOOK\n  timeout: 120\n")
    with open_portal("slow") as client:
        assert client.timeout == 120.0
    monkeypatch.setenv("B24_TIMEOUT", "7.5")
    with open_portal("slow") as client:
        assert client.timeout == 7.5


def test_literal_webhook_url_is_refused_with_its_position_and_no_secret(tmp_path):
    path = _write(
        tmp_path,
        "staging:\n  webhook_env: B24_HOOK\nprod:\n  webhook_env: https://acme.bitrix24.ru/rest/1/s3cr3tC0de/\n",
    )
    with pytest.raises(ConfigError) as info:
        load_profiles(path)
    message = str(info.value)
    assert message.startswith(f"{path}:4:16: this is a webhook URL (for acme.bitrix24.ru)")
    assert "environment variable" in message and "webhook_env: B24_WEBHOOK_URL" in message
    assert "s3cr3tC0de" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p:\n  webhook: B24_X\n", ":2:3: profile 'p': `webhook` would put a secret into the file"),
        ("p:\n  oauth:\n    client_secret: abc\n", "`client_secret` would put a secret into the file"),
        (
            "p:\n  webhook_env: B24_X\n  colour: red\n",
            ":3:3: profile 'p': unknown key `colour`; expected one of",
        ),
        ("p:\n  tariff: crm_plus\n", ":1:1: profile 'p' needs exactly one of webhook_env, oauth or local"),
        ("p:\n  webhook_env: B24_X\n  local: x.sqlite\n", "(it has webhook_env and local)"),
        ("p:\n  webhook_env: B24_X\n  rate: turbo\n", ":3:9: rate must be standard or enterprise"),
        ("p:\n  webhook_env: B24_X\n  timeout: soon\n", ":3:12: timeout is seconds to wait for an answer"),
        ("p:\n  webhook_env: B24_X\n  timeout: 0\n", ":3:12: timeout is seconds to wait for an answer"),
        ("p:\n  webhook_env: not a name\n", ":2:16: `webhook_env` names an environment variable"),
        (
            "p:\n  oauth:\n    client_id_env: A\n",
            "oauth needs client_secret_env, refresh_token_env, endpoint",
        ),
        ("p: [1, 2\n", "portals.yaml:"),
    ],
)
def test_mistakes_are_one_line_with_file_line_col(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_profiles(path)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(path))


def test_missing_variable_is_named(tmp_path):
    _write(tmp_path, "staging:\n  webhook_env: B24_UNSET_HOOK\n")
    with pytest.raises(
        ConfigError, match="profile 'staging': environment variable B24_UNSET_HOOK is not set"
    ):
        open_portal("staging")


def test_unknown_profile_lists_the_known_ones(tmp_path):
    _write(tmp_path, "staging:\n  webhook_env: A\nproduction:\n  webhook_env: B\n")
    with pytest.raises(ConfigError, match=r"has no such profile \(it has: production, staging\)"):
        open_portal("prod")


def test_no_portals_file_keeps_the_plain_unknown_portal_message():
    with pytest.raises(ConfigError, match="unknown portal 'prod': use local, local:FILE or env:VAR"):
        open_portal("prod")
    with pytest.raises(ConfigError, match="the portals file nope.yaml does not exist"):
        open_portal("prod", portals_file=Path("nope.yaml"))


def test_local_profile_is_the_emulator_with_a_file_next_to_portals_yaml(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "portals.yaml").write_text("demo:\n  local: demo.sqlite\n", encoding="utf-8")
    with open_portal("demo", portals_file=conf / "portals.yaml") as client:
        client.call("crm.category.add", {"entityTypeId": 2, "fields": {"name": "Kept"}})
    assert (conf / "demo.sqlite").exists()
    assert describe_portal("demo", portals_file=conf / "portals.yaml") == (
        f"local emulator ({conf / 'demo.sqlite'}) (profile demo)"
    )


# --------------------------------------------------------------------------------------- OAuth


def _oauth_profile(tmp_path: Path, server, monkeypatch, oauth_app, refresh: str) -> None:
    monkeypatch.setenv("B24_APP_ID", oauth_app[0])
    monkeypatch.setenv("B24_APP_SECRET", oauth_app[1])
    monkeypatch.setenv("B24_APP_REFRESH", refresh)
    _write(
        tmp_path,
        "app:\n"
        "  oauth:\n"
        "    client_id_env: B24_APP_ID\n"
        "    client_secret_env: B24_APP_SECRET\n"
        "    refresh_token_env: B24_APP_REFRESH\n"
        f"    endpoint: {server.url}/rest/\n"
        f"    token_url: {server.url}/oauth/token/\n",
    )


def test_oauth_profile_calls_as_the_application_and_keeps_the_rotated_token(
    tmp_path, server, emulator, oauth_app, monkeypatch
):
    first = emulator.issue_refresh_token(oauth_app[0])
    _oauth_profile(tmp_path, server, monkeypatch, oauth_app, first)
    with open_portal("app") as client:
        assert client.call("crm.category.list", {"entityTypeId": 2}).result
    assert [r.auth for r in emulator.request_log if r.method == "crm.category.list"] == ["oauth"]
    kept = tmp_path / ".b24provision" / "oauth" / "app.json"
    assert kept.exists() and oct(os.stat(kept).st_mode & 0o777) == "0o600"
    assert first not in kept.read_text()  # the rotated token, not the retired one
    # The first token is retired by now; the next run uses the kept one and still works.
    with open_portal("app") as client:
        assert client.call("profile").result
    assert describe_portal("app") == f"{server.url.removeprefix('http://')} (profile app, OAuth application)"


def test_a_new_token_in_the_environment_wins_over_the_kept_one(
    tmp_path, server, emulator, oauth_app, monkeypatch
):
    _oauth_profile(tmp_path, server, monkeypatch, oauth_app, emulator.issue_refresh_token(oauth_app[0]))
    with open_portal("app") as client:
        client.call("profile")
    fresh = emulator.issue_refresh_token(oauth_app[0])
    monkeypatch.setenv("B24_APP_REFRESH", fresh)
    profile = find_profile("app")
    assert profile.credentials().refresh_token == fresh  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------- CLI


def test_cli_prints_the_profile_portal_without_its_secret(tmp_path, server, token, monkeypatch):
    monkeypatch.setenv("B24_STAGING_HOOK", server.webhook_url)
    _write(tmp_path, "staging:\n  webhook_env: B24_STAGING_HOOK\n")
    result = CliRunner().invoke(app, ["export", "--portal", "staging"])
    assert result.exit_code == 0, result.output
    assert f"Portal: {server.url.removeprefix('http://')} (profile staging)" in result.stderr
    assert token not in result.stdout + result.stderr

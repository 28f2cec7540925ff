"""--portal specs: the embedded emulator, a webhook from the environment, and clear refusals."""

from __future__ import annotations

import pytest

from b24provision.errors import ConfigError
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

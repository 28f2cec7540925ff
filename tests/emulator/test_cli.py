"""`b24provision emulator serve`: option checking (serving itself is covered over HTTP above)."""

from __future__ import annotations

from typer.testing import CliRunner

from b24provision.cli import app


def test_bad_oauth_client_option_is_one_clear_error() -> None:
    result = CliRunner().invoke(app, ["emulator", "serve", "--oauth-client", "no-secret"])
    assert result.exit_code == 1
    assert "CLIENT_ID:SECRET" in result.output

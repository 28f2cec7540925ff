"""`b24provision emulator serve`: option checking (serving itself is covered over HTTP above)."""

from __future__ import annotations

from typer.testing import CliRunner

from b24provision.cli import app


def test_bad_oauth_client_option_is_one_clear_error() -> None:
    result = CliRunner().invoke(app, ["emulator", "serve", "--oauth-client", "no-secret"])
    assert result.exit_code == 1
    assert "CLIENT_ID:SECRET" in result.output


def test_a_port_in_use_is_one_error_and_never_announced_as_listening() -> None:
    """Scripts wait for the "listening" line: it may only come once the port is really held."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["emulator", "serve", "--port", str(port)])
    assert result.exit_code == 1
    assert "listening" not in result.stdout and "/rest/" not in result.stdout, result.stdout
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}:")
    assert len(result.stderr.splitlines()) == 1

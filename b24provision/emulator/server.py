"""Serving the emulator over real HTTP with the stdlib's wsgiref, one thread per connection.

Three things wsgiref does not do out of the box: queue more than 5 waiting connections (a load
test or many parallel CI jobs connect at once), stay quiet (no access log on stderr), and drop a
connection without answering — the app raises ``DropConnection`` and the handler shuts the socket,
so a client sees the connection die (httpx: RemoteProtocolError / ReadError), as on a real network.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.handlers import SimpleHandler
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from b24provision.emulator.app import DropConnection, Emulator


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            raise  # noqa: PLE0704 - re-raised to the request handler, which closes the socket
        super().handle_error()

    def log_exception(self, exc_info: Any) -> None:
        """Bugs are logged by the app; nothing more on stderr."""

    def close(self) -> None:
        # ServerHandler.close() logs the status line, which does not exist for a dropped request.
        SimpleHandler.close(self)


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """No access log."""

    def handle(self) -> None:
        # wsgiref's handle(), with DropConnection turned into a closed socket.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        try:
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
        except DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the accept loop takes them (socketserver's default is 5: at
80 clients connecting at once the rest were dropped). The kernel caps it at net.core.somaxconn."""


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-request are normal in fault tests; stay quiet."""


class RunningServer:
    """An emulator listening on a port in a background thread; a context manager."""

    def __init__(self, app: Emulator, host: str, port: int) -> None:
        self.app = app
        self._server = _Server((host, port), _RequestHandler)
        self._server.set_app(app)
        self.port: int = int(self._server.server_address[1])
        self.url = f"http://{host}:{self.port}"
        # A short poll interval makes shutdown() quick, which keeps test teardown fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="b24-emulator",
            daemon=True,
        )
        self._thread.start()

    @property
    def webhook_url(self) -> str:
        """The webhook URL this portal accepts (contains the secret code: never print it in the tool)."""
        return f"{self.url}/rest/{self.app.settings.user_id}/{self.app.settings.token}/"

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __repr__(self) -> str:
        return f"RunningServer(url={self.url!r})"

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()


def serve_in_thread(app: Emulator, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Start serving ``app`` in a daemon thread; port 0 picks a free port."""
    return RunningServer(app, host, port)


def serve_forever(
    app: Emulator,
    host: str = "127.0.0.1",
    port: int = 8024,
    ready: Callable[[int], None] | None = None,
) -> None:
    """Serve in the foreground until interrupted (the CLI's `emulator serve`).

    ``ready`` is called with the port once it is held (so "listening" is never said of a port
    another process has), before the first request is served.
    """
    server = _Server((host, port), _RequestHandler)
    server.set_app(app)
    if ready is not None:
        ready(int(server.server_address[1]))
    try:
        server.serve_forever()
    finally:
        server.server_close()

"""``--trace FILE``: what was sent to the portal and what came back, request by request.

A trace is a JSON Lines file a user can attach to a bug report: a header line, then one line per
HTTP request with the REST method, its parameters, the HTTP status, the response body and the time
it took. It is recorded at the HTTP layer (a transport wrapped around httpx's own), so it sees
exactly what went over the wire — retries, batches and token refreshes included.

Secrets never reach the file. They are removed twice over:

* **by value**: the webhook code is taken from each request's URL, OAuth tokens and the client
  secret from request bodies, query strings and token responses, before the line is written; every
  occurrence of any of them anywhere in the line (a parameter, a response text) becomes ``***``;
* **by pattern**: :func:`b24provision.errors.redact` then hides ``/rest/<user>/<code>/`` and
  ``auth=``/``refresh_token=``-style parameters it did not learn (e.g. a URL inside a response).

Recording is switched on for the whole process with :func:`recording` (the CLI's ``--trace``);
:class:`~b24provision.portal.client.PortalClient` asks :func:`transport` for its transport, which is
``None`` (httpx's default) when nothing is recorded.
"""

from __future__ import annotations

import atexit
import json
import re
import ssl
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from b24provision import __version__
from b24provision.errors import ConfigError, redact

__all__ = ["TRACE_FORMAT", "Tracer", "recording", "start", "stop", "transport"]

TRACE_FORMAT = 1
"""The ``b24provision_trace`` version in a trace's header line."""

EMULATOR_REPLAY_HEADER = "X-B24-Emulator-Replay"
"""What b24provision's emulator was started with, in each of its answers (emulator/replay_hint.py)."""
_SECRET_KEYS = frozenset({"auth", "access_token", "refresh_token", "client_secret", "password"})
_WEBHOOK_PATH = re.compile(r"/rest/\d+/([^/]+)/")
_MIN_SECRET = 4  # shorter values would blank out ordinary words


class Tracer:
    """Writes trace lines to one file; thread-safe, flushed after every line."""

    def __init__(self, path: Path, *, note: str = "") -> None:
        try:
            self._file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--trace {path}: cannot write it ({exc.strerror}); check the path") from None
        self.path = path
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self.count = 0
        header: dict[str, Any] = {
            "b24provision_trace": TRACE_FORMAT,
            "tool": f"b24provision {__version__}",
            "started": _now(),
        }
        if note:
            header["note"] = note
        # What was run, for the reader of a bug report (secrets come from the environment, not argv,
        # and the line is redacted like every other).
        header["command"] = " ".join(["b24provision", *sys.argv[1:]]) if sys.argv else ""
        # Written with the first request's line (or on close), so that an emulator's first answer can
        # add what replaying needs (its seed, plan and quirks: emulator/replay_hint.py).
        self._header: dict[str, Any] | None = header

    def add_secret(self, value: str | None) -> None:
        """Remove ``value`` from every line written from now on."""
        if value and len(value) >= _MIN_SECRET:
            self._secrets.add(value)

    def record(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        elapsed: float,
        error: str | None = None,
    ) -> None:
        """One line for one HTTP request (``response`` None: no answer came, see ``error``)."""
        url = urlsplit(str(request.url))
        if match := _WEBHOOK_PATH.search(url.path):
            self.add_secret(match.group(1))
        query = dict(parse_qsl(url.query))
        params = _request_params(request) or query
        self._learn(params)
        self._learn(query)
        entry: dict[str, Any] = {
            "method": _method_of(url.path),
            "http": request.method,
            "params": params,
        }
        if response is not None:
            entry["status"] = response.status_code
            try:
                body = json.loads(response.content)
            except ValueError:
                entry["response_text"] = response.content.decode("utf-8", "replace")[:20000]
            else:
                if isinstance(body, Mapping):
                    self._learn(body)
                entry["response"] = body
        if error is not None:
            entry["error"] = error
        entry["elapsed_ms"] = round(elapsed * 1000, 1)
        entry["at"] = _now()
        with self._lock:
            self._write_header(response)
            self.count += 1
            self._write({"n": self.count, **entry})

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._write_header(None)
                self._file.close()

    def _write_header(self, response: httpx.Response | None) -> None:
        if self._header is None:
            return
        hint = response.headers.get(EMULATOR_REPLAY_HEADER) if response is not None else None
        try:
            replay = json.loads(hint) if hint else None
        except ValueError:
            replay = None
        if isinstance(replay, dict):
            self._header["replay"] = replay
        self._write(self._header)
        self._header = None

    def _learn(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            if str(key).lower() in _SECRET_KEYS and isinstance(value, str):
                self.add_secret(value)

    def _write(self, entry: Mapping[str, Any]) -> None:
        text = json.dumps(entry, ensure_ascii=False, default=str)
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
            escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
            if escaped != secret:
                text = text.replace(escaped, "***")
        self._file.write(redact(text) + "\n")
        self._file.flush()


class _TracingTransport(httpx.BaseTransport):
    """httpx's transport, with every request and its answer written to the tracer."""

    def __init__(self, inner: httpx.BaseTransport, tracer: Tracer) -> None:
        self._inner = inner
        self._tracer = tracer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self._inner.handle_request(request)
            response.read()
        except httpx.HTTPError as exc:
            self._tracer.record(request, None, time.monotonic() - started, error=type(exc).__name__)
            raise
        self._tracer.record(request, response, time.monotonic() - started)
        return response

    def close(self) -> None:
        self._inner.close()


_active: Tracer | None = None


@contextmanager
def recording(path: Path, *, note: str = "") -> Iterator[Tracer]:
    """Trace every request any PortalClient opened inside the block makes, into ``path``."""
    global _active
    tracer = Tracer(path, note=note)
    previous, _active = _active, tracer
    try:
        yield tracer
    finally:
        _active = previous
        tracer.close()


def start(path: Path) -> Tracer:
    """Start recording until :func:`stop` (for the CLI, which stops when the command ends)."""
    global _active
    stop()
    _active = Tracer(path)
    return _active


def stop() -> None:
    global _active
    if _active is not None:
        _active.close()
        _active = None


atexit.register(stop)


def transport(verify: ssl.SSLContext) -> httpx.BaseTransport | None:
    """The transport a new client should use: a recording one while a trace is on, else None."""
    if _active is None:
        return None
    return _TracingTransport(httpx.HTTPTransport(verify=verify), _active)


def _request_params(request: httpx.Request) -> dict[str, Any]:
    content = request.content
    if not content:
        return {}
    try:
        body = json.loads(content)
    except ValueError:
        return dict(parse_qsl(content.decode("utf-8", "replace")))
    return body if isinstance(body, dict) else {"body": body}


def _method_of(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["oauth"]:
        return "oauth/token"
    return parts[-1].removesuffix(".json") if parts else ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")

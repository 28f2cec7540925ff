"""The emulated portal as a WSGI application: routing, auth, limits, faults, transactions, envelope.

A request goes through these steps, each able to answer on its own:

1. faults (drop the connection, or answer 500/503/429) — before anything else, like a flaky network;
2. routing: ``/rest/<user_id>/<token>/<method>[.json]`` (webhook), ``/rest/<method>[.json]`` with an
   ``auth`` parameter (OAuth), ``/oauth/token/`` (the OAuth server);
3. auth: a wrong webhook code is 401 INVALID_CREDENTIALS (the docs table says 403, but auth failures
   go through OAuthException whose default status is 401 and the official SDK's integration test
   expects 401 — reference §2.2); OAuth tokens: 401 NO_AUTH_FOUND / invalid_token / expired_token;
4. the rate limiter (503 QUERY_LIMIT_EXCEEDED) and the method table (404 ERROR_METHOD_NOT_FOUND);
5. the handler, inside one SQLite transaction; then the envelope with ``result``, hoisted
   ``next``/``total`` and the ``time`` block, or ``{error, error_description}``.

Requests are serialised by one lock: the emulator is a test double and a local default portal,
simplicity and atomicity beat throughput.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from b24provision.emulator import configuration, methods, oauth, store
from b24provision.emulator.answers import (
    FAULT_ERRORS,
    REASONS,
    Transaction,
    clean_method,
    damage,
    method_from_path,
)
from b24provision.emulator.by_hand import HandMadeState
from b24provision.emulator.faults import DAMAGED_ANSWERS, Faults, LoggedRequest
from b24provision.emulator.limits import LeakyBucket, OperatingClock
from b24provision.emulator.permissions import check_settings_rights
from b24provision.emulator.plan_gate import plan_refusal
from b24provision.emulator.registry import Auth, Call, available_methods, is_write
from b24provision.emulator.replay_hint import HEADER as REPLAY_HEADER
from b24provision.emulator.replay_hint import remember_seed, replay_hint
from b24provision.emulator.settings import PortalSettings
from b24provision.emulator.wire import (
    PORTAL_TZ,
    Envelope,
    Paged,
    RestError,
    dumps,
    parse_body,
    parse_php_query,
    time_block,
)

__all__ = ["DropConnection", "Emulator", "Faults", "LoggedRequest", "PortalSettings"]

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
methods.load()


class DropConnection(Exception):
    """Raised through the WSGI server to close the socket without sending any response."""


class Emulator(HandMadeState):
    """A Bitrix24 portal of our own, as a WSGI app. State lives in SQLite (a file or ":memory:")."""

    def __init__(self, state: str | Path = ":memory:", settings: PortalSettings | None = None) -> None:
        self.settings = settings or PortalSettings()
        self.faults = Faults()
        self.request_log: list[LoggedRequest] = []
        self._lock = threading.RLock()
        self._db = store.connect(state)
        self._bucket = LeakyBucket()
        self._operating = OperatingClock(window=self.settings.operating_window)
        with self._lock:
            if not store.is_initialised(self._db):
                store.initialise(self._db, self.settings.language)

    # --- Python-level helpers for tests and fixtures --------------------------------------------

    def reset(self, seed: str | None = None) -> None:
        """Back to a fresh portal (optionally seeded); clears the request log, limits and faults."""
        with self._lock:
            store.initialise(self._db, self.settings.language)
            self.request_log.clear()
            self._bucket.reset()
            self._operating.reset()
            self.faults.clear()
            if seed is not None:
                self.seed(seed)

    def seed(self, name: str) -> None:
        """Load a named portal on top of the current state ("handmade": a portal people built by hand)."""
        from b24provision.emulator.seeds import SEEDS

        if name not in SEEDS:
            raise ValueError(f"unknown seed {name!r}; known: {', '.join(sorted(SEEDS))}")
        with self._lock, self._transaction():
            SEEDS[name](self._internal_call, self._db)
            remember_seed(self._db, name)  # for a trace's replay (emulator/replay_hint.py)

    def write_count(self) -> int:
        """Write calls that reached a handler (batch sub-calls counted one by one)."""
        return sum(1 for r in self.request_log if r.write and r.executed)

    def issue_refresh_token(self, client_id: str) -> str:
        """A refresh token for a registered app, as if it had just been installed."""
        if client_id not in self.settings.oauth_clients:
            raise ValueError(f"{client_id!r} is not a registered OAuth client of this emulator")
        with self._lock, self._transaction():
            return oauth.issue_refresh_token(self._db, client_id, time.time())

    def configuration_export(self) -> bytes:
        """The portal's configuration export ZIP (on a portal: CRM -> settings -> solution presets)."""
        with self._lock:
            return configuration.configuration_zip(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- WSGI -------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            fault = self.faults.next_fault()
            latency = self.faults.latency
        if latency > 0:
            time.sleep(latency)
        path = str(environ.get("PATH_INFO", "") or "/")
        if fault == "drop":
            self._log(LoggedRequest(method_from_path(path), False, 0, executed=False, auth="none"))
            raise DropConnection("fault: drop")
        with self._lock:
            if fault in ("500", "503", "429"):
                name = method_from_path(path)
                error = self._operating_error(name) if fault == "429" else FAULT_ERRORS[fault]
                self._log(LoggedRequest(name, is_write(name), error.status, executed=False, auth="none"))
                envelope = Envelope(error.status, error.body())
            elif path.rstrip("/") == "/oauth/token":
                envelope = self._oauth_token(environ)
            elif path.startswith("/rest/"):
                envelope = self._rest(environ, path)
            elif path.startswith("/b24emu/"):
                return self._emulator_only(path, start_response)
            else:
                envelope = Envelope(404, RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404).body())
            hint = replay_hint(self.settings, self._db)
        if fault == "lost_response":
            # The work is committed; only the answer is lost on the way back.
            raise DropConnection("fault: lost_response")
        body = dumps(envelope.body)
        if fault in DAMAGED_ANSWERS:
            body = damage(body, envelope.body, fault or "")
            envelope = Envelope(200, envelope.body, envelope.headers)
        headers = [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(body)))]
        headers += [(REPLAY_HEADER, hint)] if hint else []
        start_response(
            f"{envelope.status} {REASONS.get(envelope.status, 'Unknown')}", headers + envelope.headers
        )
        return [body]

    # --- internals --------------------------------------------------------------------------------

    def _emulator_only(self, path: str, start_response: StartResponse) -> Iterable[bytes]:
        """``GET /b24emu/<user_id>/<token>/configuration-export.zip``: what an administrator
        downloads from the UI on a real portal (no REST method exists for it)."""
        parts = [p for p in path.split("/") if p]
        if (
            len(parts) != 4
            or parts[1] != str(self.settings.user_id)
            or parts[2] != self.settings.token
            or parts[3] != "configuration-export.zip"
        ):
            body = dumps({"error": "NOT_FOUND", "error_description": "Not found"})
            start_response(
                "404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        data = configuration.configuration_zip(self._db)
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/zip"),
                ("Content-Disposition", 'attachment; filename="configuration.zip"'),
                ("Content-Length", str(len(data))),
            ],
        )
        return [data]

    def _log(self, entry: LoggedRequest) -> None:
        self.request_log.append(entry)

    def _transaction(self) -> Transaction:
        return Transaction(self._db)

    def _base_url(self, environ: dict[str, Any]) -> str:
        host = (
            environ.get("HTTP_HOST")
            or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
        )
        return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"

    def _params(self, environ: dict[str, Any]) -> dict[str, Any]:
        params = parse_php_query(str(environ.get("QUERY_STRING", "")))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        params.update(parse_body(body, str(environ.get("CONTENT_TYPE", ""))))
        return params

    def _oauth_token(self, environ: dict[str, Any]) -> Envelope:
        try:
            params = self._params(environ)
        except RestError as error:
            return Envelope(400, {"error": "invalid_request", "error_description": error.description})
        flat = {k: v for k, v in params.items() if isinstance(v, str)}
        flat.update(dict(parse_qsl(str(environ.get("QUERY_STRING", "")))))
        with self._transaction():
            return oauth.token_endpoint(self._db, self.settings, flat, self._base_url(environ), time.time())

    def _operating_error(self, name: str) -> RestError:
        self._operating.window = self.settings.operating_window  # a test may have changed it
        reset_at = self._operating.reset_at(name, time.time())
        # The docs give the status and code; whether the body carries operating_reset_at is
        # undocumented (reference §13.8), so it is a quirk: "present" tells the client how long to
        # wait, "absent" leaves it to back off on its own.
        present = self.settings.quirks.operating_reset_at == "present"
        extra = {"operating_reset_at": reset_at} if present else {}
        return RestError("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429, extra)

    def _rest(self, environ: dict[str, Any], path: str) -> Envelope:
        started = time.time()
        parts = [p for p in path.split("/") if p][1:]  # drop "rest"
        name = clean_method(parts[-1]) if parts else ""
        auth_kind = "webhook" if len(parts) == 3 else "oauth"
        try:
            params = self._params(environ)
            if len(parts) == 3:
                if parts[0] != str(self.settings.user_id) or parts[1] != self.settings.token:
                    raise RestError("INVALID_CREDENTIALS", "Invalid request credentials", 401)
                auth = Auth("webhook", self.settings.user_id)
            elif len(parts) == 1:
                token = params.pop("auth", None) or params.pop("access_token", None)
                auth = oauth.check_access_token(self._db, self.settings, str(token or ""), started)
            else:
                raise RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)
            if not self.settings.rest_open():
                raise plan_refusal(self.settings.quirks.rest_plan_refusal)
            rate = self.settings.rate()
            if rate is not None and not self._bucket.admit(*rate):
                raise RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)
            if name not in available_methods(self.settings):
                raise RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)
            self._operating.window = self.settings.operating_window
            if self._operating.blocked(name, self.faults.operating_budget, started):
                raise self._operating_error(name)
            check_settings_rights(name, self.settings)
        except RestError as error:
            self._log(LoggedRequest(name, is_write(name), error.status, executed=False, auth=auth_kind))
            return Envelope(error.status, error.body())
        base_url = self._base_url(environ)
        try:
            with self._transaction():
                result = self._run(name, params, auth, base_url, in_batch=False)
        except RestError as error:
            self._log(LoggedRequest(name, is_write(name), error.status, auth=auth_kind))
            return Envelope(error.status, error.body())
        except Exception:  # a bug in the emulator: answer like a portal would, keep the traceback
            log.exception("emulator: %s failed", name)
            self._log(LoggedRequest(name, is_write(name), 500, auth=auth_kind))
            return Envelope(500, {"error": "ERROR_CORE", "error_description": "Internal error"})
        self._log(LoggedRequest(name, is_write(name), 200, auth=auth_kind))
        finished = time.time()
        operating = self._operating.add(name, (finished - started) + self.faults.operating_cost, finished)
        body: dict[str, Any] = {"result": result.result if isinstance(result, Paged) else result}
        if isinstance(result, Paged):
            if result.next is not None:
                body["next"] = result.next
            if result.total is not None:
                body["total"] = result.total
        body["time"] = time_block(started, finished, operating, self._operating.reset_at(name, finished))
        return Envelope(200, body)

    def _run(
        self,
        name: str,
        params: dict[str, Any],
        auth: Auth,
        base_url: str,
        *,
        in_batch: bool,
        seeding: bool = False,
    ) -> Any:
        spec = available_methods(self.settings)[name]
        if not seeding:
            check_settings_rights(name, self.settings)

        def dispatch(sub_name: str, sub_params: dict[str, Any]) -> Any:
            return self._sub_call(sub_name, sub_params, auth, base_url)

        call = Call(
            name=name,
            params=params,
            db=self._db,
            settings=self.settings,
            auth=auth,
            now=datetime.now(PORTAL_TZ),
            base_url=base_url,
            dispatch=dispatch,
            in_batch=in_batch,
        )
        return spec.handler(call)

    def _sub_call(self, name: str, params: dict[str, Any], auth: Auth, base_url: str) -> Any:
        """One batch command: its own savepoint, logged as a sub-call; errors come back as RestError."""
        name = clean_method(name)
        if name not in available_methods(self.settings):
            self._log(LoggedRequest(name, is_write(name), 404, sub_call=True, executed=False, auth=auth.kind))
            raise RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)
        try:
            check_settings_rights(name, self.settings)
        except RestError as error:
            self._log(LoggedRequest(name, is_write(name), error.status, sub_call=True, auth=auth.kind))
            raise
        self._db.execute("SAVEPOINT sub_call")
        try:
            result = self._run(name, params, auth, base_url, in_batch=True)
        except RestError as error:
            self._db.execute("ROLLBACK TO sub_call")
            self._db.execute("RELEASE sub_call")
            self._log(LoggedRequest(name, is_write(name), error.status, sub_call=True, auth=auth.kind))
            raise
        except Exception:
            self._db.execute("ROLLBACK TO sub_call")
            self._db.execute("RELEASE sub_call")
            log.exception("emulator: batch command %s failed", name)
            self._log(LoggedRequest(name, is_write(name), 500, sub_call=True, auth=auth.kind))
            raise RestError("ERROR_CORE", "Internal error", 500) from None
        self._db.execute("RELEASE sub_call")
        self._log(LoggedRequest(name, is_write(name), 200, sub_call=True, auth=auth.kind))
        return result

    def _internal_call(self, name: str, params: dict[str, Any]) -> Any:
        """Run a method as the webhook user, inside the caller's transaction (seeds use it)."""
        auth = Auth("webhook", self.settings.user_id)
        # Seeds are what people built by hand: the webhook user's rights do not apply to them.
        result = self._run(name, params, auth, "http://127.0.0.1", in_batch=False, seeding=True)
        return result.result if isinstance(result, Paged) else result

    @property
    def db(self) -> sqlite3.Connection:
        """The state database, for seeds and white-box fixtures (hold no reference across requests)."""
        return self._db

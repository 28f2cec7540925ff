"""What goes on the wire around a handler's result: status lines, fault answers, damaged bodies.

Also the two small things every request needs before it reaches a handler: the method name from a
URL path (lower-cased, ``.json``/``.xml`` dropped, as ``CRestServer`` does, reference §2) and one
SQLite transaction per request.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from b24provision.emulator.wire import RestError, dumps

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
FAULT_ERRORS = {
    "500": RestError("INTERNAL_SERVER_ERROR", "Internal server error", 500),
    "503": RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503),
}


class Transaction:
    """BEGIN .. COMMIT around one request; ROLLBACK when anything escapes."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def damage(body: bytes, envelope: dict[str, Any], fault: str) -> bytes:
    """The body of a damaged 200 answer (faults.DAMAGED_ANSWERS); the work behind it is committed."""
    if fault == "truncated":
        return body[: len(body) // 2]
    if fault == "empty":
        return b""
    if fault == "malformed":
        warning = b'<br />\n<b>Warning</b>:  Undefined array key "ID" in <b>/home/bitrix/www/bitrix/modules'
        return warning + b"/rest/lib/rest.php</b> on line <b>42</b><br />\n" + body
    return dumps({k: v for k, v in envelope.items() if k != "result"})


def clean_method(raw: str) -> str:
    name = raw.strip().lower()
    for suffix in (".json", ".xml"):  # XML answers are not emulated: .xml gets JSON too
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def method_from_path(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return clean_method(parts[-1]) if len(parts) >= 2 and parts[0] == "rest" else ""

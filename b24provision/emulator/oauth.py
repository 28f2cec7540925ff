"""OAuth for registered applications: the token endpoint and access-token checks (reference §1.2).

Real portals send apps to ``oauth.bitrix.info`` for tokens; the emulator answers the same request
(``/oauth/token/?grant_type=refresh_token&client_id&client_secret&refresh_token``) on its own host, and
its ``client_endpoint`` points back at itself. Refresh tokens rotate: each use returns a new one and
retires the old, which is why clients must store the new one every time.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from typing import Any

from b24provision.emulator.registry import Auth
from b24provision.emulator.settings import PortalSettings
from b24provision.emulator.wire import Envelope, RestError

REFRESH_TTL = 180 * 24 * 3600
SCOPES = ["crm", "bizproc", "user", "department", "placement", "userfieldconfig"]


def issue_refresh_token(db: sqlite3.Connection, client_id: str, now: float) -> str:
    token = secrets.token_hex(32)
    db.execute(
        "INSERT INTO oauth_token (token, kind, client_id, expires) VALUES (?, 'refresh', ?, ?)",
        (token, client_id, now + REFRESH_TTL),
    )
    return token


def _oauth_error(code: str, description: str, status: int = 400) -> Envelope:
    return Envelope(status, {"error": code, "error_description": description})


def token_endpoint(
    db: sqlite3.Connection, settings: PortalSettings, params: dict[str, Any], base_url: str, now: float
) -> Envelope:
    """Answer /oauth/token/ like the Bitrix OAuth server."""
    grant = str(params.get("grant_type", ""))
    client_id = str(params.get("client_id", ""))
    secret = str(params.get("client_secret", ""))
    if grant != "refresh_token":
        # authorization_code needs a browser and a user; the emulator's apps start from a refresh token
        # handed out by Emulator.issue_refresh_token.
        return _oauth_error("invalid_request", f"Unsupported grant_type: {grant or '(none)'}")
    if client_id not in settings.oauth_clients or settings.oauth_clients[client_id] != secret:
        return _oauth_error("invalid_client", "Invalid client credentials", 401)
    refresh = str(params.get("refresh_token", ""))
    row = db.execute("SELECT * FROM oauth_token WHERE token = ? AND kind = 'refresh'", (refresh,)).fetchone()
    if row is None or row["client_id"] != client_id or row["expires"] < now:
        return _oauth_error("invalid_grant", "Invalid refresh token")
    db.execute("DELETE FROM oauth_token WHERE token = ?", (refresh,))
    access = secrets.token_hex(35)
    db.execute(
        "INSERT INTO oauth_token (token, kind, client_id, expires) VALUES (?, 'access', ?, ?)",
        (access, client_id, now + settings.access_token_ttl),
    )
    new_refresh = issue_refresh_token(db, client_id, now)
    return Envelope(
        200,
        {
            "access_token": access,
            "expires": int(now + settings.access_token_ttl),
            "expires_in": settings.access_token_ttl,
            "scope": ",".join(SCOPES),
            "domain": settings.domain,
            "server_endpoint": f"{base_url}/oauth/",
            "status": "L",
            "client_endpoint": f"{base_url}/rest/",
            "member_id": hashlib.md5(settings.domain.encode()).hexdigest(),
            "user_id": settings.user_id,
            "refresh_token": new_refresh,
        },
    )


def check_access_token(db: sqlite3.Connection, settings: PortalSettings, token: str, now: float) -> Auth:
    """The caller behind an access token; 401 when it is missing, unknown or expired."""
    if not token:
        raise RestError("NO_AUTH_FOUND", "Wrong authorization data", 401)
    row = db.execute("SELECT * FROM oauth_token WHERE token = ? AND kind = 'access'", (token,)).fetchone()
    if row is None:
        raise RestError("invalid_token", "Unable to get application by token", 401)
    if row["expires"] < now:
        raise RestError("expired_token", "The access token provided has expired", 401)
    return Auth("oauth", settings.user_id, str(row["client_id"]))

"""Where an OAuth profile's rotating refresh token is kept between runs.

OAuth refresh tokens rotate: every refresh returns a new one and retires the old (reference §1.2).
The new one is kept in ``.b24provision/oauth/<profile>.json`` (mode 0600, git-ignored) together
with a digest of the token it replaced; it is used while the environment still holds that same
original token, so a fresh token put into the environment always wins.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from b24provision.errors import ConfigError, OutputError
from b24provision.output import write_output

__all__ = ["TokenStore"]


class TokenStore:
    """The latest refresh token of one OAuth profile, kept across runs (see the module docstring)."""

    def __init__(self, file: Path, seed: str) -> None:
        self.file = file
        self.seed_digest = hashlib.sha256(seed.encode()).hexdigest()
        self.seed = seed

    def current(self) -> str:
        try:
            saved = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self.seed
        if isinstance(saved, dict) and saved.get("from") == self.seed_digest and saved.get("refresh_token"):
            return str(saved["refresh_token"])
        return self.seed

    def keep(self, refresh_token: str) -> None:
        # Atomic (a crash mid-write must not lose the only working token) and 0600 (it is a secret).
        text = json.dumps({"from": self.seed_digest, "refresh_token": refresh_token})
        try:
            write_output(self.file, text, force=True, mode=0o600)
        except OutputError as exc:
            raise ConfigError(
                f"cannot keep the new OAuth refresh token: {exc.message}; the old one no longer works — "
                "put the new one from the application into the environment"
            ) from None

"""Shared fixtures. Stray B24_* variables must never leak into a test (httpx's clean_environ)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("B24_") or name == "NO_COLOR":
            monkeypatch.delenv(name, raising=False)
    yield

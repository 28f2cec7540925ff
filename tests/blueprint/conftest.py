"""Helpers for blueprint tests: write small YAML snippets and validate them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from b24provision.blueprint import ValidationReport, validate


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(text: str, name: str = "bp.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def check(write: Callable[..., Path]) -> Callable[..., ValidationReport]:
    def _check(text: str, **kwargs: object) -> ValidationReport:
        return validate([write(text)], **kwargs)  # type: ignore[arg-type]

    return _check

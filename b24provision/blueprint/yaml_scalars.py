"""YAML scalars resolved by YAML 1.2's core schema, as ruamel resolves them.

``yes``/``no``/``on`` stay text, ``010`` is ten, a date stays the text it is written as;
``resolve_plain`` is for plain (unquoted, untagged) scalars, ``TAGGED`` for the standard tags a
blueprint may use (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``), which answer
``INVALID`` for a text their tag does not allow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+.0123456789")
INVALID = object()


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar under YAML 1.2's core schema."""
    if not text or text[0] not in _NUMBER_START:
        if text in _NULL:
            return None
        return _BOOL.get(text, text)
    if _INT.fullmatch(text):
        number = _int(text)
        return text if number is INVALID else number
    if _FLOAT.fullmatch(text):
        return _float(text)
    return text


def _int(text: str) -> Any:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
    digits = digits[2:] if base != 10 else digits
    try:
        return sign * int(digits, base)
    except ValueError:
        return INVALID


def _float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


def _tagged_bool(text: str) -> Any:
    return _BOOL.get(text, INVALID)


def _tagged_int(text: str) -> Any:
    return _int(text) if _INT.fullmatch(text) else INVALID


def _tagged_float(text: str) -> Any:
    if _FLOAT.fullmatch(text):
        return _float(text)
    return float(_int(text)) if _INT.fullmatch(text) and _int(text) is not INVALID else INVALID


TAGGED: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": _tagged_int,
    "tag:yaml.org,2002:float": _tagged_float,
    "tag:yaml.org,2002:bool": _tagged_bool,
    "tag:yaml.org,2002:null": lambda text: None if text in _NULL else INVALID,
}

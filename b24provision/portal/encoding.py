"""PHP-bracket query strings, the way Bitrix24 reads the sub-commands of a ``batch``.

A batch sub-command is a string ``"method?query"``, and the portal parses the query with PHP's
``parse_str``: nested values are spelled with brackets, ``fields[PHONE][0][VALUE]=112233``, and a
list is an indexed map. This module turns a Python mapping into that form, following the official
SDK (b24pysdk ``utils/encoding.py``, reference §1.3): keys and values are ``quote_plus``-encoded, an
empty list or mapping becomes ``key[]=`` (some methods need skipped parameters passed as empty
arrays), ``None`` becomes an empty value.

Two choices of our own:

* ``True``/``False`` become ``1``/``0``. b24pysdk writes Python's ``True``, which PHP reads as the
  string "True"; ``1``/``0`` is what PHP's ``http_build_query`` writes and what the same value sent
  as JSON (``true``) turns into on the PHP side.
* A batch reference such as ``$result[cat][ID]`` (also ``$next[..]``, ``$total[..]``, ``$error[..]``,
  ``$time[..]``: the core's names, ``CRestUtil::processBatchElement``, reference §4, §13.6) is kept
  readable instead of becoming ``%24result%5Bcat%5D%5BID%5D``. The portal substitutes it after
  parsing the query, so both spellings work there; the readable one also works for a server that
  substitutes in the raw string, and it shows up legibly in logs and tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote_plus

__all__ = ["decode_query", "encode_query"]

# $result[key][field][0]... : a reference to what an earlier sub-command returned.
_BATCH_REF = re.compile(r"\$(?:result|next|total|time|error)(?:\[[^\[\]&=]*\])+")


def encode_query(params: Mapping[str, Any] | None) -> str:
    """Encode ``params`` as a PHP-bracket query string.

    Args:
        params: a mapping of parameters; values may be nested mappings, lists, tuples or scalars.

    Returns:
        The query, without a leading ``?``, e.g. ``fields[NAME]=New+stage&fields[SORT]=10``.
    """
    pairs: list[str] = []
    for key, value in (params or {}).items():
        _encode(quote_plus(str(key)), value, pairs)
    return "&".join(pairs)


def _encode(name: str, value: Any, pairs: list[str]) -> None:
    if isinstance(value, Mapping):
        items: list[tuple[Any, Any]] = list(value.items())
    elif isinstance(value, list | tuple):
        items = list(enumerate(value))
    else:
        pairs.append(f"{name}={_encode_scalar(value)}")
        return
    if not items:
        pairs.append(f"{name}[]=")
        return
    for inner_key, inner_value in items:
        # Only the inner key is quoted: the outer name already holds brackets that must stay.
        _encode(f"{name}[{quote_plus(str(inner_key))}]", inner_value, pairs)


def _encode_scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = value.decode() if isinstance(value, bytes) else str(value)
    out: list[str] = []
    position = 0
    for ref in _BATCH_REF.finditer(text):
        out.append(quote_plus(text[position : ref.start()]))
        out.append(ref.group(0))
        position = ref.end()
    out.append(quote_plus(text[position:]))
    return "".join(out)


def decode_query(query: str) -> dict[str, Any]:
    """Parse a PHP-bracket query back into nested dicts, as PHP's ``parse_str`` would.

    Indexed maps stay dicts with string keys (``{"0": ...}``), as PHP arrays do; ``key[]=`` with an
    empty value becomes an empty list. Meant for tests and diagnostics, not for talking to a portal.
    """
    result: dict[str, Any] = {}
    for raw_name, value in parse_qsl(query, keep_blank_values=True):
        head, _, rest = raw_name.partition("[")
        path = [head] + (rest[:-1].split("][") if rest.endswith("]") else [])
        node: dict[str, Any] = result
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = path[-1]
        if last == "" and value == "" and len(path) > 1:
            # "key[]=": an empty array; undo the dict we just made for it.
            parent: Any = result
            for part in path[:-2]:
                parent = parent[part]
            parent[path[-2]] = []
            continue
        if last == "":
            last = str(len(node))
        node[last] = value
    return result

"""Comparing a replayed answer with a recorded one, without what a fresh portal cannot reproduce.

``normalise`` drops the ``time`` blocks and turns dates into ``<time>`` and ids (values under
``ID``/``id``/``*_ID`` keys, the id an ``*.add`` returns, ``C<id>:`` / ``DEAL_STAGE_<id>``
prefixes) into ``<id>``; ``shape`` keeps only keys and value types; ``compare_envelopes`` lists
each difference as (path, recorded, replayed) by the trace line's ``compare`` mode ("values",
"shape" or "status"). It belongs to the emulator: it imports nothing from the rest of b24provision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from b24provision.emulator.replay_ids import ID_KEYS, PREFIXES, int_like

# Keys whose value is some object's id (ignored in comparisons; entityTypeId is a type, not an id).
_ID_VALUED = ID_KEYS | {"CATEGORY_ID", "categoryId", "OWNER_ID", "ownerId"}
_DATE = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?")


def compare_envelopes(
    recorded_status: int,
    recorded: Any,
    status: int,
    replayed: Any,
    mode: str,
    method: str = "",
    params: Mapping[str, Any] | None = None,
) -> list[tuple[str, str, str]]:
    """(path, recorded, replayed) for each difference between two answers, ids and times ignored."""
    out: list[tuple[str, str, str]] = []
    if recorded_status != status:
        out.append(("status", str(recorded_status), str(status)))
    rec = normalise(recorded, method, params)
    rep = normalise(replayed, method, params)
    if mode == "status":
        a = rec.get("error") if isinstance(rec, dict) else None
        b = rep.get("error") if isinstance(rep, dict) else None
        if a != b:
            out.append(("error", _show(a), _show(b)))
        return out
    if mode == "shape":
        rec, rep = shape(rec), shape(rep)
    _walk(rec, rep, "", out, shapes=mode == "shape")
    return out


def normalise(value: Any, method: str = "", params: Mapping[str, Any] | None = None) -> Any:
    """The envelope without what a fresh portal cannot reproduce: times, dates and ids."""
    adds = _add_keys(method, params or {})

    def walk(node: Any, key: str, path: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            return {
                k: walk(v, str(k), (*path, str(k)))
                for k, v in node.items()
                if str(k) not in ("time", "result_time")
            }
        if isinstance(node, list):
            return [walk(v, key, (*path, "[]")) for v in node]
        if key in _ID_VALUED and int_like(node):
            return "<id>"
        if int_like(node) and (path == ("result",) and method.endswith(".add")):
            return "<id>"
        if int_like(node) and len(path) == 3 and path[:2] == ("result", "result") and path[2] in adds:
            return "<id>"
        if isinstance(node, str):
            if _DATE.match(node):
                return "<time>"
            for pattern, template in PREFIXES:
                node = pattern.sub(template.format("<id>"), node)
        return node

    return walk(value, "", ())


def shape(value: Any) -> Any:
    """Keys and value types only; a list becomes the sorted set of its items' shapes."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        shapes = {json.dumps(shape(v), sort_keys=True): shape(v) for v in value}
        return [shapes[k] for k in sorted(shapes)]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "<id>" if value == "<id>" else "string"
    return type(value).__name__


def _walk(rec: Any, rep: Any, path: str, out: list[tuple[str, str, str]], *, shapes: bool) -> None:
    if isinstance(rec, dict) and isinstance(rep, dict):
        for key in rec:
            where = f"{path}.{key}" if path else str(key)
            if key not in rep:
                out.append((where, _show(rec[key]), "(missing)"))
            else:
                _walk(rec[key], rep[key], where, out, shapes=shapes)
        for key in rep:
            if key not in rec:
                out.append((f"{path}.{key}" if path else str(key), "(missing)", _show(rep[key])))
        return
    if isinstance(rec, list) and isinstance(rep, list):
        if shapes:
            # A list's shape is a set of item shapes: a fresh portal may have fewer kinds of items.
            rec_keys = {json.dumps(v, sort_keys=True) for v in rec}
            rep_keys = {json.dumps(v, sort_keys=True) for v in rep}
            if rec_keys != rep_keys and len(rec) == 1 and len(rep) == 1:
                _walk(rec[0], rep[0], f"{path}[]", out, shapes=shapes)
                return
            for only in sorted(rec_keys - rep_keys):
                out.append((f"{path}[]", _clip(only), "(no such item)"))
            for only in sorted(rep_keys - rec_keys):
                out.append((f"{path}[]", "(no such item)", _clip(only)))
            return
        if len(rec) != len(rep):
            out.append((f"{path} (length)", str(len(rec)), str(len(rep))))
        for n, (a, b) in enumerate(zip(rec, rep, strict=False)):
            _walk(a, b, f"{path}[{n}]", out, shapes=shapes)
        return
    # PHP writes an empty map as []: an empty list and an empty map are one value on the wire.
    if rec in ([], {}) and rep in ([], {}) and not shapes:
        if type(rec) is not type(rep):
            out.append((path, _show(rec), _show(rep)))
        return
    if rec != rep:
        out.append((path, _show(rec), _show(rep)))


def _add_keys(method: str, params: Mapping[str, Any]) -> set[str]:
    """The batch keys whose command is an ``*.add`` (their results are new ids)."""
    if method != "batch" or not isinstance(params.get("cmd"), Mapping):
        return set()
    return {str(k) for k, v in params["cmd"].items() if str(v).split("?", 1)[0].endswith(".add")}


def _show(value: Any) -> str:
    return _clip(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _clip(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."

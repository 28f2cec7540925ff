"""Replaying ids: the ids a recorded portal gave, mapped to the ones the emulator gives.

A fresh emulator cannot give the ids the recorded portal gave, so :class:`IdMap` learns, answer
by answer, which recorded id is which replayed one, and rewrites later requests (plain params and
the commands of a ``batch``) with them, so that "add, then update what was added" replays. It
belongs to the emulator: it imports nothing from the rest of b24provision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

ID_KEYS = frozenset({"ID", "id"})
PREFIXES = (
    (re.compile(r"\bC(\d+):"), "C{}:"),
    (re.compile(r"\bDEAL_STAGE_(\d+)\b"), "DEAL_STAGE_{}"),
    (re.compile(r"\bcategory_(\d+)\b"), "category_{}"),
)


class IdMap:
    """Ids the recorded portal gave -> the ids the emulator gave, learnt answer by answer.

    Kept per kind of object (the method's family: ``crm.status``, ``crm.deal.userfield``, pipelines
    for both ``crm.category`` and ``crm.dealcategory``), identical pairs included, so that a stage
    id is never rewritten with a field's mapping.
    """

    def __init__(self) -> None:
        self.maps: dict[str, dict[str, str]] = {}

    def learn(self, method: str, params: Mapping[str, Any], recorded: Any, replayed: Any) -> None:
        if method == "batch":
            raw = params.get("cmd")
            cmd: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            rec = dig(recorded, "result", "result")
            rep = dig(replayed, "result", "result")
            if isinstance(rec, Mapping) and isinstance(rep, Mapping):
                for key, command in cmd.items():
                    sub = str(command).split("?", 1)[0]
                    self._pair(sub, rec.get(key), rep.get(key), "result")
            return
        self._pair(method, dig(recorded, "result"), dig(replayed, "result"), "result")

    def _pair(self, method: str, rec: Any, rep: Any, key: str) -> None:
        if isinstance(rec, Mapping) and isinstance(rep, Mapping):
            for k in rec:
                if k in rep:
                    self._pair(method, rec[k], rep[k], str(k))
        elif isinstance(rec, list) and isinstance(rep, list) and len(rec) == len(rep):
            for a, b in zip(rec, rep, strict=True):
                self._pair(method, a, b, key)
        elif (key in ID_KEYS or (key == "result" and method.endswith(".add"))) and (
            int_like(rec) and int_like(rep)
        ):
            self.maps.setdefault(_family(method), {})[str(rec)] = str(rep)

    def rewrite(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if not self.maps:
            return dict(params)
        if method == "batch" and isinstance(params.get("cmd"), Mapping):
            cmd = {key: self._command(str(text)) for key, text in params["cmd"].items()}
            return {**params, "cmd": cmd}
        return self._params(method, params)

    def _command(self, text: str) -> str:
        sub, sep, query = text.partition("?")
        if not sep:
            return text
        pairs = [
            (k, self._scalar(sub, k.rsplit("[", 1)[-1].rstrip("]"), v))
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        return f"{sub}?{urlencode(pairs)}"

    def _params(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        def walk(node: Any, key: str) -> Any:
            if isinstance(node, Mapping):
                return {k: walk(v, str(k)) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v, key) for v in node]
            return self._scalar(method, key, node)

        return {k: walk(v, str(k)) for k, v in params.items()}

    def _scalar(self, method: str, key: str, value: Any) -> Any:
        family = _family(method)
        if key in ("categoryId", "CATEGORY_ID"):
            family = "pipeline"
        if key in ID_KEYS or key in ("categoryId", "CATEGORY_ID"):
            if int_like(value):
                mapped = self.maps.get(family, {}).get(str(value))
                if mapped is not None:
                    return int(mapped) if isinstance(value, int) else mapped
                return value
        if isinstance(value, str):
            for pattern, template in PREFIXES:
                value = pattern.sub(self._prefix_with(template), value)
        return value

    def _prefix_with(self, template: str) -> Callable[[re.Match[str]], str]:
        pipelines = self.maps.get("pipeline", {})

        def mapped(match: re.Match[str]) -> str:
            return template.format(pipelines.get(match[1], match[1]))

        return mapped


def _family(method: str) -> str:
    """The kind of object a method's ids are of: its name without the action."""
    if method.startswith(("crm.category.", "crm.dealcategory.")):
        return "pipeline"
    return method.rsplit(".", 1)[0]


def dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def int_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())

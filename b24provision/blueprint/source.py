"""YAML files as plain data that remembers where every value came from.

ruamel.yaml's round-trip loader keeps the line and column of every node. We read a file once and
turn it into plain Python values (dict, list, str, int, float, bool, None) plus two maps from a
value's path (e.g. ``("pipelines", 0, "stages", 2, "code")``) to its ``Location``:

- ``values``: where the value is. For a scalar that is the value itself; for a list or mapping
  that is the value of a mapping key it is the key (``stages:`` points at the line that says
  ``stages:``, not at its first item); for a list item it is the item.
- ``keys``: where the mapping key is, for "unknown key" messages.

YAML problems (syntax, duplicate keys, an empty file) become ``Problem`` values at ruamel's own
position; nothing here raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from b24provision.blueprint.model import Location
from b24provision.errors import Problem

YamlPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """One YAML file as plain data, with the location of every value and mapping key."""

    file: str
    data: Any
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)

    def at(self, path: YamlPath) -> Location:
        """The location of ``path``, or of its nearest located parent."""
        return locate(self.values, path, self.file)


def locate(locations: dict[YamlPath, Location], path: YamlPath, file: str) -> Location:
    """The location of ``path`` in ``locations``, or of its nearest parent; the file if none."""
    key = tuple(path)
    while True:
        if key in locations:
            return locations[key]
        if not key:
            return Location(path=file)
        key = key[:-1]


def problem_at(where: Location, message: str, code: str, severity: str = "error") -> Problem:
    return Problem(where.path, where.line, where.col, message, severity, code)


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDoc | None, list[Problem]]:
    """Read one YAML file; the document, or None and the problems that stopped it."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(name, 0, 0, f"not UTF-8 text ({exc.reason}) — save the file as UTF-8", code="yaml")
        ]
    except OSError as exc:
        return None, [Problem(name, 0, 0, f"cannot read: {exc.strerror} — check the path", code="io")]
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        return None, [_yaml_problem(name, exc)]
    if tree is None:
        return None, [
            Problem(name, 0, 0, "the file is empty — add pipelines:, fields: or remove it", code="empty")
        ]
    doc = YamlDoc(file=name, data=None)
    doc.values[()] = _loc(name, getattr(getattr(tree, "lc", None), "line", 0), 0)
    doc.data = _convert(tree, (), doc)
    return doc, []


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*?)"')


def _yaml_problem(name: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    duplicate = _DUPLICATE.search(problem)
    if duplicate:
        first = f" (first at line {exc.context_mark.line + 1})" if exc.context_mark is not None else ""
        return Problem(
            name,
            line,
            col,
            f"duplicate key '{duplicate['key']}'{first} — keep only one of them",
            code="duplicate-key",
        )
    context = f" ({exc.context.strip()})" if exc.context and exc.problem else ""
    return Problem(
        name, line, col, f"YAML syntax error: {problem}{context} — fix the YAML at this position", code="yaml"
    )


def _loc(file: str, line: int, col: int) -> Location:
    return Location(path=file, line=line + 1, col=col + 1)


def _convert(node: Any, path: YamlPath, doc: YamlDoc) -> Any:
    """Plain data for a ruamel node, filling ``doc.values`` / ``doc.keys`` below ``path``."""
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for raw_key, child in node.items():
            key = _plain_key(raw_key)
            child_path = (*path, key)
            key_pos = _lc(node, "key", raw_key)
            value_pos = _lc(node, "value", raw_key)
            if key_pos is not None:
                doc.keys[child_path] = _loc(doc.file, *key_pos)
            # A nested list or mapping is located at its key: "stages:" names the thing.
            pos = key_pos if isinstance(child, CommentedMap | CommentedSeq) else (value_pos or key_pos)
            if pos is not None:
                doc.values[child_path] = _loc(doc.file, *pos)
            out[key] = _convert(child, child_path, doc)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for i, child in enumerate(node):
            pos = _lc(node, "item", i)
            if pos is not None:
                doc.values[(*path, i)] = _loc(doc.file, *pos)
            items.append(_convert(child, (*path, i), doc))
        return items
    return _plain_scalar(node)


def _lc(node: CommentedMap | CommentedSeq, kind: str, key: Any) -> tuple[int, int] | None:
    # Keys pulled in through a YAML merge (<<: *anchor) have no position of their own here.
    try:
        line, col = getattr(node.lc, kind)(key)
        return int(line), int(col)
    except (KeyError, IndexError, TypeError):
        return (node.lc.line, node.lc.col) if node.lc.line is not None else None


def _plain_key(key: Any) -> Any:
    value = _plain_scalar(key)
    return value if isinstance(value, str | int) and not isinstance(value, bool) else str(value)


def _plain_scalar(value: Any) -> Any:
    # ruamel wraps some scalars (ScalarFloat, ScalarInt, ScalarBoolean, quoted strings); YAML dates
    # become datetime objects. The model wants plain JSON-like values, dates as ISO text.
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)

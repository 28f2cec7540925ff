"""Merging the files of one blueprint into one document, locations carried over.

The lists (``pipelines``, ``fields``, ``app_robots``, ``triggers``, ``removed.*``) are
concatenated in file order, with the index of every item shifted so that each value still points
at its own file, line and column; scalars (``version``, ``tariff``, ``description``) must agree;
``variables`` are merged and a name declared twice is an error. Problems are collected in
:attr:`MergedDoc.problems`, never raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from b24provision.blueprint.model import Location
from b24provision.blueprint.source import YamlDoc, YamlPath, locate, problem_at
from b24provision.errors import Problem

LIST_KEYS = ("pipelines", "fields", "app_robots", "triggers")
"""Top-level keys whose lists of all files are concatenated."""


@dataclass
class MergedDoc:
    """Several YAML documents as one, with the locations of every value in the merged paths."""

    file: str
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def at(self, path: YamlPath) -> Location:
        return locate(self.values, path, self.file)


def merge_docs(docs: list[YamlDoc]) -> MergedDoc:
    out = MergedDoc(file=docs[0].file)
    for doc in docs:
        if not isinstance(doc.data, dict):
            got = "a list" if isinstance(doc.data, list) else repr(doc.data)
            out.problems.append(problem_at(
                doc.at(()), f"the top level must be a mapping (pipelines:, fields:, ...), got {got} — "
                "start the file with keys such as pipelines:", "top-level",
            ))  # fmt: skip
            continue
        index = _index(doc)
        for key, value in doc.data.items():
            _merge_key(out, doc, key, value, index)
    return out


def _merge_key(out: MergedDoc, doc: YamlDoc, key: str, value: Any, index: _Index) -> None:
    """Merge top-level ``key`` of ``doc`` into ``out``, carrying its locations over."""
    if key not in out.data:
        out.data[key] = value
        _copy(out, index, (key,), lambda p: p)
    elif key in LIST_KEYS and isinstance(value, list) and isinstance(out.data[key], list):
        offset = len(out.data[key])
        out.data[key] = [*out.data[key], *value]
        _copy(out, index, (key,), partial(_shift, at=1, offset=offset), skip_root=True)
    elif key == "removed" and isinstance(value, dict) and isinstance(out.data[key], dict):
        mine: dict[str, Any] = dict(out.data[key])
        for sub, items in value.items():
            if sub not in mine:
                mine[sub] = items
                _copy(out, index, (key, sub), lambda p: p)
            elif isinstance(items, list) and isinstance(mine[sub], list):
                offset = len(mine[sub])
                mine[sub] = [*mine[sub], *items]
                _copy(out, index, (key, sub), partial(_shift, at=2, offset=offset), skip_root=True)
            else:
                _conflict(out, doc, (key, sub), mine[sub], items)
        out.data[key] = mine
    elif key == "variables" and isinstance(value, dict) and isinstance(out.data[key], dict):
        mine = dict(out.data[key])
        for name, default in value.items():
            if name in mine:
                first = out.keys.get((key, name), out.at((key, name)))
                out.problems.append(problem_at(
                    doc.keys.get((key, name), doc.at((key, name))),
                    f"variable '{name}' is declared twice (first at {first}) — declare it in one file only",
                    "merge/duplicate-variable",
                ))  # fmt: skip
            else:
                mine[name] = default
                _copy(out, index, (key, name), lambda p: p)
        out.data[key] = mine
    elif out.data[key] != value:
        _conflict(out, doc, (key,), out.data[key], value)


def _conflict(out: MergedDoc, doc: YamlDoc, path: YamlPath, first: Any, second: Any) -> None:
    name = ".".join(str(p) for p in path)
    out.problems.append(problem_at(
        doc.at(path), f"'{name}' is {_brief(second)} here but {_brief(first)} at {out.at(path)} "
        "— files of one blueprint must agree; set it in one file only", "merge/conflict",
    ))  # fmt: skip


def _brief(value: Any) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."  # one line, even for a 5 MB value


def _shift(path: YamlPath, at: int, offset: int) -> YamlPath:
    index = path[at] if len(path) > at else None
    if isinstance(index, int):
        return (*path[:at], index + offset, *path[at + 1 :])
    return path


# Located paths of one document by their first one and two elements: (is it a key, path, where).
_Index = dict[YamlPath, list[tuple[bool, YamlPath, Location]]]


def _index(doc: YamlDoc) -> _Index:
    """Every located path of ``doc`` under its first one and two elements, so that copying the
    locations of one top-level key reads only its own (a file with 20,000 top-level keys read all
    of them for each key: 55 s)."""
    index: _Index = {}
    for is_key, source in ((False, doc.values), (True, doc.keys)):
        for path, where in source.items():
            entry = (is_key, path, where)
            index.setdefault(path[:1], []).append(entry)
            if len(path) >= 2:
                index.setdefault(path[:2], []).append(entry)
    return index


def _copy(
    out: MergedDoc,
    index: _Index,
    prefix: YamlPath,
    remap: Callable[[YamlPath], YamlPath],
    *,
    skip_root: bool = False,
) -> None:
    n = len(prefix)
    for is_key, path, where in index.get(prefix, ()):
        if not (skip_root and len(path) == n):
            (out.keys if is_key else out.values)[remap(path)] = where

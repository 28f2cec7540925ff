"""Plain data and positions from libyaml's event stream: one loop, an explicit stack, bounded.

:class:`YamlBuilder` turns the parser's events into a :class:`~.yaml_doc.YamlDoc` in linear time,
with no recursion, every event's mark giving line:column. It refuses, with one located problem
(:class:`Refused`), what a hostile file could use to take unbounded time or memory or to mean
something it does not say: nesting deeper than ``MAX_DEPTH``, aliases expanding past
``MAX_ALIAS_VALUES``, more than the caller's budget of values, unknown tags, more than one
document, duplicate keys, overlong keys, and lists or mappings as keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from b24provision.blueprint.model import Location
from b24provision.blueprint.yaml_doc import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_KEY_CHARS,
    MAX_VALUES,
    TOO_DEEP,
    YamlDoc,
    YamlPath,
)
from b24provision.blueprint.yaml_scalars import INVALID, TAGGED, resolve_plain
from b24provision.errors import Problem


class Refused(Exception):
    """A located reason to stop reading (a limit, a tag, a duplicate key)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _NoKey:
    """The mapping on top of the stack waits for a key, not a value."""


class _MergeKey:
    """YAML's ``<<`` merge key (``<<: *defaults``)."""


_NO_KEY = _NoKey()
_MERGE = _MergeKey()


class _Frame:
    """A list or mapping being built: its value, path, size so far and pending key."""

    __slots__ = ("anchor", "key", "key_at", "mark", "merges", "path", "size", "value")

    def __init__(
        self, value: dict[Any, Any] | list[Any], path: YamlPath, mark: Any, anchor: str | None
    ) -> None:
        self.value = value
        self.path = path
        self.mark = mark
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_at: Location | None = None
        self.merges: list[tuple[dict[Any, Any], Location]] = []


class YamlBuilder:
    """Plain data and positions from libyaml's events, one pass, bounded."""

    def __init__(self, file: str, max_values: int) -> None:
        self.file = file
        self.max_values = max_values
        self.doc = YamlDoc(file=file, data=None)
        self.stack: list[_Frame] = []
        # anchor name -> (value, how many values it holds, is it a list or mapping)
        self.anchors: dict[str, tuple[Any, int, bool]] = {}
        self.expanded = 0
        self.done = False

    def build(self, loader: Any) -> YamlDoc | None:
        scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        documents = 0
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is scalar:
                self._scalar(event)
            elif kind is map_start or kind is seq_start:
                self._start(event, kind is map_start)
            elif kind is map_end or kind is seq_end:
                self._end()
            elif kind is alias:
                self._alias(event)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self._refuse(
                        event.start_mark, "a second YAML document ('---') — a file holds one blueprint "
                        "document; put the second one in a file of its own", "yaml/documents",
                    )  # fmt: skip
            elif kind is yaml.StreamEndEvent:
                break
        return self.doc if self.done and self.doc.data is not None else None

    # -- events

    def _scalar(self, event: Any) -> None:
        top = self.stack[-1] if self.stack else None
        plain = event.implicit[0] and event.tag is None
        if plain and event.value == "<<" and top is not None and isinstance(top.value, dict):
            if top.key is _NO_KEY:
                top.key, top.key_at = _MERGE, self._loc(event.start_mark)
                return
        value = self._scalar_value(event, plain)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, False)
        self._add(value, 1, event.start_mark, collection=False)

    def _start(self, event: Any, is_map: bool) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self._refuse(event.start_mark, TOO_DEEP, "yaml/depth")
        allowed = "tag:yaml.org,2002:map" if is_map else "tag:yaml.org,2002:seq"
        if event.tag not in (None, "!", allowed):
            raise self._unknown_tag(event)
        path: YamlPath = ()
        if self.stack:
            top = self.stack[-1]
            if isinstance(top.value, dict):
                if top.key is _NO_KEY:
                    raise self._refuse(
                        event.start_mark, "a list or mapping as a mapping key — a key is plain text, "
                        "e.g. name:", "yaml/complex-key",
                    )  # fmt: skip
                path = (*top.path, "<<") if top.key is _MERGE else (*top.path, top.key)
            else:
                path = (*top.path, len(top.value))
        frame = _Frame({} if is_map else [], path, event.start_mark, event.anchor)
        self.stack.append(frame)

    def _end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict) and frame.merges:
            self._apply_merges(frame)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, frame.size, True)
        self._add(frame.value, frame.size, frame.mark, collection=True)

    def _alias(self, event: Any) -> None:
        name = event.anchor
        if name not in self.anchors:
            raise self._refuse(
                event.start_mark, f"YAML syntax error: the alias *{name} refers to no anchor &{name} "
                "defined before it — define the anchor first, or write the value out", "yaml",
            )  # fmt: skip
        value, size, collection = self.anchors[name]
        self.expanded += size
        if self.expanded > MAX_ALIAS_VALUES:
            raise self._refuse(
                event.start_mark, f"aliases here expand to more than {MAX_ALIAS_VALUES:,} values (nested "
                "anchors and aliases, a 'billion laughs') — write the values out, or use fewer aliases",
                "yaml/aliases",
            )  # fmt: skip
        # The value is shared, not copied: nothing downstream changes data in place. Its inner
        # paths have no positions of their own and resolve to the alias.
        self._add(value, size, event.start_mark, collection=collection)

    # -- attaching a finished value to its parent

    def _add(self, value: Any, size: int, mark: Any, *, collection: bool) -> None:
        self.doc.count += 1
        if self.doc.count > self.max_values:
            raise self._refuse(
                mark, f"more than {MAX_VALUES:,} values in one blueprint — a portal's configuration is "
                "far smaller; check what generated this file", "yaml/too-many-values",
            )  # fmt: skip
        if not self.stack:
            self.doc.data = value
            self.doc.values[()] = Location(path=self.file, line=mark.line + 1, col=1)
            self.done = True
            return
        top = self.stack[-1]
        top.size += size
        container = top.value
        if isinstance(container, list):
            self.doc.values[(*top.path, len(container))] = self._loc(mark)
            container.append(value)
            return
        if top.key is _NO_KEY:
            if collection:
                raise self._refuse(
                    mark, "a list or mapping as a mapping key — a key is plain text, e.g. name:",
                    "yaml/complex-key",
                )  # fmt: skip
            key = _plain_key(value)
            if isinstance(key, str) and len(key) > MAX_KEY_CHARS:
                raise self._refuse(
                    mark, f"a mapping key of {len(key):,} characters — keys are names (pipelines:, "
                    f"code:, ...), at most {MAX_KEY_CHARS:,} characters; is a ':' missing a space?",
                    "yaml/long-key",
                )  # fmt: skip
            if key in container:
                first = self.doc.keys.get((*top.path, key))
                at = f" (first at line {first.line})" if first is not None else ""
                raise self._refuse(
                    mark, f"duplicate key '{key}'{at} — keep only one of them", "duplicate-key"
                )
            # Recorded now so that a duplicate can name the first one.
            top.key, top.key_at = key, self._loc(mark)
            self.doc.keys[(*top.path, key)] = top.key_at
            return
        key, key_at = top.key, top.key_at
        top.key = _NO_KEY
        if key is _MERGE:
            self._merge_value(top, value, mark)
            return
        path = (*top.path, key)
        self.doc.values[path] = key_at if collection and key_at is not None else self._loc(mark)
        container[key] = value

    def _merge_value(self, top: _Frame, value: Any, mark: Any) -> None:
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(s, dict) for s in sources):
            raise self._refuse(
                mark, "'<<' merges a mapping into this one — write <<: *anchor (or a list of them)",
                "yaml/merge",
            )  # fmt: skip
        top.merges += [(s, self._loc(mark)) for s in sources]

    def _apply_merges(self, frame: _Frame) -> None:
        # Keys written in the mapping win over merged ones; an earlier merge wins over a later one.
        target = frame.value
        assert isinstance(target, dict)
        for source, where in frame.merges:
            for key, value in source.items():
                if key not in target:
                    target[key] = value
                    self.doc.keys[(*frame.path, key)] = where
                    self.doc.values[(*frame.path, key)] = where

    # -- scalars

    def _scalar_value(self, event: Any, plain: bool) -> Any:
        text: str = event.value
        tag = event.tag
        if plain:
            return resolve_plain(text)
        if tag is None or tag == "!":
            return text
        construct = TAGGED.get(tag)
        if construct is None:
            raise self._unknown_tag(event)
        value = construct(text)
        if value is INVALID:
            raise self._refuse(
                event.start_mark, f"{text!r} is not a valid {_short_tag(tag)} — fix the value or drop "
                "the tag", "yaml/tag",
            )  # fmt: skip
        return value

    def _unknown_tag(self, event: Any) -> Refused:
        return self._refuse(
            event.start_mark, f"unknown tag '{_short_tag(event.tag)}' — a blueprint holds plain values (YAML "
            "tags such as !env are not read); for a value that differs per portal use a variable, "
            "${name}", "yaml/tag",
        )  # fmt: skip

    def _loc(self, mark: Any) -> Location:
        return _location(self.file, mark.line + 1, mark.column + 1)

    def _refuse(self, mark: Any, message: str, code: str) -> Refused:
        return Refused(Problem(self.file, mark.line + 1, mark.column + 1, message, code=code))


# A file has a Location for every value and key (half a million at the largest), so they are made
# the way pydantic's model_construct makes them, without its per-call overhead (10 µs -> 4 µs) and
# with one shared fields set (a set of its own costs 200 bytes). Checked once against the real
# constructor; should pydantic store a model differently, model_construct takes over.
_LOCATION_FIELDS = {"path", "line", "col"}
_new, _set = object.__new__, object.__setattr__


def _fast_location(path: str, line: int, col: int) -> Location:
    loc = _new(Location)
    _set(loc, "__dict__", {"path": path, "line": line, "col": col})
    _set(loc, "__pydantic_fields_set__", _LOCATION_FIELDS)
    _set(loc, "__pydantic_extra__", None)
    _set(loc, "__pydantic_private__", None)
    return loc


def _constructed_location(path: str, line: int, col: int) -> Location:
    return Location.model_construct(_LOCATION_FIELDS, path=path, line=line, col=col)


def _same_as_validated(make: Callable[[str, int, int], Location]) -> bool:
    try:
        made, real = make("f", 2, 3), Location(path="f", line=2, col=3)
        return made == real and hash(made) == hash(real) and made.model_dump() == real.model_dump()
    except Exception:  # any failure means: do not use it
        return False


_location = _fast_location if _same_as_validated(_fast_location) else _constructed_location


def _plain_key(value: Any) -> Any:
    return value if isinstance(value, str | int) and not isinstance(value, bool) else str(value)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag

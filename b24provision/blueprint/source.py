"""YAML files as plain data that remembers where every value came from.

Blueprints come from pull requests, so this reader treats its input as hostile. It reads a file
(or standard input) once and turns it into plain Python values (dict, list, str, int, float, bool,
None) plus two maps from a value's path (e.g. ``("pipelines", 0, "stages", 2, "code")``) to its
``Location``:

- ``values``: where the value is. For a scalar that is the value itself; for a list or mapping
  that is the value of a mapping key it is the key (``stages:`` points at the line that says
  ``stages:``, not at its first item); for a list item it is the item.
- ``keys``: where the mapping key is, for "unknown key" messages.

How: libyaml (PyYAML's C parser) produces the event stream, and one loop here builds the data and
the positions from it, with an explicit stack: linear time, no recursion, every event's mark gives
line:column. (ruamel's round-trip loader, which keeps comments, is slower than linear on large
files; it is still used where comments must survive, i.e. writing YAML.) Scalars are resolved by
YAML 1.2's core schema, as ruamel does: ``yes``/``no``/``on`` stay text, ``010`` is ten; a date
stays the text it is written as.

Limits, each refused with one located problem (nothing here raises):

- a file over ``MAX_FILE_BYTES`` (5 MB) is not parsed at all;
- more than ``MAX_VALUES`` values (the caller may give a smaller budget: what is left of it for
  the other files of one blueprint);
- a character YAML does not allow (NUL and other control characters) is named at its position;
- nesting deeper than ``MAX_DEPTH`` levels (a blueprint needs about ten);
- aliases (``*name``) that would expand to more than ``MAX_ALIAS_VALUES`` values in all (a few
  hundred bytes of nested aliases, a "billion laughs", would otherwise need gigabytes);
- tags other than YAML's standard ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!map``, ``!!seq`` (``!env SECRET`` must not silently become the text "SECRET");
- more than one document in a file, duplicate keys, a key longer than ``MAX_KEY_CHARS``, and a
  list or mapping as a mapping key.

``-`` and ``/dev/stdin`` name standard input, read with the same size limit.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from b24provision.blueprint.model import Location
from b24provision.errors import Problem

YamlPath = tuple[str | int, ...]

MAX_FILE_BYTES = 5_000_000
"""The largest blueprint (or values) file read; the 500-field benchmark blueprint is 190 kB."""
MAX_DEPTH = 50
"""Nesting levels of lists and mappings; the deepest a blueprint needs is about ten."""
MAX_ALIAS_VALUES = 100_000
"""Values that aliases may add by repeating what an anchor holds, over the whole file."""
MAX_KEY_CHARS = 1_000
"""The longest mapping key; every key of a blueprint is a name (and names appear in messages)."""
MAX_VALUES = 250_000
"""Values (scalars, lists, mappings) in one blueprint; 4,000 pipelines of 10 stages are 244,000.
Without it, 5 MB of ``[1,1,1,...]`` would be 2.5 million values and about 2 GB of memory."""

# libyaml's parser when PyYAML was built with it (the wheels are), else PyYAML's own: both are linear.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STDIN_NAMES = ("-", "/dev/stdin")
STDIN_DISPLAY = "<stdin>"


@dataclass
class YamlDoc:
    """One YAML file as plain data, with the location of every value and mapping key."""

    file: str
    data: Any
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)
    count: int = 0
    """How many values the file holds (a value an alias repeats counts once)."""

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


def is_stdin(path: Path) -> bool:
    """``-`` or ``/dev/stdin``: the blueprint comes from standard input."""
    return str(path) in STDIN_NAMES


def display_name(path: Path) -> str:
    return STDIN_DISPLAY if is_stdin(path) else str(path)


def read_yaml(
    path: Path, display: str | None = None, *, max_values: int = MAX_VALUES
) -> tuple[YamlDoc | None, list[Problem]]:
    """Read one YAML file (``-``: standard input); the document, or None and the problem that stopped it."""
    name = display or display_name(path)
    raw, problem = _read_bounded(path, name)
    if problem is not None:
        return None, [problem]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        return None, [
            Problem(name, line, col, f"not UTF-8 text ({exc.reason}) — save the file as UTF-8", code="yaml")
        ]
    return parse_yaml(text, name, max_values=max_values)


def parse_yaml(text: str, name: str, *, max_values: int = MAX_VALUES) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse YAML ``text`` reported as ``name``; the document, or None and the problem that stopped it."""
    text = text.removeprefix("\ufeff")
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        line, col = _text_position(text, bad.start())
        char = bad.group()
        what = _CHAR_NAMES.get(char, "a control character")
        return None, [
            Problem(
                name, line, col, f"{what} (U+{ord(char):04X}) is not allowed in YAML text — remove it "
                "(is this a binary file?)", code="yaml/character",
            )
        ]  # fmt: skip
    try:
        root = _Builder(name, max_values).build(_LOADER(text))
    except _Refused as exc:
        return None, [exc.problem]
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_problem(name, exc, text)]
    except yaml.YAMLError as exc:  # e.g. a reader error, which carries no line and column
        return None, [Problem(name, 0, 0, f"YAML error: {exc} — fix the file", code="yaml")]
    if root is None:
        return None, [
            Problem(name, 0, 0, "the file is empty — add pipelines:, fields: or remove it", code="empty")
        ]
    return root, []


# ------------------------------------------------------------------------------------- reading


def _read_bounded(path: Path, name: str) -> tuple[bytes, Problem | None]:
    """At most ``MAX_FILE_BYTES`` of ``path``; a problem when it is larger or cannot be read."""
    too_big = Problem(
        name, 0, 0, f"larger than {MAX_FILE_BYTES // 1_000_000} MB, the limit for a blueprint — a "
        "portal's configuration is far smaller (500 fields are 190 kB); check what wrote this file",
        code="too-large",
    )  # fmt: skip
    try:
        if is_stdin(path):
            stdin = getattr(sys.stdin, "buffer", None)
            if stdin is None:
                return b"", Problem(name, 0, 0, "there is no standard input to read — pass a file", code="io")
            raw = _read_at_most(stdin)
        else:
            if path.is_symlink() and not path.exists():
                return b"", Problem(
                    name, 0, 0, "a broken symbolic link (its target does not exist) — fix the link or "
                    "remove it", code="io",
                )  # fmt: skip
            with path.open("rb") as handle:
                raw = _read_at_most(handle)
    except OSError as exc:
        return b"", Problem(name, 0, 0, f"cannot read: {exc.strerror} — check the path", code="io")
    return (b"", too_big) if len(raw) > MAX_FILE_BYTES else (raw, None)


def _read_at_most(handle: IO[bytes]) -> bytes:
    # One byte more than the limit tells "too large" apart from "exactly at the limit"; a pipe or
    # a device (/dev/zero) is never read further than that.
    chunks: list[bytes] = []
    left = MAX_FILE_BYTES + 1
    while left > 0:
        chunk = handle.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


_TOO_DEEP = (
    f"nested deeper than {MAX_DEPTH} levels of lists and mappings — a blueprint needs about ten; "
    "flatten this part"
)

# Characters YAML allows in a stream (1.2 §5.1); libyaml refuses the others without a line number.
# PyYAML's own pattern of them, already compiled on import (compiling it again costs 10 ms).
_BAD_CHAR: re.Pattern[str] = yaml.reader.Reader.NON_PRINTABLE
_CHAR_NAMES = {"\x00": "a NUL byte", "\x1b": "an escape character", "\x7f": "a DEL character"}


def _text_position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, index) + 1
    column = len(raw[line_start:index].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, index) + 1, column


def _yaml_problem(name: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if problem == "found character that cannot start any token" and mark is not None:
        # libyaml does not say which character; the user needs to know (a tab, most often).
        lines = text.split("\n", mark.line + 1)
        row = lines[mark.line] if mark.line < len(lines) else ""
        char = row[mark.column] if mark.column < len(row) else ""
        problem = (
            "found a tab: YAML indents with spaces"
            if char == "\t"
            else f"found {char!r}, which cannot start a value"
        )
    if problem.startswith("exceeded maximum nesting depth"):  # libyaml's own limit (flow collections)
        return Problem(name, line, col, _TOO_DEEP, code="yaml/depth")
    context = f" ({exc.context.strip()})" if exc.context and exc.problem else ""
    return Problem(
        name, line, col, f"YAML syntax error: {problem}{context} — fix the YAML at this position", code="yaml"
    )


# ------------------------------------------------------------------------------------ building


class _Refused(Exception):
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


class _Builder:
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
            raise self._refuse(event.start_mark, _TOO_DEEP, "yaml/depth")
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
        construct = _TAGGED.get(tag)
        if construct is None:
            raise self._unknown_tag(event)
        value = construct(text)
        if value is _INVALID:
            raise self._refuse(
                event.start_mark, f"{text!r} is not a valid {_short_tag(tag)} — fix the value or drop "
                "the tag", "yaml/tag",
            )  # fmt: skip
        return value

    def _unknown_tag(self, event: Any) -> _Refused:
        return self._refuse(
            event.start_mark, f"unknown tag '{_short_tag(event.tag)}' — a blueprint holds plain values (YAML "
            "tags such as !env are not read); for a value that differs per portal use a variable, "
            "${name}", "yaml/tag",
        )  # fmt: skip

    def _loc(self, mark: Any) -> Location:
        return _location(self.file, mark.line + 1, mark.column + 1)

    def _refuse(self, mark: Any, message: str, code: str) -> _Refused:
        return _Refused(Problem(self.file, mark.line + 1, mark.column + 1, message, code=code))


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


# YAML 1.2 core schema, as ruamel.yaml resolves it (underscores allowed in numbers, 0o/0x/0b).
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_INT = re.compile(r"[-+]?(?:0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|\.[0-9_]+(?:[eE][-+][0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)"
)
_NUMBER_START = frozenset("-+.0123456789")
_INVALID = object()


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar under YAML 1.2's core schema."""
    if not text or text[0] not in _NUMBER_START:
        if text in _NULL:
            return None
        return _BOOL.get(text, text)
    if _INT.fullmatch(text):
        number = _int(text)
        return text if number is _INVALID else number
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
        return _INVALID


def _float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


def _tagged_bool(text: str) -> Any:
    return _BOOL.get(text, _INVALID)


def _tagged_int(text: str) -> Any:
    return _int(text) if _INT.fullmatch(text) else _INVALID


def _tagged_float(text: str) -> Any:
    if _FLOAT.fullmatch(text):
        return _float(text)
    return float(_int(text)) if _INT.fullmatch(text) and _int(text) is not _INVALID else _INVALID


_TAGGED: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": _tagged_int,
    "tag:yaml.org,2002:float": _tagged_float,
    "tag:yaml.org,2002:bool": _tagged_bool,
    "tag:yaml.org,2002:null": lambda text: None if text in _NULL else _INVALID,
}

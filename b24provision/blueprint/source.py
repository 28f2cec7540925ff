"""YAML files as plain data that remembers where every value came from.

Blueprints come from pull requests, so this reader treats its input as hostile. It reads a file
(or standard input) once and turns it into plain Python values (dict, list, str, int, float, bool,
None) plus two maps from a value's path (e.g. ``("pipelines", 0, "stages", 2, "code")``) to its
``Location``:

- ``values``: where the value is. For a scalar that is the value itself; for a list or mapping
  that is the value of a mapping key it is the key (``stages:`` points at the line that says
  ``stages:``, not at its first item); for a list item it is the item.
- ``keys``: where the mapping key is, for "unknown key" messages.

How: libyaml (PyYAML's C parser) produces the event stream, and one loop (:mod:`.yaml_builder`)
builds the data and the positions from it, with an explicit stack: linear time, no recursion,
every event's mark gives line:column. (ruamel's round-trip loader, which keeps comments, is slower
than linear on large files; it is still used where comments must survive, i.e. writing YAML.)
Scalars are resolved by YAML 1.2's core schema (:mod:`.yaml_scalars`), as ruamel does:
``yes``/``no``/``on`` stay text, ``010`` is ten; a date stays the text it is written as.

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

import re
import sys
from pathlib import Path
from typing import IO

import yaml

from b24provision.blueprint.model import Location
from b24provision.blueprint.yaml_builder import Refused, YamlBuilder
from b24provision.blueprint.yaml_doc import (
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_KEY_CHARS,
    MAX_VALUES,
    TOO_DEEP,
    YamlDoc,
    YamlPath,
    locate,
)
from b24provision.blueprint.yaml_scalars import resolve_plain
from b24provision.errors import Problem

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_KEY_CHARS",
    "MAX_VALUES",
    "STDIN_DISPLAY",
    "STDIN_NAMES",
    "YamlDoc",
    "YamlPath",
    "display_name",
    "is_stdin",
    "locate",
    "parse_yaml",
    "problem_at",
    "read_yaml",
    "resolve_plain",
]

# libyaml's parser when PyYAML was built with it (the wheels are), else PyYAML's own: both are linear.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STDIN_NAMES = ("-", "/dev/stdin")
STDIN_DISPLAY = "<stdin>"


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
        root = YamlBuilder(name, max_values).build(_LOADER(text))
    except Refused as exc:
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
        return Problem(name, line, col, TOO_DEEP, code="yaml/depth")
    context = f" ({exc.context.strip()})" if exc.context and exc.problem else ""
    return Problem(
        name, line, col, f"YAML syntax error: {problem}{context} — fix the YAML at this position", code="yaml"
    )

"""``b24provision fmt``: the one canonical layout of a blueprint file, comments kept.

Two people editing one blueprint should not argue about indentation in review, and a re-export
should diff cleanly against the hand-edited file. The layout is the one the shipped blueprints
and ``export`` use:

- mappings indented by 2, list items by 4 with the dash at 2 (``  - code: NEW``);
- keys stay in the author's order (fields before pipelines may be the point of a file);
- strings quoted where YAML needs it or the author quoted them, and then with double quotes;
- one-line (flow) mappings and lists stay one-line, block ones stay block; lines are never folded;
- comments stay where they are (ruamel.yaml's round trip), and the file ends with one newline.

Formatting never changes what a file means: the formatted text is parsed again and compared with
the original's data, and a difference is refused (it would be a bug here, not the user's).
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError

from b24provision.blueprint.source import read_yaml
from b24provision.errors import ConfigError

__all__ = ["FormatResult", "canonical_yaml", "dump_canonical", "format_paths", "format_text", "yaml_files"]

YAML_SUFFIXES = (".yaml", ".yml")


class _DoubleQuoting(Emitter):
    """Quote with double quotes where a scalar must be quoted (ruamel's default is single)."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def canonical_yaml() -> YAML:
    """A round-trip YAML instance writing the canonical layout (see the module docstring)."""
    yaml = YAML(typ="rt")
    yaml.Emitter = _DoubleQuoting
    yaml.preserve_quotes = True  # "user:1" may be quoted for clarity: a quoted string stays quoted
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long name over lines
    yaml.allow_unicode = True
    return yaml


def dump_canonical(doc: Any) -> str:
    """``doc`` (ruamel round-trip data) as text in the canonical layout."""
    buffer = io.StringIO()
    canonical_yaml().dump(doc, buffer)
    return buffer.getvalue()


def format_text(text: str, name: str = "<text>") -> str:
    """``text`` (one YAML document) in the canonical layout.

    Raises:
        ConfigError: the text is not YAML (the message says file:line:col), or formatting would
            change its meaning.
    """
    try:
        tree = canonical_yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not valid YAML ({problem}); fix it, then run fmt again") from None
    if tree is None:
        return text
    formatted = dump_canonical(tree)
    if _data(formatted) != _data(text):
        raise ConfigError(
            f"{name}: not formatted: the layout would change its meaning (a bug: please report it)"
        )
    return formatted


@dataclass(frozen=True)
class FormatResult:
    """One file: its text before and after."""

    path: Path
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff from the file as it is to the file formatted."""
        name = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), name, name
            )
        )


def yaml_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The YAML files named, or found under the directories named.

    Hidden entries are skipped, and so are symbolic links found in a directory: ``fmt`` writes, and
    a link in a pull request's tree may point at any file of the machine.
    """
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                inside = found.relative_to(path)
                hidden = any(part.startswith(".") for part in inside.parts)
                linked = any((path / p).is_symlink() for p in (inside, *inside.parents) if p != Path("."))
                if found.is_file() and found.suffix in YAML_SUFFIXES and not hidden and not linked:
                    yield found
        elif path.exists():
            yield path
        else:
            raise ConfigError(f"{path}: no such file or directory — check the path")


def format_paths(paths: Sequence[Path], *, write: bool) -> list[FormatResult]:
    """Format every YAML file under ``paths``; with ``write``, save the changed ones.

    Raises:
        ConfigError: a file cannot be read, is not YAML, or cannot be written; the message names it.
    """
    results = []
    for path in yaml_files(paths):
        _, problems = read_yaml(path)  # the loader's own checks (encoding, syntax, limits)
        if problems:
            raise ConfigError(f"{problems[0]}")
        before = path.read_text(encoding="utf-8")
        result = FormatResult(path, before, format_text(before, str(path)))
        if write and result.changed:
            try:
                path.write_text(result.after, encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
        results.append(result)
    return results


def _data(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)

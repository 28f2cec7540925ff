"""Nested values compared with DeepDiff, turned into the plan's own typed changes.

``nested_changes(before, after)`` gives ``(path, before, after)`` triples with readable paths:
``default``, ``label[de]``, ``robots[0].delay``. A raw DeepDiff result never leaves this module, so
the rest of the code (and every rendering) sees only ``Change`` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff

from b24provision.plan.ops import Change


def _path(parts: list[Any], keys_in_brackets: bool) -> str:
    head, *rest = parts
    out = str(head)
    for part in rest:
        if isinstance(part, int) or keys_in_brackets:
            out += f"[{part}]"
        else:
            out += f".{part}"
    return out


def _present(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value


def nested_changes(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    whole_lists: bool = True,
    keys_in_brackets: bool = False,
    **options: Any,
) -> list[Change]:
    """The differences from ``before`` to ``after``, one per changed leaf, sorted by path.

    Args:
        before, after: JSON-like mappings (model dumps).
        whole_lists: a changed list-valued top-level entry is one change holding both whole lists
            (for lists whose items have no identity of their own, e.g. a field's targets).
        keys_in_brackets: map keys as ``[key]`` (languages), not ``.key`` (attributes).
        options: passed to DeepDiff (``ignore_order``, ``custom_operators``...).
    """
    if before == after:  # the common case, and much cheaper than a DeepDiff
        return []
    found = DeepDiff(dict(before), dict(after), view="tree", verbose_level=2, **options)
    changes: dict[str, Change] = {}
    for levels in found.values():
        for level in levels:
            parts = level.path(output_format="list")
            if not parts:
                continue
            top = parts[0]
            listed = isinstance(before.get(top), list) or isinstance(after.get(top), list)
            if len(parts) == 1 or (whole_lists and listed):
                changes[str(top)] = (str(top), before.get(top), after.get(top))
            else:
                path = _path(parts, keys_in_brackets)
                changes[path] = (path, _present(level.t1), _present(level.t2))
    return [changes[k] for k in sorted(changes)]


__all__ = ["nested_changes"]

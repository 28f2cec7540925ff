"""How an export's YAML is written: flow mappings and lists on one line, the layout ``fmt``'s."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.fmt import dump_canonical


def flow(data: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line, ``{code: NEW, name: ...}``, as the shipped blueprints do."""
    out = CommentedMap(data)
    out.fa.set_flow_style()
    return out


def flow_seq(items: list[Any]) -> CommentedSeq:
    out = CommentedSeq(items)
    out.fa.set_flow_style()
    return out


def dump(doc: CommentedMap) -> str:
    return dump_canonical(doc)

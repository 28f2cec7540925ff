"""A comparison as text, Markdown or JSON, in the words of a diff ("only in B"), not of an apply.

The ops of a comparison are read from A to B: ``+`` only in B, ``-`` only in A, ``~`` different
(attributes shown ``A -> B``). Objects are named by natural keys, as in a plan; the pairings that
used a fallback rule (stages by name, enumeration items by value) and what was not compared are
listed after the differences.

JSON shape (``format_version`` 2; keys may be added, never renamed or removed; 2: a key is a
typed reference as in plans, ``deal:sales/NEW``, ``deal:field/CODE``)::

    {"format_version": 2, "kind": "diff", "from": {"label", "kind"}, "to": {"label", "kind"},
     "summary": {"differences", "only_in_from", "only_in_to", "different", "has_differences", "text"},
     "differences": [{"change": "only_in_from|only_in_to|different", "kind", "key", "from", "to",
                      "changes": [{"attribute", "from", "to"}], "note"}],
     "pairings": [{"kind", "where", "from", "to", "rule"}], "notes": [...]}
"""

from __future__ import annotations

import json
from typing import Any

from b24provision.compare.match import Comparison, Difference
from b24provision.errors import ConfigError
from b24provision.plan.ops import AnyOp, CreatePipelineOp, DeletePipelineOp, DeleteStageOp
from b24provision.plan.render_common import describe, group_of, pipeline_title, value
from b24provision.plan.render_json import plan_to_json

FORMATS = ("text", "json", "markdown")
FORMAT_VERSION = 2
_MARKER = {"create": "+", "delete": "-", "update": "~", "replace": "~"}
_CHANGE = {"+": "only_in_to", "-": "only_in_from", "~": "different"}


def render_comparison(c: Comparison, fmt: str = "text") -> str:
    """The comparison in ``fmt`` (text, json or markdown)."""
    if fmt == "text":
        return _text(c)
    if fmt == "json":
        return json.dumps(comparison_to_json(c), ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(c)
    raise ConfigError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")


def summary(c: Comparison) -> str:
    """One line: "3 differences between A and B: 1 only in B, 1 only in A, 1 different." or none."""
    names = f"A ({c.a.title}) and B ({c.b.title})"
    if not c.has_differences:
        return f"No differences between {names}."
    counts = _counts(c)
    word = "difference" if c.count == 1 else "differences"
    return (
        f"{c.count} {word} between {names}: {counts['+']} only in B, {counts['-']} only in A, "
        f"{counts['~']} different."
    )


def comparison_to_json(c: Comparison) -> dict[str, Any]:
    """The comparison as a JSON-ready dict (see the module docstring)."""
    counts = _counts(c)
    differences: list[dict[str, Any]] = []
    for op, entry in zip(c.plan.ops, plan_to_json(c.plan)["operations"], strict=True):
        differences.append(
            {
                "change": _CHANGE[_MARKER[op.action]],
                "kind": entry["kind"],
                "key": entry["key"],
                "from": entry["before"],
                "to": entry["after"],
                "changes": [
                    {"attribute": ch["attribute"], "from": ch["before"], "to": ch["after"]}
                    for ch in entry["changes"]
                ],
                "note": _note(op),
            }
        )
    differences += [
        {"change": _CHANGE[d.marker], "kind": d.kind, "key": d.key, "from": None, "to": None, "changes": [],
         "note": d.text}
        for d in c.extra
    ]  # fmt: skip
    return {
        "format_version": FORMAT_VERSION,
        "kind": "diff",
        "from": {"label": c.a.label, "kind": c.a.kind},
        "to": {"label": c.b.label, "kind": c.b.kind},
        "summary": {
            "differences": c.count,
            "only_in_from": counts["-"],
            "only_in_to": counts["+"],
            "different": counts["~"],
            "has_differences": c.has_differences,
            "text": summary(c),
        },
        "differences": differences,
        "pairings": [
            {"kind": p.kind, "where": p.where, "from": p.a, "to": p.b, "rule": p.rule} for p in c.pairings
        ],
        "notes": list(c.notes),
    }


# ------------------------------------------------------------------------------------- text


def _text(c: Comparison) -> str:
    lines = [summary(c)]
    if c.has_differences:
        lines.append("(+ only in B, - only in A, ~ different: A -> B)")
    for title, ops, extra in _groups(c):
        lines += ["", title]
        for op in ops:
            lines.append(_head(op))
            lines += [
                f"      {attr}: {value(before)} -> {value(after)}" for attr, before, after in op.changes
            ]
        lines += [f"  {d.marker} {d.kind} {d.key}: {d.text}" for d in extra]
    if c.pairings:
        lines += [
            "",
            "Matched by a fallback rule (codes a portal makes itself differ between portals: stage codes"
            " made in the UI, list items' XML_IDs where the portal does not keep the ones sent):",
        ]
        lines += [f"  {_pairing(p.kind, p.where, p.a, p.b, p.rule)}" for p in c.pairings]
    for note in c.notes:
        lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def _markdown(c: Comparison) -> str:
    lines = [f"### Differences between `{c.a.label}` and `{c.b.label}`", "", f"**{summary(c)}**"]
    rows: list[str] = []
    for _title, ops, extra in _groups(c):
        for op in ops:
            parts = [describe(op) or op.kind] + [f"{a}: {value(b)} → {value(v)}" for a, b, v in op.changes]
            note = _note(op)
            parts += [note] if note else []
            rows.append(f"| `{_MARKER[op.action]}` | {op.kind} `{op.key}` | {_cells(parts)} |")
        rows += [f"| `{d.marker}` | {d.kind} `{d.key}` | {_cells([d.text])} |" for d in extra]
    if rows:
        lines += ["", "`+` only in B, `-` only in A, `~` different (A → B)", ""]
        lines += ["| | Object | Difference |", "|---|---|---|", *rows]
    if c.pairings:
        lines += ["", "<details><summary>Matched by a fallback rule</summary>", ""]
        lines += [f"- {_escape(_pairing(p.kind, p.where, p.a, p.b, p.rule))}" for p in c.pairings]
        lines += ["", "</details>"]
    for note in c.notes:
        lines += ["", f"Note: {_escape(note)}"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------ helpers


def _counts(c: Comparison) -> dict[str, int]:
    counts = {"+": 0, "-": 0, "~": 0}
    for op in c.plan.ops:
        counts[_MARKER[op.action]] += 1
    for d in c.extra:
        counts[d.marker] += 1
    return counts


def _groups(c: Comparison) -> list[tuple[str, list[AnyOp], list[Difference]]]:
    """(heading, ops, other differences): each pipeline, then fields, then the rest."""
    by_pipeline: dict[str, list[AnyOp]] = {}
    for op in c.plan.ops:
        by_pipeline.setdefault(group_of(op), []).append(op)
    groups: list[tuple[str, list[AnyOp], list[Difference]]] = [
        (pipeline_title(ops, key), sorted(ops, key=_stage_order), [])
        for key, ops in by_pipeline.items()
        if key
    ]
    loose = by_pipeline.get("", [])
    fields = [op for op in loose if op.kind == "field"]
    field_extra = [d for d in c.extra if d.kind == "field"]
    if fields or field_extra:
        groups.append(("Fields", fields, field_extra))
    for title, kind in (("Lead statuses", "status"), ("Reference lists", "list_item")):
        if members := [op for op in loose if op.kind == kind]:
            groups.append((title, members, []))
    others = [op for op in loose if op.kind not in ("field", "status", "list_item")]
    other_extra = [d for d in c.extra if d.kind != "field"]
    if others or other_extra:
        groups.append(("Other", others, other_extra))
    return groups


def _stage_order(op: AnyOp) -> tuple[int, int]:
    """Within a pipeline: the pipeline itself, then its stages in B's order, then stages only in A."""
    if op.kind == "pipeline":
        return (0, 0)
    if isinstance(op, DeleteStageOp):
        return (2, 0)
    return (1, getattr(op, "sort", 0))


def _head(op: AnyOp) -> str:
    words = describe(op)
    note = _note(op)
    return (
        f"  {_MARKER[op.action]} {op.kind} {op.key}"
        + (f" {words}" if words else "")
        + (f" ({note})" if note else "")
    )


def _note(op: AnyOp) -> str | None:
    if isinstance(op, CreatePipelineOp):
        return f"with its {len(op.pipeline.stages)} stages"
    if isinstance(op, DeletePipelineOp):
        return f"with its {len(op.stages)} stages"
    return None


def _pairing(kind: str, where: str, a: str, b: str, rule: str) -> str:
    what = "stage" if kind == "stage" else "enumeration item of field"
    return f"{what} {where}: {a} (A) = {b} (B), matched {rule}"


def _cells(parts: list[str]) -> str:
    return "<br>".join(_escape(p) for p in parts)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")

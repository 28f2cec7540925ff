"""``plan --explain``: the batch requests an apply of the plan would send, as text or JSON.

Each batch lists its steps: the ops it carries out, by natural key, and each REST command with what
it addresses (a portal id, a stage's STATUS_ID, a robot type's code); never the values sent, which
may hold a handler URL or a user id, and never the webhook. An id the apply only learns from an
earlier batch (a pipeline it creates) shows as the ``$result[...]`` reference to the command that
makes it. Nothing here reads or writes the portal: the batches come from the plan and the read the
plan was made from (``batches.plan_batches``).

JSON shape (``format_version`` 1; keys may be added, never renamed or removed)::

    {"format_version": 1, "portal": "...", "batches": [{"number", "phase", "rereads_pipelines",
     "steps": [{"operations": ["create pipeline sales", ...], "commands": [{"key", "method",
     "target"}]}]}]}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from b24provision.apply.batches import Batch
from b24provision.errors import ConfigError
from b24provision.plan.ops import AnyOp, CreateStageOp
from b24provision.portal.client import Command

FORMAT_VERSION = 1
PHASE_TITLES = {
    "A": "fields, application robot types, triggers, pipelines",
    "B": "stages",
    "C": "pipeline, field, robot type and trigger deletes",
}


def label(op: AnyOp) -> str:
    return f"{op.action} {op.kind} {op.key}"


def target(command: Command) -> str:
    """What a command addresses, by id or natural key; "" when nothing but its method says it."""
    params = command.params
    fields = params.get("fields")
    fields = fields if isinstance(fields, Mapping) else {}
    where = params.get("filter")
    where = where if isinstance(where, Mapping) else {}
    if "id" in params:
        return f"id {params['id']}"
    if "STATUS_ID" in fields:
        return f"{fields['STATUS_ID']} in {fields.get('ENTITY_ID')}"
    if "FIELD_NAME" in fields:
        return str(fields["FIELD_NAME"])
    if "ENTITY_ID" in where:
        return f"stages of {where['ENTITY_ID']}"
    if "name" in fields:
        return f"name {fields['name']!r}"
    if "CODE" in params:
        return f"code {params['CODE']}"
    if "name" in params:
        return f"name {params['name']!r}"
    return ""


def explain_to_json(batches: Sequence[Batch], portal: str) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "portal": portal,
        "batches": [
            {
                "number": n,
                "phase": batch.phase,
                "rereads_pipelines": bool(batch.creates_pipelines),
                "steps": [
                    {
                        "operations": [label(op) for op in step.ops],
                        "commands": [
                            {"key": c.key, "method": c.method, "target": target(c)} for c in step.commands
                        ],
                    }
                    for step in batch.steps
                ],
            }
            for n, batch in enumerate(batches, 1)
        ],
    }


def explain_text(batches: Sequence[Batch]) -> str:
    if not batches:
        return "Apply would send no write: the plan has nothing to carry out.\n"
    lines = [
        f"After reading the portal, apply would send {len(batches)} batch request(s); each runs its "
        "commands in order and halts at the first error."
    ]
    references = reconciles = False
    for n, batch in enumerate(batches, 1):
        title = f"phase {batch.phase}: {PHASE_TITLES[batch.phase]}"
        lines += ["", f"Batch {n} ({title}), {len(batch.commands)} command(s)"]
        if batch.creates_pipelines:
            lines.append("  (the pipeline list is read again first: pipeline names are not unique)")
        for step in batch.steps:
            lines.append(f"  {', '.join(label(op) for op in step.ops) or '(continued)'}")
            for command in step.commands:
                what = target(command)
                references = references or "$result[" in what
                lines.append(f"    {command.key}: {command.method}{'  ' + what if what else ''}")
            reconciles = reconciles or any(_new_pipeline_stage(op) for op in step.ops)
    if references:
        lines += [
            "",
            "$result[opN][category][id]: the id of the pipeline that command opN of phase A creates; apply "
            "uses the id the portal answers with.",
        ]
    if reconciles:
        lines += [
            "",
            "A new pipeline comes with the portal's default stages: apply keeps, updates or deletes them "
            "to match the blueprint once the portal has named them (not shown above).",
        ]
    return "\n".join(lines) + "\n"


def _new_pipeline_stage(op: AnyOp) -> bool:
    return isinstance(op, CreateStageOp) and op.new_pipeline


def render_explain(batches: Sequence[Batch], fmt: str, *, portal: str = "") -> str:
    """The batches in ``fmt`` ("text", "json", or "markdown": the text in a fenced block)."""
    if fmt == "text":
        return explain_text(batches)
    if fmt == "json":
        return json.dumps(explain_to_json(batches, portal), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return f"```\n{explain_text(batches)}```\n"
    raise ConfigError(f"unknown format {fmt!r}; use one of: text, json, markdown")

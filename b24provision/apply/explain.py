"""``plan --explain``: the requests an apply of the plan would send, as text or JSON.

Each batch lists its steps: the ops it carries out, by natural key, and each REST command with what
it addresses (a portal id, a stage's STATUS_ID, a robot type's code); never the values sent, which
may hold a handler URL or a user id, and never the webhook. Between batches apply reads what
earlier writes made (a new type's ids, the pipeline list before pipelines are made): those reads are
listed where apply sends them. An id the apply only learns from an earlier request shows as where it
comes from: ``$result[...]`` for a pipeline a batch creates, ``<measurement id>`` for a type created
in the same apply (``plan_requests.py``). Nothing here reads or writes the portal: the requests come
from the plan and the read the plan was made from.

JSON shape (``format_version`` 1; keys may be added, never renamed or removed)::

    {"format_version": 1, "portal": "...", "batches": [{"number", "phase", "entity",
     "rereads_pipelines", "steps": [{"operations": ["create pipeline sales", ...], "commands":
     [{"key", "method", "target"}]}]}], "requests": [{"batch": 1}, {"read": "crm.type.list",
     "why": "..."}, ...]}

``phase`` is "A", "B" or "C" (the engine's phases), or a smart process's own "types", "relations",
"type deletes"; ``entity`` the smart process whose pipelines, stages and fields a batch writes ("" for
the rest); ``requests`` every request in order, one entry each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any

from b24provision.apply.batches import Batch
from b24provision.apply.plan_requests import STAND_IN_NAME, Read, Request, Write
from b24provision.entities.types import TYPE_ID_KEY
from b24provision.errors import ConfigError
from b24provision.plan.ops import AnyOp, CreateSmartProcessOp, CreateStageOp, UpdateSmartProcessOp
from b24provision.portal.client import Command
from b24provision.state.smart_relations import SIDES

FORMAT_VERSION = 1
PHASE_TITLES = {
    "A": "fields, application robot types, triggers, pipelines",
    "B": "stages",
    "C": "pipeline, field, robot type and trigger deletes",
    "types": "smart process types: crm.type.add / update",
    "relations": "smart process relations",
    "type deletes": "smart process deletes",
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
    if "title" in fields:
        return f"title {fields['title']!r}"
    field = params.get("field")  # userfieldconfig.add: a smart process's field
    if isinstance(field, Mapping) and "fieldName" in field:
        return str(field["fieldName"])
    if "CODE" in params:
        return f"code {params['CODE']}"
    if "name" in params:
        return f"name {params['name']!r}"
    return ""


def step_label(batch: Batch, op: AnyOp) -> str:
    """An op as the batch carries it out; for the relations, what they link, by natural keys."""
    if batch.phase == "relations" and isinstance(op, CreateSmartProcessOp | UpdateSmartProcessOp):
        linked = "; ".join(
            f"{SIDES[side]}: {', '.join(names)}" for side, names in op.smart.relations().items()
        )
        return f"set relations of {op.key} ({linked})"
    return label(op)


def _writes(requests: Sequence[Request]) -> list[Write]:
    return [r for r in requests if isinstance(r, Write)]


def explain_to_json(requests: Sequence[Request], portal: str) -> dict[str, Any]:
    writes = _writes(requests)
    number = {id(w): n for n, w in enumerate(writes, 1)}
    return {
        "format_version": FORMAT_VERSION,
        "portal": portal,
        "batches": [
            {
                "number": n,
                "phase": write.batch.phase,
                "entity": write.entity,
                "rereads_pipelines": bool(write.batch.creates_pipelines),
                "steps": [
                    {
                        "operations": [step_label(write.batch, op) for op in step.ops],
                        "commands": [
                            {"key": c.key, "method": c.method, "target": target(c)} for c in step.commands
                        ],
                    }
                    for step in write.batch.steps
                ],
            }
            for n, write in enumerate(writes, 1)
        ],
        "requests": [
            {"batch": number[id(r)]} if isinstance(r, Write) else {"read": r.method, "why": r.why}
            for r in requests
        ],
    }


def _title(write: Write) -> str:
    phase = write.batch.phase
    if phase in ("A", "B", "C"):
        title = f"phase {phase}: {PHASE_TITLES[phase]}"
        return f"smart process {write.entity}, {title}" if write.entity else title
    return PHASE_TITLES[phase]


def explain_text(requests: Sequence[Request]) -> str:
    writes = _writes(requests)
    if not writes:
        return "Apply would send no write: the plan has nothing to carry out.\n"
    reads = len(requests) - len(writes)
    lines = [
        f"After reading the portal, apply would send {len(requests)} request(s): {len(writes)} batch "
        "request(s) of writes, each runs its commands in order and halts at the first error"
        + (f", and {reads} read(s) of what the writes before them made." if reads else ".")
    ]
    references = stand_ins = reconciles = False
    n = 0
    for is_read, group in groupby(requests, key=lambda r: isinstance(r, Read)):
        if is_read:
            for why, same in groupby((r for r in group if isinstance(r, Read)), key=lambda r: r.why):
                methods = [r.method for r in same]
                lines += ["", f"Read ({len(methods)} request(s): {', '.join(methods)}): {why}"]
            continue
        for write in (r for r in group if isinstance(r, Write)):
            n += 1
            batch = write.batch
            lines += ["", f"Batch {n} ({_title(write)}), {len(batch.commands)} command(s)"]
            for step in batch.steps:
                lines.append(f"  {', '.join(step_label(batch, op) for op in step.ops) or '(continued)'}")
                for command in step.commands:
                    what = target(command)
                    references = references or "$result[" in what
                    stand_ins = stand_ins or STAND_IN_NAME.search(what) is not None
                    lines.append(f"    {command.key}: {command.method}{'  ' + what if what else ''}")
                reconciles = reconciles or any(_new_pipeline_stage(op) for op in step.ops)
    if references:
        lines += [
            "",
            "$result[opN][category][id]: the id of the pipeline that command opN of phase A creates; apply "
            "uses the id the portal answers with.",
        ]
    if stand_ins:
        lines += [
            "",
            f"<key id>, <key {TYPE_ID_KEY}>, <key:pipeline id>: the ids of a smart process this apply "
            "creates and of its default pipeline; apply takes them from the read of the types after "
            "crm.type.add.",
        ]
    if reconciles:
        lines += [
            "",
            "A new pipeline (and a new smart process's default pipeline) comes with the portal's default "
            "stages: apply keeps, updates or deletes them to match the blueprint once the portal has named "
            "them (not shown above).",
        ]
    return "\n".join(lines) + "\n"


def _new_pipeline_stage(op: AnyOp) -> bool:
    return isinstance(op, CreateStageOp) and op.new_pipeline


def render_explain(requests: Sequence[Request], fmt: str, *, portal: str = "") -> str:
    """The requests in ``fmt`` ("text", "json", or "markdown": the text in a fenced block)."""
    if fmt == "text":
        return explain_text(requests)
    if fmt == "json":
        return json.dumps(explain_to_json(requests, portal), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return f"```\n{explain_text(requests)}```\n"
    raise ConfigError(f"unknown format {fmt!r}; use one of: text, json, markdown")

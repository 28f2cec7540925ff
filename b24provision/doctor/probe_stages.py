"""``doctor --probe``'s pipeline probes: the longest stage code a new pipeline accepts (§13.5), whether
its system stage WON is deleted with ``FORCED=Y`` (§6), and whether a success stage may have another
code than WON (§13.7). The pipeline is named with the probe's prefix; ``probe.cleanup`` deletes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b24provision.doctor.answers import BLUEPRINT_STAGE_CODE, Answer, Say, Verdict, as_map
from b24provision.entities.stages import DealStages
from b24provision.entities.types import DEAL, PipelineApi
from b24provision.errors import PortalError
from b24provision.portal.client import Command, PortalClient

PROBED_PIPELINES = PipelineApi(DEAL.type_id)
"""The probe makes a deal pipeline."""
_STAGES = DealStages()
_CODE_LENGTHS = range(12, 27)


def probe_pipeline(
    client: PortalClient, prefix: str, say: Say, found: dict[str, Any], denied: list[str]
) -> dict[str, Answer]:
    try:
        reply = client.call(
            PROBED_PIPELINES.method("add"),
            {**PROBED_PIPELINES.params, "fields": {"name": prefix, "sort": 99999}},
        )
    except PortalError as exc:
        if "access denied" in exc.message.lower():
            denied.append(exc.message)
        words = f"the pipeline was refused: {exc.message}"
        return {k: Answer(k, "could not tell", words) for k in ("stage_code", "system_stage", "success_code")}
    category = int(as_map(as_map(reply.result).get("category")).get("id") or 0)
    say(f"probe: created the pipeline {prefix} (id {category})")
    found["probe_pipeline_id"] = category
    entity, stage_prefix = _STAGES.entity_id(category), _STAGES.status_prefix(category)
    out = {"stage_code": _stage_code_answer(client, entity, stage_prefix, found)}

    stages = client.call("crm.status.list", {"filter": {"ENTITY_ID": entity}}).result
    won = next((s for s in stages or [] if str(s.get("STATUS_ID")) == f"{stage_prefix}WON"), None)
    if won is None:
        out["system_stage"] = Answer("system_stage", "could not tell", "the new pipeline has no WON stage")
    else:
        try:
            client.call("crm.status.delete", {"id": won["ID"], "params": {"FORCED": "Y"}})
        except PortalError as exc:
            found["system_stage_forced_delete"] = False
            out["system_stage"] = Answer(
                "system_stage", "differs", f"deleting WON was refused: {exc.message}"
            )
        else:
            found["system_stage_forced_delete"] = True
            out["system_stage"] = Answer("system_stage", "holds", "WON was deleted with FORCED=Y")
    out["success_code"] = _success_code_answer(client, entity, stage_prefix, won is not None, found)
    return out


def _stage_code_answer(client: PortalClient, entity: str, stage_prefix: str, found: dict[str, Any]) -> Answer:
    # One batch of adds, one code per length; the pipeline's deletion takes them all away.
    commands = [
        Command(
            f"len{n}",
            "crm.status.add",
            {
                "fields": {
                    "ENTITY_ID": entity,
                    "STATUS_ID": f"L{n:02d}".ljust(n, "X"),
                    "NAME": f"B24P {n}",
                    "SORT": 15,
                }
            },
        )
        for n in _CODE_LENGTHS
    ]
    reply = client.batch(commands)
    accepted = [n for n in _CODE_LENGTHS if f"len{n}" in reply.results and f"len{n}" not in reply.errors]
    if not accepted:
        first = next(iter(reply.errors.values()), None)
        why = first.message if first else "no answer"
        return Answer(
            "stage_code", "could not tell", f"no code of {min(_CODE_LENGTHS)}+ characters was accepted: {why}"
        )
    longest = max(accepted)
    found["stage_id_budget"] = longest + len(stage_prefix)
    at_least = "at least " if longest == max(_CODE_LENGTHS) else ""
    detail = f"the longest code it accepted has {at_least}{longest} characters (in {stage_prefix[:-1]})"
    verdict: Verdict = "holds" if longest >= BLUEPRINT_STAGE_CODE else "differs"
    return Answer("stage_code", verdict, detail)


def _success_code_answer(
    client: PortalClient, entity: str, stage_prefix: str, won_deleted: bool, found: dict[str, Any]
) -> Answer:
    code = "B24P_DONE"
    fields = {"ENTITY_ID": entity, "STATUS_ID": code, "NAME": "B24P done", "SORT": 65, "SEMANTICS": "S"}
    try:
        client.call("crm.status.add", {"fields": fields})
    except PortalError as exc:
        if not won_deleted:
            return Answer(
                "success_code",
                "could not tell",
                f"WON is still there, and the add was refused: {exc.message}",
            )
        found["success_stage_any_code"] = False
        return Answer("success_code", "differs", f"a success stage {code} was refused: {exc.message}")
    rows = client.call(
        "crm.status.list", {"filter": {"ENTITY_ID": entity, "STATUS_ID": stage_prefix + code}}
    ).result
    row = next(iter(rows or []), None)
    semantics = str(row.get("SEMANTICS") or "") if isinstance(row, Mapping) else ""
    if semantics == "S":
        found["success_stage_any_code"] = True
        return Answer("success_code", "holds", f"{code} was accepted as the success stage")
    found["success_stage_any_code"] = False
    return Answer(
        "success_code",
        "differs",
        f"{code} was stored, but not as a success stage (SEMANTICS {semantics or 'empty'})",
    )


__all__ = ["PROBED_PIPELINES", "probe_pipeline"]

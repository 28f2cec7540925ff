"""What a blueprint holds, counted: the one line `validate` prints for each blueprint it checked.

"kitchen-smart-processes: 1 pipeline, 4 smart processes (4 pipelines), 8 fields, 9 robots". The
deal's pipelines come first (a deal-only blueprint reads as it always has: "5 pipelines, 1 field,
7 robots"; "0 pipelines" is left out where the blueprint is about leads, lists or smart processes);
lead statuses, reference lists and smart processes are named only where the
blueprint has them; fields and robots are counted on every entity (deal, lead, contact, company,
each smart process), since each is a thing `apply` writes or the runbook lists.
"""

from __future__ import annotations

from b24provision.blueprint.model import Blueprint


def blueprint_counts(bp: Blueprint) -> dict[str, int]:
    """The blueprint's objects by kind (the keys of `validate --format json`'s summary)."""
    smart_pipelines = [p for sp in bp.smart_processes for p in sp.pipelines]
    lists = bp.lists.named()
    fields = len(bp.fields) + sum(len(s.fields) for s in bp.entities.others().values())
    fields += sum(len(sp.fields) for sp in bp.smart_processes)
    robots = bp.robot_count() + sum(len(s.robots) for s in bp.entities.lead.statuses)
    robots += sum(len(s.robots) for p in smart_pipelines for s in p.stages)
    return {
        "pipelines": len(bp.pipelines),
        "lead_statuses": len(bp.entities.lead.statuses),
        "lists": len(lists),
        "list_items": sum(len(items) for items in lists.values()),
        "smart_processes": len(bp.smart_processes),
        "smart_process_pipelines": len(smart_pipelines),
        "fields": fields,
        "robots": robots,
    }


_PLURALS = {"lead status": "lead statuses", "smart process": "smart processes"}


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {_PLURALS.get(word, word + 's')}"


def counts_text(counts: dict[str, int]) -> str:
    """The counts in a few words: "1 pipeline, 3 lead statuses, 2 lists (7 items), 8 fields, 9 robots"."""
    beyond = any(counts.get(k) for k in ("lead_statuses", "lists", "smart_processes"))
    parts = [_n(counts["pipelines"], "pipeline")] if counts["pipelines"] or not beyond else []
    if counts.get("lead_statuses"):
        parts.append(_n(counts["lead_statuses"], "lead status"))
    if counts.get("lists"):
        parts.append(f"{_n(counts['lists'], 'list')} ({_n(counts['list_items'], 'item')})")
    if counts.get("smart_processes"):
        pipelines = _n(counts["smart_process_pipelines"], "pipeline")
        parts.append(f"{_n(counts['smart_processes'], 'smart process')} ({pipelines})")
    parts += [_n(counts["fields"], "field"), _n(counts["robots"], "robot")]
    return ", ".join(parts)


__all__ = ["blueprint_counts", "counts_text"]

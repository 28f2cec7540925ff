"""The ``smart_processes:`` section of an export: each type the portal has, in the blueprint's words.

A type's key is made from its title (as a pipeline's from its name); its switches are written
where they are on (a switch left out is left as the portal has it, so the export plans "No
changes" and a new portal gets the portal's default, off); its pipelines and fields are written
as the deal's are (``export.py``'s own writers, passed in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.blueprint.model import FieldBase, Pipeline
from b24provision.blueprint.smart_model import SWITCHES
from b24provision.portal.client import PortalClient
from b24provision.state.live import LiveState
from b24provision.state.smart_relations import SIDES, names_of


def read_everything(client: PortalClient) -> LiveState:
    """The portal as export and diff read it: every entity type, and the smart processes, whose
    list travels with the read (state/rest.py's one request): a portal without them costs no request
    more, one with up to 24 one batch (state/rest_smart.py)."""
    from b24provision.state.rest import read_with  # noqa: PLC0415 - keeps the module light to import
    from b24provision.state.rest_smart import TYPE_LIST, with_smart_processes  # noqa: PLC0415
    from b24provision.state.scope import ReadScope  # noqa: PLC0415

    live, extra = read_with(client, [TYPE_LIST], ReadScope.everything())
    return with_smart_processes(client, live, extra.get(TYPE_LIST.key))


def smart_processes_yaml(
    live: LiveState,
    pipeline: Callable[[Pipeline], CommentedMap],
    field: Callable[[FieldBase], CommentedMap],
) -> CommentedSeq:
    out = CommentedSeq()
    for key, sp in sorted(live.smart_processes.items(), key=lambda kv: kv[1].entity_type_id):
        entry = CommentedMap()
        entry["key"] = key
        entry["title"] = sp.title
        for name, flag in SWITCHES.items():
            if sp.switches.get(flag):
                entry[name] = True
        for side, attr in SIDES.items():
            if sp.relations.get(side):
                entry[attr] = _flow_seq(names_of(sp.relations[side], live.smart_processes))
        pipelines = sorted(sp.state.blueprint.pipelines, key=lambda p: (not p.default, p.sort or 0))
        entry["pipelines"] = CommentedSeq(pipeline(p) for p in pipelines)
        fields: list[Any] = sorted(sp.state.blueprint.fields, key=lambda f: (f.sort, f.code))
        if fields:
            entry["fields"] = CommentedSeq(field(f) for f in fields)
        out.append(entry)
    return out


def _flow_seq(items: list[str]) -> CommentedSeq:
    out = CommentedSeq(items)
    out.fa.set_flow_style()
    return out


__all__ = ["read_everything", "smart_processes_yaml"]

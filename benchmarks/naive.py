"""The naive baseline: what a tool costs that sends one request per object, never a batch.

It reads the way the REST docs suggest one object at a time: the pipeline list, then each
pipeline's stage list, then the field list and each field's full record (labels in every language
come only from ``crm.deal.userfield.get``). It writes one request per REST command: the same
commands b24provision's apply sends, each as its own request instead of 50 to a batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from b24provision.errors import PortalError
from b24provision.portal.client import BatchReply, Command, PortalClient

_REF = re.compile(r"\$result\[([^\]]+)\]((?:\[[^\]]*\])*)")


def naive_read(client: PortalClient) -> int:
    """Read pipelines, stages and fields one list or object per request; returns requests sent."""
    start = client.request_count
    categories = client.call_all("crm.category.list", {"entityTypeId": 2}, key="categories")
    for category_id in sorted({0} | {int(c["id"]) for c in categories}):
        entity = "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"
        client.call_all("crm.status.list", {"filter": {"ENTITY_ID": entity}})
    for row in client.call_all("crm.deal.userfield.list", {}):
        client.call("crm.deal.userfield.get", {"id": row["ID"]})
    return client.request_count - start


class OneByOneClient(PortalClient):
    """A PortalClient whose ``batch`` sends every command as its own request."""

    def batch(self, commands: Sequence[Command], *, halt: bool = False) -> BatchReply:
        reply = BatchReply()
        for command in commands:
            params = _resolve(command.params, reply.results)
            try:
                reply.results[command.key] = self.call(command.method, params).result
            except PortalError as exc:
                reply.errors[command.key] = exc
                if halt:
                    break
        return reply


def _resolve(value: Any, results: Mapping[str, Any]) -> Any:
    """``$result[key][a][b]`` references, filled in from earlier answers (batch does this server-side)."""
    if isinstance(value, Mapping):
        return {k: _resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, results) for v in value]
    if not isinstance(value, str) or "$result" not in value:
        return value

    def one(match: re.Match[str]) -> str:
        node: Any = results.get(match.group(1))
        for key in re.findall(r"\[([^\]]*)\]", match.group(2)):
            node = (
                node[int(key)]
                if isinstance(node, list)
                else node.get(key)
                if isinstance(node, Mapping)
                else None
            )
        return "" if node is None else str(node)

    return _REF.sub(one, value)

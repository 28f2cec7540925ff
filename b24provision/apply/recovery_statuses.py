"""After an unknown outcome: whether a status op (lead status, list item) shows as done in a fresh read.

A create is done when its code is there, a delete when it is gone, a replace when the status is
there with its new semantics (the delete and the add went through); an update sets values, so
sending it again does no harm (``recovery.already_done`` answers that for every op type).
"""

from __future__ import annotations

from typing import assert_never

from b24provision.plan.ops_statuses import CreateStatusOp, DeleteStatusOp, ReplaceStatusOp, UpdateStatusOp
from b24provision.plan.safety_statuses import directory_live
from b24provision.state.live import LiveState


def status_done(
    op: CreateStatusOp | UpdateStatusOp | ReplaceStatusOp | DeleteStatusOp, live: LiveState
) -> bool:
    directory = directory_live(live, op.entity, op.list_name)
    codes = set() if directory is None else set(directory.codes())
    match op:
        case CreateStatusOp():
            return op.status.code in codes
        case DeleteStatusOp():
            return op.code not in codes
        case ReplaceStatusOp():
            have = (
                next((s for s in directory.stages if s.code == op.status.code), None) if directory else None
            )
            return have is not None and have.semantics == op.status.semantics
        case UpdateStatusOp():
            return False  # an update sets values: sending it again does no harm
        case _:
            assert_never(op)

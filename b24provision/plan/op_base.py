"""What every op has (``OpBase``), and how ops name objects: typed references (see ``ops.py``)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

Action = Literal["create", "update", "delete", "replace", "manual", "needs_app"]
Kind = Literal[
    "pipeline", "stage", "field", "app_robot", "trigger", "robot", "status", "list_item", "smart_process"
]
Entity = str
"""The CRM entity type an op is about: "deal", "lead", "contact", "company", "list" (the items of
reference lists, which belong to no one entity type), or a smart process's blueprint key
("measurement"): a smart process key is the blueprint's own, so a str."""
Change = tuple[str, Any, Any]
"""One changed attribute: (attribute, before, after); before is None for a create."""


def pipeline_ref(entity: str, pipeline_key: str) -> str:
    """``deal:sales``: how a plan names a pipeline."""
    return f"{entity}:{pipeline_key}"


def stage_ref(entity: str, pipeline_key: str, code: str) -> str:
    """``deal:sales/NEW``: how a plan names a stage of a pipeline."""
    return f"{entity}:{pipeline_key}/{code}"


def field_ref(entity: str, code: str) -> str:
    """``deal:field/CHILD_DEALS``: how a plan names a custom field (by its code)."""
    return f"{entity}:field/{code}"


class OpBase(BaseModel):
    """What every op has: an entity, the changes, where the blueprint asks for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ACTION: ClassVar[Action]
    KIND: ClassVar[Kind]

    entity: Entity = "deal"
    """The CRM entity type the op is about; the key starts with it (``deal:``)."""
    changes: tuple[Change, ...] = ()
    """What changes, attribute by attribute (for a replace: why it is one)."""
    source: str = ""
    """Where the blueprint asks for this: "file:line:col", or "" when unknown."""

    @property
    def action(self) -> Action:
        return self.ACTION

    @property
    def kind(self) -> Kind:
        return self.KIND

    @property
    def destructive(self) -> bool:
        """True when carrying the op out loses data: a delete that destroys nothing is not.

        What a delete destroys is counted on the portal (deals in a stage or pipeline, deals with a
        value in a field, deals using an enumeration item) and recorded on the op; at apply time the
        counts are taken again from the live read (``plan/safety.py``), never from a saved file."""
        return False


UNCOUNTED = -1
"""A count the portal could not be asked for: treated as data lost."""

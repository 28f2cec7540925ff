"""What a comparison found: the differences as a plan, plus what is not an op."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from b24provision.compare.sides import Side
from b24provision.plan.ops import AnyOp, Plan


@dataclass(frozen=True)
class Pairing:
    """Two objects matched by a fallback rule instead of their key, and which rule it was."""

    kind: Literal["stage", "item"]
    where: str
    """The pipeline key (stages) or field code (items)."""
    a: str
    """The code (xml_id) in A."""
    b: str
    """The code (xml_id) in B."""
    rule: str
    """E.g. 'by name "Замер"' or 'by value "Сайт"'."""


@dataclass(frozen=True)
class Difference:
    """A difference that is not an op: a field of an unsupported type, robots, app robot types, triggers."""

    marker: Literal["+", "-", "~"]
    kind: str
    key: str
    text: str


@dataclass(frozen=True)
class Comparison:
    """What differs between A and B."""

    a: Side
    b: Side
    plan: Plan
    """The differences as ops, read from A to B (create: only in B, delete: only in A)."""
    extra: tuple[Difference, ...] = ()
    pairings: tuple[Pairing, ...] = ()
    notes: tuple[str, ...] = ()
    """What was not compared, and why."""

    @property
    def ops(self) -> list[AnyOp]:
        return list(self.plan.ops)

    @property
    def count(self) -> int:
        return len(self.plan.ops) + len(self.extra)

    @property
    def has_differences(self) -> bool:
        return self.count > 0

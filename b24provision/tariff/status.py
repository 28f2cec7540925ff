"""How sure it is that a plan meets one need: the five answers every tariff question has.

A plan's fact answers "yes" or "no" when a source we trust states it (verified, seed),
"probably" or "probably_not" when only an unverified source or an inference does, and
"unknown" when no source states it (``value: null``). A count is met for sure up to its floor
(e.g. the default pipeline every portal has), then by the plan's limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from b24provision.tariff.table import Fact

Status = Literal["yes", "probably", "unknown", "probably_not", "no"]
"""The status of one need on one plan, from best to worst."""

_ORDER: tuple[Status, ...] = ("yes", "probably", "unknown", "probably_not", "no")


def feature_status(fact: Fact) -> Status:
    """Whether a plan has a feature, by how sure its fact is."""
    if fact.value is None:
        return "unknown"
    if fact.value:
        return "yes" if fact.confirmed else "probably"
    return "no" if fact.confirmed else "probably_not"


def limit_status(fact: Fact, count: int, floor: int) -> Status:
    """Whether a plan has room for ``count`` of something; up to ``floor`` every plan has."""
    if count <= floor:
        return "yes"
    if fact.value is None or not isinstance(fact.value, int) or isinstance(fact.value, bool):
        return "unknown"
    if count <= fact.value:
        return "yes" if fact.confirmed else "probably"
    return "no" if fact.confirmed else "probably_not"


def worst(statuses: Iterable[Status]) -> Status:
    """The least sure of several statuses (a need met only if each of its parts is); "yes" if none."""
    return max(statuses, key=_ORDER.index, default="yes")

"""Sources of live state: where what the plan compares with comes from.

A portal is read through more than one door. REST (``state/rest.py``) gives pipelines, stages,
fields, triggers and the tariff; it cannot read the robots on stages (reference §8.3), which the
portal's configuration export holds (``state/zip.py``, §8.8). Each source says where its answer came
from (``provenance``: the portal's host, the export's file), so a plan can name the source of what it
shows. A source's ``read`` is its only I/O.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)


class StateSource(Protocol[T_co]):
    """Something that reads one part of a portal's live state."""

    @property
    def provenance(self) -> str:
        """Where the state comes from, for messages and plans: a host name, a file name. No secret."""
        ...

    def read(self) -> T_co:
        """Read the state (raises the tool's own errors: PortalError, ExportArchiveError...)."""
        ...


__all__ = ["StateSource"]

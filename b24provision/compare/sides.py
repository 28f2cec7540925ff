"""The two sides of a comparison: a portal as read, or a blueprint as loaded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from b24provision.blueprint.model import Blueprint
from b24provision.compare.entities import with_entity_fields
from b24provision.state.live import LiveState

SideKind = Literal["portal", "blueprint"]


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a portal as read, or a blueprint as loaded."""

    label: str
    """How the user named it (a spec or a path: never a secret)."""
    kind: SideKind
    blueprint: Blueprint
    live: LiveState | None = None
    """The portal as read (None for a blueprint)."""

    @property
    def title(self) -> str:
        return f"{self.kind} {self.label}"


def open_side(
    spec: str,
    *,
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> Side:
    """Load a blueprint or read a portal, as ``spec`` says.

    ``file:PATH`` is a blueprint and ``portal:SPEC`` a portal; otherwise a path that exists on disk
    is a blueprint and anything else a portal spec (local, local:FILE, env:VAR, a profile name).
    """
    from b24provision.blueprint import load_blueprint  # noqa: PLC0415 - only what the side needs
    from b24provision.export_smart import read_everything  # noqa: PLC0415
    from b24provision.portal.connect import open_portal  # noqa: PLC0415

    spec = spec.strip()
    if spec.startswith("file:") or (not spec.startswith("portal:") and Path(spec).exists()):
        path = Path(spec.removeprefix("file:"))
        blueprint = load_blueprint([path], variables=dict(variables or {}), values_files=values_files)
        return Side(label=str(path), kind="blueprint", blueprint=blueprint)
    portal = spec.removeprefix("portal:")
    with open_portal(portal, portals_file=portals_file) as client:
        live = read_everything(client)  # lead, contact, company fields and smart processes too
    return Side(label=portal, kind="portal", blueprint=with_entity_fields(live.blueprint, live), live=live)

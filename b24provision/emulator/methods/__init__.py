"""REST method handlers, one module per area; importing a module registers its methods."""

from __future__ import annotations

import importlib

MODULES = (
    "pipelines",
    "categories",
    "smart_processes",
    "crm_entities",
    "items",
    "userfieldconfig",
    "stages",
    "status_entities",
    "userfields",
    "deals",
    "stage_history",
    "batch",
    "system",
    "automation",
)


def load() -> None:
    """Import every handler module so the method table is complete."""
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")

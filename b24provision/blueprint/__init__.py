"""Blueprints: the YAML files that describe a portal's CRM configuration.

``load_blueprint`` reads, merges, substitutes variables and validates, raising ``BlueprintError``
with every problem; ``validate`` returns a report with the errors and the lint warnings instead.
"""

from __future__ import annotations

from b24provision.blueprint.loader import (
    BlueprintSource,
    ValidationReport,
    discover,
    load_blueprint,
    validate,
    validate_each,
)
from b24provision.blueprint.schema import blueprint_json_schema
from b24provision.blueprint.variables import parse_var_options

__all__ = [
    "BlueprintSource",
    "ValidationReport",
    "blueprint_json_schema",
    "discover",
    "load_blueprint",
    "parse_var_options",
    "validate",
    "validate_each",
]

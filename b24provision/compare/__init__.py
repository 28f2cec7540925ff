"""``b24provision diff``: what differs between two portals, two blueprints, or a portal and a blueprint.

``sides.py`` opens the two sides; ``match.py`` compares them by natural keys (reusing the plan's
diff and the matcher of ``state/match.py``) into a ``result.py`` value;
``render.py`` writes the result as text, Markdown or JSON. See ``match.py`` for the matching rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from b24provision.compare.match import Comparison, Difference, Pairing, Side, compare, open_side
from b24provision.compare.render import comparison_to_json, render_comparison, summary

__all__ = [
    "Comparison",
    "Difference",
    "Pairing",
    "Side",
    "compare",
    "compare_specs",
    "comparison_to_json",
    "open_side",
    "render_comparison",
    "summary",
]


def compare_specs(
    a: str,
    b: str,
    *,
    portals_file: Path | None = None,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> Comparison:
    """Open ``a`` and ``b`` (each a portal spec or a blueprint path, see ``open_side``) and compare them."""
    sides = [
        open_side(spec, portals_file=portals_file, variables=variables, values_files=values_files)
        for spec in (a, b)
    ]
    return compare(*sides)

"""A YAML file as plain data plus where every value came from, and the limits on reading one.

:class:`YamlDoc` is what :mod:`.source` hands out: plain Python values and two maps from a value's
path (e.g. ``("pipelines", 0, "stages", 2, "code")``) to its ``Location``; ``locate`` finds the
nearest located parent of a path. The ``MAX_*`` limits bound the time and memory one hostile file
can take; :mod:`.source` and :mod:`.yaml_builder` enforce them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from b24provision.blueprint.model import Location

YamlPath = tuple[str | int, ...]

MAX_FILE_BYTES = 5_000_000
"""The largest blueprint (or values) file read; the 500-field benchmark blueprint is 190 kB."""
MAX_DEPTH = 50
"""Nesting levels of lists and mappings; the deepest a blueprint needs is about ten."""
MAX_ALIAS_VALUES = 100_000
"""Values that aliases may add by repeating what an anchor holds, over the whole file."""
MAX_KEY_CHARS = 1_000
"""The longest mapping key; every key of a blueprint is a name (and names appear in messages)."""
MAX_VALUES = 250_000
"""Values (scalars, lists, mappings) in one blueprint; 4,000 pipelines of 10 stages are 244,000.
Without it, 5 MB of ``[1,1,1,...]`` would be 2.5 million values and about 2 GB of memory."""

TOO_DEEP = (
    f"nested deeper than {MAX_DEPTH} levels of lists and mappings — a blueprint needs about ten; "
    "flatten this part"
)


@dataclass
class YamlDoc:
    """One YAML file as plain data, with the location of every value and mapping key."""

    file: str
    data: Any
    values: dict[YamlPath, Location] = field(default_factory=dict)
    keys: dict[YamlPath, Location] = field(default_factory=dict)
    count: int = 0
    """How many values the file holds (a value an alias repeats counts once)."""

    def at(self, path: YamlPath) -> Location:
        """The location of ``path``, or of its nearest located parent."""
        return locate(self.values, path, self.file)


def locate(locations: dict[YamlPath, Location], path: YamlPath, file: str) -> Location:
    """The location of ``path`` in ``locations``, or of its nearest parent; the file if none."""
    key = tuple(path)
    while True:
        if key in locations:
            return locations[key]
        if not key:
            return Location(path=file)
        key = key[:-1]

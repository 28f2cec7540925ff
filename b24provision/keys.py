"""Readable keys made from names: "Повторные продажи" -> "povtornye_prodazhi".

Live pipelines have no key of their own, only a name; reading a portal and exporting it both need
a stable, readable key for each one. Cyrillic is transliterated (a simple GOST-like table), every
other character outside [a-z0-9] becomes "_".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from b24provision.entities.types import DEAL

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip


def transliterate(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def make_key(name: str, taken: Iterable[str] = ()) -> str:
    """A pipeline key for ``name``: lower-case, [a-z0-9_], starting with a letter, not in ``taken``."""
    key = re.sub(r"[^a-z0-9]+", "_", transliterate(name)).strip("_")[:48] or "pipeline"
    if not key[0].isalpha():
        key = f"p_{key}"
    used = set(taken)
    candidate, n = key, 2
    while candidate in used:
        candidate, n = f"{key}_{n}", n + 1
    return candidate


def make_code(name: str, max_length: int = 17) -> str:
    """An upper-case code for ``name`` (for stages and fields): [A-Z0-9_]."""
    code = re.sub(r"[^A-Z0-9]+", "_", transliterate(name).upper()).strip("_")[:max_length].strip("_")
    return code or "X"


TOOL_PREFIX = "B24P_"
"""Objects b24provision itself makes on a portal (the apply lock, doctor's probes) start with this."""


def is_tool_object(name: str) -> bool:
    """True for a pipeline name or field code the tool made for itself: never reported as unmanaged."""
    return DEAL.field_code(name).startswith(TOOL_PREFIX)

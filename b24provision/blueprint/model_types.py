"""The value types every part of a blueprint uses: codes, keys, names, labels, durations, people.

Each is an annotated ``str`` (or a small union) whose constraints pydantic checks and the JSON
Schema shows; ``Model`` is the base of every blueprint model (immutable, unknown keys are errors).
The models themselves live in ``model.py`` (pipelines, stages, robots, the whole blueprint),
``field_model.py`` (custom fields), ``app_model.py`` (application robot types and triggers) and
``entity_model.py`` (the per-entity sections).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Strict, StringConstraints

# A yes/no key takes true or false only. YAML 1.2 reads yes/no/on/off as text (yaml_scalars.py), and
# pydantic would still take the text "yes" (or the number 1) for true: `default: yes` would pass.
Flag = Annotated[bool, Strict()]
# Codes become STATUS_ID / FIELD_NAME on the portal; the portal accepts [A-Za-z0-9_-] for stages but
# we keep to one portable alphabet for both.
UpperCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1)]
# A stage code holds at most 22 − len("C<id>:") characters: 22 in the default pipeline, 19 in C1–C9,
# 18 in C10–C99, 17 from C100 (CCrmStatus::validateStatusId, reference §13.5). The model accepts 22,
# what some pipeline can hold (reading any portal must work: export, plan); validate warns above 17
# (check/stage-code-length) and plan refuses what the target pipeline cannot hold (plan/stage_codes.py).
StageCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=22)]
# FIELD_NAME is at most 50 characters including the deal's 7-character prefix (reference §7.3,
# entities/types.py: EntityType.max_field_code_length).
FieldCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_]+$", min_length=1, max_length=43)]
PipelineKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
# A label is one string for every language, or a map of language -> text.
Label = str | dict[LangCode, str]
# A duration such as "1 month", "3 days", "10 minutes".
Duration = Annotated[
    str,
    StringConstraints(pattern=r"^\d+\s*(minute|hour|day|workday|week|month|year)s?$", strip_whitespace=True),
]
# Who a robot acts for: the deal's responsible person, its author, or one user by portal id
# (user ids differ between portals: put them in environment values, see blueprint/variables.py).
Person = Annotated[str, StringConstraints(pattern=r"^(responsible|author|user:\d+)$")]
Semantics = Literal["process", "success", "failure"]

_DURATION = re.compile(r"^(\d+)\s*(minute|hour|day|workday|week|month|year)s?$")
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "workday": 1.4, "week": 7, "month": 30, "year": 365}


def parse_duration(text: str) -> tuple[int, str]:
    """Split a duration such as ``"1 month"`` into ``(1, "month")``."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)), match.group(2)


def duration_days(text: str) -> float:
    """The approximate length of a duration in days (a month counts as 30)."""
    count, unit = parse_duration(text)
    return count * _DAYS[unit]


class Model(BaseModel):
    """Base of every blueprint model: immutable, and unknown keys are errors."""

    # Attribute docstrings become descriptions in the JSON Schema (editor hovers): schema.py reads
    # them from the model modules. Not use_attribute_docstrings=True, which parses this module's source on
    # every start of every command (about 20 ms), though only `schema` needs them.
    model_config = ConfigDict(extra="forbid", frozen=True)

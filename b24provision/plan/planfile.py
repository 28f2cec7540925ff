"""Saved plans: ``plan --out FILE`` writes one, ``apply --plan FILE`` carries out exactly its ops.

A saved plan is JSON: the format version, the tool version, when it was made, the portal it is for,
the blueprint paths and variable values it was made from, and the plan itself with every op in full
(the desired objects included), so apply needs neither the blueprint nor a new diff. The plan's
``live_fingerprint`` lets apply refuse the file when the portal changed since (StalePlanError,
raised by apply).

A plan is for one portal: it keeps the ``--portal`` spec it was made with (``env:B24_STAGING``, a
profile name, ``local:FILE``: a name, never a secret) and that portal's identity (its host; a local
emulator's state file). ``apply --plan`` uses the spec when no ``--portal`` is given, and refuses a
portal with another identity before anything is read or written (:func:`portal_for`).

A saved plan holds natural keys and blueprint content only, never a portal id or a secret: before
writing, the text is checked against the patterns ``errors.redact`` hides (webhook secrets, OAuth
tokens), and a match is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from b24provision.blueprint.model import Blueprint, Scalar
from b24provision.errors import PlanError, redact
from b24provision.output import write_output
from b24provision.plan.ops import Plan

FORMAT_VERSION = 4
"""2: ops record what a delete destroys (deals_with_value, items_in_use); 3: the plan records the
portal it is for (portal_spec, portal_identity); 4: every op has an entity and its key is a typed
reference (``deal:sales/NEW``). Older files are refused: make the plan again."""
_REPLAN = "run `b24provision plan --out FILE` again to make a new one"


class SavedPlan(BaseModel):
    """A plan as written to a file, with what it was made from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = FORMAT_VERSION
    tool_version: str
    created_at: str
    """UTC time in ISO 8601."""
    portal: str
    """The portal's host as read when planning."""
    portal_spec: str
    """The --portal spec the plan was made with (a variable, profile or file name; never a secret)."""
    portal_identity: str
    """Which portal that spec reached (:func:`b24provision.portal.connect.portal_identity`)."""
    blueprint_paths: tuple[str, ...] = ()
    variables: dict[str, Scalar] = {}
    blueprint: Blueprint | None = None
    """The blueprint the plan was made from, variables resolved: after applying, the portal is
    compared with it to say "verified" (the files may have changed since)."""
    plan: Plan


def tool_version() -> str:
    try:
        return version("b24provision")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def save_plan(
    plan: Plan,
    path: Path,
    *,
    portal_spec: str = "local",
    portal_identity: str = "",
    blueprint_paths: list[Path] | tuple[Path, ...] | list[str] = (),
    variables: Mapping[str, Scalar] | None = None,
    blueprint: Blueprint | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> SavedPlan:
    """Write ``plan`` to ``path`` as JSON and return what was written.

    Args:
        force: replace an existing file (otherwise it is refused; :mod:`b24provision.output`).

    Raises:
        PlanError: the plan's text holds something that looks like a secret (it is not written).
        OutputError: the file exists and ``force`` is not set, or it cannot be written.
    """
    saved = SavedPlan(
        tool_version=tool_version(),
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        portal=plan.portal,
        portal_spec=portal_spec,
        portal_identity=portal_identity,
        blueprint_paths=tuple(str(p) for p in blueprint_paths),
        variables=dict(variables or {}),
        blueprint=blueprint,
        plan=plan,
    )
    text = json.dumps(saved.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    if redact(text) != text:
        raise PlanError(
            f"{path}: not written: the plan holds what looks like a webhook secret or an OAuth token; "
            "take it out of the blueprint or its variables (read secrets from the environment)"
        )
    write_output(path, text, force=force)
    return saved


def load_plan(path: Path) -> SavedPlan:
    """Read a saved plan.

    Raises:
        PlanError: the file is missing, not a saved plan, damaged, or from a newer b24provision.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(
            f"{path}: cannot read the plan: {exc.strerror}; check the path (a file saved by `plan --out`)"
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(
            f"{path}:{exc.lineno}:{exc.colno}: not a saved plan (invalid JSON: {exc.msg}); {_REPLAN}"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("format_version"), int):
        raise PlanError(f"{path}: not a saved plan (no format_version); {_REPLAN}")
    found = data["format_version"]
    if found > FORMAT_VERSION:
        raise PlanError(
            f"{path}: made by a newer b24provision ({data.get('tool_version', '?')}, plan format "
            f"{found}; this one reads format {FORMAT_VERSION}); upgrade b24provision, or {_REPLAN}"
        )
    if "plan" not in data and "summary" in data:  # what `plan --format json` prints: a report
        raise PlanError(
            f"{path}: the report `plan --format json` prints, not a saved plan (it holds no blueprint "
            "to apply); save one with `b24provision plan --out FILE`"
        )
    if found < FORMAT_VERSION:
        why = "which does not record the portal it is for" if found < 3 else "whose operations name no entity"
        raise PlanError(
            f"{path}: made by an older b24provision ({data.get('tool_version', '?')}, plan format {found}, "
            f"{why}; this one reads format {FORMAT_VERSION}); {_REPLAN}"
        )
    # Plan has defaults for both (an empty plan, no fingerprint): in a file, their absence means damage,
    # and a plan without its fingerprint would skip the check that the portal has not changed.
    raw = data.get("plan")
    inner: dict[str, Any] = raw if isinstance(raw, dict) else {}
    missing = "ops" if "ops" not in inner else None if inner.get("live_fingerprint") else "live_fingerprint"
    if missing:
        raise PlanError(f"{path}: the saved plan is damaged (plan.{missing} is missing); {_REPLAN}")
    try:
        return SavedPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanError(f"{path}: the saved plan is damaged ({where}: {first['msg']}); {_REPLAN}") from exc


def portal_for(saved: SavedPlan, portal: str | None, identity: Callable[[str], str]) -> str:
    """The portal spec to apply ``saved`` to: ``portal`` if given, else the one the plan was made with.

    ``identity`` tells which portal a spec reaches (``connect.portal_identity``); nothing is sent.

    Raises:
        PlanError: the spec reaches another portal than the plan's (the message names both).
    """
    spec = saved.portal_spec if portal is None else portal
    found = identity(spec)
    if found == saved.portal_identity:
        return spec
    made_for = f"this plan was made for {saved.portal_identity} (--portal {saved.portal_spec})"
    if portal is None:
        raise PlanError(
            f"{made_for}, but --portal {spec} now reaches {found}; nothing was applied — point "
            f"{spec} at the plan's portal again, or make a new plan"
        )
    raise PlanError(
        f"{made_for}, not for {found} (--portal {portal}); nothing was applied — apply it with "
        f"--portal {saved.portal_spec} (or leave --portal out), or make a plan for this portal"
    )

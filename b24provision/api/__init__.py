"""The facade behind the commands: what the CLI and tests call (like alembic/command.py).

Every command of the CLI calls one function here; it takes paths, a portal spec and options, opens
what it needs, and returns a result value the CLI renders. Nothing here prints. One module per
group of commands:

* :mod:`.plans` — plan and apply (``make_plan``, ``plan_and_apply``, ``apply``, ``plan_against``);
* :mod:`.saved` — saved plans (``plan --out``, ``apply --plan``, ``show``);
* :mod:`.unlock` — ``force-unlock``;
* :mod:`.blueprints` — the commands without a portal (validate, schema, fmt, graph, runbook);
* :mod:`.reports` — export, diff, tariff, doctor, forecast;
* :mod:`.robots` — ``robots check`` against the configuration export;
* :mod:`.emulator` — the local portal (serve, export-config, replay);
* :mod:`.session` — around every portal command: ``--trace``, the ``Portal:`` line.

The names below are loaded on first use (PEP 562), not when ``b24provision.api`` is imported: a
command that needs no portal must not load httpx, and ``--help`` must load nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b24provision.api.plans import (
        DEFAULT_LOCK_TIMEOUT,
        ApplyOutcome,
        PlanResult,
        apply,
        check_portal_tariff,
        explain,
        make_plan,
        plan_against,
        plan_and_apply,
        unlock_command,
        with_app_robots_reregistered,
    )
    from b24provision.api.robots import check_robots_against_export
    from b24provision.api.unlock import UnlockOutcome, force_unlock

_WHERE = {
    "DEFAULT_LOCK_TIMEOUT": "plans",
    "ApplyOutcome": "plans",
    "PlanResult": "plans",
    "apply": "plans",
    "check_portal_tariff": "plans",
    "explain": "plans",
    "make_plan": "plans",
    "plan_against": "plans",
    "plan_and_apply": "plans",
    "unlock_command": "plans",
    "with_app_robots_reregistered": "plans",
    "check_robots_against_export": "robots",
    "UnlockOutcome": "unlock",
    "force_unlock": "unlock",
}

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "ApplyOutcome",
    "PlanResult",
    "UnlockOutcome",
    "apply",
    "check_portal_tariff",
    "check_robots_against_export",
    "explain",
    "force_unlock",
    "make_plan",
    "plan_against",
    "plan_and_apply",
    "unlock_command",
    "with_app_robots_reregistered",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)

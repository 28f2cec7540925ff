"""What every portal command does around its work: record its requests (``--trace``) and name the
portal it is about to contact (``Portal: ...``).

Part of the :mod:`b24provision.api` facade; nothing here prints.
"""

from __future__ import annotations

import sys
from pathlib import Path


def trace_to(trace: Path | None) -> None:
    """``--trace FILE``: record this command's requests (portal/trace.py); every line is flushed as
    it is written, and the file is closed when the process ends or the next command starts."""
    if trace is None and "b24provision.portal.trace" not in sys.modules:
        return  # nothing was ever traced in this process: do not import httpx for nothing
    from b24provision.portal import trace as tracing  # noqa: PLC0415

    tracing.stop()
    if trace is not None:
        tracing.start(trace)


def portal_name(portal: str, portals_file: Path | None = None) -> str:
    """The portal ``portal`` names, as ``Portal:`` shows it: a host or a state file, never a secret."""
    from b24provision.portal.connect import describe_portal  # noqa: PLC0415

    return describe_portal(portal, portals_file=portals_file)

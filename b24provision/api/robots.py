"""robots check: the blueprint's robots against the portal's configuration export (no portal contacted).

Part of the :mod:`b24provision.api` facade; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from b24provision.blueprint import load_blueprint

if TYPE_CHECKING:
    from b24provision.robots.check import RobotCheck


def check_robots_against_export(
    paths: Sequence[Path],
    export_file: Path,
    *,
    variables: Mapping[str, str] | None = None,
    values_files: Sequence[Path] = (),
) -> RobotCheck:
    """Compare the blueprint's robots with the portal's configuration export at ``export_file``.

    No portal is contacted: the export is the portal's own word on its robots (REST cannot read
    them). Raises ExportArchiveError for a damaged or hostile archive.
    """
    from b24provision.robots.check import check_robots  # noqa: PLC0415 - deepdiff loads only here
    from b24provision.robots.export_reader import read_export  # noqa: PLC0415

    blueprint = load_blueprint(paths, variables=dict(variables or {}), values_files=values_files)
    return check_robots(blueprint, read_export(export_file, blueprint))

"""The comments an export carries: the header, and the notes after the YAML.

The header: the editor's schema modeline, the portal (its host, never a webhook code), the date and
the tool version, where robots came from (REST cannot read them), names several pipelines share,
and the lint's advice on the portal as it is. After the YAML: fields of types a blueprint cannot
express and application robot types, kept as comments, never silently dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision import __version__
from b24provision.export_yaml import dump
from b24provision.state.live import LiveState, UnsupportedField

SCHEMA_FILE = "blueprint.schema.json"


def header(live: LiveState, today: date, schema: str, robots_export: str = "") -> str:
    from b24provision.blueprint.lint import lint_blueprint  # noqa: PLC0415

    advice = [f"Advice (b24provision validate): {p.message}" for p in lint_blueprint(live.blueprint)]
    robots = (
        f"Robots read from the portal's configuration export {robots_export} (REST cannot read them)."
        if robots_export
        else "Robots cannot be read over REST: add them by hand (see `robots:` on a stage in the docs)."
    )
    lines = [
        f"yaml-language-server: $schema={schema}",
        "",
        f"Exported from {live.portal or 'a portal'} on {today.isoformat()} by b24provision {__version__}.",
        *([f"The portal's licence: {live.license}."] if live.license else []),
        robots,
        "Pipeline keys are made from the pipelines' names; rename them freely (plan matches by name).",
        *([f"The schema: b24provision schema --out {SCHEMA_FILE}"] if schema == SCHEMA_FILE else []),
        *shared_names(live),
        *advice,
    ]
    return "".join(f"# {line}\n".replace(" \n", "\n") for line in lines) + "\n"


def shared_names(live: LiveState) -> list[str]:
    """A line per name several pipelines share: plan matches pipelines by name (state/match.py)."""
    names = Counter(p.name for p in live.blueprint.pipelines if not p.default)
    return [
        f"The portal has {n} pipelines named {name!r}: plan cannot tell them apart; rename all but one "
        "on the portal, then export again."
        for name, n in sorted(names.items())
        if n > 1
    ]


def unsupported(fields: Sequence[UnsupportedField], where: str = "fields") -> str:
    entries = CommentedSeq(
        CommentedMap(code=u.code, type=u.user_type_id, label=u.label)
        for u in sorted(fields, key=lambda u: u.code)
    )
    body = dump(CommentedMap(fields=entries)).splitlines()[1:]  # without the "fields:" line
    note = [
        "",
        "# Fields of types a blueprint cannot express (an application's own type), kept for reference.",
        "# apply leaves them alone; to manage one, change it to a blueprint type and move it up into "
        f"{where}:",
    ]
    return "\n".join(note + [f"#{line}" for line in body]) + "\n"


def app_robots(codes: Sequence[str]) -> str:
    lines = [
        "",
        "# Application robot types registered on the portal (bizproc.robot.list returns codes only, so",
        "# their handlers and properties cannot be exported): " + ", ".join(codes),
    ]
    return "\n".join(lines) + "\n"


def robots_left_out_note(robots: Sequence[str]) -> str:
    lines = [
        "",
        "# Robots in the configuration export that a blueprint cannot say exactly (set them by hand):",
    ]
    return "\n".join(lines + [f"#   {line}" for line in robots]) + "\n"

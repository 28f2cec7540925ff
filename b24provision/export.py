"""Export: a live portal written out as a blueprint, so that nobody starts from zero.

The portal is read the way ``plan`` reads it (``portal/read.py``: the blueprint's own model types,
pipeline keys made from names), and the result is written as YAML that ``load_blueprint`` reads
back into the same values. That symmetry is the contract: **export a portal, plan the export
against the same portal, and the plan shows no changes.**

What the YAML looks like, and why:

- a header comment names the portal (its host, never a webhook code), the date and the tool
  version, and says that robots cannot be read over REST, so they must be added by hand;
- ordering is stable, so two exports of one portal are byte-for-byte equal and a re-export makes
  a readable git diff: the default pipeline first, then by sort; stages by sort; fields by sort,
  then code; enumeration items by sort;
- no portal ids anywhere: pipelines get readable keys made from their names (``keys.make_key``),
  stages keep their codes, fields their codes without ``UF_CRM_``;
- only what differs from the blueprint's defaults is written: ``sort:`` of a stage or an item only
  when it is not 10 times its position, ``semantics:`` only for success and failure stages; a
  stage's ``color:`` is always written (without it, apply would leave another portal's colours);
- a field label in every portal language, or one string when all languages agree;
- fields of types a blueprint cannot express (an application's own type) are kept as commented
  entries with a note, never silently dropped; application robot types likewise (REST returns
  their codes only).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision import __version__
from b24provision.blueprint.model import EnumerationField, FieldBase, Pipeline, Stage
from b24provision.errors import ConfigError
from b24provision.state import LiveState, UnsupportedField

__all__ = ["ExportResult", "export_portal", "render_export", "write_export"]

EXPORT_FILE = "blueprint.yaml"

# Field attributes written first, in this order; the rest follow in model order.
_FIELD_HEAD = ("code", "type", "label")


@dataclass(frozen=True)
class ExportResult:
    """An exported blueprint and the portal it was read from."""

    text: str
    """The blueprint YAML, header comment included."""
    live: LiveState
    requests: int
    """HTTP requests the export took."""


def export_portal(
    spec: str = "local",
    *,
    portals_file: Path | None = None,
    today: date | None = None,
    robots_from: Path | None = None,
) -> ExportResult:
    """Read the portal named by ``spec`` and write it as blueprint YAML (returned, not saved).

    Args:
        spec: A ``--portal`` spec: local, local:FILE, env:VAR or a profile name.
        portals_file: The portals file for a profile name (default: ./portals.yaml).
        today: The date for the header (default: today).
        robots_from: The portal's configuration export: its robots go on the stages (REST cannot
            read them), so a hand-made portal round-trips with its automation.
    """
    from dataclasses import replace  # noqa: PLC0415

    from b24provision.portal.connect import describe_portal, open_portal  # noqa: PLC0415 - keeps it light
    from b24provision.portal.read import read_portal  # noqa: PLC0415

    with open_portal(spec, portals_file=portals_file) as client:
        start = client.request_count
        live = read_portal(client)
        requests = client.request_count - start
    # The header names the portal as the user knows it (a local portal's loopback port means nothing).
    live = replace(live, portal=describe_portal(spec, portals_file=portals_file))
    if robots_from is None:
        return ExportResult(text=render_export(live, today=today), live=live, requests=requests)
    from b24provision.robots.export_reader import read_export, robots_into  # noqa: PLC0415

    export = read_export(robots_from, live.blueprint)
    with_robots, left_out = robots_into(live.blueprint, export)
    text = render_export(
        replace(live, blueprint=with_robots),
        today=today,
        robots_export=export.label(),
        robots_left_out=left_out,
    )
    return ExportResult(text=text, live=live, requests=requests)


def write_export(text: str, out: Path) -> Path:
    """Write an export to ``out``: a directory gets ``blueprint.yaml``, anything else is the file.

    A path that does not exist yet is taken as a file when it ends in .yaml/.yml, else as a
    directory. Returns the file written.
    """
    target = (
        out / EXPORT_FILE
        if out.is_dir() or (not out.exists() and out.suffix not in (".yaml", ".yml"))
        else out
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the export to {target}: {exc.strerror} — check the --out path"
        ) from None
    return target


def render_export(
    live: LiveState,
    *,
    today: date | None = None,
    robots_export: str = "",
    robots_left_out: Sequence[str] = (),
) -> str:
    """The live state as blueprint YAML, with the header comment. Pure; see the module docstring.

    ``robots_export`` names the configuration export the stages' robots were read from ("": none,
    the stages have no robots); ``robots_left_out`` are its robots a blueprint cannot say exactly.
    """
    doc = CommentedMap()
    doc["version"] = 1
    doc["pipelines"] = CommentedSeq(_pipeline(p) for p in _ordered_pipelines(live.blueprint.pipelines))
    fields = sorted(live.blueprint.fields, key=lambda f: (f.sort, f.code))
    doc["fields"] = CommentedSeq(_field(f) for f in fields)
    if live.triggers:
        doc["triggers"] = CommentedSeq(_flow({"code": t.code, "name": t.name}) for t in live.triggers)
    parts = [_header(live, today or date.today(), robots_export), _dump(doc)]
    if live.unsupported_fields:
        parts.append(_unsupported(live.unsupported_fields))
    if live.app_robot_codes:
        parts.append(_app_robots(sorted(live.app_robot_codes)))
    if robots_left_out:
        lines = [
            "",
            "# Robots in the configuration export that a blueprint cannot say exactly (set them by hand):",
        ]
        parts.append("\n".join(lines + [f"#   {line}" for line in robots_left_out]) + "\n")
    return "".join(parts)


# ------------------------------------------------------------------------------------ sections


def _header(live: LiveState, today: date, robots_export: str = "") -> str:
    robots = (
        f"Robots read from the portal's configuration export {robots_export} (REST cannot read them)."
        if robots_export
        else "Robots cannot be read over REST: add them by hand (see `robots:` on a stage in the docs)."
    )
    lines = [
        f"Exported from {live.portal or 'a portal'} on {today.isoformat()} by b24provision {__version__}.",
        *([f"The portal's licence: {live.license}."] if live.license else []),
        robots,
        "Pipeline keys are made from the pipelines' names; rename them freely (plan matches by name).",
    ]
    return "".join(f"# {line}\n" for line in lines) + "\n"


def _ordered_pipelines(pipelines: Sequence[Pipeline]) -> list[Pipeline]:
    # sorted() is stable: pipelines with one sort keep the reader's order (by portal id).
    return sorted(pipelines, key=lambda p: (not p.default, p.sort or 0))


def _pipeline(p: Pipeline) -> CommentedMap:
    out = CommentedMap()
    out["key"] = p.key
    out["name"] = p.name
    if p.default:
        out["default"] = True
    elif p.sort is not None:
        # The default pipeline's sort is left alone: it is always shown first.
        out["sort"] = p.sort
    stages = sorted(p.stages, key=lambda s: s.sort or 0)
    out["stages"] = CommentedSeq(_stage(s, (i + 1) * 10) for i, s in enumerate(stages))
    return out


def _stage(s: Stage, position_sort: int) -> CommentedMap:
    data: dict[str, Any] = {"code": s.code, "name": s.name}
    if s.semantics != "process":
        data["semantics"] = s.semantics
    if s.color:
        data["color"] = s.color
    if s.sort is not None and s.sort != position_sort:
        data["sort"] = s.sort
    if not s.robots:
        return _flow(data)
    out = CommentedMap(data)  # a stage with robots: a block, one robot per line
    out["robots"] = CommentedSeq(_robot(r) for r in s.robots)
    return out


def _robot(robot: Any) -> CommentedMap:
    data = robot.model_dump(mode="json", exclude_defaults=True)
    common = ("title", "delay", "condition", "after_previous")  # after the robot's own settings
    own = {k: v for k, v in data.items() if k != "type" and k not in common}
    out = _flow({"type": robot.type, **own, **{k: data[k] for k in common if k in data}})
    for key, value in list(out.items()):
        if isinstance(value, dict):
            out[key] = _flow(value)
    return out


def _field(f: FieldBase) -> CommentedMap:
    data = f.model_dump(mode="json", exclude_defaults=True, exclude={"items"})
    out = CommentedMap()
    out["code"] = f.code
    out["type"] = data["type"]
    if f.label is not None:
        out["label"] = f.label if isinstance(f.label, str) else _flow(dict(sorted(f.label.items())))
    for attr, value in data.items():
        if attr not in _FIELD_HEAD:
            out[attr] = _flow_seq(value) if isinstance(value, list) else value
    if isinstance(f, EnumerationField):
        items = sorted(f.items, key=lambda it: it.sort or 0)
        out["items"] = CommentedSeq(
            _flow(
                {
                    "xml_id": it.xml_id,
                    "value": it.value,
                    **({"sort": it.sort} if it.sort is not None and it.sort != (i + 1) * 10 else {}),
                    **({"default": True} if it.default else {}),
                }
            )
            for i, it in enumerate(items)
        )
    return out


def _unsupported(fields: Sequence[UnsupportedField]) -> str:
    entries = CommentedSeq(
        CommentedMap(code=u.code, type=u.user_type_id, label=u.label)
        for u in sorted(fields, key=lambda u: u.code)
    )
    body = _dump(CommentedMap(fields=entries)).splitlines()[1:]  # without the "fields:" line
    note = [
        "",
        "# Fields of types a blueprint cannot express (an application's own type), kept for reference.",
        "# apply leaves them alone; to manage one, change it to a blueprint type and move it up into fields:",
    ]
    return "\n".join(note + [f"#{line}" for line in body]) + "\n"


def _app_robots(codes: Sequence[str]) -> str:
    lines = [
        "",
        "# Application robot types registered on the portal (bizproc.robot.list returns codes only, so",
        "# their handlers and properties cannot be exported): " + ", ".join(codes),
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- helpers


def _flow(data: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line, ``{code: NEW, name: ...}``, as the shipped blueprints do."""
    out = CommentedMap(data)
    out.fa.set_flow_style()
    return out


def _flow_seq(items: list[Any]) -> CommentedSeq:
    out = CommentedSeq(items)
    out.fa.set_flow_style()
    return out


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long name over lines
    yaml.allow_unicode = True
    return yaml


def _dump(doc: CommentedMap) -> str:
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    return buffer.getvalue()

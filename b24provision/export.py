"""Export: a live portal written out as a blueprint, so that nobody starts from zero.

The portal is read the way ``plan`` reads it (``state/rest.py``: the blueprint's own model types,
pipeline keys made from names), and the result is written as YAML that ``load_blueprint`` reads
back into the same values. That symmetry is the contract: **export a portal, plan the export
against the same portal, and the plan shows no changes.**

What the YAML looks like, and why:

- the first line is the editor's schema modeline (``# yaml-language-server: $schema=...``, the
  schema found in a ``schema/`` folder above the file, as in this repository, else a file next to
  it that ``b24provision schema --out`` writes); a header comment names the portal (its host, never
  a webhook code), the date and the tool version, says that robots cannot be read over REST, so
  they must be added by hand, and repeats the lint's advice on the portal as it is (the export
  adds no finding of its own: it validates with no warning where the portal gives none);
- ordering is stable, so two exports of one portal are byte-for-byte equal and a re-export makes
  a readable git diff: the default pipeline first, then by sort; stages by sort; fields by sort,
  then code; enumeration items by sort;
- no portal ids anywhere: pipelines get readable keys made from their names (``keys.make_key``),
  stages keep their codes, fields their codes without the field prefix;
- only what differs from the blueprint's defaults is written: ``sort:`` of a stage or an item only
  where the order does not say it already (``plan/sorts.py``: without ``sort:`` a stage keeps its
  place, so this is only for ties), ``semantics:`` only for success and failure stages, ``color:``
  only where it is not the portal's default colour for that stage code;
- a field label in every portal language, or one string when all languages agree;
- the layout is ``fmt``'s (``b24provision fmt --check`` passes on an export);
- fields of types a blueprint cannot express (an application's own type) are kept as commented
  entries with a note, never silently dropped; application robot types likewise (REST returns
  their codes only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision import __version__
from b24provision.blueprint.model import EnumerationField, FieldBase, Pipeline, Stage
from b24provision.errors import OutputError
from b24provision.export_entities import entities_section
from b24provision.export_smart import read_everything, smart_processes_yaml
from b24provision.export_statuses import lead_section, lists_section
from b24provision.fmt import dump_canonical
from b24provision.output import write_output
from b24provision.plan.sorts import effective_sorts
from b24provision.state.live import LiveState, UnsupportedField

__all__ = ["ExportResult", "export_portal", "render_export", "write_export"]

EXPORT_FILE = "blueprint.yaml"

# Field attributes written first, in this order; the rest follow in model order.
_FIELD_HEAD = ("code", "type", "label")

SCHEMA_FILE = "blueprint.schema.json"

# The colours a portal gives the stages of a new pipeline (the core's GetDefaultDealStages,
# reference §13 item 11). A stage with its code's default colour gets no ``color:`` line.
DEFAULT_STAGE_COLORS = {
    "NEW": "#39A8EF",
    "PREPARATION": "#2FC6F6",
    "PREPAYMENT_INVOICE": "#55D0E0",
    "EXECUTING": "#47E4C2",
    "FINAL_INVOICE": "#FFA900",
    "WON": "#7BD500",
    "LOSE": "#FF5752",
    "APOLOGY": "#FF5752",
}


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
    out: Path | None = None,
    robots_from: Path | None = None,
) -> ExportResult:
    """Read the portal named by ``spec`` and write it as blueprint YAML (returned, not saved).

    Args:
        spec: A ``--portal`` spec: local, local:FILE, env:VAR or a profile name.
        portals_file: The portals file for a profile name (default: ./portals.yaml).
        today: The date for the header (default: today).
        out: Where the text will be written (``write_export``'s ``out``), for the schema modeline's
            relative path; None: the current directory.
        robots_from: The portal's configuration export: its robots go on the stages (REST cannot
            read them), so a hand-made portal round-trips with its automation.
    """
    from dataclasses import replace  # noqa: PLC0415

    from b24provision.portal.connect import describe_portal, open_portal  # noqa: PLC0415 - keeps it light

    with open_portal(spec, portals_file=portals_file) as client:
        start = client.request_count
        live = read_everything(client)  # smart processes too (export_smart.py)
        requests = client.request_count - start
    # The header names the portal as the user knows it (a local portal's loopback port means nothing).
    live = replace(live, portal=describe_portal(spec, portals_file=portals_file))
    schema = schema_reference(export_target(out) if out is not None else Path("blueprint.yaml"))
    if robots_from is None:
        return ExportResult(
            text=render_export(live, today=today, schema=schema), live=live, requests=requests
        )
    from b24provision.robots.export_into import live_with_robots  # noqa: PLC0415

    with_robots, label, left_out = live_with_robots(live, robots_from)  # deal, lead and smart-process robots
    text = render_export(
        with_robots,
        today=today,
        schema=schema,
        robots_export=label,
        robots_left_out=left_out,
    )
    return ExportResult(text=text, live=live, requests=requests)


def export_target(out: Path) -> Path:
    """The file ``write_export`` writes for ``out``."""
    return (
        out / EXPORT_FILE
        if out.is_dir() or (not out.exists() and out.suffix not in (".yaml", ".yml"))
        else out
    )


def schema_reference(target: Path) -> str:
    """The modeline's path from ``target``'s folder to the blueprint schema.

    A ``schema/blueprint.schema.json`` in a folder above (a repository laid out like this one), else
    ``blueprint.schema.json`` next to the file (``b24provision schema --out`` writes it).
    """
    import os  # noqa: PLC0415

    folder = target.parent.resolve()
    for parent in (folder, *folder.parents):
        candidate = parent / "schema" / SCHEMA_FILE
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
    return SCHEMA_FILE


def write_export(text: str, out: Path, *, force: bool = False) -> Path:
    """Write an export to ``out``: a directory gets ``blueprint.yaml``, anything else is the file.

    A path that does not exist yet is taken as a file when it ends in .yaml/.yml, else as a
    directory. Returns the file written. Without ``force``, an existing file is not replaced, and
    a directory that already holds a blueprint's YAML gets no ``blueprint.yaml`` beside it (the
    directory is one blueprint: the new file would join the old one and make both invalid).

    Raises:
        OutputError: refused as above, or the file cannot be written (:mod:`b24provision.output`).
    """
    target = export_target(out)
    if not force and out.is_dir() and not target.exists():
        others = sorted(p.name for p in out.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if others:
            names = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise OutputError(
                f"{out} already holds a blueprint ({names}): "
                f"{EXPORT_FILE} beside it would become part of that blueprint; export to a new directory "
                "or a file, or pass --force"
            )
    return write_output(target, text, force=force)


def render_export(
    live: LiveState,
    *,
    today: date | None = None,
    schema: str = SCHEMA_FILE,
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
    if entities := entities_section(live, _field):
        doc["entities"] = entities
    if live.smart_processes:
        doc["smart_processes"] = smart_processes_yaml(live, _pipeline, _field)
    if live.triggers:
        doc["triggers"] = CommentedSeq(_flow({"code": t.code, "name": t.name}) for t in live.triggers)
    if (lead := lead_section(live, _flow, _sorts_to_write)) is not None:  # export_statuses.py
        entities = doc.setdefault("entities", CommentedMap())
        if "lead" in entities:  # the lead's fields came first: its statuses go before them
            entities["lead"] = CommentedMap(
                statuses=lead["lead"]["statuses"], fields=entities["lead"]["fields"]
            )
        else:
            entities.insert(0, "lead", lead["lead"])
    if (lists := lists_section(live, _flow, _sorts_to_write)) is not None:
        doc["lists"] = lists
    parts = [_header(live, today or date.today(), schema, robots_export), _dump(doc)]
    if live.unsupported_fields:
        parts.append(_unsupported(live.unsupported_fields))
    for key, entity in sorted(live.entities.items()):  # a lead's, contact's or company's
        if entity.fields.unsupported:
            parts.append(_unsupported(entity.fields.unsupported, f"entities.{key}.fields"))
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


def _header(live: LiveState, today: date, schema: str, robots_export: str = "") -> str:
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
        *_shared_names(live),
        *advice,
    ]
    return "".join(f"# {line}\n".replace(" \n", "\n") for line in lines) + "\n"


def _shared_names(live: LiveState) -> list[str]:
    """A line per name several pipelines share: plan matches pipelines by name (state/match.py)."""
    names = Counter(p.name for p in live.blueprint.pipelines if not p.default)
    return [
        f"The portal has {n} pipelines named {name!r}: plan cannot tell them apart; rename all but one "
        "on the portal, then export again."
        for name, n in sorted(names.items())
        if n > 1
    ]


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
    needed = _sorts_to_write([(s.code, s.sort or 0) for s in stages])
    out["stages"] = CommentedSeq(_stage(s, s.code in needed) for s in stages)
    return out


def _sorts_to_write(ordered: list[tuple[str, int]]) -> set[str]:
    """The keys whose sort the order alone would not give back (plan/sorts.py): ties, mostly.

    Starts with no sort written and adds the ones that come out wrong until none does.
    """
    live = dict(ordered)
    written: set[str] = set()
    while True:
        wanted = effective_sorts([(k, live[k] if k in written else None) for k, _ in ordered], live)
        wrong = {k for k, sort in ordered if wanted[k] != sort} - written
        if not wrong:
            return written
        written |= wrong


def _stage(s: Stage, write_sort: bool) -> CommentedMap:
    data: dict[str, Any] = {"code": s.code, "name": s.name}
    if s.semantics != "process":
        data["semantics"] = s.semantics
    if s.color and s.color.upper() != DEFAULT_STAGE_COLORS.get(s.code, "").upper():
        data["color"] = s.color
    if write_sort and s.sort is not None:
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
        needed = _sorts_to_write([(it.xml_id, it.sort or 0) for it in items])
        out["items"] = CommentedSeq(
            _flow(
                {
                    "xml_id": it.xml_id,
                    "value": it.value,
                    **({"sort": it.sort} if it.xml_id in needed else {}),
                    **({"default": True} if it.default else {}),
                }
            )
            for it in items
        )
    return out


def _unsupported(fields: Sequence[UnsupportedField], where: str = "fields") -> str:
    entries = CommentedSeq(
        CommentedMap(code=u.code, type=u.user_type_id, label=u.label)
        for u in sorted(fields, key=lambda u: u.code)
    )
    body = _dump(CommentedMap(fields=entries)).splitlines()[1:]  # without the "fields:" line
    note = [
        "",
        "# Fields of types a blueprint cannot express (an application's own type), kept for reference.",
        "# apply leaves them alone; to manage one, change it to a blueprint type and move it up into "
        f"{where}:",
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


def _dump(doc: CommentedMap) -> str:
    return dump_canonical(doc)

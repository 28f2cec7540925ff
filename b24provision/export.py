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

This module reads, renders and writes; the parts: export_deal.py (pipelines, stages, fields),
export_entities.py, export_statuses.py, export_smart.py (the other entities, lead statuses and
lists, smart processes), export_comments.py (header and notes), export_yaml.py (the layout).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from b24provision.errors import OutputError
from b24provision.export_comments import SCHEMA_FILE, app_robots, header, robots_left_out_note, unsupported
from b24provision.export_deal import field, ordered_pipelines, pipeline, sorts_to_write
from b24provision.export_entities import entities_section
from b24provision.export_smart import read_everything, smart_processes_yaml
from b24provision.export_statuses import lead_section, lists_section
from b24provision.export_yaml import dump, flow
from b24provision.output import write_output
from b24provision.state.live import LiveState

__all__ = ["ExportResult", "export_portal", "render_export", "write_export"]

EXPORT_FILE = "blueprint.yaml"


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
    doc["pipelines"] = CommentedSeq(pipeline(p) for p in ordered_pipelines(live.blueprint.pipelines))
    fields = sorted(live.blueprint.fields, key=lambda f: (f.sort, f.code))
    doc["fields"] = CommentedSeq(field(f) for f in fields)
    if entities := entities_section(live, field):
        doc["entities"] = entities
    if live.smart_processes:
        doc["smart_processes"] = smart_processes_yaml(live, pipeline, field)
    if live.triggers:
        doc["triggers"] = CommentedSeq(flow({"code": t.code, "name": t.name}) for t in live.triggers)
    if (lead := lead_section(live, flow, sorts_to_write)) is not None:  # export_statuses.py
        entities = doc.setdefault("entities", CommentedMap())
        if "lead" in entities:  # the lead's fields came first: its statuses go before them
            entities["lead"] = CommentedMap(
                statuses=lead["lead"]["statuses"], fields=entities["lead"]["fields"]
            )
        else:
            entities.insert(0, "lead", lead["lead"])
    if (lists := lists_section(live, flow, sorts_to_write)) is not None:
        doc["lists"] = lists
    parts = [header(live, today or date.today(), schema, robots_export), dump(doc)]
    if live.unsupported_fields:
        parts.append(unsupported(live.unsupported_fields))
    for key, entity in sorted(live.entities.items()):  # a lead's, contact's or company's
        if entity.fields.unsupported:
            parts.append(unsupported(entity.fields.unsupported, f"entities.{key}.fields"))
    if live.app_robot_codes:
        parts.append(app_robots(sorted(live.app_robot_codes)))
    if robots_left_out:
        parts.append(robots_left_out_note(robots_left_out))
    return "".join(parts)

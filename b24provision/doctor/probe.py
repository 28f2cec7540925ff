"""``doctor --probe``: try each open assumption on the portal itself, then delete what was made.

The probe writes, so it is for a staging portal and asks first. It creates, all named with the
unique prefix ``B24P_PROBE_<tag>``:

* an enumeration field with two items sent with XML_IDs and a label in English only — do the items
  keep their XML_ID (§13.1)? which languages is the label filled into (§13.4)?
* a date field with a fixed default of 2025-01-31 — does it come back as sent or in the site
  format, 31.01.2025 (§13.3)?
* a pipeline — which is the longest stage code it accepts (one batch of adds of growing length,
  §13.5)? can its system stage WON be deleted with ``FORCED=Y`` (§6)? may a success stage then have
  another code than WON (§13.7)?
* a smart process, on a portal that holds none (probe_smart.py) — does the portal's plan let
  crm.type.add create one, or is it refused with CREATE_DYNAMIC_TYPE_RESTRICTED?

Cleanup runs whatever happens — a step failing, Ctrl-C, SIGTERM (turned into an interrupt while
the probe runs) — and finds what to delete by the prefix, not by remembered ids: a write whose
answer was lost is found too, and so is what an earlier, killed run left (every probe starts by
removing ``B24P_PROBE_*`` leftovers).
"""

from __future__ import annotations

import re
import secrets
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from b24provision.doctor.answers import ASSUMPTIONS, Answer, Say, as_map
from b24provision.doctor.checks import PROBE_PREFIX
from b24provision.doctor.facts import PortalFacts
from b24provision.doctor.probe_smart import probe_smart_process, probe_types
from b24provision.doctor.probe_stages import PROBED_PIPELINES, probe_pipeline
from b24provision.entities.types import DEAL, SMART_TYPES
from b24provision.errors import PortalError
from b24provision.portal.client import Command, PortalClient

__all__ = ["ASSUMPTIONS", "Answer", "ProbeResult", "cleanup", "run_probe"]

PROBED_FIELDS = DEAL
"""The probe makes deal fields."""
_FIELD_PREFIX = PROBED_FIELDS.field_name(PROBE_PREFIX)
_FIELDS = PROBED_FIELDS.userfields


@dataclass
class ProbeResult:
    """What the probe found, and whether it left anything behind."""

    answers: list[Answer]
    facts: PortalFacts
    removed_leftovers: list[str]
    not_removed: list[str]
    denied: str | None = None
    """The portal's words when it refused a write for the user's rights."""


def run_probe(client: PortalClient, say: Say) -> ProbeResult:
    """Run every probe on ``client``'s portal; cleanup is guaranteed (see the module docstring)."""
    tag = secrets.token_hex(3).upper()
    prefix = f"{PROBE_PREFIX}{tag}"
    found: dict[str, Any] = {}
    answers: dict[str, Answer] = {}
    denied: list[str] = []
    removed, _ = cleanup(client)
    if removed:
        say(f"probe: removed what an earlier probe left: {', '.join(removed)}")
    stopped = "the probe did not get that far"
    try:
        with _sigterm_interrupts():
            try:
                answers.update(_probe_fields(client, prefix, say, found, denied))
                answers.update(probe_pipeline(client, prefix, say, found, denied))
                answers.update(probe_smart_process(client, prefix, say, found, denied))
            except PortalError as exc:  # one step failed: the others' answers still count
                stopped = f"the probe stopped: {exc.message}"
    finally:
        gone, not_removed = cleanup(client)
        say(f"probe: deleted {', '.join(gone) if gone else 'nothing (nothing was made)'}")
    for key in ASSUMPTIONS:
        answers.setdefault(key, Answer(key, "could not tell", stopped))
    ordered = [answers[k] for k in ASSUMPTIONS]
    return ProbeResult(
        answers=ordered,
        facts=_facts(client.host, ordered, found),
        removed_leftovers=removed,
        not_removed=not_removed,
        denied=denied[0] if denied else None,
    )


def cleanup(client: PortalClient) -> tuple[list[str], list[str]]:
    """Delete every pipeline, field and smart process whose name starts with ``B24P_PROBE_``.

    Returns what was deleted and what could not be (with the portal's words); never raises for the
    portal, so it can run while an interrupt or an error is on its way out.
    """
    try:
        reply = client.batch(
            [
                Command("pipelines", PROBED_PIPELINES.method("list"), PROBED_PIPELINES.params),
                Command("fields", _FIELDS.method("list"), {}),
                Command("types", SMART_TYPES.method("list"), {}),
            ]
        )
        # A portal without smart processes (or this scope) may refuse the type list: nothing to delete.
        reply.errors.pop("types", None)
        reply.raise_first_error()
        pipelines = _items(reply.results.get("pipelines"), "categories")
        fields = _items(reply.results.get("fields"))
        names: dict[str, str] = {}
        commands: list[Command] = []
        for p in pipelines:
            if str(p.get("name", "")).startswith(PROBE_PREFIX):
                key = f"p{p['id']}"
                names[key] = f"pipeline {p['name']}"
                commands.append(
                    Command(
                        key, PROBED_PIPELINES.method("delete"), {**PROBED_PIPELINES.params, "id": p["id"]}
                    )
                )
        for f in fields:
            if str(f.get("FIELD_NAME", "")).startswith(_FIELD_PREFIX):
                key = f"f{f['ID']}"
                names[key] = f"field {f['FIELD_NAME']}"
                commands.append(Command(key, _FIELDS.method("delete"), {"id": f["ID"]}))
        for what, command in probe_types(reply.results.get("types"), PROBE_PREFIX):
            names[command.key] = what
            commands.append(command)
        if not commands:
            return [], []
        done = client.batch_all(commands)
    except PortalError as exc:
        return [], [f"could not look for probe objects: {exc.message}"]
    gone = [names[c.key] for c in commands if c.key not in done.errors]
    left = [f"{names[k]}: {e.message}" for k, e in done.errors.items()]
    return gone, left


# ---------------------------------------------------------------------------------- the probes


def _probe_fields(
    client: PortalClient, prefix: str, say: Say, found: dict[str, Any], denied: list[str]
) -> dict[str, Answer]:
    enum = {
        "FIELD_NAME": f"{prefix}_LIST",
        "USER_TYPE_ID": "enumeration",
        "EDIT_FORM_LABEL": {"en": "B24P probe"},
        "LIST": [
            {"VALUE": "B24P one", "XML_ID": "B24P_ONE", "SORT": 10},
            {"VALUE": "B24P two", "XML_ID": "B24P_TWO", "SORT": 20},
        ],
    }
    date = {
        "FIELD_NAME": f"{prefix}_DATE",
        "USER_TYPE_ID": "date",
        "SETTINGS": {"DEFAULT_VALUE": {"TYPE": "FIXED", "VALUE": "2025-01-31"}},
    }
    reply = client.batch(
        [
            Command("enum", _FIELDS.method("add"), {"fields": enum}),
            Command("date", _FIELDS.method("add"), {"fields": date}),
            Command("enum_get", _FIELDS.method("get"), {"id": "$result[enum]"}),
            Command("date_get", _FIELDS.method("get"), {"id": "$result[date]"}),
        ]
    )
    made = [
        PROBED_FIELDS.field_name(f"{prefix}_{kind}")
        for kind, key in (("LIST", "enum"), ("DATE", "date"))
        if key in reply.results
    ]
    if made:
        say(f"probe: created the field{'s' if len(made) > 1 else ''} {' and '.join(made)}")
    out: dict[str, Answer] = {}
    if "enum" in reply.errors:
        words = reply.errors["enum"].message
        if "access denied" in words.lower():
            denied.append(words)
        for key in ("enum_xml_id", "labels"):
            out[key] = Answer(key, "could not tell", f"the field was refused: {words}")
    else:
        field = as_map(reply.results.get("enum_get"))
        out["enum_xml_id"] = _xml_id_answer(field, found)
        out["labels"] = _labels_answer(field, found)
    if "date" in reply.errors:
        out["date_default"] = Answer(
            "date_default", "could not tell", f"refused: {reply.errors['date'].message}"
        )
    else:
        out["date_default"] = _date_answer(as_map(reply.results.get("date_get")), found)
    return out


def _xml_id_answer(field: Mapping[str, Any], found: dict[str, Any]) -> Answer:
    items = [i for i in field.get("LIST") or [] if isinstance(i, Mapping)]
    if not items:
        return Answer("enum_xml_id", "could not tell", "the field came back without its list items")
    xml_ids = [str(i.get("XML_ID") or "") for i in items]
    if "B24P_ONE" in xml_ids and "B24P_TWO" in xml_ids:
        found["enum_xml_id"] = "kept"
        return Answer("enum_xml_id", "holds", "the items came back with B24P_ONE and B24P_TWO")
    found["enum_xml_id"] = "dropped"
    shown = ", ".join(x or "(none)" for x in xml_ids)
    return Answer(
        "enum_xml_id", "differs", f"sent B24P_ONE, B24P_TWO; came back: {shown} — items are matched by text"
    )


def _labels_answer(field: Mapping[str, Any], found: dict[str, Any]) -> Answer:
    labels = field.get("EDIT_FORM_LABEL")
    if not isinstance(labels, Mapping) or not labels:
        return Answer("labels", "could not tell", "the field came back without a label map")
    found["languages"] = tuple(sorted(str(k) for k in labels))
    others = sorted(str(k) for k in labels if k != "en")
    if not others:
        return Answer("labels", "could not tell", "the portal has one language only")
    filled = [lang for lang in others if labels.get(lang)]
    if filled:
        found["labels"] = "fill"
        sample = labels[filled[0]]
        return Answer("labels", "differs", f"sent en only; filled into {', '.join(filled)} (e.g. {sample!r})")
    found["labels"] = "as_sent"
    return Answer("labels", "holds", f"sent en only; {', '.join(others)} stayed empty")


def _date_answer(field: Mapping[str, Any], found: dict[str, Any]) -> Answer:
    settings = as_map(field.get("SETTINGS"))
    default = settings.get("DEFAULT_VALUE")
    value = str(default.get("VALUE") or "") if isinstance(default, Mapping) else str(default or "")
    if value.startswith("2025-01-31"):
        found["date_default"] = "iso"
        return Answer("date_default", "holds", f"came back as {value!r}")
    if re.match(r"^31\.01\.2025", value):
        found["date_default"] = "site"
        return Answer("date_default", "differs", f"came back in the site format, {value!r}")
    return Answer("date_default", "could not tell", f"sent 2025-01-31, came back {value!r}")


# ---------------------------------------------------------------------------------- helpers


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM becomes KeyboardInterrupt while probing, so cleanup runs; a second one kills."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: signals cannot be caught here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _facts(host: str, answers: list[Answer], found: Mapping[str, Any]) -> PortalFacts:
    return PortalFacts(
        host=host,
        probed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        enum_xml_id=found.get("enum_xml_id"),
        date_default=found.get("date_default"),
        labels=found.get("labels"),
        stage_id_budget=found.get("stage_id_budget"),
        probe_pipeline_id=found.get("probe_pipeline_id"),
        system_stage_forced_delete=found.get("system_stage_forced_delete"),
        success_stage_any_code=found.get("success_stage_any_code"),
        smart_processes=found.get("smart_processes"),
        languages=tuple(found.get("languages") or ()),
        answers={a.key: a.to_json() for a in answers},
    )


def _items(value: Any, key: str | None = None) -> list[Mapping[str, Any]]:
    if key and isinstance(value, Mapping):
        value = value.get(key)
    if isinstance(value, Mapping):
        value = list(value.values())
    return [v for v in value or [] if isinstance(v, Mapping)] if isinstance(value, list) else []

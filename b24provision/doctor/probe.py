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

Cleanup runs whatever happens — a step failing, Ctrl-C, SIGTERM (turned into an interrupt while
the probe runs) — and finds what to delete by the prefix, not by remembered ids: a write whose
answer was lost is found too, and so is what an earlier, killed run left (every probe starts by
removing ``B24P_PROBE_*`` leftovers).
"""

from __future__ import annotations

import re
import secrets
import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import Any, Literal

from b24provision.doctor.checks import PROBE_PREFIX
from b24provision.doctor.facts import PortalFacts
from b24provision.errors import PortalError
from b24provision.portal.client import Command, PortalClient

__all__ = ["ASSUMPTIONS", "Answer", "ProbeResult", "cleanup", "run_probe"]

Verdict = Literal["holds", "differs", "could not tell"]
Say = Callable[[str], None]

BLUEPRINT_STAGE_CODE = 18
"""The longest stage code a blueprint may hold (blueprint/model.py StageCode)."""
ASSUMPTIONS: dict[str, str] = {
    "enum_xml_id": "list items keep the XML_ID they are sent (§13.1)",
    "date_default": "a date field's default comes back as sent, 2025-01-31 (§13.3)",
    "labels": "languages a label does not name are left empty (§13.4)",
    "stage_code": f"a new pipeline accepts stage codes of {BLUEPRINT_STAGE_CODE} characters (§13.5)",
    "system_stage": "a pipeline's system stage is deleted with FORCED=Y (§6)",
    "success_code": "a success stage may have another code than WON (§13.7)",
}
_CODE_LENGTHS = range(12, 27)
_FIELD_PREFIX = f"UF_CRM_{PROBE_PREFIX}"


@dataclass(frozen=True)
class Answer:
    """One assumption and what the portal said about it."""

    key: str
    verdict: Verdict
    detail: str

    @property
    def assumption(self) -> str:
        return ASSUMPTIONS[self.key]

    def to_json(self) -> dict[str, str]:
        return {"assumption": self.assumption, "verdict": self.verdict, "detail": self.detail}


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
                answers.update(_probe_pipeline(client, prefix, say, found, denied))
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
    """Delete every pipeline and field whose name starts with ``B24P_PROBE_``.

    Returns what was deleted and what could not be (with the portal's words); never raises for the
    portal, so it can run while an interrupt or an error is on its way out.
    """
    try:
        reply = client.batch(
            [
                Command("pipelines", "crm.category.list", {"entityTypeId": 2}),
                Command("fields", "crm.deal.userfield.list", {}),
            ]
        )
        reply.raise_first_error()
        pipelines = _items(reply.results.get("pipelines"), "categories")
        fields = _items(reply.results.get("fields"))
        names: dict[str, str] = {}
        commands: list[Command] = []
        for p in pipelines:
            if str(p.get("name", "")).startswith(PROBE_PREFIX):
                key = f"p{p['id']}"
                names[key] = f"pipeline {p['name']}"
                commands.append(Command(key, "crm.category.delete", {"entityTypeId": 2, "id": p["id"]}))
        for f in fields:
            if str(f.get("FIELD_NAME", "")).startswith(_FIELD_PREFIX):
                key = f"f{f['ID']}"
                names[key] = f"field {f['FIELD_NAME']}"
                commands.append(Command(key, "crm.deal.userfield.delete", {"id": f["ID"]}))
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
            Command("enum", "crm.deal.userfield.add", {"fields": enum}),
            Command("date", "crm.deal.userfield.add", {"fields": date}),
            Command("enum_get", "crm.deal.userfield.get", {"id": "$result[enum]"}),
            Command("date_get", "crm.deal.userfield.get", {"id": "$result[date]"}),
        ]
    )
    made = [
        f"UF_CRM_{prefix}_{kind}"
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
        field = _map(reply.results.get("enum_get"))
        out["enum_xml_id"] = _xml_id_answer(field, found)
        out["labels"] = _labels_answer(field, found)
    if "date" in reply.errors:
        out["date_default"] = Answer(
            "date_default", "could not tell", f"refused: {reply.errors['date'].message}"
        )
    else:
        out["date_default"] = _date_answer(_map(reply.results.get("date_get")), found)
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
    settings = _map(field.get("SETTINGS"))
    default = settings.get("DEFAULT_VALUE")
    value = str(default.get("VALUE") or "") if isinstance(default, Mapping) else str(default or "")
    if value.startswith("2025-01-31"):
        found["date_default"] = "iso"
        return Answer("date_default", "holds", f"came back as {value!r}")
    if re.match(r"^31\.01\.2025", value):
        found["date_default"] = "site"
        return Answer("date_default", "differs", f"came back in the site format, {value!r}")
    return Answer("date_default", "could not tell", f"sent 2025-01-31, came back {value!r}")


def _probe_pipeline(
    client: PortalClient, prefix: str, say: Say, found: dict[str, Any], denied: list[str]
) -> dict[str, Answer]:
    try:
        reply = client.call(
            "crm.category.add", {"entityTypeId": 2, "fields": {"name": prefix, "sort": 99999}}
        )
    except PortalError as exc:
        if "access denied" in exc.message.lower():
            denied.append(exc.message)
        words = f"the pipeline was refused: {exc.message}"
        return {k: Answer(k, "could not tell", words) for k in ("stage_code", "system_stage", "success_code")}
    category = int(_map(_map(reply.result).get("category")).get("id") or 0)
    say(f"probe: created the pipeline {prefix} (id {category})")
    found["probe_pipeline_id"] = category
    entity, stage_prefix = f"DEAL_STAGE_{category}", f"C{category}:"
    out = {"stage_code": _stage_code_answer(client, entity, stage_prefix, found)}

    stages = client.call("crm.status.list", {"filter": {"ENTITY_ID": entity}}).result
    won = next((s for s in stages or [] if str(s.get("STATUS_ID")) == f"{stage_prefix}WON"), None)
    if won is None:
        out["system_stage"] = Answer("system_stage", "could not tell", "the new pipeline has no WON stage")
    else:
        try:
            client.call("crm.status.delete", {"id": won["ID"], "params": {"FORCED": "Y"}})
        except PortalError as exc:
            found["system_stage_forced_delete"] = False
            out["system_stage"] = Answer(
                "system_stage", "differs", f"deleting WON was refused: {exc.message}"
            )
        else:
            found["system_stage_forced_delete"] = True
            out["system_stage"] = Answer("system_stage", "holds", "WON was deleted with FORCED=Y")
    out["success_code"] = _success_code_answer(client, entity, stage_prefix, won is not None, found)
    return out


def _stage_code_answer(client: PortalClient, entity: str, stage_prefix: str, found: dict[str, Any]) -> Answer:
    # One batch of adds, one code per length; the pipeline's deletion takes them all away.
    commands = [
        Command(
            f"len{n}",
            "crm.status.add",
            {
                "fields": {
                    "ENTITY_ID": entity,
                    "STATUS_ID": f"L{n:02d}".ljust(n, "X"),
                    "NAME": f"B24P {n}",
                    "SORT": 15,
                }
            },
        )
        for n in _CODE_LENGTHS
    ]
    reply = client.batch(commands)
    accepted = [n for n in _CODE_LENGTHS if f"len{n}" in reply.results and f"len{n}" not in reply.errors]
    if not accepted:
        first = next(iter(reply.errors.values()), None)
        why = first.message if first else "no answer"
        return Answer(
            "stage_code", "could not tell", f"no code of {min(_CODE_LENGTHS)}+ characters was accepted: {why}"
        )
    longest = max(accepted)
    found["stage_id_budget"] = longest + len(stage_prefix)
    at_least = "at least " if longest == max(_CODE_LENGTHS) else ""
    detail = f"the longest code it accepted has {at_least}{longest} characters (in {stage_prefix[:-1]})"
    verdict: Verdict = "holds" if longest >= BLUEPRINT_STAGE_CODE else "differs"
    return Answer("stage_code", verdict, detail)


def _success_code_answer(
    client: PortalClient, entity: str, stage_prefix: str, won_deleted: bool, found: dict[str, Any]
) -> Answer:
    code = "B24P_DONE"
    fields = {"ENTITY_ID": entity, "STATUS_ID": code, "NAME": "B24P done", "SORT": 65, "SEMANTICS": "S"}
    try:
        client.call("crm.status.add", {"fields": fields})
    except PortalError as exc:
        if not won_deleted:
            return Answer(
                "success_code",
                "could not tell",
                f"WON is still there, and the add was refused: {exc.message}",
            )
        found["success_stage_any_code"] = False
        return Answer("success_code", "differs", f"a success stage {code} was refused: {exc.message}")
    rows = client.call(
        "crm.status.list", {"filter": {"ENTITY_ID": entity, "STATUS_ID": stage_prefix + code}}
    ).result
    row = next(iter(rows or []), None)
    semantics = str(row.get("SEMANTICS") or "") if isinstance(row, Mapping) else ""
    if semantics == "S":
        found["success_stage_any_code"] = True
        return Answer("success_code", "holds", f"{code} was accepted as the success stage")
    found["success_stage_any_code"] = False
    return Answer(
        "success_code",
        "differs",
        f"{code} was stored, but not as a success stage (SEMANTICS {semantics or 'empty'})",
    )


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
        languages=tuple(found.get("languages") or ()),
        answers={a.key: a.to_json() for a in answers},
    )


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any, key: str | None = None) -> list[Mapping[str, Any]]:
    if key and isinstance(value, Mapping):
        value = value.get(key)
    if isinstance(value, Mapping):
        value = list(value.values())
    return [v for v in value or [] if isinstance(v, Mapping)] if isinstance(value, list) else []

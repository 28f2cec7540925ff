"""Replaying a trace against a fresh emulator: where do its answers differ from the recorded ones?

A trace (``--trace FILE``, or one made by hand from answers a real portal gave) is a JSON Lines
file: a header line (``{"b24provision_trace": 1, ...}``), then one line per request with its REST
``method``, ``params``, HTTP ``status`` and ``response``. Replaying sends the same requests, in
order, to a fresh emulator over real HTTP and compares each answer with the recorded one, envelope
by envelope (for a ``batch``, sub-command by sub-command, since each lives at its own path).

What is ignored, because a fresh portal cannot give the same values: the ``time`` blocks, dates
and times, and ids — values under ``ID``/``id``/``*_ID`` keys, the id an ``*.add`` returns, and the
``C<id>:`` / ``DEAL_STAGE_<id>`` prefixes. Ids a recorded answer gave are mapped to the ones the
emulator gave, and later requests are rewritten with them, so "add, then update what was added"
replays.

Per request line, ``"compare"`` says how close the answers must be:

* ``"values"`` (the default): the same keys and the same values;
* ``"shape"``: the same keys and value types (string, number, bool, null, list, map) — for answers
  of a real portal whose data a fresh emulator does not have (names, counts);
* ``"status"``: only the HTTP status and the error code;

and ``"setup": true`` marks a request that only prepares the portal (not compared). The header may
carry ``"replay": {"quirks": [...], "seed": "handmade", "license": "...", "rest_access": true}`` for
the emulator (a trace recorded against the emulator gets it from the emulator itself, see
:mod:`.replay_hint`), and
``"expected": [{"entry": N, "path": "...", "why": "..."}]`` — differences known and explained
(a finding recorded, not silently accepted).

Comparing lives in :mod:`.replay_compare`, the id mapping in :mod:`.replay_ids`. This module
belongs to the emulator: it imports nothing from the rest of b24provision, and uses the
standard library's HTTP client.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from b24provision.emulator.app import Emulator
from b24provision.emulator.replay_compare import compare_envelopes, normalise, shape
from b24provision.emulator.replay_ids import IdMap
from b24provision.emulator.server import serve_in_thread
from b24provision.emulator.settings import PortalSettings, Quirks, default_quirks

__all__ = [
    "Difference",
    "ReplayReport",
    "compare_envelopes",
    "load_trace",
    "normalise",
    "replay_entries",
    "replay_trace",
    "settings_from_header",
    "shape",
]

_SKIPPED_METHODS = frozenset({"oauth/token"})
_REPLAY_APP = "local.b24provision.replay"
_MAX_PER_ENTRY = 25


@dataclass(frozen=True)
class Difference:
    """One place where the emulator's answer is not the recorded one."""

    entry: int
    """The request's number in the trace (``n``, else its position from 1)."""
    method: str
    path: str
    """Where in the envelope, e.g. ``result.result.stages[3].NAME`` or ``status``."""
    recorded: str
    replayed: str
    why: str = ""
    """For an expected difference: the trace's explanation."""

    def __str__(self) -> str:
        text = f"#{self.entry} {self.method}: {self.path}: recorded {self.recorded}, emulator {self.replayed}"
        return f"{text} (expected: {self.why})" if self.why else text


@dataclass
class ReplayReport:
    """What a replay found."""

    source: str
    requests: int = 0
    compared: int = 0
    skipped: int = 0
    differences: list[Difference] = field(default_factory=list)
    """Not explained by the trace: a finding (the emulator, or the trace, is wrong)."""
    expected: list[Difference] = field(default_factory=list)
    """Explained in the trace's header (``expected``)."""

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        def rows(items: list[Difference]) -> list[dict[str, Any]]:
            return [
                {
                    "entry": d.entry,
                    "method": d.method,
                    "path": d.path,
                    "recorded": d.recorded,
                    "emulator": d.replayed,
                    **({"why": d.why} if d.why else {}),
                }
                for d in items
            ]

        return {
            "format_version": 1,
            "source": self.source,
            "ok": self.ok,
            "requests": self.requests,
            "compared": self.compared,
            "skipped": self.skipped,
            "differences": rows(self.differences),
            "expected": rows(self.expected),
        }

    def render_text(self) -> str:
        lines = [
            f"Replayed {self.requests} requests of {self.source}: {self.compared} compared, "
            f"{self.skipped} skipped."
        ]
        lines += [f"  differs: {d}" for d in self.differences]
        lines += [f"  expected: {d}" for d in self.expected]
        if self.ok:
            lines.append(
                "No unexpected difference."
                if self.expected
                else "No difference: the emulator answered as recorded."
            )
        else:
            lines.append(f"{len(self.differences)} unexpected differences.")
        return "\n".join(lines) + "\n"


def load_trace(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and request lines of a trace file.

    Raises:
        ValueError: not a trace (the message names the line).
    """
    header: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}:{exc.colno}: not a JSON line: {exc.msg}") from None
        if not isinstance(item, dict):
            raise ValueError(f"{path}:{number}:1: a trace line must be a JSON object")
        if "b24provision_trace" in item:
            header = item
        elif isinstance(item.get("method"), str):
            entries.append(item)
        else:
            raise ValueError(f"{path}:{number}:1: neither a trace header nor a request (no 'method')")
    if not header:
        raise ValueError(f"{path}: no header line with b24provision_trace: not a b24provision trace")
    return header, entries


def replay_trace(path: Path, settings: PortalSettings | None = None) -> ReplayReport:
    """Replay the trace at ``path`` against a fresh emulator (``settings``, else the header's)."""
    header, entries = load_trace(path)
    return replay_entries(entries, header, settings=settings, source=str(path))


def replay_entries(
    entries: Sequence[Mapping[str, Any]],
    header: Mapping[str, Any] | None = None,
    *,
    settings: PortalSettings | None = None,
    source: str = "trace",
) -> ReplayReport:
    """Replay request lines against a fresh emulator and compare its answers with theirs."""
    header = header or {}
    settings = settings or settings_from_header(header)
    settings.token = secrets.token_hex(12)
    settings.rate_limit = None  # a trace is replayed as fast as it goes; rates are not compared
    # Requests an application sent (with `auth`) are replayed as one, so app-only methods answer.
    app_secret = secrets.token_hex(12)
    settings.oauth_clients = {**settings.oauth_clients, _REPLAY_APP: app_secret}
    emulator = Emulator(":memory:", settings)
    seeds = str((header.get("replay") or {}).get("seed") or "")
    for seed in filter(None, seeds.split(",")):  # "a,b": seeds loaded one after the other
        emulator.seed(seed)
    expected = [e for e in header.get("expected") or [] if isinstance(e, Mapping)]
    report = ReplayReport(source=source)
    ids = IdMap()
    token: list[str] = []

    def app_url(base: str, method: str, params: dict[str, Any]) -> str:
        if not token:
            query = {
                "grant_type": "refresh_token",
                "client_id": _REPLAY_APP,
                "client_secret": app_secret,
                "refresh_token": emulator.issue_refresh_token(_REPLAY_APP),
            }
            with urllib.request.urlopen(f"{base}/oauth/token/?{urlencode(query)}", timeout=30) as answer:  # noqa: S310
                token.append(str(json.loads(answer.read())["access_token"]))
        params["auth"] = token[0]
        return f"{base}/rest/{method}"

    try:
        with serve_in_thread(emulator) as server:
            for position, entry in enumerate(entries, 1):
                number = int(entry.get("n") or position)
                method = str(entry["method"])
                report.requests += 1
                if method in _SKIPPED_METHODS:  # the OAuth server: not part of a portal's REST
                    report.skipped += 1
                    continue
                recorded_params = entry.get("params") or {}
                params = ids.rewrite(method, _without_auth(recorded_params))
                url = server.webhook_url + method
                if "auth" in recorded_params or "access_token" in recorded_params:
                    url = app_url(server.url, method, params)
                status, body = _post(url, params)
                params = _without_auth(params)
                ids.learn(method, params, entry.get("response"), body)
                if entry.get("setup") or "response" not in entry:
                    report.skipped += 1
                    continue
                report.compared += 1
                mode = str(entry.get("compare") or "values")
                found = compare_envelopes(
                    int(entry.get("status") or 200), entry.get("response"), status, body, mode, method, params
                )
                for path, recorded, replayed in found[:_MAX_PER_ENTRY]:
                    why = _expected_why(expected, number, path)
                    diff = Difference(number, method, path, recorded, replayed, why or "")
                    (report.expected if why else report.differences).append(diff)
    finally:
        emulator.close()
    return report


def settings_from_header(header: Mapping[str, Any]) -> PortalSettings:
    """The emulator a trace asks to be replayed against (``"replay"`` in its header)."""
    wanted = header.get("replay") or {}
    quirks = default_quirks()  # the docs' reading unless B24P_TEST_QUIRKS names another
    for spec in wanted.get("quirks") or []:
        quirks = Quirks.parse(str(spec), quirks)
    settings = PortalSettings(quirks=quirks)
    if wanted.get("license"):
        settings.license = str(wanted["license"])
    if isinstance(wanted.get("rest_access"), bool):
        settings.rest_access = wanted["rest_access"]
    return settings


def _post(url: str, params: Mapping[str, Any]) -> tuple[int, Any]:
    data = json.dumps(params, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our own local server
            return int(answer.status), _json(answer.read())
    except urllib.error.HTTPError as error:
        return int(error.code), _json(error.read())


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _without_auth(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in ("auth", "access_token")}


def _expected_why(expected: Sequence[Mapping[str, Any]], number: int, path: str) -> str | None:
    for item in expected:
        if int(item.get("entry") or 0) == number and path.startswith(str(item.get("path") or "")):
            return str(item.get("why") or "expected")
    return None

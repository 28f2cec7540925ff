"""Other ways to read a portal's configuration, each run as its own process by ``benchmarks.run``.

What each one reads is what ``plan`` and ``export`` need: the pipelines, every stage, and every deal
field with its labels in the portal's languages (here ru and en, which a user writing their own script
knows; b24provision does not, and asks for every language in its one read batch). Each prints what it
read as JSON, as a script would hand it on. The webhook URL comes from the environment
(``B24_BENCH_HOOK``), never from the command line.

* ``batch``: the cheapest reader a user would write with plain httpx: one ``batch`` request holding
  the pipeline list, the stage list and the field list once per language.
* ``fast_bitrix24``: the same through fast_bitrix24, a widely used client with its own throttling and
  paging, called the way its README shows (``call`` / ``get_all``): one request per list.
* ``naive``: one request per list or object, never a batch (the field list, then each field's record,
  where the labels in every language are): the strawman, kept to show what batching saves, and the
  one reader that runs past the burst of 50 requests under the rate limit.

The same for a portal's smart processes (crm.type): each type's pipelines, stages and fields (whose
labels in every language come in userfieldconfig's list, so no record is read one by one):

* ``smart_batch``: the cheapest with plain httpx: crm.type.list, then ``batch`` requests of at most
  50 commands: the stage list once (crm.status.list without a filter returns every directory) and
  per type crm.category.list and userfieldconfig.list. Two requests up to 24 types.
* ``smart_naive``: one request per list: crm.type.list, then per type its pipelines and its
  fields, and per pipeline its stages.

Usage: python -m benchmarks.readers batch|fast_bitrix24|naive|smart_batch|smart_naive [--no-throttle]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import httpx

LANGUAGES = ("ru", "en")
HOOK_VAR = "B24_BENCH_HOOK"
BATCH_MAX = 50


def read_batch(url: str) -> dict[str, Any]:
    cmd = {
        "pipelines": "crm.category.list?entityTypeId=2",
        "stages": "crm.status.list",
        **{f"fields_{lang}": f"crm.deal.userfield.list?filter[LANG]={lang}" for lang in LANGUAGES},
    }
    reply = httpx.post(f"{url}batch", json={"halt": 0, "cmd": cmd}, timeout=60)
    reply.raise_for_status()
    results = reply.json()["result"]["result"]
    return {
        "pipelines": results["pipelines"]["categories"],
        "stages": results["stages"],
        "fields": {lang: results[f"fields_{lang}"] for lang in LANGUAGES},
    }


def read_fast_bitrix24(url: str) -> dict[str, Any]:
    from fast_bitrix24 import Bitrix  # type: ignore[import-untyped]  # a dev dependency

    b = Bitrix(url, verbose=False)
    pipelines = b.call("crm.category.list", {"entityTypeId": 2}, raw=True)["result"]["categories"]
    return {
        "pipelines": pipelines,
        "stages": b.get_all("crm.status.list"),
        "fields": {
            lang: b.get_all("crm.deal.userfield.list", {"filter": {"LANG": lang}}) for lang in LANGUAGES
        },
    }


def read_naive(url: str, *, throttle: bool) -> dict[str, Any]:
    from b24provision.portal.client import PortalClient, RateLimit
    from b24provision.portal.credentials import WebhookCredentials

    rate = RateLimit(burst=50, per_second=2.0) if throttle else None
    with PortalClient(WebhookCredentials(url), rate=rate) as client:
        pipelines = client.call_all("crm.category.list", {"entityTypeId": 2}, key="categories")
        stages = []
        for category_id in sorted({0} | {int(c["id"]) for c in pipelines}):
            entity = "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"
            stages += client.call_all("crm.status.list", {"filter": {"ENTITY_ID": entity}})
        fields = [
            client.call("crm.deal.userfield.get", {"id": row["ID"]}).result
            for row in client.call_all("crm.deal.userfield.list", {})
        ]
    return {"pipelines": pipelines, "stages": stages, "fields": fields}


def _post(url: str, method: str, params: dict[str, Any]) -> dict[str, Any]:
    reply = httpx.post(f"{url}{method}", json=params, timeout=60)
    reply.raise_for_status()
    answer: dict[str, Any] = reply.json()
    return answer


def _types(url: str) -> list[dict[str, Any]]:
    """crm.type.list, every page (50 types a page)."""
    types: list[dict[str, Any]] = []
    start: int | None = 0
    while start is not None:
        answer = _post(url, "crm.type.list", {"start": start})
        types += answer["result"]["types"]
        start = answer.get("next")
    return types


def _field_params(type_id: int) -> str:
    return f"moduleId=crm&filter[entityId]=CRM_{type_id}"


def read_smart_batch(url: str) -> dict[str, Any]:
    types = _types(url)
    cmd: dict[str, str] = {"stages": "crm.status.list"} if types else {}
    for t in types:
        cmd[f"cats_{t['id']}"] = f"crm.category.list?entityTypeId={t['entityTypeId']}"
        cmd[f"fields_{t['id']}"] = f"userfieldconfig.list?{_field_params(t['id'])}"
    results: dict[str, Any] = {}
    names = list(cmd)
    for at in range(0, len(names), BATCH_MAX):
        chunk = {name: cmd[name] for name in names[at : at + BATCH_MAX]}
        results |= _post(url, "batch", {"halt": 0, "cmd": chunk})["result"]["result"]
    return {
        "types": types,
        "stages": results.get("stages", []),
        "pipelines": {t["id"]: results[f"cats_{t['id']}"]["categories"] for t in types},
        "fields": {t["id"]: results[f"fields_{t['id']}"]["fields"] for t in types},
    }


def read_smart_naive(url: str, *, throttle: bool) -> dict[str, Any]:
    from b24provision.portal.client import PortalClient, RateLimit
    from b24provision.portal.credentials import WebhookCredentials

    rate = RateLimit(burst=50, per_second=2.0) if throttle else None
    out: dict[str, Any] = {"types": [], "pipelines": {}, "stages": {}, "fields": {}}
    with PortalClient(WebhookCredentials(url), rate=rate) as client:
        out["types"] = client.call_all("crm.type.list", {}, key="types")
        for t in out["types"]:
            entity_type = int(t["entityTypeId"])
            pipelines = client.call_all("crm.category.list", {"entityTypeId": entity_type}, key="categories")
            out["pipelines"][t["id"]] = pipelines
            for c in pipelines:
                entity = f"DYNAMIC_{entity_type}_STAGE_{c['id']}"
                out["stages"][entity] = client.call_all("crm.status.list", {"filter": {"ENTITY_ID": entity}})
            params = {"moduleId": "crm", "filter": {"entityId": f"CRM_{t['id']}"}}
            out["fields"][t["id"]] = client.call_all("userfieldconfig.list", params, key="fields")
    return out


READERS = ("batch", "fast_bitrix24", "naive", "smart_batch", "smart_naive")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Read a portal's configuration another way.")
    parser.add_argument("reader", choices=READERS)
    parser.add_argument("--no-throttle", action="store_true", help="naive: no client-side rate limit")
    args = parser.parse_args(argv)
    url = os.environ[HOOK_VAR]
    if args.reader == "batch":
        data = read_batch(url)
    elif args.reader == "fast_bitrix24":
        data = read_fast_bitrix24(url)
    elif args.reader == "smart_batch":
        data = read_smart_batch(url)
    elif args.reader == "smart_naive":
        data = read_smart_naive(url, throttle=not args.no_throttle)
    else:
        data = read_naive(url, throttle=not args.no_throttle)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

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

Usage: python -m benchmarks.readers batch|fast_bitrix24|naive [--no-throttle]
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Read a portal's configuration another way.")
    parser.add_argument("reader", choices=("batch", "fast_bitrix24", "naive"))
    parser.add_argument("--no-throttle", action="store_true", help="naive: no client-side rate limit")
    args = parser.parse_args(argv)
    url = os.environ[HOOK_VAR]
    if args.reader == "batch":
        data = read_batch(url)
    elif args.reader == "fast_bitrix24":
        data = read_fast_bitrix24(url)
    else:
        data = read_naive(url, throttle=not args.no_throttle)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""`make bench`: requests, wall time, CPU time and peak memory of validate, plan, apply and export at
growing sizes, against the emulator with the real rate limit on, next to a naive one-request-per-object
baseline. Writes the results table into benchmarks/README.md.

The emulator runs in its own process (`b24provision emulator serve`), so CPU time and memory here are
the tool's alone. Each size gets fresh portals:

* A, rate limit "standard" (burst 50, 2 requests/s; the client throttles to match): the timed pass;
* B, no rate limit: the same steps again under tracemalloc for peak memory (tracemalloc slows Python
  down, so it never runs in the timed pass);
* C: the naive baseline. With the rate limit on it is run only where that takes under a couple of
  minutes; at larger sizes it runs with the limit off and its time is projected as the measured time
  plus what the limit would impose: (requests beyond the burst of 50) / 2 per second.

Usage: python -m benchmarks.run [--sizes 0,1,2,3] [--no-readme]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from b24provision.api import plan_against
from b24provision.apply import apply_plan
from b24provision.blueprint import load_blueprint, validate
from b24provision.export import export_portal
from b24provision.portal.client import PortalClient, RateLimit
from b24provision.portal.credentials import WebhookCredentials
from benchmarks.generate import Size, write_blueprint
from benchmarks.naive import OneByOneClient, naive_read

SIZES = (
    Size(1, 8, 0),
    Size(5, 10, 50, items=5),
    Size(20, 12, 300, items=20),
    Size(50, 15, 500, items=20),
)
NAIVE_WITH_LIMIT = 2
"""Sizes below this index run the naive baseline with the real rate limit on."""
BURST, PER_SECOND = 50, 2.0
README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
HOOK_VAR = "B24_BENCH_HOOK"


@dataclass
class Row:
    size: str
    step: str
    requests: int
    wall: float
    cpu: float
    peak_mib: float | None = None
    naive_requests: int | None = None
    naive_wall: float | None = None
    naive_projected: bool = False
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- the emulator


@contextmanager
def emulator(rate_limit: bool) -> Iterator[str]:
    """A fresh emulated portal in its own process; yields its webhook URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(8)
    args = [sys.executable, "-m", "b24provision", "emulator", "serve", "--port", str(port), "--token", token]
    if not rate_limit:
        args.append("--no-rate-limit")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the port without sending a request (that would use up the burst)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/rest/1/{token}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def client(url: str, *, throttle: bool = True, one_by_one: bool = False) -> PortalClient:
    rate = RateLimit(burst=BURST, per_second=PER_SECOND) if throttle else None
    kind = OneByOneClient if one_by_one else PortalClient
    return kind(WebhookCredentials(url), rate=rate)


# ------------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    value: Any
    wall: float
    cpu: float
    peak_mib: float | None = None


def timed(fn: Callable[[], Any]) -> Measured:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return Measured(value, time.perf_counter() - wall, time.process_time() - cpu)


def traced(fn: Callable[[], Any]) -> Measured:
    tracemalloc.start()
    try:
        measured = timed(fn)
        measured.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return measured


def steps(
    path: Path, url: str, measure: Callable[[Callable[[], Any]], Measured]
) -> dict[str, tuple[int, Measured]]:
    """validate, plan, apply, plan again, export on one fresh portal: (requests, measurement) each."""
    out: dict[str, tuple[int, Measured]] = {}
    report = measure(lambda: validate([path]))
    assert report.value.ok, [str(p) for p in report.value.problems][:5]
    out["validate"] = (0, report)
    blueprint = load_blueprint([path])
    with client(url) as portal:
        made = measure(lambda: plan_against(portal, blueprint))
        out["plan (fresh portal)"] = (made.value.requests, made)
        before = portal.request_count
        applied = measure(lambda: apply_plan(made.value.plan, portal, allow_delete=True))
        out["apply"] = (portal.request_count - before, applied)
        again = measure(lambda: plan_against(portal, blueprint))
        assert not again.value.plan.has_changes, "the portal does not match the blueprint after apply"
        out["plan (no changes)"] = (again.value.requests, again)
    os.environ[HOOK_VAR] = url
    exported = measure(lambda: export_portal(f"env:{HOOK_VAR}"))
    out["export"] = (exported.value.requests, exported)
    return out


def naive(path: Path, url: str, *, throttle: bool) -> dict[str, tuple[int, float]]:
    """The baseline's requests and wall time for plan (its read) and apply (read + one write each)."""
    blueprint = load_blueprint([path])
    with client(url, throttle=throttle, one_by_one=True) as slow, client(url, throttle=False) as setup:
        start = time.perf_counter()
        read = naive_read(slow)
        plan_wall = time.perf_counter() - start
        made = plan_against(setup, blueprint)  # what to write: not counted (the baseline's own diff)
        start = time.perf_counter()
        read_again = naive_read(slow)
        before = slow.request_count
        apply_plan(made.plan, slow, allow_delete=True, live=made.live)
        writes = slow.request_count - before
        apply_wall = time.perf_counter() - start
        start = time.perf_counter()
        full = naive_read(slow)  # the populated portal: what plan (no changes) and export must read
        full_wall = time.perf_counter() - start
    return {
        "plan (fresh portal)": (read, plan_wall),
        "apply": (read_again + writes, apply_wall),
        "plan (no changes)": (full, full_wall),
        "export": (full, full_wall),
    }


def measure_size(index: int, size: Size, workdir: Path) -> list[Row]:
    path = write_blueprint(size, workdir / f"size{index}")
    print(f"[{size.label}] timed pass (rate limit on)...", file=sys.stderr, flush=True)
    with emulator(rate_limit=True) as url:
        timed_steps = steps(path, url, timed)
    print(f"[{size.label}] memory pass (tracemalloc, rate limit off)...", file=sys.stderr, flush=True)
    with emulator(rate_limit=False) as url:
        traced_steps = steps(path, url, traced)
    with_limit = index < NAIVE_WITH_LIMIT
    print(
        f"[{size.label}] naive baseline (rate limit {'on' if with_limit else 'off'})...",
        file=sys.stderr,
        flush=True,
    )
    with emulator(rate_limit=with_limit) as url:
        baseline = naive(path, url, throttle=with_limit)
    rows = []
    for step, (requests, m) in timed_steps.items():
        row = Row(size.label, step, requests, m.wall, m.cpu, traced_steps[step][1].peak_mib)
        if step in baseline:
            n, wall = baseline[step]
            row.naive_requests = n
            row.naive_projected = not with_limit
            # Projected: every request beyond the burst waits its turn at 2 per second (an upper bound
            # when steps follow each other closely; the bucket drains in between).
            row.naive_wall = wall if with_limit else wall + max(0, n - BURST) / PER_SECOND
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------- reporting


def table(rows: list[Row]) -> str:
    lines = [
        "| size | step | requests | wall s | CPU s | peak MiB "
        "| naive requests | naive wall s | requests saved |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        naive_wall = (
            ""
            if r.naive_wall is None
            else f"{r.naive_wall:.1f}" + (" (projected)" if r.naive_projected else "")
        )
        ratio = "" if not r.naive_requests or not r.requests else f"{r.naive_requests / r.requests:.0f}×"
        lines.append(
            f"| {r.size} | {r.step} | {r.requests} | {r.wall:.2f} | {r.cpu:.2f} | "
            f"{'' if r.peak_mib is None else f'{r.peak_mib:.1f}'} | "
            f"{'' if r.naive_requests is None else r.naive_requests} | {naive_wall} | {ratio} |"
        )
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", default=",".join(str(i) for i in range(len(SIZES))), help="indexes, e.g. 0,1"
    )
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    chosen = [int(i) for i in args.sizes.split(",") if i.strip()]
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in chosen:
            rows += measure_size(index, SIZES[index], Path(tmp))
    took = time.perf_counter() - started
    command = "make bench" + ("" if args.sizes == parser.get_default("sizes") else f" (--sizes {args.sizes})")
    text = (
        f"Made by `{command}` (`python -m benchmarks.run`) on {date.today().isoformat()}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"the whole run took {took / 60:.1f} min.\n\n" + table(rows)
    )
    print(text)
    if not args.no_readme:
        write_readme(text)
        print(f"\nWrote {README}", file=sys.stderr)


if __name__ == "__main__":
    main()

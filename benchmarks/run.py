"""`make bench`: what b24provision costs as a user runs it, next to the readers a user would write
instead, at growing portal sizes, under the real rate limit. Writes the results into benchmarks/README.md.

Every measured step is a whole process, started the way a user starts it (``python -m b24provision
plan ...``): interpreter start, imports, blueprint parse, the portal, rendering. Wall time is measured
around the process, CPU time (user + system) and peak memory (peak resident set, not the Python heap)
come from the kernel's accounting of that one child (``os.wait4``).

The portal is the emulator, served from this process (so its own CPU time is not counted) with the
rate limit of a standard cloud portal (burst 50, then 2 requests/s; every client here throttles itself
to match). Each step gets a freshly started emulator on the same state file, so each one starts with
the full burst, as a command run after a quiet while does; requests are counted by the emulator.

Per size, on a fresh portal: ``validate``; ``plan`` (everything to create); ``apply``; ``plan`` again
(no changes) and ``export``, which read the populated portal; then the same configuration read by the
other readers of ``benchmarks/readers.py``: the cheapest a user would write (one ``batch`` request),
fast_bitrix24, and the naive one-request-per-object reader. The naive reader runs under the real rate
limit at the sizes where that takes a few minutes at most; above them it runs without the limit and
its time is projected: measured + (requests beyond the burst) / 2 per second. The largest size is
there for the throttle: its apply needs more than 50 requests.

Then the same five steps on portals with smart processes (``SMART_SIZES``: 0, 5 and 20 types, each
with 2 pipelines of 5 stages and 5 fields, next to the default deal pipeline), and two readers of the
same smart-process configuration: the cheapest with plain httpx (crm.type.list, then batches of at
most 50 commands) and the naive one (one request per list), both under the real rate limit.

Usage: python -m benchmarks.run [--sizes 0,1,2,3,4] [--smart 0,1,2] [--no-readme]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from b24provision.emulator import Emulator, PortalSettings, serve_in_thread
from benchmarks.generate import Size, SmartSize, write_blueprint
from benchmarks.readers import HOOK_VAR

SIZES = (
    Size(1, 8, 0),
    Size(5, 10, 50, items=5),
    Size(20, 12, 300, items=20),
    Size(50, 15, 500, items=20),
    Size(120, 20, 800, items=20),
)
SMART_SIZES = (SmartSize(0), SmartSize(5), SmartSize(20))
NAIVE_THROTTLED = 3
"""Sizes below this index run the naive reader under the rate limit; the others are projected."""
BURST, PER_SECOND = 50, 2.0
ROOT = Path(__file__).resolve().parents[1]
README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
TOKEN = "benchmarkWebhookCode0"
TOOL = [sys.executable, "-m", "b24provision"]
READER = [sys.executable, "-m", "benchmarks.readers"]


@dataclass
class Row:
    size: str
    step: str
    requests: int
    wall: float
    cpu: float
    rss_mib: float
    projected: bool = False


@contextmanager
def portal(state: Path, *, rate_limit: bool = True) -> Iterator[Emulator]:
    """A freshly started emulator (full burst) on ``state``; its webhook URL is in $B24_BENCH_HOOK."""
    emulator = Emulator(
        str(state), PortalSettings(token=TOKEN, rate_limit="standard" if rate_limit else None)
    )
    try:
        with serve_in_thread(emulator) as server:
            os.environ[HOOK_VAR] = server.webhook_url
            yield emulator
    finally:
        emulator.close()


# The measured command is started by this small launcher, not by the benchmark itself: a child's peak
# RSS counts the memory of the process it was spawned from (Linux keeps the pre-exec high-water mark),
# and the benchmark process holds the emulator. The launcher is a bare interpreter (-S, ~10 MiB).
LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
with open(sys.argv[1], "w") as out:
    json.dump([os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss], out)
"""


def run(args: Sequence[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """Run one command as a user would; (wall s, CPU s, peak RSS MiB) of that process alone."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as err:
        result = Path(tmp) / "usage.json"
        launcher = [sys.executable, "-S", "-c", LAUNCHER, str(result), *args]
        subprocess.run(
            launcher, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT, check=True
        )
        code, wall, cpu, maxrss = json.loads(result.read_text())
        if code not in ok:
            err.seek(0)
            words = err.read().decode()[-2000:]
            raise RuntimeError(f"{' '.join(args[2:])}: exit {code}: {words}")
    return wall, cpu, maxrss / 1024  # ru_maxrss is in KiB on Linux


def step(
    state: Path, size: Size | SmartSize, name: str, args: Sequence[str], *, ok: tuple[int, ...] = (0,)
) -> Row:
    with portal(state) as emulator:
        wall, cpu, rss = run(args, ok)
        requests = sum(1 for r in emulator.request_log if not r.sub_call)
    return Row(size.label, name, requests, wall, cpu, rss)


def say(size: Size | SmartSize, what: str) -> None:
    print(f"[{size.label}] {what}", file=sys.stderr, flush=True)


def tool_steps(size: Size | SmartSize, path: str, state: Path) -> list[Row]:
    """validate; plan on a fresh portal; apply; plan with no changes; export."""
    portal_opt = ["--portal", f"env:{HOOK_VAR}"]
    say(size, "b24provision: validate, plan, apply, plan, export...")
    wall, cpu, rss = run([*TOOL, "validate", path])
    rows = [Row(size.label, "b24provision validate", 0, wall, cpu, rss)]
    rows.append(step(state, size, "b24provision plan (fresh portal)", [*TOOL, "plan", path, *portal_opt]))
    apply_args = [*TOOL, "apply", path, *portal_opt, "--auto-approve", "--allow-delete"]
    rows.append(step(state, size, "b24provision apply", apply_args))
    no_changes = [*TOOL, "plan", path, *portal_opt, "--detailed-exitcode"]
    rows.append(step(state, size, "b24provision plan (no changes)", no_changes))
    rows.append(step(state, size, "b24provision export", [*TOOL, "export", *portal_opt]))
    return rows


def measure_size(index: int, size: Size, workdir: Path) -> list[Row]:
    state = workdir / f"size{index}.sqlite"
    rows = tool_steps(size, str(write_blueprint(size, workdir / f"size{index}")), state)
    say(size, "other readers of the same configuration...")
    rows.append(step(state, size, "read: one batch request (httpx)", [*READER, "batch"]))
    rows.append(step(state, size, "read: fast_bitrix24", [*READER, "fast_bitrix24"]))
    if index < NAIVE_THROTTLED:
        say(size, "naive reader, under the rate limit...")
        rows.append(step(state, size, "read: naive, one request per object", [*READER, "naive"]))
    else:
        say(size, "naive reader, without the rate limit (time projected)...")
        with portal(state, rate_limit=False) as emulator:
            wall, cpu, rss = run([*READER, "naive", "--no-throttle"])
            requests = sum(1 for r in emulator.request_log if not r.sub_call)
        # Every request beyond the burst waits its turn at 2 per second.
        projected = wall + max(0, requests - BURST) / PER_SECOND
        rows.append(
            Row(size.label, "read: naive, one request per object", requests, projected, cpu, rss, True)
        )
    return rows


def measure_smart_size(index: int, size: SmartSize, workdir: Path) -> list[Row]:
    state = workdir / f"smart{index}.sqlite"
    rows = tool_steps(size, str(write_blueprint(size, workdir / f"smart{index}")), state)
    say(size, "other readers of the same smart processes, under the rate limit...")
    rows.append(step(state, size, "read smart processes: batches (httpx)", [*READER, "smart_batch"]))
    naive = "read smart processes: naive, one request per list"
    rows.append(step(state, size, naive, [*READER, "smart_naive"]))
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| size | command | requests | wall s | CPU s | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        wall = f"{r.wall:.1f} (projected)" if r.projected else f"{r.wall:.2f}"
        lines.append(f"| {r.size} | {r.step} | {r.requests} | {wall} | {r.cpu:.2f} | {r.rss_mib:.0f} |")
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
    parser.add_argument(
        "--smart",
        default=",".join(str(i) for i in range(len(SMART_SIZES))),
        help="indexes of the smart-process sizes, e.g. 0,1 ('' for none)",
    )
    parser.add_argument("--no-readme", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    chosen = [int(i) for i in args.sizes.split(",") if i.strip()]
    chosen_smart = [int(i) for i in args.smart.split(",") if i.strip()]
    started = time.perf_counter()
    rows: list[Row] = []
    smart_rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in chosen:
            rows += measure_size(index, SIZES[index], Path(tmp))
        for index in chosen_smart:
            smart_rows += measure_smart_size(index, SMART_SIZES[index], Path(tmp))
    took = time.perf_counter() - started
    options = [
        f"--{name} '{getattr(args, name)}'"
        for name in ("sizes", "smart")
        if getattr(args, name) != parser.get_default(name)
    ]
    command = "make bench" + (f" ({' '.join(options)})" if options else "")
    text = (
        f"Made by `{command}` (`python -m benchmarks.run`) on {date.today().isoformat()}, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"the whole run took {took / 60:.1f} min.\n\n"
        + (table(rows) if rows else "")
        + ("\n\nWith smart processes:\n\n" + table(smart_rows) if smart_rows else "")
    )
    print(text)
    if not args.no_readme:
        write_readme(text)
        print(f"\nWrote {README}", file=sys.stderr)


if __name__ == "__main__":
    main()

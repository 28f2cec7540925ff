"""`make demo`: the main job, end to end, on the embedded emulator portal.

validate -> plan -> apply -> plan again (no changes), each step printed as the command a user would
type, with the exit code of each plan (``--detailed-exitcode``: 2 = changes to apply, 0 = none).
The demo portal lives in .b24provision/demo.sqlite and starts fresh on every run, so the demo
always shows real changes first.

The robots' manual steps are printed once, by the first plan: apply only counts them, and the
last plan lists them by title (``b24provision runbook`` prints every setting again).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLUEPRINT = "blueprints/kitchen-child-deals"
STATE = Path(".b24provision/demo.sqlite")
MEANING = {0: "no changes", 1: "error", 2: "changes to apply"}


def run(*args: str, ok: tuple[int, ...] = (0,), say_code: bool = False) -> int:
    print(f"\n$ b24provision {' '.join(args)}", flush=True)
    code = subprocess.call([sys.executable, "-m", "b24provision", *args])
    if say_code:
        print(f"# exit code {code}: {MEANING.get(code, 'unexpected')}", flush=True)
    if code not in ok:
        print(f"demo: step failed with exit code {code}", file=sys.stderr)
        raise SystemExit(code)
    return code


def main() -> None:
    STATE.parent.mkdir(exist_ok=True)
    STATE.unlink(missing_ok=True)
    portal = f"local:{STATE}"
    run("validate", BLUEPRINT)
    # A fresh portal's default pipeline has eight default stages; the blueprint keeps three, so the
    # plan deletes five. They hold no deals, so nothing is lost and no --allow-delete is needed.
    run("plan", BLUEPRINT, "--portal", portal, "--detailed-exitcode", ok=(2,), say_code=True)
    run("apply", BLUEPRINT, "--portal", portal, "--auto-approve")
    run("plan", BLUEPRINT, "--portal", portal, "--detailed-exitcode", ok=(0,), say_code=True)
    print("\nDone: the portal matches the blueprint. The robots are steps to set up by hand (listed above).")


if __name__ == "__main__":
    main()

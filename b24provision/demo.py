"""`make demo`: the main job, end to end, on the embedded emulator portal.

validate -> plan -> apply -> plan again (no changes), each step printed as the command a user would
type. The demo portal lives in .b24provision/demo.sqlite and starts fresh on every run, so the demo
always shows real changes first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLUEPRINT = "blueprints/kitchen-child-deals"
STATE = Path(".b24provision/demo.sqlite")


def run(*args: str, ok: tuple[int, ...] = (0,)) -> int:
    print(f"\n$ b24provision {' '.join(args)}", flush=True)
    code = subprocess.call([sys.executable, "-m", "b24provision", *args])
    if code not in ok:
        print(f"demo: step failed with exit code {code}", file=sys.stderr)
        raise SystemExit(code)
    return code


def main() -> None:
    STATE.parent.mkdir(exist_ok=True)
    STATE.unlink(missing_ok=True)
    portal = f"local:{STATE}"
    run("validate", BLUEPRINT)
    run("plan", BLUEPRINT, "--portal", portal)
    # A fresh portal's default pipeline has the eight default stages; the blueprint keeps three of
    # them, so apply deletes five (empty) stages: a delete always needs --allow-delete.
    print("\n# Without --allow-delete, apply refuses the plan above (it deletes stages):")
    run("apply", BLUEPRINT, "--portal", portal, "--auto-approve", ok=(1,))
    run("apply", BLUEPRINT, "--portal", portal, "--auto-approve", "--allow-delete")
    code = run("plan", BLUEPRINT, "--portal", portal, "--detailed-exitcode", ok=(0, 2))
    if code != 0:
        print("demo: the second plan still shows changes — that is a bug", file=sys.stderr)
        raise SystemExit(1)
    print("\nDone: the portal matches the blueprint. Robots are listed above as steps to set up by hand.")


if __name__ == "__main__":
    main()

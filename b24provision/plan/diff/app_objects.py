"""Application robot types and triggers: by code, or needs-app entries when the credentials cannot
see them."""

from __future__ import annotations

from collections.abc import Iterable

from b24provision.errors import PlanError
from b24provision.plan.diff.base import FIX as _FIX
from b24provision.plan.diff.base import DiffBase
from b24provision.plan.diff.base import src as _src
from b24provision.plan.ops import (
    CreateAppRobotOp,
    CreateTriggerOp,
    DeleteAppRobotOp,
    DeleteTriggerOp,
    NeedsAppContextOp,
    ObjectRef,
    UpdateTriggerOp,
)


class AppObjectComparer(DiffBase):
    """Application robot types and triggers (the application's, not one entity's)."""

    def app_robots(self) -> None:
        desired, codes = self.desired, self.live.app_robot_codes
        removed = desired.removed.app_robots
        if codes is None:
            self.needs_app("app_robot", [r.code for r in desired.app_robots], removed)
            return
        for i, robot in enumerate(desired.app_robots):
            if robot.code in codes:
                self.unchanged.append(ObjectRef(kind="app_robot", key=robot.code))
            else:
                self.ops.append(CreateAppRobotOp(robot=robot, source=_src(desired, "app_robots", i)))
        existing = [r.code for r in desired.app_robots if r.code in codes]
        if existing:
            self.warnings.append(
                f"application robot types are compared by code only ({', '.join(existing)}): the portal "
                "lists their codes, not their settings (bizproc.robot.list), so a changed handler or "
                "property does not show here — `b24provision apply --reregister-app-robots` sends every "
                "declared type's settings again"
            )
        wanted = {r.code for r in desired.app_robots}
        for i, code in enumerate(removed):
            if code in wanted:
                raise PlanError(f"application robot {code!r} is both declared and removed; {_FIX}")
            if code in codes:
                self.ops.append(DeleteAppRobotOp(code=code, source=_src(desired, "removed", "app_robots", i)))
        for code in sorted(codes - wanted - set(removed)):
            self.unmanaged.append(ObjectRef(kind="app_robot", key=code))

    def triggers(self) -> None:
        desired, live = self.desired, self.live.triggers
        removed = desired.removed.triggers
        if live is None:
            self.needs_app("trigger", [t.code for t in desired.triggers], removed)
            return
        have = {t.code: t for t in live}
        for i, trigger in enumerate(desired.triggers):
            source = _src(desired, "triggers", i)
            old = have.get(trigger.code)
            if old is None:
                self.ops.append(CreateTriggerOp(trigger=trigger, source=source))
            elif old.name != trigger.name:
                changes = (("name", old.name, trigger.name),)
                self.ops.append(UpdateTriggerOp(trigger=trigger, changes=changes, source=source))
            else:
                self.unchanged.append(ObjectRef(kind="trigger", key=trigger.code, note=trigger.name))
        wanted = {t.code for t in desired.triggers}
        for i, code in enumerate(removed):
            if code in wanted:
                raise PlanError(f"trigger {code!r} is both declared and removed; {_FIX}")
            if code in have:
                self.ops.append(
                    DeleteTriggerOp(
                        code=code, name=have[code].name, source=_src(desired, "removed", "triggers", i)
                    )
                )
        for code in sorted(have.keys() - wanted - set(removed)):
            self.unmanaged.append(ObjectRef(kind="trigger", key=code, note=have[code].name))

    def needs_app(self, target: str, declared: Iterable[str], removed: Iterable[str]) -> None:
        assert target in ("app_robot", "trigger")
        section = "app_robots" if target == "app_robot" else "triggers"
        for i, code in enumerate(declared):
            self.ops.append(
                NeedsAppContextOp(
                    target="app_robot" if target == "app_robot" else "trigger",
                    code=code,
                    wanted="present",
                    source=_src(self.desired, section, i),
                )
            )
        for i, code in enumerate(removed):
            self.ops.append(
                NeedsAppContextOp(
                    target="app_robot" if target == "app_robot" else "trigger",
                    code=code,
                    wanted="removed",
                    source=_src(self.desired, "removed", section, i),
                )
            )

"""Robots on stages, which REST can neither read nor write: descriptions, diagrams and runbooks.

``describe`` says a robot in the portal UI's own words, ``graph`` draws pipelines and robot flows
(Mermaid / Graphviz), ``runbook`` turns every robot into numbered manual set-up and verification
steps. All three are pure: they read a Blueprint and never a portal.
"""

from __future__ import annotations

from b24provision.robots.describe import RobotDescription, describe_duration, describe_robot

__all__ = ["RobotDescription", "describe_duration", "describe_robot"]

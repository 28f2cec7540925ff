"""``b24provision doctor``: does the user's own portal behave as the tool assumes?

Read-only by default (:mod:`.checks`: portal, credentials, scopes, rights, plan, languages,
features, rate, request budget); ``--probe`` (:mod:`.probe`) tries the open assumptions on a staging
portal and saves the answers (:mod:`.facts`), which plan then uses.
"""

from __future__ import annotations

from b24provision.doctor.checks import Check
from b24provision.doctor.facts import PortalFacts, facts_for, facts_path, load_facts
from b24provision.doctor.probe import Answer
from b24provision.doctor.run import DoctorReport, run_doctor

__all__ = [
    "Answer",
    "Check",
    "DoctorReport",
    "PortalFacts",
    "facts_path",
    "facts_for",
    "load_facts",
    "run_doctor",
]

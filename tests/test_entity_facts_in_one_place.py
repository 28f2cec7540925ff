"""The per-entity REST facts live in the descriptor table (``entities/``) and the emulator only.

The rest of the package asks an entity's descriptor for its stage lists, field prefixes, userfield
methods and type-id parameter, so that a new CRM object is a table entry. A literal of one of those
facts elsewhere, even in a docstring, is a deal assumption (or a smart process's) written into
shared code; this test names the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "b24provision"
ALLOWED = ("entities", "emulator")
FACTS = re.compile(r"DEAL_STAGE|UF_CRM_|crm\.deal\.userfield|entityTypeId")


def test_per_entity_rest_facts_appear_only_in_the_descriptor_table_and_the_emulator() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FACTS.search(line)
    ]
    assert not found, "\n".join(found)

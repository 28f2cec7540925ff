"""Small YAML snippets for blueprint tests; line numbers in BASE are relied on."""

from __future__ import annotations

import textwrap

# A minimal valid pipeline; line numbers are relied on by the tests (see test_errors.py).
BASE = """\
pipelines:
  - key: sales
    name: Продажи
    stages:
      - code: NEW
        name: Новая
      - code: WON
        name: Успех
        semantics: success
      - code: LOSE
        name: Провал
        semantics: failure
"""


def with_robots(robots: str) -> str:
    """BASE with ``robots`` (YAML list items, indented by 10) on the WON stage (from line 10 on)."""
    return BASE.replace(
        "        semantics: success\n",
        "        semantics: success\n        robots:\n" + textwrap.indent(textwrap.dedent(robots), " " * 10),
    )

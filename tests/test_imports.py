"""What b24provision imports: no import cycle among its own modules, and every third-party package
it imports declared in pyproject.toml (and nothing declared that it does not import).

Imports are read with ``ast`` from every module of the package, including the ones inside
functions (an import moved into a function to dodge a cycle is still a cycle: the two modules
still need each other). Imports under ``if TYPE_CHECKING:`` are left out of the cycle check: they
never run, and annotations may name each other's types both ways. The dependency check counts
them: mypy needs those packages installed too. ``from pkg import sub`` is an edge to ``pkg.sub``
only: Python runs a package's ``__init__`` before any of its modules, and a package that imports its
own modules is no cycle.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "b24provision"

# Cycles that another lane of this round is removing (the lead drops an entry at the merge; an entry
# that is no longer a cycle fails the test, so none outlives its fix).
KNOWN_CYCLES: list[set[str]] = []


@dataclass(frozen=True)
class Import:
    module: str
    """The module it is in."""
    target: str
    """What it imports: a dotted module name, or a name from a module (``a.b.name``)."""
    type_checking: bool


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import statement in ``path``, at any depth (functions, classes, try blocks)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    todo: list[tuple[ast.AST, bool]] = [(ast.parse(path.read_text(encoding="utf-8")), False)]
    while todo:
        node, guarded = todo.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo += [(child, True) for child in node.body] + [(child, guarded) for child in node.orelse]
            continue
        if isinstance(node, ast.Import):
            yield from (Import(module, alias.name, guarded) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            yield from (Import(module, f"{base}.{alias.name}", guarded) for alias in node.names)
        todo += [(child, guarded) for child in ast.iter_child_nodes(node)]


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's own modules it imports when it runs (TYPE_CHECKING imports left out)."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for imp in imports_of(name, path):
            if imp.type_checking:
                continue
            # `from a.b import c`: the module a.b.c if there is one, else the module a.b (c is a name in it).
            target = imp.target if imp.target in known else imp.target.rpartition(".")[0]
            if target in known and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_b24provision_imports_itself_round_a_cycle() -> None:
    graph = import_graph()
    assert "b24provision.plan.render" in graph["b24provision.cli.plan_commands"]  # in a function: read too
    found = cycles(graph)
    new = [sorted(c) for c in found if c not in KNOWN_CYCLES]
    fixed = [sorted(c) for c in KNOWN_CYCLES if c not in found]
    assert new == [], f"import cycles: {new}"
    assert fixed == [], f"no longer cycles, drop them from KNOWN_CYCLES: {fixed}"


# ------------------------------------------------------------------------------------ dependencies


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}


def third_party_imports() -> dict[str, str]:
    """Top-level name of every package b24provision imports that is neither stdlib nor its own ->
    a module that imports it."""
    found: dict[str, str] = {}
    for name, path in modules().items():
        for imp in imports_of(name, path):
            top = imp.target.split(".")[0]
            if top and top != "b24provision" and top not in sys.stdlib_module_names:
                found.setdefault(top, name)
    return found


def test_every_package_b24provision_imports_is_declared_and_every_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _declared(project["dependencies"])
    distributions = importlib.metadata.packages_distributions()
    imported = third_party_imports()
    providers = {top: {_normal(d) for d in distributions.get(top, [])} for top in imported}
    undeclared = {top: where for top, where in imported.items() if not providers[top] & declared}
    assert undeclared == {}, f"imported but not in [project] dependencies: {undeclared}"
    used = set().union(*providers.values())
    assert declared - used == set(), "declared in [project] dependencies but never imported by b24provision"


def test_every_dev_dependency_is_used_by_the_tests_or_the_makefile() -> None:
    """The dev extra is what the tests import or run (pytest, build, check-jsonschema...), the
    Makefile's checks (ruff, mypy) and the build backend the offline build needs (setuptools): a
    name found in none of them is not needed."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    here = Path(__file__).resolve()
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py") if p != here]
    texts.append((ROOT / "Makefile").read_text(encoding="utf-8"))
    texts += tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    everything = "\n".join(texts)

    def named(dev: str) -> bool:  # check-jsonschema is also check_jsonschema
        return (
            re.search(r"(?<![\w-])" + "[-_]".join(map(re.escape, dev.split("-"))) + r"(?![\w-])", everything)
            is not None
        )

    unused = [dev for dev in sorted(_declared(project["optional-dependencies"]["dev"])) if not named(dev)]
    assert unused == [], f"dev dependencies nothing uses: {unused}"


# ------------------------------------------------------------------------------------------ layers

# What only the api facade (and below) may use: opening a portal, reading or writing files, the work.
BEHIND_THE_FACADE = (
    "b24provision.portal.client",
    "b24provision.portal.connect",
    "b24provision.portal.profiles",
    "b24provision.state.rest",
    "b24provision.portal.write",
    "b24provision.portal.trace",
    "b24provision.output",
    "b24provision.plan.planfile",
    "b24provision.plan.diff",
    "b24provision.apply",
    "b24provision.export",
    "b24provision.emulator",
    "b24provision.fmt",
    "b24provision.doctor.run",
    "b24provision.tariff.fit",
)


def test_the_cli_reaches_portals_and_files_only_through_the_api_facade() -> None:
    """cli/ parses, calls one api function, renders: it imports none of the modules that do the work."""
    graph = import_graph()
    reached = {
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module == "b24provision.cli" or module.startswith("b24provision.cli.")
        for target in targets
        if any(target == low or target.startswith(low + ".") for low in BEHIND_THE_FACADE)
    }
    assert "b24provision.api" in graph["b24provision.cli.plan_commands"]  # the check sees imports at all
    assert reached == set()

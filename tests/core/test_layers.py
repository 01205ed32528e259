"""The house's layers, read from the source (every import, at module level or inside a
function; a function-level import is still an import).

- `reception.domain` imports nothing of the product: the legal rules stand alone.
- The floor (`reception.core`, `reception.extensions`) imports no feature package.
- Feature packages form no cycle: each can be read, tested and changed from the bottom up.
- The citizen side (`reception.appeals`) does not import the staff side.
- The composition root (`reception/__init__.py`'s create_app, the CLI, the model registry
  for Alembic, the demo seeding) may import everything, and nothing imports it.

The README's "Architecture" section says the same in words.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "reception"

DOMAIN = "domain"
FLOOR = frozenset({"core", "extensions"})
COMPOSITION_ROOT = frozenset({"reception", "reception.cli", "reception.models", "reception.demo"})
CITIZEN_SIDE = frozenset({"appeals"})
STAFF_SIDE = frozenset({"review", "admin", "monitoring"})


def module_name(path: Path, root: Path = PACKAGE_DIR) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under `if TYPE_CHECKING:` (never run)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for statement in node.body:
                hidden.update(id(inner) for inner in ast.walk(statement))
    return hidden


def imports_of(
    source: str, module: str, *, is_package: bool = False, typing_only: bool = True
) -> set[str]:
    """Every `reception...` module the source imports, wherever the import stands; with
    `typing_only=False`, less those under `if TYPE_CHECKING:` (for annotations only)."""
    found: set[str] = set()
    tree = ast.parse(source)
    hidden = set() if typing_only else _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from reception import appeals` imports the package reception.appeals.
            if target == "reception":
                found.update(f"reception.{alias.name}" for alias in node.names)
    return {name for name in found if name == "reception" or name.startswith("reception.")}


def product_imports(root: Path = PACKAGE_DIR, *, typing_only: bool = True) -> dict[str, set[str]]:
    """Module -> the product's modules it imports. The layer rules count every import,
    those for type checkers too; the cycle check counts the imports that run."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        graph[name] = imports_of(
            path.read_text(encoding="utf-8"),
            name,
            is_package=path.name == "__init__.py",
            typing_only=typing_only,
        )
    return graph


def part(module: str) -> str:
    """The top-level part a module belongs to: "appeals", "core", "cli", ..."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def in_root(module: str) -> bool:
    return module in COMPOSITION_ROOT or any(
        module.startswith(root + ".") for root in COMPOSITION_ROOT if root != "reception"
    )


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule, as "module -> imported (rule)"."""
    problems = []
    for module, targets in sorted(graph.items()):
        if in_root(module):
            continue
        home = part(module)
        for target in sorted(targets):
            there = part(target)
            if target == "reception" or in_root(target):
                problems.append(f"{module} -> {target} (nothing imports the composition root)")
            elif home == DOMAIN and there != DOMAIN:
                problems.append(f"{module} -> {target} (domain imports nothing of the product)")
            elif home in FLOOR and there not in FLOOR | {DOMAIN}:
                problems.append(f"{module} -> {target} (the floor imports no feature)")
            elif home in CITIZEN_SIDE and there in STAFF_SIDE:
                problems.append(f"{module} -> {target} (the citizen side imports no staff side)")
    return problems


def feature_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Which feature package imports which (the floor, domain and root left out)."""
    features: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        home = part(module)
        if in_root(module) or home in FLOOR or home == DOMAIN:
            continue
        features[home]
        for target in targets:
            there = part(target)
            if there not in FLOOR | {DOMAIN, "", home} and not in_root(target):
                features[home].add(there)
    return dict(features)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, ..., a], or None when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def who_imports(graph: dict[str, set[str]], home: str, there: str) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if part(module) == home
        for target in targets
        if part(target) == there
    )


# --- The contract ----------------------------------------------------------------------


def test_every_part_keeps_to_its_layer():
    problems = layer_violations(product_imports())
    assert not problems, "imports across the layers:\n" + "\n".join(problems)


def test_feature_packages_form_no_cycle():
    graph = product_imports(typing_only=False)
    edges = feature_graph(graph)
    cycle = find_cycle(edges)
    if cycle:
        steps = [
            f"  {a} -> {b}: " + "; ".join(who_imports(graph, a, b))
            for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        pytest.fail("the feature packages import in a cycle:\n" + "\n".join(steps))


def test_the_graph_sees_the_whole_product():
    graph = product_imports()
    assert {"reception.core.web", "reception.domain.workflow", "reception.appeals.views"} <= set(
        graph
    )
    assert {"appeals", "review", "admin", "api", "monitoring"} <= set(feature_graph(graph))
    # The composition root does import every feature (so the checker does read imports).
    assert "reception.appeals.views" in graph["reception"]


# --- The checker catches what it should --------------------------------------------------


def _graph_with(module: str, source: str, *, is_package: bool = False) -> dict[str, set[str]]:
    graph = product_imports()
    graph[module] = imports_of(source, module, is_package=is_package)
    return graph


@pytest.mark.parametrize(
    "source",
    [
        "from reception.appeals import views\n",
        "from reception.appeals.models import Appeal\n",
        "import reception.appeals.models\n",
        "def late():\n    from reception.appeals.views import bp\n    return bp\n",
        "from ..appeals import models\n",
        "from reception import appeals\n",
    ],
)
def test_an_import_of_a_feature_added_to_core_is_caught(source):
    problems = layer_violations(_graph_with("reception.core.web", source))
    assert any(
        p.startswith("reception.core.web -> reception.appeals") and "floor" in p for p in problems
    ), problems


def test_an_import_of_the_product_added_to_domain_is_caught():
    problems = layer_violations(
        _graph_with("reception.domain.workflow", "from reception.core.types import utcnow\n")
    )
    assert "reception.domain.workflow -> reception.core.types" in " ".join(problems)


def test_the_citizen_side_importing_the_staff_side_is_caught():
    problems = layer_violations(
        _graph_with(
            "reception.appeals.views", "from reception.review.actions import STAFF_ACTIONS\n"
        )
    )
    assert any("citizen side" in p for p in problems), problems


def test_a_cycle_is_found_and_named():
    graph = _graph_with(
        "reception.directory.queries", "def f():\n    from reception.appeals import models\n"
    )
    cycle = find_cycle(feature_graph(graph))
    assert cycle is not None and cycle[0] == cycle[-1]
    assert "directory" in cycle and "appeals" in cycle


def test_imports_for_type_checkers_only_count_for_the_layers_not_for_cycles():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from reception.appeals import models\n"
    assert imports_of(source, "reception.notifications.emails") == {"reception.appeals"}
    assert imports_of(source, "reception.notifications.emails", typing_only=False) == set()
    problems = layer_violations(_graph_with("reception.core.web", source))
    assert any(p.startswith("reception.core.web -> reception.appeals") for p in problems)


def test_a_graph_without_cycles_has_none():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_relative_imports_are_resolved():
    assert imports_of("from . import queries\n", "reception.appeals.views") == {"reception.appeals"}
    assert "reception.core.types" in imports_of(
        "from .types import utcnow\n", "reception.core", is_package=True
    )

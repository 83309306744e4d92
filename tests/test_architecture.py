"""The shape of the package (docs/architecture.md), checked on every run.

The floors contract itself (each floor imports only the floors below it) is import-linter's,
run by ``make lint``; these tests check what a layers contract cannot: no import cycle at all,
files under 500 lines, no private name used across modules, no ``print`` outside the CLI, one
computation per declared criterion.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "layout"
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _graph() -> nx.DiGraph:
    graph = grimp.build_graph("layout", cache_dir=None)
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    return g


def test_no_import_cycle_even_inside_functions() -> None:
    # grimp reads every import statement, those inside functions and TYPE_CHECKING blocks too.
    # A package imports its own __init__ when a submodule is imported, which is no cycle.
    g = _graph()
    g.remove_nodes_from([m for m in list(g) if MODULES.get(m, Path()).name == "__init__.py"])
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_every_floor_is_in_the_layers_contract() -> None:
    import tomllib

    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    named = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    top = {".".join(m.split(".")[:2]) for m in MODULES if m != "layout"}
    assert top == named, f"not in the contract: {sorted(top - named)}; gone: {sorted(named - top)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_file_over_500_lines(module: str) -> None:
    n = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{MODULES[module]} has {n} lines; split it by concern"


def _private_uses(path: Path, module: str) -> list[str]:
    """Private names (``_x``, not dunders) taken from another module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    aliases: dict[str, str] = {}  # local name -> package module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("layout"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in MODULES:
                    aliases[alias.asname or alias.name] = full
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    problems.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("layout") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            problems.append(f"line {node.lineno}: uses {aliases[node.value.id]}.{node.attr}")
    return problems


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_across_modules(module: str) -> None:
    problems = _private_uses(MODULES[module], module)
    assert problems == [], f"{MODULES[module]}: " + "; ".join(problems)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("layout.cli")))
def test_library_logs_and_never_prints(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    prints = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
    ]
    assert prints == [], f"{MODULES[module]}: print() on lines {prints}; use logging"


def test_each_declared_criterion_has_one_computation() -> None:
    from layout.analysis.criteria import COMPUTE
    from layout.model.criteria import CRITERIA

    assert set(COMPUTE) == set(CRITERIA)
    for name, crit in CRITERIA.items():
        assert crit.inputs, f"criterion {name!r} declares no input layer"


def test_no_private_modules() -> None:
    # a module other floors use is public: private modules invite private imports
    private = [str(p) for p in MODULES.values() if p.stem.startswith("_") and p.stem != "__init__"]
    assert private == []

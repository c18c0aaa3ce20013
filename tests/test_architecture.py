"""The package's layers point one way, load -> model -> check -> report, with no import cycles (issue 9).

Read from the source with ast (every import, at module level or inside a function), so a backward import
fails here, in CI, before it becomes a tangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sledcheck"

#: Layer of each top-level module or subpackage; a module may import only from its own layer or lower ones.
LAYERS = {
    "units": 0, "errors": 0, "resources": 0, "version": 0,
    "thermal": 1, "geometry": 1, "stackup": 1,   # physics, statistics, geometry: no file I/O, no design knowledge
    "load": 2,                            # files in: designs, specs, meshes, fan models
    "model": 3,                           # the assembly and the analyses on it
    "checks": 4,                          # rules, engine, policy
    "report": 5,                          # renderings of the report
    "pipeline": 6, "inspect": 6, "init": 6, "sweep": 6,   # the use cases
    "cli": 7, "__main__": 7, "__init__": 7,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every sledcheck module ``path`` imports (absolute names)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("sledcheck"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)   # `from . import engine`
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sledcheck"))
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    return {m for m in found if m in modules and m != name}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


GRAPH = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in GRAPH if m != "sledcheck" and m.split(".")[1] not in LAYERS)
    assert not missing, f"add these to LAYERS: {missing}"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down_the_pipeline(module: str) -> None:
    backwards = sorted(t for t in GRAPH[module] if _layer(t) > _layer(module))
    assert not backwards, f"{module} (layer {_layer(module)}) imports later layers: {backwards}"


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(GRAPH.get(node, ())):
            if target == node or target not in GRAPH:
                continue
            # a package's own __init__ re-exporting its modules is not a cycle with them
            if node.startswith(target + ".") or target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_every_package_folder_has_an_init() -> None:
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    assert not [f for f in folders if not (f / "__init__.py").is_file()]

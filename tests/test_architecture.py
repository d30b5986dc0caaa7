"""The package's layers: imports only point down, and no import cycle anywhere in src/khabar.

Every ``import`` and ``from … import`` of every module is read (function-local ones too, and those
under ``TYPE_CHECKING``), so a cycle cannot hide behind a lazy import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "khabar"

LAYERS: dict[str, int] = {
    # the bottom: no dependency on anything khabar-specific above it
    "_version": 0,
    "_logging": 0,
    "errors": 0,
    "io": 0,
    "device": 0,
    "tasks": 1,
    "config_schema": 1,
    "model_dir": 1,
    "text": 1,
    "metrics": 2,
    "config": 2,
    # reading and building: data, models, windows and generation, the card
    "data": 3,
    "modeling": 3,
    "reading": 3,
    "card": 3,
    # the flows
    "training": 4,
    "evaluation": 4,
    "inference": 4,
    # publishing, then the command line on top
    "hub": 5,
    "cli": 6,
    "": 7,  # khabar/__init__.py: the public facade (its classes are imported on first use)
}
"""Layer of each top-level part of the package; a part may import its own layer or below."""

FORBIDDEN: set[tuple[str, str]] = {
    ("evaluation", "training"),
    ("training", "inference"),
    ("inference", "training"),
    ("inference", "evaluation"),
    ("evaluation", "inference"),
}
"""Same-layer imports that are still not allowed (importer, imported)."""

ENTRY_POINTS = {"__main__"}
"""``python -m khabar`` calls the CLI: it is the top, not a layer."""


def _part(module: str) -> str:
    """``khabar.training.runner`` → ``training``; ``khabar`` → ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every khabar module ``path`` imports (absolute names), wherever the import sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "khabar"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.split(".")[0] == "khabar":
                found.add(name)
    return found


def _modules() -> dict[str, set[str]]:
    return {
        _module_name(p): _imports(p)
        for p in sorted(SRC.rglob("*.py"))
        if p.stem not in ENTRY_POINTS
    }


def test_every_part_has_a_layer() -> None:
    parts = {_part(m) for m in _modules()}
    assert parts <= set(LAYERS), f"parts without a layer: {sorted(parts - set(LAYERS))}"


def _violations(modules: dict[str, set[str]]) -> list[str]:
    upward = []
    for module, imported in modules.items():
        src = _part(module)
        for name in imported:
            dst = _part(name)
            if dst == src:
                continue
            if LAYERS[dst] > LAYERS[src] or (src, dst) in FORBIDDEN:
                upward.append(f"{module} imports {name} ({src} → {dst})")
    return sorted(upward)


def _find_cycle(modules: dict[str, set[str]]) -> list[str] | None:
    known = set(modules)

    def resolve(name: str) -> str | None:
        # ``from khabar.card import gather`` names a module; ``khabar.card.CardError`` does not
        while name and name not in known:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        return name or None

    edges: dict[str, set[str]] = {}
    for module, imported in modules.items():
        targets = {r for n in imported if (r := resolve(n)) and r != module}
        # a package importing its own submodules (to re-export them) is not a cycle back up
        edges[module] = {t for t in targets if not module.startswith(t + ".")}

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(edges):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_imports_only_point_down() -> None:
    upward = _violations(_modules())
    assert not upward, "imports that point up or across:\n" + "\n".join(upward)


def test_no_import_cycle_between_modules() -> None:
    cycle = _find_cycle(_modules())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_the_checks_catch_what_they_look_for() -> None:
    """An upward import, a forbidden sideways one and a lazy cycle are all reported."""
    modules = {
        "khabar.text.clean": {"khabar.training.runner"},
        "khabar.training.runner": {"khabar.text.clean"},
        "khabar.evaluation.model_dir": {"khabar.training"},
        "khabar.training": set(),
    }
    found = _violations(modules)
    assert "khabar.text.clean imports khabar.training.runner (text → training)" in found
    assert any("evaluation → training" in v for v in found)
    assert _find_cycle(modules) == [
        "khabar.text.clean",
        "khabar.training.runner",
        "khabar.text.clean",
    ]
    assert _find_cycle({"khabar.card": {"khabar.card.gather"}, "khabar.card.gather": set()}) is None


@pytest.mark.parametrize("limit", [620])
def test_no_module_is_a_god_module(limit: int) -> None:
    sizes = {
        str(p.relative_to(SRC)): len(p.read_text(encoding="utf-8").splitlines())
        for p in SRC.rglob("*.py")
    }
    big = {name: n for name, n in sizes.items() if n > limit}
    assert not big, f"modules over {limit} lines: {big}"

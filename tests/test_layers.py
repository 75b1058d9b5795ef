"""The import rules of the house (README, "How the code is laid out"), checked on every import
statement, at module level or inside a function: layers only point down.

- `inference` (contract, settings, stages, tiers, cascade, store) imports neither `training`
  nor `serving`;
- `serving` (HTTP, Lambda) and `training` (data engine, training jobs) import `inference`
  only, never each other;
- nothing imports a command line: the `yogi` CLI is mounted from entry points.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("inference", "training", "serving")
FORBIDDEN = {"inference": {"training", "serving"}, "serving": {"training"},
             "training": {"serving"}}
COMMAND_LINES = {"inference.cli", "serving.cli", "training.commands"}


def imports_of(path: Path) -> list[str]:
    """Every module name an import statement in `path` names (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    return names_imported(path.read_text(), package)


def names_imported(source: str, package: str) -> list[str]:
    tree = ast.parse(source)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.append(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.append(node.module)
    return names


def sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_the_layers_below_it(path: Path):
    own = path.relative_to(ROOT).parts[0]
    wrong = [name for name in imports_of(path) if name.split(".")[0] in FORBIDDEN[own]]
    assert not wrong, f"{own} must not import {wrong}"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_imports_a_command_line(path: Path):
    assert not COMMAND_LINES & set(imports_of(path))


def test_the_check_sees_imports_inside_functions_and_relative_ones():
    """The rule would be empty if function-level imports were missed: most heavy imports here
    are inside functions."""
    source = "def f():\n    from serving.app import x\n    from ..store import y\n"
    assert names_imported(source, "inference.tiers") == ["serving.app", "inference.store"]

"""The house rules that tools can hold: lint, strict types, and which module may import what."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "mapdaily_cli"

# cli -> api -> {config, store, render, importer, gitops} -> model (errors anywhere).
ALLOWED = {
    "cli": {"api", "config", "errors", "model", "__init__"},
    "api": {"config", "store", "render", "importer", "gitops", "model", "errors"},
    "config": {"model", "errors"},
    "store": {"model", "errors"},
    "render": {"model", "errors", "config"},
    "importer": {"model", "errors"},
    "gitops": {"errors"},
    "model": set(),
    "errors": set(),
    "__init__": set(),
    "__main__": {"cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("mapdaily_cli.") or node.level:
                found.add(node.module.split(".")[-1])
            elif node.module == "mapdaily_cli":
                found.update(a.name if a.name != "__version__" else "__init__" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("mapdaily_cli."))
    return found


def test_dependency_direction() -> None:
    for path in PACKAGE.glob("*.py"):
        used = _imports(path) - {path.stem}
        assert used <= ALLOWED[path.stem], f"{path.name} imports {sorted(used - ALLOWED[path.stem])}"


def test_ruff() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

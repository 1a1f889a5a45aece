"""The house rules that tools can hold: lint, format, complexity, strict types, the size of modules
and functions, and which room of the package may import what."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "mapdaily_cli"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60

# cli -> api -> {config, store, render, importer, gitops} -> model (errors anywhere). A room is a
# module of the package or a subpackage; the modules of one room may import each other.
ALLOWED = {
    "cli": {"api", "config", "errors", "model", "__init__"},
    "api": {"config", "store", "render", "importer", "gitops", "arxiv", "model", "errors", "site"},
    "site": {"model", "config", "errors", "render", "cells"},
    "config": {"model", "errors", "config_checks"},
    "config_checks": {"model", "errors"},
    "arxiv": {"model", "errors"},
    "store": {"model", "errors"},
    "render": {"model", "errors", "config", "cells"},
    "cells": {"model"},
    "importer": {"model", "errors"},
    "gitops": {"errors"},
    "model": set(),
    "errors": set(),
    "__init__": set(),
    "__main__": {"cli"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


def _imports(path: Path) -> set[str]:
    """The rooms of the package that ``path`` imports from."""
    package = ["mapdaily_cli", *path.relative_to(PACKAGE).parts[:-1]]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            parts = module.split(".")
            if parts[0] != "mapdaily_cli":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update("__init__" if a.name == "__version__" else a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("mapdaily_cli."))
    return found


def test_dependency_direction() -> None:
    rooms = set()
    for path in _modules():
        room = _room(path)
        rooms.add(room)
        used = _imports(path) - {room}
        assert room in ALLOWED, f"{path.relative_to(ROOT)}: room {room!r} has no rule in ALLOWED"
        assert used <= ALLOWED[room], f"{path.relative_to(ROOT)} imports {sorted(used - ALLOWED[room])}"
    assert {"api", "store", "cli", "importer"} <= rooms


def test_the_import_rule_sees_packages(tmp_path: Path) -> None:
    # The rule itself: a relative import inside a package names the room it reaches.
    (tmp_path / "x").mkdir()
    probe = PACKAGE / "store" / "_probe_for_the_rule.py"
    try:
        probe.write_text("from ..api import plan\nfrom . import edits\n", encoding="utf-8")
        assert _imports(probe) == {"api", "store"}
    finally:
        probe.unlink(missing_ok=True)


def test_no_module_or_function_too_long() -> None:
    long = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if text.count("\n") > MAX_MODULE_LINES:
            long.append(f"{rel}: {text.count(chr(10))} lines (at most {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(
                        f"{rel}:{node.lineno}: {node.name} has {size} lines (at most {MAX_FUNCTION_LINES})"
                    )
    assert not long, "\n".join(long)


def test_ruff() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_complexity_rule_is_configured() -> None:
    import tomllib

    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"] and lint["mccabe"]["max-complexity"] <= 15


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

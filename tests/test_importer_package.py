"""The importer package's shape: what it offers, what its modules may import, and their size."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mapdaily_cli.importer as importer

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "mapdaily_cli" / "importer"
MODULES = sorted(PACKAGE.glob("*.py"))


def test_public_names() -> None:
    assert sorted(importer.__all__) == [
        "MAX_PAGE_BYTES",
        "MergeResult",
        "PageWarning",
        "ParsedPage",
        "merge_days",
        "parse_page",
        "read_page",
        "repair_text",
    ]
    assert all(hasattr(importer, name) for name in importer.__all__)
    assert not (ROOT / "mapdaily_cli" / "importer.py").exists()


def _project_imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the package imports by absolute name"
            found.add(node.module or "")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name.startswith("mapdaily_cli")}


def test_modules_import_each_other_model_and_errors_only() -> None:
    allowed = {"mapdaily_cli.model", "mapdaily_cli.errors"}
    for path in MODULES:
        used = _project_imports(ast.parse(path.read_text(encoding="utf-8")))
        stray = {m for m in used if m not in allowed and not m.startswith("mapdaily_cli.importer.")}
        assert not stray, f"{path.name} imports {sorted(stray)}"


def test_modules_and_functions_stay_small() -> None:
    for path in MODULES:
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= 450, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 60, f"{path.name}: {node.name} is {length} lines"


def test_complexity() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "C901", "--config",
         "lint.mccabe.max-complexity=15", str(PACKAGE)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

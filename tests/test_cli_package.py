"""The command line package: every command registered on import, --help without the heavy modules,
what each of its modules may import, and one rule for every interruption (exit 130, one line)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
from conftest import copy_seed, git, run_cli
from typer.main import get_command

from mapdaily_cli import api
from mapdaily_cli.cli import app, prompts

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "mapdaily_cli" / "cli"
COMMANDS = [
    *("add", "edit", "remove", "move", "inbox"),
    *("rotate", "archive", "render", "check", "list", "show", "search"),
    *("import", "init"),
    "stats",
    *("sync", "git-setup", "merge-driver", "hook", "resolve", "intake"),
]
#: What only a command that runs may import: --help must start as fast as typer itself.
HEAVY = (
    *("rich", "ruamel", "git", "jinja2", "yaml", "markdown_it", "filelock"),
    *("mapdaily_cli.api", "mapdaily_cli.config", "mapdaily_cli.model"),
)
#: The project's modules the cli package may import (besides its own).
ALLOWED = {
    "mapdaily_cli",
    "mapdaily_cli.api",
    "mapdaily_cli.config",
    "mapdaily_cli.errors",
    "mapdaily_cli.model",
}


def test_every_command_is_registered_when_the_app_is_imported() -> None:
    assert list(get_command(app).commands) == COMMANDS


@pytest.mark.parametrize("args", [["--help"], ["add", "--help"], ["--version"]])
def test_help_loads_none_of_the_heavy_modules(args: list[str]) -> None:
    probe = (
        "import atexit, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print(sorted({m.split('.')[0] if not m.startswith('mapdaily_cli') else m"
        " for m in sys.modules if m.startswith(heavy)}), file=sys.stderr))\n"
        "from mapdaily_cli.cli import main\n"
        f"sys.argv = ['mapdaily', *{args!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "mapdaily_cli":
                found.update(f"mapdaily_cli.{a.name}" for a in node.names if a.name != "__version__")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.split(".")[0] == "mapdaily_cli" and not m.startswith("mapdaily_cli.cli")}


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_the_cli_imports_only_the_api_config_errors_and_model(path: Path) -> None:
    assert _imported(path) <= ALLOWED


def _interrupt(*args: Any, **kwargs: Any) -> NoReturn:
    raise KeyboardInterrupt


def test_an_interrupted_check_is_one_line(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_seed(repo)
    monkeypatch.setattr(api, "check", _interrupt)
    code, out, err = run_cli(repo, "check")
    assert (code, out, err) == (130, "", "interrupted; nothing was changed\n")


def test_an_interrupted_import_stops_its_progress_bar(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [repo / f"page{n}.md" for n in range(4)]  # enough pages for a progress bar
    for page in pages:
        page.write_text("# A hand-kept digest\n", encoding="utf-8")

    def import_digest(*args: Any) -> NoReturn:
        step = args[-1]
        step(1, len(pages), "page0.md")
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "import_digest", import_digest)
    code, out, err = run_cli(repo, "import", *(p.name for p in pages))
    assert (code, out, err.splitlines()[-1]) == (130, "", "interrupted; nothing was changed")
    assert not (repo / "papers.yaml").exists()


def test_an_interrupted_read_of_standard_input_is_one_line(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "read_stdin", _interrupt)
    code, out, err = run_cli(repo, "add", "--title", "T", "--comment", "-", "--date", "2024-10-15")
    assert (code, err) == (130, "interrupted; nothing was changed\n")
    assert git(repo, "status", "--porcelain") == ""

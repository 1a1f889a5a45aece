"""The command line's start-up work: typer's coercion of str/Path/bool values done without
pydantic (``_Coercion``) against typer's own, and the plain result lines written without Rich when
not at a terminal."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import typer
import typer.main
from conftest import git, run_cli
from typer.testing import CliRunner

from mapdaily_cli.cli import app

APP = importlib.import_module("mapdaily_cli.cli.app")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _ours_and_typers() -> list[tuple[str, Any, Any, Any]]:
    """(command, parameter, our coercion, typer's own) for every parameter ``_Coercion`` serves."""
    group = typer.main.get_command(app)
    out = []
    for name, cmd in [("", group), *group.commands.items()]:
        for param in cmd.params:
            if hasattr(param, "type_descriptor"):
                ours = param.get_runtime_param()
                if isinstance(ours, APP._Coercion):
                    out.append((name, param, ours, ours.typers()))
    return out


#: Values a command line can give (click hands over str, or tuples of str for lists and nargs=-1;
#: an argument that is not UTF-8 arrives with surrogate escapes).
VALUES = ["", "x", "-", " a ", "~/x", "a b/ç 😀", "Bad \udcff Bytes", "--", "true", "0", "off"]


def test_our_coercion_is_typers_for_every_value_a_command_line_gives() -> None:
    group = typer.main.get_command(app)
    ctx = click.Context(group)
    checked = 0
    for name, param, ours, theirs in _ours_and_typers():
        many = param.multiple or param.nargs == -1
        for value in [None, *([tuple(VALUES), ()] if many else VALUES)]:
            if param.type_descriptor.annotation is bool and isinstance(value, str):
                continue  # a bool given as text goes to typer's own coercion by design
            got, want = ours.coerce(value, param, ctx), theirs.coerce(value, param, ctx)
            assert (type(got), got) == (type(want), want), (name, param.name, value)
            checked += 1
    assert checked > 100


def test_help_is_the_same_with_typers_own_coercion(monkeypatch: pytest.MonkeyPatch) -> None:
    group = typer.main.get_command(app)
    commands = [[], *([c] for c in group.commands)]
    ours = [CliRunner().invoke(app, [*c, "--help"]).output for c in commands]
    monkeypatch.setattr(APP, "_runtime_param", lambda param, typers: typers())
    assert [CliRunner().invoke(app, [*c, "--help"]).output for c in commands] == ours


def test_no_parameter_reads_an_environment_variable() -> None:
    """No option has envvar= (a list from the environment would reach _Coercion split already)."""
    assert [p.name for _, p, _, _ in _ours_and_typers() if p.envvar] == []


def _titles(repo: Path) -> list[str]:
    return re.findall(r"- title: (.*)", (repo / "papers.yaml").read_text(encoding="utf-8"))


def test_options_given_twice_and_with_equals(repo: Path) -> None:
    code, out, err = run_cli(repo, "add", "--title", "First", "--title=Second Title", "--date=2024-10-15")
    assert code == 0, err + out
    assert _titles(repo) == ["Second Title"]
    code, _, err = run_cli(repo, "add", "--title", "", "--date", "2024-10-15")
    assert code != 0 and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(repo, "add", "--title", "X", "--no-commit=yes")
    assert code == 2 and "does not take a value" in err
    assert _titles(repo) == ["Second Title"] and git(repo, "status", "--porcelain") == ""


def _cli(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mapdaily_cli", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"NO_COLOR": "1"},
        {"TERM": "dumb"},
        {"FORCE_COLOR": ""},
        {"FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "1"},
    ],
    ids=["plain", "NO_COLOR", "TERM=dumb", "FORCE_COLOR-empty", "FORCE_COLOR", "TTY_COMPATIBLE"],
)
def test_result_lines_read_the_same_plain_or_coloured(
    repo: Path, extra: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env.update(extra)
    title = "Using :fire: [bold]codes[/] as typed"
    done = _cli(repo, env, "add", "--title", title, "--date", "2024-10-15", "--no-commit")
    assert done.returncode == 0, done.stderr
    coloured = "FORCE_COLOR" in extra and extra["FORCE_COLOR"] or "TTY_COMPATIBLE" in extra
    assert bool(ANSI.search(done.stderr)) == bool(coloured), done.stderr
    line = ANSI.sub("", done.stderr).strip()
    assert line.startswith(f"added 2024-10-15#1: {title} (papers.yaml, README.md, ") and "\n" not in line
    failed = _cli(repo, env, "add", "--title", title, "--date", "2024-10-15", "--no-commit")
    assert failed.returncode == 1 and len(ANSI.sub("", failed.stderr).strip().splitlines()) == 1

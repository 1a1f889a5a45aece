"""The Typer app: parse arguments, call api, print with Rich, map errors to exit codes."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer

from mapdaily_cli import __version__
from mapdaily_cli.errors import MapdailyError, UsageError

app = typer.Typer(
    name="mapdaily",
    help="Keep a daily paper digest in a git repository: papers.yaml is the data, the markdown is generated.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=True,
)

_state: dict[str, Any] = {"directory": None}


def _version(value: bool) -> None:
    if value:
        print(f"mapdaily {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    directory: Annotated[
        Optional[Path],
        typer.Option("--directory", "-C", help="Run as if started in this folder (the digest's repository)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    _state["directory"] = directory


# --- plumbing -------------------------------------------------------------------------------------


def _console(stderr: bool = True) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _fail(error: MapdailyError) -> NoReturn:
    err = _console()
    if error.detail:
        sys.stdout.write(error.detail if error.detail.endswith("\n") else error.detail + "\n")
        sys.stdout.flush()
    err.print(f"[bold red]error:[/] {_escape(error.message)}")
    raise typer.Exit(error.exit_code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _config() -> Any:
    from mapdaily_cli.config import find_root, load_config

    start = _state["directory"] or Path.cwd()
    if not Path(start).is_dir():
        raise UsageError(f"--directory {start}: no such folder")
    return load_config(find_root(Path(start)))


def _run(call: Any) -> Any:
    """Run one api call, turning every MapdailyError into one red line and its exit code."""
    try:
        return call()
    except MapdailyError as e:
        _fail(e)
    except KeyboardInterrupt:
        _console().print("[red]interrupted[/]; nothing was changed")
        raise typer.Exit(130) from None


def _show(result: Any) -> None:
    if result.diff:
        sys.stdout.write(result.diff)
    err = _console()
    for note in result.notes:
        err.print(f"[yellow]note:[/] {_escape(note)}")
    line = result.summary
    if result.commit:
        line += f" [dim](commit {result.commit})[/]"
    elif result.written:
        line += f" [dim]({', '.join(result.written)})[/]"
    err.print(_escape(line) if not result.commit else line)


def _options(no_commit: bool = False, dry_run: bool = False, force: bool = False, push: bool = False) -> Any:
    from mapdaily_cli.api import Options

    return Options(commit=not no_commit, dry_run=dry_run, force=force, push=push)


NoCommit = Annotated[bool, typer.Option("--no-commit", help="Write the files but do not commit them.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the diff of what would change; write nothing.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite generated text even if it was edited by hand.")]
Push = Annotated[bool, typer.Option("--push", help="Push the commit to the branch's upstream.")]


def _parse_date(text: str | None, option: str = "--date") -> date | None:
    from mapdaily_cli.errors import InputError
    from mapdaily_cli.model import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as e:
        raise InputError(f"{option}: {e}") from None


def _today(config: Any) -> date:
    """Today in the configured time zone (the local zone when none is set)."""
    if config.timezone:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo(config.timezone)).date()
    return date.today()


# --- commands -------------------------------------------------------------------------------------


@app.command()
def render(dry_run: DryRun = False, force: Force = False) -> None:
    """Regenerate every generated region (README, archive pages, index) from papers.yaml. Does not commit."""
    from mapdaily_cli import api

    result = _run(lambda: api.render(_config(), _options(dry_run=dry_run, force=force)))
    _show(result)


@app.command()
def check() -> None:
    """CI: exit 1 with a diff when any generated region differs from the data, or the data is invalid."""
    from mapdaily_cli import api

    result = _run(lambda: api.check(_config()))
    _console().print(f"[green]ok:[/] {_escape(result.summary)}")


def main() -> None:
    """Console entry point."""
    app()

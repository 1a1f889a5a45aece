"""Commands that start a digest: init (a new one) and import (one kept by hand so far)."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.cli.app import command, config, options, start, today
from mapdaily_cli.cli.params import DiscardHandEdits, DryRun, NoCommit, Push

#: More pages than this show a progress bar while they are read.
PROGRESS_FROM = 4


@command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Hand-kept digest pages: the README and archive pages."),
    ],
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Turn hand-kept digest pages into papers.yaml; the README's digest sections become marker regions."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    paths = [p if p.is_absolute() else start() / p for p in files]
    year = today(digest).year
    if len(paths) < PROGRESS_FROM:
        present.result(api.run(digest, opts, lambda: api.import_digest(digest, paths, opts, year)))
        return
    with present.progress(len(paths), "reading pages") as step:
        done = api.run(digest, opts, lambda: api.import_digest(digest, paths, opts, year, step))
    present.result(done)


def _settings(columns: str | None, timezone: str | None, week_start: str | None) -> dict[str, Any]:
    """The settings the options of init give (the rest keep their defaults)."""
    settings: dict[str, Any] = {}
    if columns:
        settings["columns"] = [c.strip() for c in columns.split(",") if c.strip()]
    if timezone:
        settings["timezone"] = timezone
    if week_start:
        settings["week_start"] = week_start.lower()
    return settings


@command()
def init(
    ci: Annotated[
        Optional[str], typer.Option("--ci", help="Also write CI files: 'github' (workflows and pre-commit).")
    ] = None,
    columns: Annotated[
        Optional[str],
        typer.Option(help="Table columns, e.g. title,comment (default title,affiliation,comment)."),
    ] = None,
    timezone: Annotated[Optional[str], typer.Option(help="Time zone of 'today', e.g. Asia/Shanghai.")] = None,
    week_start: Annotated[Optional[str], typer.Option(help="First day of the week (default monday).")] = None,
    install: Annotated[
        Optional[str],
        typer.Option(
            help="What the workflows pip install (default: this version, mapdaily==X.Y.Z);"
            " e.g. git+https://github.com/OWNER/REPO@vX.Y.Z."
        ),
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace files that already exist (settings, data, README, CI).")
    ] = False,
    pages: Annotated[
        bool, typer.Option("--pages", help="Also write a _config.yml for GitHub Pages (when there is none).")
    ] = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
) -> None:
    """Make this git repository a digest: papers.yaml, README.md with markers, settings, CI files."""
    import shlex
    import sys

    from mapdaily_cli import __version__, api
    from mapdaily_cli.config import find_root, load_config, make_config

    root = find_root(start())
    settings = _settings(columns, timezone, week_start)
    runner = f"{shlex.quote(sys.executable)} -m mapdaily_cli"
    # The first day is today where the digest lives: in the zone given now, else the configured one.
    zone = make_config(root, {"timezone": timezone}, "--timezone") if timezone else load_config(root)
    opts = options(no_commit, dry_run)
    install_from = install or f"mapdaily=={__version__}"
    present.result(
        api.init_digest(root, settings, today(zone), ci, opts, replace, install_from, runner, pages)
    )

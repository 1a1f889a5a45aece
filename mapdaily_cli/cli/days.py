"""Commands on the days of the digest: rotate, archive, render, check, and looking at them with list,
show and search."""

from typing import Annotated, Optional

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.cli.app import command, config, options, today
from mapdaily_cli.cli.params import (
    DiscardHandEdits,
    DryRun,
    Json,
    NoCommit,
    Push,
    Selector,
    WeekOption,
    parse_date,
    parse_week,
)
from mapdaily_cli.errors import UsageError


@command()
def rotate(
    date_: Annotated[
        Optional[str],
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            help="The new day (YYYY-MM-DD); default today in the configured time zone.",
        ),
    ] = None,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Each morning: open a new day so yesterday's papers move into "This Week"; archive closed weeks."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    present.result(
        api.run(digest, opts, lambda: api.rotate(digest, parse_date(date_) or today(digest), opts))
    )


@command()
def archive(
    week: WeekOption = None,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Write the archive page of every closed week (or --week) and the archive index, and commit."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    present.result(api.run(digest, opts, lambda: api.archive(digest, parse_week(week, digest), opts)))


@command()
def render(dry_run: DryRun = False, discard_hand_edits: DiscardHandEdits = False) -> None:
    """Regenerate every generated region (README, archive pages, index) from papers.yaml. Does not commit."""
    from mapdaily_cli import api

    present.result(api.render(config(), options(dry_run=dry_run, discard_hand_edits=discard_hand_edits)))


@command()
def check(
    online: Annotated[
        bool,
        typer.Option("--online", help="Also compare the title of every arXiv paper with arXiv's (warnings)."),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="With --online: exit 1 when arXiv differs.")
    ] = False,
) -> None:
    """CI: exit 1 with a diff when any generated region differs from the data, or the data is invalid."""
    from mapdaily_cli import api

    digest = config()
    present.ok(api.check(digest))
    if online:
        present.result(api.check_online(digest, strict=strict, progress=present.asking("asking arXiv")))


@command("list")
def list_(
    date_: Annotated[
        Optional[str], typer.Option("--date", metavar="YYYY-MM-DD", help="Only this day (YYYY-MM-DD).")
    ] = None,
    week: WeekOption = None,
    json_: Json = False,
) -> None:
    """List the papers of the current week (or of --date / --week)."""
    from mapdaily_cli import api

    if date_ is not None and week is not None:
        raise UsageError("give --date or --week, not both")
    digest = config()
    days = api.list_days(digest, parse_date(date_), parse_week(week, digest))
    if json_:
        present.print_json(api.day_records(days))
        return
    present.days(days)


@command()
def show(selector: Selector, json_: Json = False) -> None:
    """Show one paper in full."""
    from mapdaily_cli import api

    found = api.show(config(), selector)
    if json_:
        present.print_json(api.paper_record(found))
        return
    present.paper(found)


@command()
def search(
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="Text to look for in titles, affiliations and comments.")
    ],
    json_: Json = False,
    all_: Annotated[
        bool, typer.Option("--all", help=f"Show every match (else the newest {present.SHOWN}).")
    ] = False,
) -> None:
    """Search the whole history (case-insensitive)."""
    from mapdaily_cli import api

    found = api.search(config(), query)
    if json_:
        present.print_json([api.paper_record(f) for f in found])
    else:
        shown = found if all_ else found[: present.SHOWN]
        present.matches(query, shown, [api.matched_fields(f.paper, query) for f in shown], len(found))
    if not found:
        raise typer.Exit(1)  # as grep: no match is exit 1, with --json too

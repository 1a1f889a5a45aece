"""Commands on one paper: add, edit, remove, move."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mapdaily_cli.cli import present, prompts
from mapdaily_cli.cli.app import command, config, options, today
from mapdaily_cli.cli.params import DiscardHandEdits, DryRun, NoCommit, Push, Selector, parse_date
from mapdaily_cli.errors import UsageError

if TYPE_CHECKING:
    from mapdaily_cli.model import Paper


def _compose(
    title: str | None, url: str | None, affiliation: str | None, comment: str | None, edit: bool
) -> Paper:
    """The paper to add from the options given; at a terminal, the prompts ask for the rest."""
    from mapdaily_cli.model import Paper

    if comment == "-":
        comment = prompts.read_stdin()
    if prompts.stdin_is_tty():
        if title is None:
            title = prompts.ask("Title", required=True)
        if url is None:
            url = prompts.ask("URL")
        if affiliation is None:
            affiliation = prompts.ask("Affiliation")
        if comment is None and not edit:
            comment = prompts.ask("Comment (empty opens $EDITOR)")
            edit = not comment
    if edit:
        comment = prompts.edit_text(comment or "")
    if title is None:
        raise UsageError("--title is required when not at a terminal")
    return Paper(
        title=title, url=url or None, affiliation=affiliation or None, comment=(comment or "").strip() or None
    )


@command()
def add(
    title: Annotated[Optional[str], typer.Option(help="The paper's title.")] = None,
    url: Annotated[Optional[str], typer.Option(help="Link to the paper (arXiv abs or pdf).")] = None,
    affiliation: Annotated[Optional[str], typer.Option(help='Main affiliation(s); "" for none.')] = None,
    comment: Annotated[
        Optional[str], typer.Option(help="The reviewer's comment; - reads it from standard input.")
    ] = None,
    date_: Annotated[
        Optional[str],
        typer.Option("--date", metavar="YYYY-MM-DD", help="Add to this day (YYYY-MM-DD) instead of today."),
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Write the comment in $EDITOR.")] = False,
    allow_duplicate: Annotated[
        bool,
        typer.Option("--force", "--allow-duplicate", help="Add even if the paper is already in the digest."),
    ] = False,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Add a reviewed paper to today (or --date), refusing duplicates, and commit."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    when = parse_date(date_)
    paper = _compose(title, url, affiliation, comment, edit)
    present.result(
        api.run(
            digest, opts, lambda: api.add_paper(digest, paper, when, today(digest), opts, allow_duplicate)
        )
    )


def _fields(
    title: str | None, url: str | None, affiliation: str | None, comment: str | None
) -> dict[str, str | None]:
    """The fields the options change (- as the comment reads it from standard input)."""
    given = {"title": title, "url": url, "affiliation": affiliation, "comment": comment}
    if given.get("comment") == "-":
        given["comment"] = prompts.read_stdin().strip()
    return {k: v for k, v in given.items() if v is not None}


@command()
def edit(
    selector: Selector,
    title: Annotated[Optional[str], typer.Option(help="New title.")] = None,
    url: Annotated[Optional[str], typer.Option(help='New url; "" removes it.')] = None,
    affiliation: Annotated[Optional[str], typer.Option(help='New affiliation; "" removes it.')] = None,
    comment: Annotated[
        Optional[str], typer.Option(help='New comment; "" removes it, - reads standard input.')
    ] = None,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Change fields of one paper; with no field options, open it as YAML in $EDITOR."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    changes = _fields(title, url, affiliation, comment)
    if changes:
        present.result(api.run(digest, opts, lambda: api.edit_paper(digest, selector, changes, opts)))
        return
    text, ref, shown = api.paper_yaml(digest, selector)
    header = f"# {ref}: edit the paper, save and close; an empty file cancels.\n"
    edited = prompts.edit_until_valid(header, text, api.parse_paper_yaml)
    present.result(
        api.run(
            digest, opts, lambda: api.edit_paper(digest, ref, None, opts, replacement=edited, expect=shown)
        )
    )


@command()
def remove(
    selector: Selector,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Remove one paper from the digest, and commit."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    present.result(api.run(digest, opts, lambda: api.remove_paper(digest, selector, opts)))


@command()
def move(
    selector: Selector,
    date_: Annotated[
        str, typer.Option("--date", metavar="YYYY-MM-DD", help="The day to move it to (YYYY-MM-DD).")
    ],
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Move one paper to another day, and commit."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    when = parse_date(date_)
    present.result(api.run(digest, opts, lambda: api.move_paper(digest, selector, when, opts)))

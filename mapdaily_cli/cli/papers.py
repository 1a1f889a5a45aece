"""Commands on papers: add (by hand, or by arXiv id), edit, remove, move, and the inbox of the day's
candidates."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mapdaily_cli.cli import present, prompts
from mapdaily_cli.cli.app import command, config, options, today
from mapdaily_cli.cli.params import (
    DiscardHandEdits,
    DryRun,
    Json,
    NoCommit,
    OptionalSelector,
    Push,
    Selector,
    parse_date,
)
from mapdaily_cli.errors import UsageError

if TYPE_CHECKING:
    from mapdaily_cli import api
    from mapdaily_cli.config import Config
    from mapdaily_cli.model import Paper


def _compose(
    digest: "Config",
    fields: dict[str, str | None],
    edit: bool,
    day: Callable[[], date],
    allow_duplicate: bool,
) -> "Paper":
    """The paper to add from the options given (``fields``: title, url, affiliation, comment,
    authors); at a terminal, the prompts ask for the rest, each answer checked as it is typed, and
    a duplicate refused before the comment is written."""
    from mapdaily_cli import api
    from mapdaily_cli.model import Paper

    title, url, affiliation, comment = (fields.get(k) for k in ("title", "url", "affiliation", "comment"))
    if comment == "-":
        comment = prompts.read_stdin()
    tty = prompts.stdin_is_tty()
    if tty:
        if title is None:
            title = prompts.ask("Title", required=True).strip()
        if url is None:
            url = prompts.ask_valid("URL", api.typed_url)
        if not allow_duplicate:
            api.refuse_duplicate(digest, Paper(title=title, url=url or None))
        if affiliation is None:
            affiliation = prompts.ask("Affiliation")
        if comment is None and not edit:
            comment = prompts.ask("Comment (empty opens $EDITOR)")
            edit = not comment
    if title is None:
        raise UsageError("--title is required when not at a terminal (or give an arXiv id: add 2410.08391)")
    if edit:
        comment = prompts.edit_comment(f"{title} ({day().isoformat()})", comment or "")
    return Paper(
        title=title,
        url=url or None,
        affiliation=affiliation or None,
        comment=(comment or "").strip() or None,
        authors=fields.get("authors") or None,
    )


FromIssue = Annotated[
    Optional[Path],
    typer.Option(
        "--from-issue",
        metavar="EVENT.json",
        help="Add the paper an issue form proposes, from the issue event GitHub wrote ($GITHUB_EVENT_PATH);"
        " only its owner's, members' and collaborators' issues, or one a curator labelled.",
        show_default=False,
    ),
]


def _from_issue(event: Path, others: list[object], no_commit: bool, dry_run: bool, push: bool) -> None:
    if others:
        raise UsageError(
            "--from-issue takes the paper and its date from the issue; give no ids or other options"
        )
    from mapdaily_cli.cli.team import add_from_issue

    add_from_issue(event, no_commit, dry_run, push)


@command()
def add(
    ids: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="[ID_OR_URL]...",
            help="arXiv ids or links (2410.08391, arXiv:2410.08391v2, https://arxiv.org/pdf/..., the DOI):"
            " title, link, affiliations and authors are filled from arXiv.",
            show_default=False,
        ),
    ] = None,
    title: Annotated[Optional[str], typer.Option(help="The paper's title.")] = None,
    url: Annotated[Optional[str], typer.Option(help="Link to the paper (arXiv abs or pdf).")] = None,
    affiliation: Annotated[Optional[str], typer.Option(help='Main affiliation(s); "" for none.')] = None,
    authors: Annotated[Optional[str], typer.Option(help='The authors; "" for none.')] = None,
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
    allow_withdrawn: Annotated[
        bool, typer.Option("--allow-withdrawn", help="Add a paper even though arXiv says it was withdrawn.")
    ] = False,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
    from_issue: FromIssue = None,
) -> None:
    """Add reviewed papers to today (or --date) by their arXiv ids, or one by hand with --title, or
    the one an issue form proposes (--from-issue); refuse duplicates; one commit. Options replace
    what arXiv says."""
    from mapdaily_cli import api

    given = {"title": title, "url": url, "affiliation": affiliation, "authors": authors}
    if from_issue is not None:
        picked = edit or allow_duplicate or allow_withdrawn or None
        others = [ids or None, *given.values(), comment, date_, picked]
        return _from_issue(from_issue, [o for o in others if o is not None], no_commit, dry_run, push)
    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    when = parse_date(date_)
    if ids:
        flags = (edit, allow_duplicate, allow_withdrawn, dry_run)
        papers = _from_arxiv(digest, ids, {k: v for k, v in given.items() if v is not None}, comment, flags)
    else:
        given["comment"] = comment
        papers = [
            _compose(digest, given, edit, lambda: api.day_for(digest, when, today(digest)), allow_duplicate)
        ]
    present.result(
        api.run(
            digest, opts, lambda: api.add_papers(digest, papers, when, today(digest), opts, allow_duplicate)
        )
    )


def _from_arxiv(
    digest: "Config",
    ids: list[str],
    given: dict[str, str | None],
    comment: str | None,
    flags: tuple[bool, bool, bool, bool],
) -> "list[Paper]":
    """The papers ``ids`` name, filled from arXiv (a spinner on stderr meanwhile); at a terminal the
    curator is asked for an affiliation arXiv does not give and writes each comment in $EDITOR."""
    from dataclasses import replace

    from mapdaily_cli import api

    edit, allow_duplicate, allow_withdrawn, dry_run = flags
    if comment == "-":
        comment = prompts.read_stdin()
    if comment is not None:
        given["comment"] = comment
    with present.console().status(f"asking arXiv about {len(ids)} paper{'s' if len(ids) != 1 else ''}…"):
        fetched = api.fetch_papers(
            digest,
            ids,
            given,
            allow_duplicate=allow_duplicate,
            allow_withdrawn=allow_withdrawn,
            dry_run=dry_run,
        )
    tty = prompts.stdin_is_tty()
    papers = []
    for found in fetched:
        paper = found.paper
        if tty and found.needs_affiliation and "affiliation" not in given:
            paper = replace(
                paper, affiliation=prompts.ask(f"Affiliation of {found.ref.id} (arXiv names none)") or None
            )
        if comment is None and (edit or tty):
            paper = replace(paper, comment=_write_comment(found))
        papers.append(paper)
    return papers


def _write_comment(found: "api.Fetched") -> str | None:
    """The comment on one fetched paper, written in $EDITOR on a file that names the paper."""
    return prompts.edit_comment(f"{found.ref.id}: {found.paper.title}") or None


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
    edited = prompts.edit_until_valid(header, text, lambda t: api.parse_paper_yaml(t, digest.extra_fields))
    present.result(
        api.run(
            digest, opts, lambda: api.edit_paper(digest, ref, None, opts, replacement=edited, expect=shown)
        )
    )


@command()
def remove(
    selector: OptionalSelector = None,
    day: Annotated[
        Optional[str],
        typer.Option("--day", metavar="YYYY-MM-DD", help="Remove this whole day instead of one paper."),
    ] = None,
    with_papers: Annotated[
        bool, typer.Option("--with-papers", help="With --day: remove a day that holds papers, and them.")
    ] = False,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Remove one paper (or with --day one day) from the digest, and commit."""
    from mapdaily_cli import api

    if (selector is None) == (day is None):
        raise UsageError("give a SELECTOR or --day YYYY-MM-DD, one of them")
    if with_papers and day is None:
        raise UsageError("--with-papers goes with --day")
    digest, opts = config(), options(no_commit, dry_run, discard_hand_edits, push)
    if day is not None:
        when = parse_date(day, "--day")
        present.result(api.run(digest, opts, lambda: api.remove_day(digest, when, opts, with_papers)))
        return
    assert selector is not None
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


@command()
def inbox(
    date_: Annotated[
        Optional[str],
        typer.Option("--date", metavar="YYYY-MM-DD", help="The candidates of this day instead of today's."),
    ] = None,
    json_: Json = False,
) -> None:
    """The day's candidate papers from Hugging Face's daily papers, most upvoted first, marked when
    already in the digest: pick ids to `mapdaily add`."""
    from mapdaily_cli import api

    digest = config()
    when = parse_date(date_) or today(digest)
    with present.console().status(f"asking for the candidates of {when.isoformat()}…"):
        items = api.inbox(digest, when)
    if json_:
        present.print_json([_candidate_record(item) for item in items])
        return
    out = present.console(stderr=False)
    if not items:
        out.print(f"no candidates for {when.isoformat()}")
        return
    from rich.table import Table

    table = Table(title=f"candidates of {when.isoformat()}")
    for name in ("id", "▲", "Paper", "Organisation", "In the digest"):
        table.add_column(name, overflow="fold")
    for item in items:
        c = item.candidate
        where = item.found.ref if item.found else ""
        row = (c.id, str(c.upvotes), c.title, c.organization or "", where)
        table.add_row(*map(present.escape, row), style="dim" if item.found else None)
    out.print(table)


def _candidate_record(item: "api.InboxItem") -> dict[str, object]:
    c = item.candidate
    return {
        "id": c.id,
        "url": c.url,
        "title": c.title,
        "upvotes": c.upvotes,
        "published": c.published,
        "authors": list(c.authors),
        "organization": c.organization,
        "in_digest": item.found.ref if item.found else None,
    }

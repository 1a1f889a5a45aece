"""The parameters several commands share (``Annotated[..., typer.Option(...)]``) and the parsing of
their values."""

from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional, overload

import typer

from mapdaily_cli.errors import UsageError

if TYPE_CHECKING:
    from mapdaily_cli.config import Config
    from mapdaily_cli.model import Week

Selector = Annotated[
    str,
    typer.Argument(
        metavar="SELECTOR",
        help="A url or arXiv id, DATE#N (the date as YYYY-MM-DD or as the pages show it; #N alone:"
        " today's), or part of a title.",
    ),
]
#: The selector of a command that can name something else instead (`remove --day`).
OptionalSelector = Annotated[
    Optional[str],
    typer.Argument(
        metavar="SELECTOR",
        help="A url or arXiv id, DATE#N (the date as YYYY-MM-DD or as the pages show it; #N alone:"
        " today's), or part of a title.",
    ),
]
NoCommit = Annotated[bool, typer.Option("--no-commit", help="Write the files but do not commit them.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the diff of what would change; write nothing.")]
DiscardHandEdits = Annotated[
    bool,
    typer.Option(
        "--discard-hand-edits",
        help="Overwrite generated text even where it was edited by hand (the edit is lost).",
    ),
]
Push = Annotated[bool, typer.Option("--push", help="Push the commit to the branch's upstream.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
WeekOption = Annotated[
    Optional[str], typer.Option("--week", metavar="YYYY-Www", help="Only this week, e.g. 2024-W41.")
]


@overload
def parse_date(text: str, option: str = ...) -> date: ...
@overload
def parse_date(text: None, option: str = ...) -> None: ...
@overload
def parse_date(text: str | None, option: str = ...) -> date | None: ...


def parse_date(text: str | None, option: str = "--date") -> date | None:
    """The date given as ``option`` (None when it was not given); a value that is not a date is a
    usage error (exit 2), a date the command then refuses is rejected input (exit 1)."""
    from mapdaily_cli.model import parse_date

    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as e:
        raise UsageError(f"{option}: {e}") from None


def parse_week(text: str | None, config: "Config") -> "Week | None":
    """The week given as --week (None when it was not given); a malformed one is a usage error."""
    from mapdaily_cli.model import parse_week_label

    if text is None:
        return None
    try:
        return parse_week_label(text, config.first_weekday)
    except ValueError as e:
        raise UsageError(f"--week: {e}") from None

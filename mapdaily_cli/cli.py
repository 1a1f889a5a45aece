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
        _write_diff(error.detail if error.detail.endswith("\n") else error.detail + "\n")
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
    except Exception as e:  # a bug, not a user's mistake: still one line, the traceback on request
        import os

        if os.environ.get("MAPDAILY_DEBUG"):
            raise
        _console().print(
            f"[bold red]internal error:[/] {_escape(type(e).__name__)}: {_escape(str(e))}"
            " (this is a bug in mapdaily; rerun with MAPDAILY_DEBUG=1 for the traceback)"
        )
        raise typer.Exit(3) from None


def _write_diff(text: str) -> None:
    """A diff (or a listing) to stdout: coloured at a terminal, plain when piped."""
    if not sys.stdout.isatty():
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out = _console(stderr=False)
    styles = {"+++": "bold", "---": "bold", "@@": "cyan", "+": "green", "-": "red"}
    for line in text.splitlines():
        style = next((v for k, v in styles.items() if line.startswith(k)), None)
        out.print(_escape(line), style=style, highlight=False)


def _show(result: Any) -> None:
    if result.diff:
        _write_diff(result.diff)
    err = _console()
    for note in result.notes:
        err.print(f"[yellow]note:[/] {_escape(note)}")
    line = _escape(result.summary)
    if result.commit:
        line += f" [dim](commit {result.commit})[/]"
    elif result.written:
        line += f" [dim]({_escape(', '.join(result.written))})[/]"
    err.print(line)


def _options(
    no_commit: bool = False, dry_run: bool = False, discard_hand_edits: bool = False, push: bool = False
) -> Any:
    from mapdaily_cli.api import Options

    return Options(commit=not no_commit, dry_run=dry_run, discard_hand_edits=discard_hand_edits, push=push)


def _change(flags: tuple[bool, bool, bool, bool], call: Any) -> None:
    """Run one changing command: ``call(config, options)`` with the shared flags (--no-commit,
    --dry-run, --discard-hand-edits, --push), pushing and retrying as --push asks, then show what it did."""
    from mapdaily_cli import api

    def run() -> Any:
        config, options = _config(), _options(*flags)
        return api.run(config, options, lambda: call(config, options))

    _show(_run(run))


Selector = Annotated[
    str, typer.Argument(metavar="SELECTOR", help="A url or arXiv id, YYYY-MM-DD#N, or part of a title.")
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
def render(dry_run: DryRun = False, discard_hand_edits: DiscardHandEdits = False) -> None:
    """Regenerate every generated region (README, archive pages, index) from papers.yaml. Does not commit."""
    from mapdaily_cli import api

    result = _run(
        lambda: api.render(_config(), _options(dry_run=dry_run, discard_hand_edits=discard_hand_edits))
    )
    _show(result)


@app.command()
def check() -> None:
    """CI: exit 1 with a diff when any generated region differs from the data, or the data is invalid."""
    from mapdaily_cli import api

    result = _run(lambda: api.check(_config()))
    _console().print(f"[green]ok:[/] {_escape(result.summary)}")


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _edit_text(text: str, suffix: str = ".md") -> str:
    """Open ``text`` in $VISUAL/$EDITOR (vi at a terminal when neither is set) and return what was saved."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if not _stdin_is_tty():
            raise UsageError("no $EDITOR is set and this is not a terminal; pass the text as an option")
        editor = "vi"
    fd, name = tempfile.mkstemp(prefix="mapdaily-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            code = subprocess.call([*shlex.split(editor), str(path)])
        except OSError as e:
            raise UsageError(f"cannot start the editor {editor!r}: {e.strerror}; set $EDITOR") from None
        if code != 0:
            raise UsageError(f"the editor {editor!r} exited with status {code}; nothing was changed")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


@app.command()
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
    from mapdaily_cli.model import Paper

    def run() -> Any:
        config = _config()
        when = _parse_date(date_)
        nonlocal title, url, affiliation, comment, edit
        if comment == "-":
            comment = sys.stdin.read()
        tty = _stdin_is_tty()
        if tty:
            if title is None:
                title = typer.prompt("Title")
            if url is None:
                url = typer.prompt("URL", default="", show_default=False)
            if affiliation is None:
                affiliation = typer.prompt("Affiliation", default="", show_default=False)
            if comment is None and not edit:
                comment = typer.prompt("Comment (empty opens $EDITOR)", default="", show_default=False)
                edit = not comment
        if edit:
            comment = _edit_text(comment or "")
        if title is None:
            raise UsageError("--title is required when not at a terminal")
        paper = Paper(
            title=title,
            url=url or None,
            affiliation=affiliation or None,
            comment=(comment or "").strip() or None,
        )
        options = _options(no_commit, dry_run, discard_hand_edits, push)
        return api.run(
            config,
            options,
            lambda: api.add_paper(config, paper, when, _today(config), options, allow_duplicate),
        )

    _show(_run(run))


def _fields(
    title: str | None, url: str | None, affiliation: str | None, comment: str | None
) -> dict[str, str | None]:
    given = {"title": title, "url": url, "affiliation": affiliation, "comment": comment}
    if given.get("comment") == "-":
        given["comment"] = sys.stdin.read().strip()
    return {k: v for k, v in given.items() if v is not None}


def _edit_until_valid(header: str, text: str) -> str:
    """Open the paper's YAML in the editor until it is valid (at a terminal) and return it."""
    from mapdaily_cli import api

    while True:
        edited = _edit_text(header + text, suffix=".yaml")
        body = "".join(line for line in edited.splitlines(keepends=True) if line != header)
        if not body.strip():
            raise UsageError("empty paper; nothing was changed")
        try:
            api.parse_paper_yaml(edited)  # the header is a YAML comment: line numbers match the editor's
            return body
        except MapdailyError as e:
            if not _stdin_is_tty():
                raise
            _console().print(f"[red]{_escape(e.message)}[/]; opening the editor again")
            text = body


@app.command()
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

    def run() -> Any:
        config = _config()
        options = _options(no_commit, dry_run, discard_hand_edits, push)
        changes = _fields(title, url, affiliation, comment)
        if changes:
            return api.run(config, options, lambda: api.edit_paper(config, selector, changes, options))
        text, ref, shown = api.paper_yaml(config, selector)
        edited = _edit_until_valid(f"# {ref}: edit the paper, save and close; an empty file cancels.\n", text)
        return api.run(
            config,
            options,
            lambda: api.edit_paper(config, ref, None, options, replacement=edited, expect=shown),
        )

    _show(_run(run))


@app.command()
def remove(
    selector: Selector,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Remove one paper from the digest, and commit."""
    from mapdaily_cli import api

    _change(
        (no_commit, dry_run, discard_hand_edits, push),
        lambda config, options: api.remove_paper(config, selector, options),
    )


@app.command()
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

    def call(config: Any, options: Any) -> Any:
        when = _parse_date(date_)
        assert when is not None
        return api.move_paper(config, selector, when, options)

    _change((no_commit, dry_run, discard_hand_edits, push), call)


@app.command()
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

    _change(
        (no_commit, dry_run, discard_hand_edits, push),
        lambda config, options: api.rotate(config, _parse_date(date_) or _today(config), options),
    )


@app.command()
def archive(
    week: Annotated[
        Optional[str], typer.Option("--week", metavar="YYYY-Www", help="Only this week, e.g. 2024-W41.")
    ] = None,
    discard_hand_edits: DiscardHandEdits = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Write the archive page of every closed week (or --week) and the archive index, and commit."""
    from mapdaily_cli import api

    _change(
        (no_commit, dry_run, discard_hand_edits, push),
        lambda config, options: api.archive(config, _parse_week(week, config), options),
    )


def _parse_week(text: str | None, config: Any) -> Any:
    from mapdaily_cli.errors import InputError
    from mapdaily_cli.model import parse_week_label

    if text is None:
        return None
    try:
        return parse_week_label(text, config.first_weekday)
    except ValueError as e:
        raise InputError(f"--week: {e}") from None


Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _print_json(value: Any) -> None:
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def _papers_table(title: str, rows: list[tuple[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("#", style="dim", no_wrap=True)
    table.add_column("Paper", style="bold", overflow="fold")
    table.add_column("Affiliation", overflow="fold")
    table.add_column("Comment", overflow="fold", max_width=60)
    for ref, paper in rows:
        comment = paper.comment or "-"
        if len(comment) > 160:
            comment = comment[:159] + "…"
        table.add_row(_escape(ref), _escape(paper.title), _escape(paper.affiliation or "-"), _escape(comment))
    return table


@app.command("list")
def list_(
    date_: Annotated[
        Optional[str], typer.Option("--date", metavar="YYYY-MM-DD", help="Only this day (YYYY-MM-DD).")
    ] = None,
    week: Annotated[
        Optional[str], typer.Option("--week", metavar="YYYY-Www", help="Only this week, e.g. 2024-W41.")
    ] = None,
    json_: Json = False,
) -> None:
    """List the papers of the current week (or of --date / --week)."""
    from mapdaily_cli import api

    def run() -> Any:
        if date_ is not None and week is not None:
            raise UsageError("give --date or --week, not both")
        config = _config()
        return api.list_days(config, _parse_date(date_), _parse_week(week, config))

    days = _run(run)
    if json_:
        _print_json(
            [{"date": d.date.isoformat(), "papers": [p.to_mapping() for p in d.papers]} for d in days]
        )
        return
    out = _console(stderr=False)
    if not days:
        out.print("no papers")
    for d in days:
        out.print(
            _papers_table(
                d.date.isoformat(), [(f"{d.date.isoformat()}#{i + 1}", p) for i, p in enumerate(d.papers)]
            )
        )


@app.command()
def show(
    selector: Selector,
    json_: Json = False,
) -> None:
    """Show one paper in full."""
    from mapdaily_cli import api

    found = _run(lambda: api.show(_config(), selector))
    if json_:
        _print_json(api.paper_record(found))
        return
    out = _console(stderr=False)
    out.print(f"[bold]{_escape(found.paper.title)}[/]  [dim]{found.ref}[/]")
    for label, value in (("url", found.paper.url), ("affiliation", found.paper.affiliation)):
        if value:
            out.print(f"[dim]{label}:[/] {_escape(value)}")
    if found.paper.comment:
        out.print()
        out.print(_escape(found.paper.comment))


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="Text to look for in titles, affiliations and comments.")
    ],
    json_: Json = False,
) -> None:
    """Search the whole history (case-insensitive)."""
    from mapdaily_cli import api

    found = _run(lambda: api.search(_config(), query))
    if json_:
        _print_json([api.paper_record(f) for f in found])
        if not found:
            raise typer.Exit(1)  # as without --json (and as grep): no match is exit 1
        return
    out = _console(stderr=False)
    if not found:
        out.print(f"no paper mentions {_escape(query)!r}")
        raise typer.Exit(1)
    out.print(
        _papers_table(
            f"{len(found)} match{'es' if len(found) != 1 else ''}", [(f.ref, f.paper) for f in found]
        )
    )


@app.command("import")
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

    def run() -> Any:
        config = _config()
        options = _options(no_commit, dry_run, discard_hand_edits, push)
        base = Path(_state["directory"] or Path.cwd())
        paths = [p if p.is_absolute() else base / p for p in files]
        if len(paths) <= 3:
            return api.run(
                config, options, lambda: api.import_digest(config, paths, options, _today(config).year)
            )
        from rich.progress import Progress

        with Progress(console=_console(), transient=True) as bar:
            task = bar.add_task("reading pages", total=len(paths))

            def step(n: int, total: int, rel: str) -> None:
                bar.update(task, completed=n, description=rel)

            return api.run(
                config, options, lambda: api.import_digest(config, paths, options, _today(config).year, step)
            )

    _show(_run(run))


@app.command()
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
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace files that already exist (settings, data, README, CI).")
    ] = False,
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
) -> None:
    """Make this git repository a digest: papers.yaml, README.md with markers, settings, CI files."""
    from mapdaily_cli import api
    from mapdaily_cli.config import find_root, load_config

    def run() -> Any:
        start = Path(_state["directory"] or Path.cwd())
        root = find_root(start)
        settings: dict[str, Any] = {}
        if columns:
            settings["columns"] = [c.strip() for c in columns.split(",") if c.strip()]
        if timezone:
            settings["timezone"] = timezone
        if week_start:
            settings["week_start"] = week_start.lower()
        return api.init_digest(
            root, settings, _today(load_config(root)), ci, _options(no_commit, dry_run), replace
        )

    _show(_run(run))


def main() -> None:
    """Console entry point."""
    app()

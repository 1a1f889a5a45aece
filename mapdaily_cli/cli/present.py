"""What the command line shows: results and listings to stdout, notes, progress and errors to stderr
(Rich at a terminal; diffs and JSON plain when piped)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

from mapdaily_cli.errors import MapdailyError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from mapdaily_cli import api
    from mapdaily_cli.model import Day, Paper


def console(stderr: bool = True) -> Console:
    """A Rich console on stderr (or stdout) that prints text as given: no highlighting, no wrapping."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """``text`` with Rich markup escaped, so that it shows exactly as written."""
    from rich.markup import escape

    return escape(text)


def diff(text: str) -> None:
    """A diff (or a listing) to stdout: coloured at a terminal, plain when piped."""
    if not sys.stdout.isatty():
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out = console(stderr=False)
    styles = {"+++": "bold", "---": "bold", "@@": "cyan", "+": "green", "-": "red"}
    for line in text.splitlines():
        style = next((v for k, v in styles.items() if line.startswith(k)), None)
        out.print(escape(line), style=style, highlight=False)


def _styled(stream: TextIO) -> bool:
    """Whether lines to ``stream`` get Rich's colours (a terminal, or colour forced): otherwise they
    are written as plain text, which is what Rich would write there, without importing it."""
    return stream.isatty() or bool(os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"))


def line(*parts: str | tuple[str, str], stderr: bool = True) -> None:
    """One line made of ``parts``: plain text, or ``(text, style)`` pairs (a Rich style)."""
    stream = sys.stderr if stderr else sys.stdout
    if not _styled(stream):
        stream.write("".join(p if isinstance(p, str) else p[0] for p in parts) + "\n")
        stream.flush()
        return
    from rich.text import Text

    console(stderr).print(Text.assemble(*parts))


def error(e: MapdailyError) -> None:
    """A MapdailyError: its detail (a diff, candidates) to stdout, then one red line."""
    if e.detail:
        diff(e.detail if e.detail.endswith("\n") else e.detail + "\n")
    line(("error:", "bold red"), " " + e.message)


def interrupted() -> None:
    """The line of an interrupted command, on a line of its own at a terminal (after a ``^C`` or a
    prompt that was left unanswered)."""
    if sys.stderr.isatty():
        line()
    line(("interrupted", "red"), "; nothing was changed")


def internal_error(e: Exception) -> None:
    """The line of a bug in mapdaily."""
    line(
        ("internal error:", "bold red"),
        f" {type(e).__name__}: {e} (this is a bug in mapdaily; rerun with MAPDAILY_DEBUG=1 for the"
        " traceback)",
    )


def retrying(problem: str, then: str) -> None:
    """A problem the user can fix at once, and what happens next (the editor opens again)."""
    line((problem, "red"), f"; {then}")


def result(done: api.Result) -> None:
    """What a command did: its diff to stdout; its notes and a summary line to stderr."""
    if done.diff:
        diff(done.diff)
    for note in done.notes:
        line(("note:", "yellow"), f" {note}")
    if done.commit:
        line(done.summary, (f" (commit {done.commit})", "dim"))
    elif done.written:
        line(done.summary, (f" ({_files(done.written)})", "dim"))
    else:
        line(done.summary)


def _files(names: Sequence[str], shown: int = 8) -> str:
    """The files a command wrote, the first few named when there are many (a render of ten years)."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[: shown - 1])} and {len(names) - shown + 1} more"


def ok(done: api.Result) -> None:
    """A check that passed, after its warnings (which do not fail it)."""
    for note in done.notes:
        line(("warning:", "yellow"), f" {note}")
    line(("ok:", "green"), f" {done.summary}")


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout, for scripts."""
    import json

    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def papers_table(
    title: str, rows: Sequence[tuple[str, Paper]], query: str | None = None, matched: Sequence[list[str]] = ()
) -> Table:
    """Papers as a table: reference, title, affiliation, the comment (shortened); with a search's
    ``query``, the fields that hold it, and each place it occurs highlighted (at a terminal)."""
    from rich.table import Table

    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("#", style="dim", no_wrap=True)
    table.add_column("Paper", style="bold", overflow="fold")
    table.add_column("Affiliation", overflow="fold")
    table.add_column("Comment", overflow="fold", max_width=60)
    if query is not None:
        table.add_column("Matched", overflow="fold")
    for n, (ref, paper) in enumerate(rows):
        cells = [paper.title, paper.affiliation or "-", _shortened(paper.comment or "-", query)]
        row = [escape(ref), *(_marked(c, query) for c in cells)]
        if query is not None:
            row.append(escape(", ".join(matched[n]) if n < len(matched) else ""))
        table.add_row(*row)
    return table


def _pattern(query: str) -> re.Pattern[str]:
    """What a search for ``query`` finds in a text: its words in order, any run of space between."""
    return re.compile(r"\s+".join(map(re.escape, query.split())), re.IGNORECASE)


def _shortened(text: str, query: str | None, limit: int = 160) -> str:
    """``text`` cut to about ``limit`` characters, around the first match of ``query`` if any."""
    if len(text) <= limit:
        return text
    found = _pattern(query).search(text) if query else None
    if found is None or found.end() <= limit - 1:
        return text[: limit - 1] + "…"
    start = max(0, found.start() - limit // 3)
    return "…" + text[start : start + limit - 2] + "…"


def _marked(text: str, query: str | None) -> str:
    """``text`` as Rich markup, the matches of ``query`` highlighted (plain when piped)."""
    if not query:
        return escape(text)
    out, at = [], 0
    for m in _pattern(query).finditer(text):
        out += [escape(text[at : m.start()]), f"[reverse]{escape(m[0])}[/reverse]"]
        at = m.end()
    return "".join(out) + escape(text[at:])


def days(found: Sequence[Day]) -> None:
    """Days as one table each; a day without papers, and no day at all, said in a line."""
    out = console(stderr=False)
    if not any(d.papers for d in found):
        which = ", ".join(d.date.isoformat() for d in found)
        out.print(f"no papers{f' on {which}' if which else ''}")
        return
    for d in found:
        if not d.papers:
            out.print(f"{d.date.isoformat()}: no papers")
            continue
        rows = [(f"{d.date.isoformat()}#{i + 1}", p) for i, p in enumerate(d.papers)]
        out.print(papers_table(d.date.isoformat(), rows))


def paper(found: api.Found) -> None:
    """One paper in full."""
    out = console(stderr=False)
    out.print(f"[bold]{escape(found.paper.title)}[/]  [dim]{found.ref}[/]")
    shown = (("url", found.paper.url), ("affiliation", found.paper.affiliation), *found.paper.extra)
    for label, value in shown:
        if value:
            out.print(f"[dim]{label}:[/] {escape(value)}")
    if found.paper.comment:
        out.print()
        out.print(escape(found.paper.comment))


#: How many matches of a search are shown unless every one is asked for (a word like "diffusion"
#: matches thousands of papers in ten years: a table of them all takes seconds to draw, and no
#: one reads it).
SHOWN = 50


def matches(
    query: str, found: Sequence[api.Found], matched: Sequence[list[str]] = (), total: int | None = None
) -> None:
    """The papers a search found (the first of ``total``), with the fields that hold ``query``, or
    the line that says there are none."""
    out = console(stderr=False)
    if not found:
        out.print(f"no paper mentions {escape(query)!r}")
        return
    total = len(found) if total is None else total
    title = f"{total} match{'es' if total != 1 else ''}"
    if total > len(found):
        title += f", the newest {len(found)} shown"
    out.print(papers_table(title, [(f.ref, f.paper) for f in found], query, matched))
    if total > len(found):
        more = total - len(found)
        said = f"{more} older match{'es' if more != 1 else ''} not shown"
        line(f"{said}: add words to narrow the search, or pass --all (or --json)")


@contextmanager
def progress(total: int, what: str) -> Iterator[Callable[[int, int, str], None]]:
    """A transient progress bar on stderr; yields ``step(n, total, label)`` to advance it."""
    from rich.progress import Progress

    with Progress(console=console(), transient=True) as bar:
        task = bar.add_task(what, total=total)

        def step(n: int, total: int, label: str) -> None:
            bar.update(task, completed=n, description=label)

        yield step


def asking(what: str) -> Callable[[int, int], None]:
    """``step(n, total)`` that says how far a slow request has come, on stderr at a terminal only."""

    def step(n: int, total: int) -> None:
        if sys.stderr.isatty():
            end = "\n" if n >= total else "\r"
            sys.stderr.write(f"{what}: {n}/{total}{end}")
            sys.stderr.flush()

    return step

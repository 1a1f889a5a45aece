"""`sync`: what a bot runs after every push. Hand edits of generated tables that read as rows of
papers are adopted into papers.yaml (a changed cell changes that field, a new row adds a paper, a
deleted row removes it), every stale region is regenerated, and it all goes into one commit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.handedits import hand_edit, split_generated
from mapdaily_cli.api.plan import Planned, Target, plan_all, read_generated, readme_days, week_days
from mapdaily_cli.api.result import Options, Result, commit_message, short
from mapdaily_cli.api.select import find_duplicates
from mapdaily_cli.api.transaction import Transaction, transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import HandEditError
from mapdaily_cli.model import FIELDS, Day, Paper
from mapdaily_cli.render import Regioned, region_line
from mapdaily_cli.store import Stream


@dataclass
class Adopted:
    """What the hand edits of one file changed in the data."""

    rel: str
    changed: int = 0
    added: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)

    def said(self) -> str:
        parts = [(self.changed, "changed"), (self.added, "added"), (self.removed, "removed")]
        return f"{self.rel} ({', '.join(f'{n} {what}' for n, what in parts if n)})"


class Unreadable(Exception):
    """A hand edit that does not read as rows of the tables (the reason says why)."""


def sync(config: Config, options: Options) -> Result:
    """Adopt hand edits of generated tables into the data, regenerate every stale region, and
    commit both at once. An edit that does not read as rows stops it with the diff (nothing is
    written); so does a hand edit of a page that holds no tables of papers (the archive index)."""
    with transaction(config, options) as change:
        adopted = [a for a in map(lambda p: _adopt(change, p), _planned(change)) if a is not None]
        planned = plan_all(config, change.stream, change.renderer)
        change.recovering.update(a.rel for a in adopted)  # their edits are in the data now
        change.plan(planned)
        regenerated = sorted(set(change.files) - {a.rel for a in adopted})
        notes = [w for a in adopted for w in a.warnings]
        said = []
        if adopted:
            said.append("adopt hand edits of " + "; ".join(a.said() for a in adopted))
        if regenerated:
            said.append(f"regenerate {', '.join(regenerated)}")
        summary = ", ".join(said) if said else "everything is up to date"
        result = change.commit(commit_message("sync", "; ".join(said)), summary)
        result.notes = notes + result.notes
        return result


def _planned(change: Transaction) -> list[Planned]:
    return [p for p in plan_all(change.config, change.stream, change.renderer) if p.target.kind != "index"]


def _adopt(change: Transaction, planned: Planned) -> Adopted | None:
    """Adopt the hand edit of ``planned``'s file into the data (None when it holds none)."""
    target, region = planned.target, planned.region
    existing = read_generated(change.config, target.rel)
    if existing is None:
        return None
    on_disk = split_generated(existing, target.rel)
    if on_disk.region == region or hand_edit(target, on_disk, lambda: region) is None:
        return None
    try:
        return _adopt_rows(change, target, on_disk, region)
    except Unreadable as e:
        raise HandEditError(
            f"{target.rel}:{region_line(on_disk)}: the hand edit of the generated region does not"
            f" read as rows of papers ({e}); nothing was written: make the change in"
            f" {change.config.data} (`mapdaily edit`), or put the page back as it was",
            detail=unified(
                target.rel,
                region,
                on_disk.region,
                region_line(on_disk),
                ("as papers.yaml renders it", "as edited by hand"),
            ),
        ) from None


def _shown(target: Target, stream: Stream) -> list[Day]:
    config = target.config
    if target.kind == "readme":
        found = readme_days(stream, config)
        return [found[0], *found[1]] if found else []
    assert target.week is not None
    return week_days(stream, config, target.week)


def _read(text: str, rel: str) -> list[Day]:
    from mapdaily_cli.importer import parse_page

    return list(parse_page(text, rel).days)


def _adopt_rows(change: Transaction, target: Target, on_disk: Regioned, region: str) -> Adopted:
    """Read the edited region's rows against the rows the data renders, change the data to match,
    and make sure nothing but rows differ between the page and what the changed data renders."""
    stream = change.stream
    shown = _shown(target, stream)
    expected, edited = _read(region, target.rel), _read(on_disk.region, target.rel)
    dates = [d.date for d in shown]
    if [d.date for d in expected] != dates or any(
        len(e.papers) != len(d.papers) for e, d in zip(expected, shown, strict=True)
    ):
        raise Unreadable("its days cannot be told apart with these settings")
    if [d.date for d in edited] != dates:
        raise Unreadable("the days it shows changed: only rows are adopted")
    adopted = Adopted(target.rel)
    for want, have in zip(expected, edited, strict=True):
        _adopt_day(stream, want, have, adopted)
    _only_rows_differ(target.region(change.renderer, stream), on_disk.region)
    return adopted


def _adopt_day(stream: Stream, want: Day, have: Day, adopted: Adopted) -> None:
    """Change day ``want.date`` so that its rows read as ``have``'s."""
    index = stream.index_of(want.date)
    assert index is not None
    key = [_key(p) for p in want.papers]
    matcher = difflib.SequenceMatcher(None, key, [_key(p) for p in have.papers], autojunk=False)
    order: list[int | Paper] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else (i2 - i1 if tag == "equal" else 0)
        for k in range(paired):
            changes = _changes(want.papers[i1 + k], have.papers[j1 + k])
            if changes and stream.set_fields(index, i1 + k, changes):
                adopted.changed += 1
            order.append(i1 + k)
        adopted.removed += (i2 - i1) - paired
        for paper in have.papers[j1 + paired : j2]:
            adopted.added += 1
            _warn_repeat(stream, paper, want.date, adopted)
            order.append(paper)
    if adopted.removed or adopted.added:
        stream.set_papers(index, order)


def _key(paper: Paper) -> tuple[str | None, ...]:
    return tuple(getattr(paper, f) for f in FIELDS)


def _changes(was: Paper, now: Paper) -> dict[str, str | None]:
    """The fields whose cell reads differently: what the page shows of the paper now."""
    return {f: getattr(now, f) for f in FIELDS if getattr(was, f) != getattr(now, f)}


def _warn_repeat(stream: Stream, paper: Paper, when: date, adopted: Adopted) -> None:
    for found in find_duplicates(stream, paper):
        if found.date != when:
            adopted.warnings.append(
                f"{adopted.rel}: {short(paper.title)} is also listed on {found.date.isoformat()}"
                f" ({found.ref}); adopted on {when.isoformat()} as the page lists it"
            )
            return


def _only_rows_differ(rendered: str, edited: str) -> None:
    """Unreadable unless every line where the edited region differs from what the changed data
    renders is a row of a table on both sides (text between tables would be lost otherwise)."""
    new_lines, old_lines = rendered.split("\n"), edited.split("\n")
    new_rows, old_rows = _row_lines(new_lines), _row_lines(old_lines)
    matcher = difflib.SequenceMatcher(None, new_lines, old_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        outside = [j for j in range(j1, j2) if j not in old_rows]
        if outside or any(i not in new_rows for i in range(i1, i2)):
            line = old_lines[outside[0]] if outside else new_lines[i1]
            raise Unreadable(f"{line.strip()[:60]!r} is not a row of a table of papers")


def _row_lines(lines: list[str]) -> set[int]:
    """The lines of ``lines`` that are rows of a table (not its header or delimiter row)."""
    from mapdaily_cli.importer.tables import Table, events, fix_delimiter_rows

    rows: set[int] = set()
    for event in events(fix_delimiter_rows(lines), 0):
        if isinstance(event, Table):
            rows.update(range(event.line + 2, event.end))
    return rows

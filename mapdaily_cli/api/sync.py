"""`sync`: what a bot runs after every push. Hand edits of generated tables that read as rows of
papers are adopted into papers.yaml (a changed cell changes that field, a new row adds a paper, a
deleted row removes it), every stale region is regenerated, and it all goes into one commit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from mapdaily_cli import gitops
from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.handedits import hand_edit, rows_shown, split_generated
from mapdaily_cli.api.plan import Planned, Target, plan_all, read_generated
from mapdaily_cli.api.result import Options, Result, commit_message, short
from mapdaily_cli.api.select import find_duplicates
from mapdaily_cli.api.transaction import Transaction, transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import HandEditError, MapdailyError
from mapdaily_cli.model import FIELDS, Day, Paper, same_paper
from mapdaily_cli.render import Regioned, region_line, split_regions
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
        planned = plan_all(config, change.stream, change.renderer)
        adopted = [a for a in map(lambda p: _adopt(change, p), _adoptable(planned)) if a is not None]
        if adopted:  # the data changed: plan it again (else the plan above stands)
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


def _adoptable(planned: list[Planned]) -> list[Planned]:
    """The pages whose tables a hand edit can be adopted from (not the index, no whole file)."""
    return [p for p in planned if p.target.kind != "index" and not p.target.whole]


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


def last_written(target: Target, fallback: str) -> str:
    """The region mapdaily last wrote in ``target``'s file: that of the newest committed version
    whose end marker's checksum matches it (what the hand edit started from); ``fallback`` when no
    such version is found (a file with older markers)."""
    config = target.config
    for commit in gitops.commits_of(config.root, config.path(target.rel)):
        text = gitops.text_at(config.root, commit, config.path(target.rel))
        try:
            parts = split_regions(text or "", target.rel)
        except MapdailyError:
            continue
        if parts.untouched:
            return parts.region
    return fallback


def _adopt_rows(change: Transaction, target: Target, on_disk: Regioned, region: str) -> Adopted:
    """Read the edit as rows: what changed from the region mapdaily last wrote to the page as it
    is now is applied to the data as it is now (which may have moved on meanwhile), then nothing
    but rows may differ between the page and what the changed data renders."""
    stream = change.stream
    placeholder = change.config.empty_today
    base = rows_shown(last_written(target, region), target.rel, placeholder)
    edited = rows_shown(on_disk.region, target.rel, placeholder)
    if [d.date for d in edited] != [d.date for d in base]:
        raise Unreadable("the days it shows changed: only rows are adopted")
    adopted = Adopted(target.rel)
    for was, now in zip(base, edited, strict=True):
        index = stream.index_of(was.date)
        if index is None:
            raise Unreadable(f"the day {was.date.isoformat()} is no longer in {change.config.data}")
        _adopt_day(stream, index, was, now, adopted)
    rendered = target.region(change.renderer, stream)
    _only_rows_differ(rendered, on_disk.region)
    # No edit is ever dropped in silence: every row typed or changed by hand now shows as typed.
    shown = {_key(p) for d in rows_shown(rendered, target.rel, placeholder) for p in d.papers}
    before = {_key(p) for d in base for p in d.papers}
    typed = {_key(p) for d in edited for p in d.papers} - before
    if not typed <= shown:
        raise Unreadable("some edited rows could not be taken into the data as typed")
    return adopted


def _adopt_day(stream: Stream, index: int, was: Day, now: Day, adopted: Adopted) -> None:
    """Apply to day ``index`` what changed between the rows ``was`` and ``now`` of its table."""
    matcher = difflib.SequenceMatcher(
        None, [_key(p) for p in was.papers], [_key(p) for p in now.papers], autojunk=False
    )
    order: list[int | Paper] = list(range(len(stream.day(index).papers)))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            at = _find(stream.day(index), was.papers[i1 + k])
            changes = _changes(was.papers[i1 + k], now.papers[j1 + k])
            if at is not None and changes and stream.set_fields(index, at, changes):
                adopted.changed += 1
        for paper in was.papers[i1 + paired : i2]:
            at = _find(stream.day(index), paper)
            if at is not None and at in order:
                order.remove(at)
                adopted.removed += 1
        after = _find(stream.day(index), was.papers[i2 - 1]) if i2 > 0 else None
        place = order.index(after) + 1 if after in order else (0 if i2 == 0 else len(order))
        for paper in now.papers[j1 + paired : j2]:
            adopted.added += 1
            _warn_repeat(stream, paper, was.date, adopted)
            order.insert(place, paper)
            place += 1
    if order != list(range(len(stream.day(index).papers))):
        stream.set_papers(index, order)


def _find(day: Day, shown: Paper) -> int | None:
    """The paper of ``day`` a row showed (by the fields the row shows)."""
    key = _key(shown)
    for i, paper in enumerate(day.papers):
        if all(k is None or k == v for k, v in zip(key, _key(paper), strict=True)):
            return i
    return next((i for i, paper in enumerate(day.papers) if same_paper(paper, shown)), None)


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

"""Merging the days read from pages into the days already kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mapdaily_cli.importer.dates import show
from mapdaily_cli.importer.results import MergeResult, PageWarning
from mapdaily_cli.model import Day, Paper, canonical_url, normalise_title

_Identity = tuple[str, str | None, str | None]


def _identity(paper: Paper) -> _Identity:
    return (paper.title, paper.url, paper.comment)


class _Merge:
    def __init__(self, existing: Sequence[Day]) -> None:
        self.papers: dict[date, list[Paper]] = {}
        self.identities: dict[date, set[_Identity]] = {}
        self.by_title: dict[str, set[date]] = {}
        self.by_url: dict[str, set[date]] = {}
        for day in existing:
            self.papers.setdefault(day.date, []).extend(day.papers)
            for paper in day.papers:
                self.index(day.date, paper)
        self.present = {_identity(p) for day in existing for p in day.papers}
        self.added = self.skipped = 0
        self.warnings: list[PageWarning] = []

    def index(self, day: date, paper: Paper) -> None:
        self.identities.setdefault(day, set()).add(_identity(paper))
        self.by_title.setdefault(normalise_title(paper.title), set()).add(day)
        if paper.url:
            self.by_url.setdefault(canonical_url(paper.url), set()).add(day)

    def also_listed(self, paper: Paper) -> str | None:
        dates = set(self.by_title.get(normalise_title(paper.title), ()))
        if paper.url:
            dates |= self.by_url.get(canonical_url(paper.url), set())
        return ", ".join(show(d) for d in sorted(dates, reverse=True)) or None

    def take(self, path: str, day: Day, rows: Sequence[int]) -> None:
        listed = self.papers.setdefault(day.date, [])
        for n, paper in enumerate(day.papers):
            key = _identity(paper)
            if key in self.present or key in self.identities.get(day.date, ()):
                self.skipped += 1
                continue
            shown = self.also_listed(paper)
            if shown:
                line = rows[n] if n < len(rows) else 0
                message = f'"{paper.title}" ({show(day.date)}) is also listed on {shown}'
                self.warnings.append(PageWarning(path, line, message))
            listed.append(paper)
            self.index(day.date, paper)
            self.added += 1

    def result(self) -> MergeResult:
        days = tuple(Day(d, tuple(self.papers[d])) for d in sorted(self.papers, reverse=True))
        return MergeResult(days, self.added, self.skipped, tuple(self.warnings))


def merge_days(
    existing: Sequence[Day], incoming: Sequence[tuple[str, Day] | tuple[str, Day, Sequence[int]]]
) -> MergeResult:
    """Merge parsed days (with the path each came from) into existing days; result newest first.

    Same date -> one day, papers appended in order. A paper identical (title, url, comment all equal) to
    one already present on that day is not added again, so importing the same files twice adds nothing.

    A paper identical to one anywhere in ``existing`` (moved to another day since) is not added either. A
    paper that is the same paper (same url or title) as one on another day is added, with a warning.
    """
    merge = _Merge(existing)
    for item in incoming:
        merge.take(item[0], item[1], item[2] if len(item) > 2 else ())
    return merge.result()

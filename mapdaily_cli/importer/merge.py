"""Merging the days read from pages into the days already kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mapdaily_cli.importer.dates import show
from mapdaily_cli.importer.results import MergeResult, PageWarning
from mapdaily_cli.model import Day, Paper, canonical_url, normalise_title

_Identity = tuple[str, str | None, str | None]

#: The other dates a warning about the same paper on several days names; it says when there are more.
SHOWN_DATES = 3


def _identity(paper: Paper) -> _Identity:
    return (paper.title, paper.url, paper.comment)


class _Dates:
    """The dates one title (or url) is listed on: all of them, and the newest few, newest first."""

    __slots__ = ("every", "newest")

    def __init__(self) -> None:
        self.every: set[date] = set()
        self.newest: list[date] = []

    def add(self, day: date) -> None:
        if day in self.every:
            return
        self.every.add(day)
        if len(self.newest) < SHOWN_DATES or day > self.newest[-1]:
            self.newest = sorted((*self.newest, day), reverse=True)[:SHOWN_DATES]


def _listed_on(found: Sequence[_Dates]) -> str | None:
    """The dates of ``found`` together, as a warning names them; None when there are none. Costs
    O(SHOWN_DATES), however many days a paper is on: the warning names the newest few only."""
    union = sorted({d for dates in found for d in dates.newest}, reverse=True)
    if not union:
        return None
    more = len(union) > SHOWN_DATES or any(len(dates.every) > SHOWN_DATES for dates in found)
    shown = ", ".join(show(d) for d in union[:SHOWN_DATES])
    return f"{shown} and earlier days" if more else shown


class _Merge:
    def __init__(self, existing: Sequence[Day]) -> None:
        self.papers: dict[date, list[Paper]] = {}
        self.identities: dict[date, set[_Identity]] = {}
        self.by_title: dict[str, _Dates] = {}
        self.by_url: dict[str, _Dates] = {}
        for day in existing:
            self.papers.setdefault(day.date, []).extend(day.papers)
            for paper in day.papers:
                self.index(day.date, paper)
        self.present = {_identity(p) for day in existing for p in day.papers}
        self.added = self.skipped = 0
        self.warnings: list[PageWarning] = []

    def index(self, day: date, paper: Paper) -> None:
        self.identities.setdefault(day, set()).add(_identity(paper))
        self.by_title.setdefault(normalise_title(paper.title), _Dates()).add(day)
        if paper.url:
            self.by_url.setdefault(canonical_url(paper.url), _Dates()).add(day)

    def also_listed(self, paper: Paper) -> str | None:
        found = [self.by_title.get(normalise_title(paper.title))]
        if paper.url:
            found.append(self.by_url.get(canonical_url(paper.url)))
        return _listed_on([dates for dates in found if dates is not None])

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
    paper that is the same paper (same url or title) as one on another day is added, with a warning
    naming the newest of those days (at most ``SHOWN_DATES``, then "and earlier days").

    Linear in the number of papers: each paper costs the same however many days share its title.
    """
    merge = _Merge(existing)
    for item in incoming:
        merge.take(item[0], item[1], item[2] if len(item) > 2 else ())
    return merge.result()

"""The plan of every page of a long history across the cores (`render`, `sync`, `archive`, a merge
hook that must look at every page): the closed weeks cut into slices, each planned in its own
process (see :mod:`forks`), which hands back its week pages, its weeks' counts and its months of
search data, and the days of the months it shares with a neighbour, planned here."""

from __future__ import annotations

from dataclasses import dataclass, field

from mapdaily_cli.api.forks import in_forks
from mapdaily_cli.api.plan import Planned, days_by_month, plan_month, plan_weeks
from mapdaily_cli.config import Config
from mapdaily_cli.model import Day, Week
from mapdaily_cli.render import Renderer
from mapdaily_cli.site import Month, month_of
from mapdaily_cli.store import Stream


@dataclass
class Slice:
    """What one slice of documents plans: its week pages and their counts, the search data of the
    months only its days hold, and the days of the months it shares (newest first)."""

    weeks: list[Planned]
    counts: list[tuple[Week, int]]
    months: dict[Month, list[Planned]] = field(default_factory=dict)
    shared: dict[Month, list[Day]] = field(default_factory=dict)


def plan_slices(
    config: Config, renderer: Renderer, stream: Stream, slices: list[tuple[int, int]], weeks_from: int
) -> tuple[list[Planned], list[tuple[Week, int]], list[Planned]]:
    """The week pages (of the closed weeks, from document ``weeks_from`` on), their counts and the
    search data of every month, newest first: what a single process would plan, in its order."""
    parts = in_forks(lambda lo, hi: _plan_slice(config, renderer, stream, lo, hi, weeks_from), slices, Slice)
    months: dict[Month, list[Planned]] = {}
    shared: dict[Month, list[Day]] = {}
    for part in parts:
        months.update(part.months)
        for month, days in part.shared.items():
            shared.setdefault(month, []).extend(days)
    for month, days in shared.items():
        months[month] = plan_month(config, month, days)
    weeks = [p for part in parts for p in part.weeks]
    counts = [c for part in parts for c in part.counts]
    return weeks, counts, [p for month in sorted(months, reverse=True) for p in months[month]]


def _plan_slice(
    config: Config, renderer: Renderer, stream: Stream, lo: int, hi: int, weeks_from: int
) -> Slice:
    """Plan what documents ``lo`` to ``hi`` alone render; each day is parsed once."""
    part = Slice(*plan_weeks(config, renderer, stream, max(lo, weeks_from), hi))
    if config.search_page is None:
        return part
    edges = {month_of(stream.date_at(i)) for i in (lo - 1, hi) if 0 <= i < len(stream)}
    for month, days in days_by_month(stream.day(i) for i in range(lo, hi)).items():
        if month in edges:
            part.shared[month] = days
        else:
            part.months[month] = plan_month(config, month, days)
    return part

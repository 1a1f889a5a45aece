"""`check`: compare every generated region with the plan of what the data renders. A long history
is cut into slices of weeks, each checked in its own process (the first in this one): a slice's
process parses its days once and checks all that they render (their week pages, their months of
search data) and hands back only what the whole needs (the weeks' counts, the papers' keys, the days
of a month it shares with a neighbour); this process then checks the README, the index and its
chart, the feed and the manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.forks import in_forks, no_collection, parallel_slices
from mapdaily_cli.api.merging import driver_warnings
from mapdaily_cli.api.plan import (
    Planned,
    days_by_month,
    open_stream,
    plan_index,
    plan_month,
    plan_weeks,
    read_generated,
    readme_days,
    readme_target,
    site_targets,
    site_text,
    stray_pages,
)
from mapdaily_cli.api.result import Result
from mapdaily_cli.config import Config
from mapdaily_cli.errors import CheckFailed, DataError
from mapdaily_cli.model import Day, Week, canonical_url, normalise_title
from mapdaily_cli.render import Renderer, region_line, split_regions
from mapdaily_cli.site import Month, month_of
from mapdaily_cli.store import Stream

_REMOVE = "run `mapdaily render` to remove it"

Key = tuple[date, str, str, str]


@dataclass
class Part:
    """What checking one slice of documents found: the diffs of its week pages, the diff (or None)
    of each data file of the months only its days hold, each week's count, each paper's key, and
    the days of the months it shares with the slices beside it (newest first)."""

    diffs: list[str] = field(default_factory=list)
    months: list[tuple[Month, str | None]] = field(default_factory=list)
    counts: list[tuple[Week, int]] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    shared: dict[Month, list[Day]] = field(default_factory=dict)


def check(config: Config, jobs: int | None = None) -> Result:
    """Compare every generated region with what the data renders; CheckFailed with the diffs if any
    differ. A long history is checked by ``jobs`` processes (default: one per CPU), week by week."""
    with no_collection():
        return _check(config, jobs)


def _check(config: Config, jobs: int | None) -> Result:
    stream = open_stream(config)
    renderer = Renderer(config)
    found = readme_days(stream, config)
    readme = Planned(readme_target(config), renderer.readme_region(*found) if found else "")
    start = len(found[1]) + 1 if found else 0
    slices = parallel_slices(stream, config, start, jobs)
    if slices:
        parts = in_forks(lambda lo, hi: _check_part(config, stream, lo, hi, start), slices, Part)
    else:
        parts = [_check_part(config, stream, 0, len(stream), start)]
    counts = [c for part in parts for c in part.counts]
    diffs = [d for d in [_compare(config, readme)] if d] + [d for part in parts for d in part.diffs]
    for rel in stray_pages(config, {config.week_page(w) for w, _ in counts}):
        diffs.append(f"{rel}: a generated page of no week in {config.data} any more; {_REMOVE}\n")
    planned = plan_index(config, renderer, counts)
    planned += [Planned(t, site_text(t, stream)) for t in site_targets(config)]
    diffs += [d for d in (_compare(config, p) for p in planned) if d]
    shared = _shared_months(config, parts)
    months = [m for part in parts for m in part.months] + [(m, _compare(config, p)) for m, p in shared]
    diffs += [d for _, d in sorted(months, key=lambda m: m[0], reverse=True) if d]
    planned += [p for _, p in shared]
    checked = 1 + len(counts) + len(planned) + sum(len(part.months) for part in parts)
    notes: list[str] = []
    if config.feed and not config.site_url:
        notes.append(f"{config.feed} links relative to the site: set site_url for absolute links")
    if diffs:
        raise CheckFailed(
            f"{len(diffs)} of {checked} generated file{'s' if checked != 1 else ''}"
            f" {'differ' if len(diffs) != 1 else 'differs'} from"
            f" {config.data}; run `mapdaily render` (or move hand edits into {config.data})",
            detail="".join(diffs),
        )
    plural = "s match" if checked != 1 else " matches"
    summary = f"{checked} generated file{plural} {config.data}" + "".join(f"; {n}" for n in notes)
    keys = paper_keys([found[0], *found[1]]) if found else []
    keys += [k for part in parts for k in part.keys]
    return Result(summary, changed=False, notes=driver_warnings(config) + on_two_days(keys))


def _shared_months(config: Config, parts: list[Part]) -> list[tuple[Month, Planned]]:
    """The search data of the months whose days more than one slice holds, from all of their days."""
    months: dict[Month, list[Day]] = {}
    for part in parts:
        for month, days in part.shared.items():
            months.setdefault(month, []).extend(days)
    return [(month, p) for month, days in months.items() for p in plan_month(config, month, days)]


def _compare(config: Config, planned: Planned) -> str | None:
    """The diff (or the problem) when the file's region is not the planned one; None when it is."""
    rel = planned.target.rel
    existing = read_generated(config, rel)
    if existing is None:
        return f"{rel}: missing; run `mapdaily render` to create it\n"
    if planned.target.whole:
        if existing == planned.region:
            return None
        if len(existing) + len(planned.region) > 200_000:  # a library or a month of data: no long diff
            return f"{rel}: differs from what {config.data} renders (stale or edited by hand)\n"
        return unified(rel, existing, planned.region, 1, ("on disk", "as papers.yaml renders it"))
    try:
        parts = split_regions(existing, rel)
    except DataError as e:
        return e.message + "\n"
    if parts.region != planned.region:
        labels = ("on disk", "as papers.yaml renders it")
        return unified(rel, parts.region, planned.region, region_line(parts), labels)
    return None


def _check_part(config: Config, stream: Stream, lo: int, hi: int, weeks_from: int) -> Part:
    """Check what documents ``lo`` to ``hi`` alone render: the pages of their closed weeks (those from
    document ``weeks_from`` on) and the search data of the months that no other slice shares; each
    day is parsed once. The slice is cut at week boundaries."""
    part = Part()
    planned, part.counts = plan_weeks(config, Renderer(config), stream, max(lo, weeks_from), hi)
    part.diffs = [d for d in (_compare(config, p) for p in planned) if d]
    part.keys = paper_keys(stream.day(i) for i in range(max(lo, weeks_from), hi))
    if config.search_page is None:
        return part
    by_month = days_by_month(stream.day(i) for i in range(lo, hi))
    edges = {month_of(stream.date_at(i)) for i in (lo - 1, hi) if 0 <= i < len(stream)}
    for month, days in by_month.items():
        if month in edges:
            part.shared[month] = days
            continue
        part.months += [(month, _compare(config, p)) for p in plan_month(config, month, days)]
    return part


def paper_keys(days: Iterable[Day]) -> list[Key]:
    """Each paper of ``days``: its day, its normalised title, its canonical url (or ""), its title."""
    return [
        (d.date, normalise_title(p.title), canonical_url(p.url) if p.url else "", p.title)
        for d in days
        for p in d.papers
    ]


def on_two_days(keys: Iterable[Key]) -> list[str]:
    """A warning for each pair of days that list the same papers (same url or normalised title,
    as `add` refuses a duplicate); ``keys`` come newest day first."""
    keys = list(keys)
    titles_seen, urls = {k[1] for k in keys}, [k[2] for k in keys if k[2]]
    if len(titles_seen) == len(keys) and len(set(urls)) == len(urls):
        return []  # no title and no url twice: no pair
    first: dict[tuple[str, str], date] = {}
    pairs: dict[tuple[date, date], list[str]] = {}
    for when, folded, url, title in keys:
        names = [("title", folded)] + ([("url", url)] if url else [])
        newer = next((first[k] for k in names if k in first and first[k] != when), None)
        for k in names:
            first.setdefault(k, when)
        if newer is not None:
            pairs.setdefault((newer, when), []).append(title)
    out = []
    for (newer, older), titles in pairs.items():
        many = len(titles) != 1
        out.append(
            f"{len(titles)} paper{'s' if many else ''} of {older.isoformat()} {'are' if many else 'is'}"
            f" listed on {newer.isoformat()} too (e.g. {titles[0]!r}); remove the copies from one day"
            f" (`mapdaily remove {older.isoformat()}#N`) unless they belong on both"
        )
    return out

"""`check`: compare every generated region with the plan of what the data renders, a long history
in slices of weeks across processes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from typing import Any

from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.plan import (
    Planned,
    open_stream,
    plan_index,
    plan_site,
    plan_weeks,
    read_generated,
    readme_days,
    readme_target,
    stray_pages,
    weeks_of,
)
from mapdaily_cli.api.result import Result
from mapdaily_cli.config import Config
from mapdaily_cli.errors import CheckFailed, DataError, MapdailyError
from mapdaily_cli.model import Day, Week, canonical_url, normalise_title, week_of
from mapdaily_cli.render import Renderer, region_line, split_regions
from mapdaily_cli.store import Stream

#: Below this many documents of closed weeks, one process checks them all.
PARALLEL_FROM = 400

_REMOVE = "run `mapdaily render` to remove it"

Key = tuple[date, str, str, str]
Slice = tuple[list[str], list[tuple[Week, int]], list[Key]]


def check(config: Config, jobs: int | None = None) -> Result:
    """Compare every generated region with what the data renders; CheckFailed with the diffs if any
    differ. A long history is checked by ``jobs`` processes (default: one per CPU), week by week."""
    stream = open_stream(config)
    renderer = Renderer(config)
    found = readme_days(stream, config)
    readme = Planned(readme_target(config), renderer.readme_region(*found) if found else "")
    start = len(found[1]) + 1 if found else 0
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs > 1 and len(stream) - start > PARALLEL_FROM and hasattr(os, "fork"):
        results = _in_processes(config, stream, _slices(stream, config, start, jobs))
    else:
        results = [_check_weeks(config, stream, start, len(stream))]
    diffs = [d for d in [_compare(config, readme)] if d]
    notes: list[str] = []
    counts: list[tuple[Week, int]] = []
    keys = paper_keys([found[0], *found[1]]) if found else []
    for week_diffs, week_counts, week_keys in results:
        diffs += week_diffs
        counts += week_counts
        keys += week_keys
    for rel in stray_pages(config, {config.week_page(w) for w, _ in counts}):
        diffs.append(f"{rel}: a generated page of no week in {config.data} any more; {_REMOVE}\n")
    index = plan_index(config, renderer, counts)
    diffs += [d for d in map(lambda p: _compare(config, p), index) if d]
    site = plan_site(config, stream)
    diffs += [d for d in map(lambda p: _compare(config, p), site) if d]
    if config.feed and not config.site_url:
        notes.append(f"{config.feed} links relative to the site: set site_url for absolute links")
    checked = 1 + len(counts) + len(index) + len(site)
    if diffs:
        raise CheckFailed(
            f"{len(diffs)} of {checked} generated file{'s' if checked != 1 else ''}"
            f" {'differ' if len(diffs) != 1 else 'differs'} from"
            f" {config.data}; run `mapdaily render` (or move hand edits into {config.data})",
            detail="".join(diffs),
        )
    plural = "s match" if checked != 1 else " matches"
    summary = f"{checked} generated file{plural} {config.data}" + "".join(f"; {n}" for n in notes)
    return Result(summary, changed=False, notes=on_two_days(keys))


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


def _check_weeks(config: Config, stream: Stream, start: int, stop: int) -> Slice:
    """The diffs of the week pages held by documents ``start`` to ``stop`` (the same plan render
    writes), their counts, and what identifies each of their papers (days are parsed once: the
    second walk finds them parsed)."""
    planned, counts = plan_weeks(config, Renderer(config), stream, start, stop)
    keys = [key for _, days in weeks_of(stream, config, start, stop) for key in paper_keys(days)]
    return [d for d in (_compare(config, p) for p in planned) if d], counts, keys


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


def _slices(stream: Stream, config: Config, start: int, parts: int) -> list[tuple[int, int]]:
    """Cut documents ``start`` to the end into about ``parts`` runs of similar size, at week boundaries."""
    n = len(stream)
    target = sum(stream.size_of(i) for i in range(start, n)) / parts
    cuts = [start]
    acc = 0.0
    week = None
    for i, when in stream.walk(start):
        w = week_of(when, config.first_weekday)
        if acc >= target and w != week and len(cuts) < parts:
            cuts.append(i)
            acc = 0.0
        acc += stream.size_of(i)
        week = w
    cuts.append(n)
    return list(zip(cuts, cuts[1:], strict=False))


def _in_processes(config: Config, stream: Stream, slices: list[tuple[int, int]]) -> list[Slice]:
    """Check each slice in a forked child (which inherits the stream: nothing large is pickled),
    results back through a pipe; the first error of any child is raised here."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    children = []
    for start, stop in slices:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(send, config, stream, start, stop), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    results: list[Any] = []
    try:
        for _, receive in children:
            try:
                results.append(receive.recv())
            except EOFError:
                results.append(
                    MapdailyError("a check process ended without an answer; run `mapdaily check` again")
                )
    except BaseException:  # an interruption: the children stop at once, without a word
        for child, _ in children:
            child.terminate()
        raise
    finally:
        for child, receive in children:
            receive.close()
            child.join()
    for result in results:
        if isinstance(result, MapdailyError):
            raise result
    return results


def _child(send: Any, config: Config, stream: Stream, start: int, stop: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        send.send(_check_weeks(config, stream, start, stop))
    except MapdailyError as e:
        send.send(e)
    finally:
        send.close()

"""What the data renders to: which files are generated, the days each shows, and the one plan of
every file's region that `render` writes and `check` compares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from mapdaily_cli import gitops
from mapdaily_cli.config import Config
from mapdaily_cli.errors import MapdailyError, UsageError
from mapdaily_cli.model import Day, Week, week_of
from mapdaily_cli.render import START, Renderer
from mapdaily_cli.store import ScanCache, Stream


def open_stream(config: Config, *, changing: bool = False, required: bool = True) -> Stream:
    """papers.yaml, with the scan cache kept in the repository's git folder (when there is one);
    only a command that changes data (and is no dry run) updates the cache. A missing papers.yaml
    is an error unless ``required`` is False (commands that create it)."""
    if required and not config.data_path.exists():
        raise UsageError(
            f"{config.data} not found in {config.root}; run `mapdaily init` (or `mapdaily import` of a"
            " hand-kept page) to start a digest, or set `data` in the configuration"
        )
    folder = gitops.git_dir(config.root)
    cache = ScanCache(folder / "mapdaily-scan.json", writable=changing) if folder else None
    return Stream.read(config.data_path, config.data, cache)


def current_week(stream: Stream, config: Config) -> Week | None:
    """The week of the first day (today), or None for an empty store."""
    if not len(stream):
        return None
    return week_of(stream.date_at(0), config.first_weekday)


def readme_days(stream: Stream, config: Config) -> tuple[Day, list[Day]] | None:
    """Today's day and the earlier days of its week (newest first)."""
    week = current_week(stream, config)
    if week is None:
        return None
    days = stream.head(lambda d: week.contains(d.date))
    return days[0], days[1:]


def week_days(stream: Stream, config: Config, week: Week) -> list[Day]:
    """The days of ``week``, newest first (dates read off their lines until the week is reached)."""
    out = []
    for i, when in stream.walk():
        if when < week.start:
            break
        if when <= week.end:
            out.append(stream.day(i))
    return out


def weeks_of(
    stream: Stream, config: Config, start: int = 0, stop: int | None = None
) -> Iterator[tuple[Week, list[Day]]]:
    """The days of documents ``start`` to ``stop`` grouped by week, newest first, each parsed once."""
    stop = len(stream) if stop is None else stop
    week: Week | None = None
    days: list[Day] = []
    for i, when in stream.walk(start):
        if i >= stop:
            break
        w = week_of(when, config.first_weekday)
        if w != week:
            if week is not None:
                yield week, days
            week, days = w, []
        days.append(stream.day(i))
    if week is not None:
        yield week, days


def closed_weeks(stream: Stream, config: Config) -> Iterator[tuple[Week, list[Day]]]:
    """Every week before the current one with its days, newest first."""
    found = readme_days(stream, config)
    return weeks_of(stream, config, len(found[1]) + 1 if found else 0)


class Target:
    """A generated file: its path, how to render its region from a stream, and its skeleton."""

    def __init__(self, config: Config, kind: str, rel: str, week: Week | None = None) -> None:
        self.config, self.kind, self.rel, self.week = config, kind, rel, week

    def region(self, renderer: Renderer, stream: Stream) -> str:
        config = self.config
        if self.kind == "readme":
            return readme_region(renderer, stream, config)
        if self.kind == "week":
            assert self.week is not None
            return renderer.week_region(self.week, week_days(stream, config, self.week))
        return renderer.index_region([(w, papers_in(days)) for w, days in closed_weeks(stream, config)])


@dataclass(frozen=True)
class Planned:
    """A generated file and the region the data renders for it."""

    target: Target
    region: str


def readme_target(config: Config) -> Target:
    return Target(config, "readme", config.readme)


def week_target(config: Config, week: Week) -> Target:
    return Target(config, "week", config.week_page(week), week)


def index_target(config: Config) -> Target:
    return Target(config, "index", config.archive_index)


def papers_in(days: Iterable[Day]) -> int:
    return sum(len(d.papers) for d in days)


def readme_region(renderer: Renderer, stream: Stream, config: Config) -> str:
    found = readme_days(stream, config)
    return renderer.readme_region(*found) if found else ""


def plan_weeks(
    config: Config, renderer: Renderer, stream: Stream, start: int, stop: int
) -> tuple[list[Planned], list[tuple[Week, int]]]:
    """The archive pages of the closed weeks held by documents ``start`` to ``stop`` (cut at week
    boundaries), and each week's paper count for the index."""
    planned, counts = [], []
    for week, days in weeks_of(stream, config, start, stop):
        planned.append(Planned(week_target(config, week), renderer.week_region(week, days)))
        counts.append((week, papers_in(days)))
    return planned, counts


def plan_index(config: Config, renderer: Renderer, counts: list[tuple[Week, int]]) -> list[Planned]:
    """The index: always, so that the README's link to it works before the first week closes."""
    return [Planned(index_target(config), renderer.index_region(counts))]


def plan_all(config: Config, stream: Stream, renderer: Renderer) -> list[Planned]:
    """Every generated file with its region: the README, each closed week's page, the index."""
    found = readme_days(stream, config)
    readme = Planned(readme_target(config), renderer.readme_region(*found) if found else "")
    weeks, counts = plan_weeks(config, renderer, stream, len(found[1]) + 1 if found else 0, len(stream))
    return [readme, *weeks, *plan_index(config, renderer, counts)]


def affected_targets(config: Config, old: Stream, new: Stream, dates: Iterable[date]) -> list[Target]:
    """README always; the archive page of every changed closed week and of weeks that just closed;
    the index when any archive page changes."""
    old_week, new_week = current_week(old, config), current_week(new, config)
    weeks = {week_of(d, config.first_weekday) for d in dates}
    if old_week is not None and new_week is not None and old_week != new_week:
        weeks.add(old_week)
    closed = sorted(
        (w for w in weeks if (new_week is None or w < new_week) and week_days(new, config, w)),
        reverse=True,
    )
    targets = [readme_target(config)] + [week_target(config, w) for w in closed]
    if closed or read_generated(config, config.archive_index) is None:
        targets.append(index_target(config))
    return targets


def read_generated(config: Config, rel: str) -> str | None:
    """A generated file's text with its line endings, None when it does not exist."""
    path = config.path(rel)
    try:
        return path.read_bytes().decode("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise MapdailyError(f"{rel} is a folder, not a file; move it away") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MapdailyError(f"{rel}: cannot read it ({e})") from None


def stray_pages(config: Config, expected: set[str]) -> list[str]:
    """Generated pages in the archive folder that belong to no week of the data any more (left by
    a change of ``week_start`` or ``archive_page``): files there holding mapdaily's markers."""
    folder = config.path(config.archive_dir)
    if not folder.is_dir():
        return []
    keep = expected | {config.readme, config.archive_index}
    out = []
    for path in sorted(folder.rglob("*.md")):
        rel = path.relative_to(config.root).as_posix()
        if rel in keep or path.is_symlink():  # a link is never mapdaily's page: not read, not removed
            continue
        try:
            if START in path.read_text(encoding="utf-8"):
                out.append(rel)
        except (OSError, UnicodeDecodeError):
            continue
    return out

"""What the data renders to: which files are generated, the days each shows, and the one plan of
every file's region that `render` writes and `check` compares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from mapdaily_cli import gitops
from mapdaily_cli.config import Config
from mapdaily_cli.errors import ConfigError, MapdailyError, UsageError
from mapdaily_cli.model import Day, Week, week_of
from mapdaily_cli.render import START, Renderer, chart_path
from mapdaily_cli.site import feed_xml, search
from mapdaily_cli.site import weeks_svg as chart_svg
from mapdaily_cli.store import ScanCache, Stream

#: The kinds of generated file that mapdaily writes whole (no markers): the reader's side of the digest.
WHOLE = frozenset({"feed", "page", "library", "manifest", "papers", "notes", "chart"})


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
    return Stream.read(config.data_path, config.data, cache, config.extra_fields)


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


def closed_counts(stream: Stream, config: Config) -> list[tuple[Week, int]]:
    """Every week before the current one with its number of papers, newest first: what the index
    and the chart show, read off the documents' lines where they leave no doubt (no parse of the
    history), else from their parse."""
    found = readme_days(stream, config)
    counts: list[tuple[Week, int]] = []
    for i, when in stream.walk(len(found[1]) + 1 if found else 0):
        week = week_of(when, config.first_weekday)
        n = stream.papers_at(i)
        if counts and counts[-1][0] == week:
            counts[-1] = (week, counts[-1][1] + n)
        else:
            counts.append((week, n))
    return counts


class Target:
    """A generated file: its path, how to render its region from a stream, and its skeleton."""

    def __init__(self, config: Config, kind: str, rel: str, week: Week | None = None) -> None:
        self.config, self.kind, self.rel, self.week = config, kind, rel, week

    @property
    def whole(self) -> bool:
        """Whether the file is generated whole (its region is all of its text)."""
        return self.kind in WHOLE

    def region(self, renderer: Renderer, stream: Stream) -> str:
        config = self.config
        if self.kind == "readme":
            return readme_region(renderer, stream, config)
        if self.kind == "week":
            assert self.week is not None
            return renderer.week_region(self.week, week_days(stream, config, self.week))
        if self.whole:
            return site_text(self, stream)
        return renderer.index_region(closed_counts(stream, config))


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
    """The index, always (the README links to it before the first week closes), and the chart of
    the closed weeks."""
    planned = [Planned(index_target(config), renderer.index_region(counts))]
    if counts:
        planned.append(Planned(chart_target(config), chart_svg(counts)))
    return planned


def plan_all(config: Config, stream: Stream, renderer: Renderer, jobs: int | None = None) -> list[Planned]:
    """Every generated file with its region: the README, each closed week's page, the index and its
    chart, the feed, the search page and its data; a long history across ``jobs`` processes."""
    from mapdaily_cli.api.forks import no_collection, parallel_slices

    found = readme_days(stream, config)
    readme = Planned(readme_target(config), renderer.readme_region(*found) if found else "")
    start = len(found[1]) + 1 if found else 0
    slices = parallel_slices(stream, config, start, jobs)
    with no_collection():
        if not slices:
            weeks, counts = plan_weeks(config, renderer, stream, start, len(stream))
            return [readme, *weeks, *plan_index(config, renderer, counts), *plan_site(config, stream)]
        from mapdaily_cli.api.wide import plan_slices

        weeks, counts, months = plan_slices(config, renderer, stream, slices, start)
        site = [Planned(t, site_text(t, stream)) for t in site_targets(config)]
        return [readme, *weeks, *plan_index(config, renderer, counts), *site, *months]


def all_targets(config: Config, stream: Stream) -> list[Target]:
    """The files :func:`plan_all` plans, in its order, found from the dates alone (nothing is
    rendered): to render one of them on its own."""
    found = readme_days(stream, config)
    weeks: list[Week] = []
    for _, when in stream.walk(len(found[1]) + 1 if found else 0):
        week = week_of(when, config.first_weekday)
        if not weeks or weeks[-1] != week:
            weeks.append(week)
    index = [index_target(config), *([chart_target(config)] if weeks else [])]
    pages = [readme_target(config), *(week_target(config, w) for w in weeks), *index]
    return pages + _site_files(config, stream)


def _site_files(config: Config, stream: Stream) -> list[Target]:
    """What :func:`plan_site` plans: the reader's side, and the data of every month."""
    return site_targets(config) + [t for m in months_of(stream) for t in month_targets(config, m)]


def target_for(config: Config, stream: Stream, rel: str) -> Target | None:
    """The generated file ``rel`` of ``stream``'s plan (None when the data has no such file)."""
    return next((t for t in all_targets(config, stream) if t.rel == rel), None)


# --- the reader's side: the feed, the search page and its data, the chart ------------------------


def chart_target(config: Config) -> Target:
    return Target(config, "chart", chart_path(config))


def feed_target(config: Config) -> Target | None:
    return Target(config, "feed", config.feed) if config.feed else None


def month_targets(config: Config, month: search.Month) -> list[Target]:
    """The two data files of ``month`` for the search page (none when it is off)."""
    if config.search_page is None:
        return []
    return [
        Target(config, "papers", search.chunk_path(config, month)),
        Target(config, "notes", search.chunk_path(config, month, notes=True)),
    ]


def site_targets(config: Config) -> list[Target]:
    """The files of the reader's side that every change may touch: the feed and the manifest (and
    the page and its library, written when missing or when a new version of mapdaily changed them)."""
    targets = [t for t in [feed_target(config)] if t]
    if config.search_page is not None:
        targets.append(Target(config, "manifest", f"{search.data_folder(config)}/{search.MANIFEST}"))
    targets += [Target(config, kind, rel) for rel, kind in search.site_files(config).items()]
    _refuse_overlaps(config, [t.rel for t in targets])
    return targets


def _refuse_overlaps(config: Config, rels: list[str]) -> None:
    """A feed or search page named like another file mapdaily writes (or its folder) is refused."""
    named = {config.data: "data", config.readme: "readme", config.archive_index: "archive_index"}
    named[chart_path(config)] = "the chart"
    for rel in rels:
        taken = next((k for r, k in named.items() if r.casefold() == rel.casefold()), None)
        if taken is None and rel.casefold().startswith(config.archive_dir.casefold() + "/"):
            taken = "archive_dir"
        if taken is not None:
            raise ConfigError(f"{config.source}: {rel} would be written over {taken}; rename one")
        named[rel] = "the search page's files" if config.feed != rel else "feed"


def _month_in(target: Target) -> search.Month:
    """The month a data file is for, read off its name (``2024-10.js``, ``2024-10.notes.js``)."""
    name = target.rel.rsplit("/", 1)[-1]
    return int(name[:4]), int(name[5:7])


def page_of(config: Config, stream: Stream) -> Callable[[date], str]:
    """The page that shows a date's papers: the README for the current week, else its week's page."""
    current = current_week(stream, config)
    return lambda d: (
        config.readme
        if current and current.contains(d)
        else config.week_page(week_of(d, config.first_weekday))
    )


def month_days(stream: Stream, month: search.Month) -> list[Day]:
    """The days of ``month``, newest first (dates read off their lines until the month is reached)."""
    start = date(month[0], month[1], 1)
    return [stream.day(i) for i, when in _walk_to(stream, start) if search.month_of(when) == month]


def _walk_to(stream: Stream, start: date) -> Iterator[tuple[int, date]]:
    for i, when in stream.walk():
        if when < start:
            break
        yield i, when


def feed_days(config: Config, stream: Stream) -> list[Day]:
    """The days the feed holds: the last ``feed_days`` days up to today."""
    if not len(stream):
        return []
    first = stream.date_at(0) - timedelta(days=config.feed_days)
    return [stream.day(i) for i, _ in _walk_to(stream, first + timedelta(days=1))]


def months_of(stream: Stream) -> list[search.Month]:
    """Every month that has a day, newest first (from the dates alone: no day is parsed)."""
    months: list[search.Month] = []
    for _, when in stream.walk():
        if not months or months[-1] != search.month_of(when):
            months.append(search.month_of(when))
    return months


def site_text(target: Target, stream: Stream) -> str:
    """The whole text of a file of the reader's side, as ``stream`` renders it."""
    config, kind = target.config, target.kind
    if kind == "feed":
        return search_feed(config, stream)
    if kind == "page":
        return search.page_html(config)
    if kind == "library":
        return search.library_js()
    if kind == "manifest":
        week = current_week(stream, config)
        return search.manifest_js(config, months_of(stream), week.start if week else None)
    if kind == "chart":
        return chart_svg(closed_counts(stream, config))
    month = _month_in(target)
    days = month_days(stream, month)
    return _month_text(config, kind, month, days)


def search_feed(config: Config, stream: Stream) -> str:
    return feed_xml(config, feed_days(config, stream), page_of(config, stream))


def _month_text(config: Config, kind: str, month: search.Month, days: list[Day]) -> str:
    days = [d for d in days if d.papers]  # an empty day, opened or dropped by rotate, changes nothing
    if kind == "notes":
        return search.notes_js(month, days)
    weeks = [week_of(d.date, config.first_weekday) for d in days]
    page = {w: config.week_page(w) for w in dict.fromkeys(weeks)}  # each week once, in order
    pages = [page[w] for w in weeks]
    return search.chunk_js(config, month, days, pages)


def plan_site(config: Config, stream: Stream) -> list[Planned]:
    """The feed, the search page, its library, manifest and the data of every month: one walk."""
    planned = [Planned(t, site_text(t, stream)) for t in site_targets(config)]
    if config.search_page is None:
        return planned
    for month, days in days_by_month(stream.days()).items():
        planned += plan_month(config, month, days)
    return planned


def days_by_month(days: Iterable[Day]) -> dict[search.Month, list[Day]]:
    """``days`` (newest first) grouped by month, newest first."""
    by_month: dict[search.Month, list[Day]] = {}
    for day in days:
        by_month.setdefault(search.month_of(day.date), []).append(day)
    return by_month


def plan_month(config: Config, month: search.Month, days: list[Day]) -> list[Planned]:
    """The two data files of ``month`` for the search page, from all of its ``days`` (newest first)."""
    return [Planned(t, _month_text(config, t.kind, month, days)) for t in month_targets(config, month)]


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
    # A closed week that lost its last day, or a current week that was closed, leaves the index.
    gone = old_week != new_week or any(
        (old_week is None or w < old_week) and any(w.contains(d) for _, d in _walk_to(old, w.start))
        for w in weeks
        if w not in closed
    )
    targets = [readme_target(config)] + [week_target(config, w) for w in closed]
    if closed or gone or read_generated(config, config.archive_index) is None:
        targets.append(index_target(config))
    if closed or (gone and any(True for _ in closed_weeks(new, config))):
        targets.append(chart_target(config))
    # The search data of the months that changed, never the whole history (the rest of the reader's
    # side follows every change: see site_changes).
    for month in sorted({search.month_of(d) for d in dates}, reverse=True):
        targets += month_targets(config, month)
    return targets


def site_changes(config: Config, old: Stream, new: Stream) -> list[Target]:
    """What of the reader's side any change may touch: the feed (the last days), the manifest (the
    dates), the page and its library, and the data of the month today opened or left."""
    months = {search.month_of(s.date_at(0)) for s in (old, new) if len(s)}
    return site_targets(config) + [t for m in sorted(months, reverse=True) for t in month_targets(config, m)]


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

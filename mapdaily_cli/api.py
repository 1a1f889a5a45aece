"""Use cases: config -> store -> render -> gitops. Every command of the CLI is one call here."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from mapdaily_cli import gitops
from mapdaily_cli.config import Config
from mapdaily_cli.errors import CheckFailed, DataError, HandEditError, InputError, MapdailyError
from mapdaily_cli.model import Day, Paper, Week, week_of
from mapdaily_cli.render import START, Renderer, region_line, split_regions
from mapdaily_cli.store import Stream, document_body, locked, pop_paper, remove_leftovers, write_all


@dataclass
class Result:
    """What a command did, for the CLI to show."""

    summary: str
    written: list[str] = field(default_factory=list)
    commit: str | None = None
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    changed: bool = True


@dataclass(frozen=True)
class Options:
    """The flags every changing command shares."""

    commit: bool = True
    dry_run: bool = False
    #: Overwrite generated regions even where they were edited by hand.
    discard_hand_edits: bool = False
    push: bool = False


# --- what the data renders to -------------------------------------------------------------------


def open_stream(config: Config, *, changing: bool = False, required: bool = True) -> Stream:
    """papers.yaml, with the scan cache kept in the repository's git folder (when there is one);
    only a command that changes data (and is no dry run) updates the cache. A missing papers.yaml
    is an error unless ``required`` is False (commands that create it)."""
    from mapdaily_cli.errors import UsageError
    from mapdaily_cli.store import ScanCache

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
    """The days of ``week``, newest first (scans from the top by date lines only)."""
    out = []
    previous: date | None = None
    for i in range(len(stream)):
        d = stream.date_at(i)
        if previous is not None and d >= previous:
            stream.order_error(i, d, previous)
        previous = d
        if d < week.start:
            break
        if d <= week.end:
            out.append(stream.day(i))
    return out


def closed_weeks(stream: Stream, config: Config) -> Iterator[tuple[Week, list[Day]]]:
    """Every week before the current one with its days, newest first, parsing each day once."""
    current = current_week(stream, config)
    week: Week | None = None
    days: list[Day] = []
    for day in stream.days():
        w = week_of(day.date, config.first_weekday)
        if w == current:
            continue
        if w != week:
            if week is not None:
                yield week, days
            week, days = w, []
        days.append(day)
    if week is not None:
        yield week, days


class Target:
    """A generated file: its path, how to render its region from a stream, and its skeleton."""

    def __init__(self, config: Config, kind: str, rel: str, week: Week | None = None) -> None:
        self.config, self.kind, self.rel, self.week = config, kind, rel, week

    def region(self, renderer: Renderer, stream: Stream) -> str:
        config = self.config
        if self.kind == "readme":
            found = readme_days(stream, config)
            return renderer.readme_region(*found) if found else ""
        if self.kind == "week":
            assert self.week is not None
            return renderer.week_region(self.week, week_days(stream, config, self.week))
        counts = [(w, sum(len(d.papers) for d in days)) for w, days in closed_weeks(stream, config)]
        return renderer.index_region(counts)


def readme_target(config: Config) -> Target:
    return Target(config, "readme", config.readme)


def week_target(config: Config, week: Week) -> Target:
    return Target(config, "week", config.week_page(week), week)


def index_target(config: Config) -> Target:
    return Target(config, "index", config.archive_index)


def read_generated(config: Config, rel: str) -> str | None:
    path = config.path(rel)
    try:
        return path.read_bytes().decode("utf-8")  # line endings as they are
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise MapdailyError(f"{rel} is a folder, not a file; move it away") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MapdailyError(f"{rel}: cannot read it ({e})") from None


def _diff(
    rel: str,
    old: str | bytes,
    new: str | bytes | list[bytes | memoryview],
    line: int = 1,
    labels: tuple[str, str] = ("now", "after this command"),
) -> str:
    """A unified diff of two texts whose line numbers are those of ``rel`` (region offset ``line``).
    Lines the two share at either end are set aside first, so a one-line change to a large file
    costs little."""
    if isinstance(new, list):
        new = b"".join(new)
    a = (old.decode("utf-8", errors="replace") if isinstance(old, bytes) else old).splitlines(keepends=True)
    b = (new.decode("utf-8", errors="replace") if isinstance(new, bytes) else new).splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    skip = max(head - 2, 0)
    a, b = a[skip : len(a) - max(tail - 2, 0)], b[skip : len(b) - max(tail - 2, 0)]
    lines = difflib.unified_diff(
        a, b, fromfile=f"a/{rel}", tofile=f"b/{rel}", fromfiledate=labels[0], tofiledate=labels[1], n=2
    )
    out = []
    for text in lines:
        if text.startswith("@@") and line - 1 + skip:
            text = _shift_hunk(text, line - 1 + skip)
        out.append(text if text.endswith("\n") else text + "\n\\ No newline at end of file\n")
    return "".join(out)


def _shift_hunk(header: str, by: int) -> str:
    import re

    def shift(m: re.Match[str]) -> str:
        start = int(m[2]) + by if int(m[2]) else 0
        return f"{m[1]}{start}{m[3] or ''}"

    return re.sub(r"([-+])(\d+)(,\d+)?", shift, header, count=2)


# --- the transaction of a changing command --------------------------------------------------------


class Change:
    """Plans the files a command writes: regions re-rendered, hand edits detected, all written at once."""

    def __init__(self, config: Config, stream: Stream, options: Options) -> None:
        self.config = config
        self.options = options
        self.renderer = Renderer(config)
        self.old = stream.snapshot()
        self.stream = stream
        self.files: dict[str, str] = {}
        self.hand_edits: list[str] = []
        #: Files whose region is rewritten without the hand-edit check (an interrupted run's, an import's).
        self.recovering: set[str] = set()
        #: Files that may lack markers: they are replaced by a fresh skeleton (pages just imported).
        self.unmarked: set[str] = set()
        #: Text to start from instead of the file on disk (a README whose sections become markers).
        self.base_text: dict[str, str] = {}
        #: A run was killed half-way through its writes: regenerate every file before writing.
        self.recovering_all = False

    def regenerate(self, targets: Iterable[Target]) -> None:
        """Plan the new text of each target, refusing regions someone edited by hand."""
        for target in targets:
            new_region = target.region(self.renderer, self.stream)
            existing = read_generated(self.config, target.rel)
            if target.rel in self.base_text:
                base = split_regions(self.base_text[target.rel], target.rel)
            elif existing is None or (target.rel in self.unmarked and START not in existing):
                base = split_regions(self.renderer.skeleton(target.kind, target.rel), target.rel)
            else:
                base = split_regions(existing, target.rel)
                if (
                    base.region != new_region
                    and base.region.strip()  # an empty pair of markers holds nothing to lose
                    and not self.options.discard_hand_edits
                    and target.rel not in self.recovering
                ):
                    old_region = target.region(self.renderer, self.old)
                    if base.region != old_region and base.region != self._committed_region(target):
                        self.hand_edits.append(
                            _diff(
                                target.rel,
                                old_region,
                                base.region,
                                region_line(base),
                                ("as papers.yaml renders it", "as edited by hand"),
                            )
                        )
            text = base.with_region(new_region)
            if text != existing:
                self.files[target.rel] = text

    def _committed_region(self, target: Target) -> str | None:
        """What the data and settings of the last commit that changed ``target``'s file render for
        it. mapdaily commits a generated file together with the data it renders, so a region equal
        to that is stale (the data or the layout changed since, by hand or by a pull), not edited by
        hand. Worked out only when a region differs from both the old and the new rendering."""
        from mapdaily_cli.config import load_config

        root = self.config.root
        commit = gitops.last_commit_of(root, self.config.path(target.rel))
        if commit is None:
            return None
        data = gitops.text_at(root, commit, self.config.data_path)
        if data is None:
            return None
        try:
            config = load_config(root, lambda name: gitops.text_at(root, commit, root / name))
            stream = Stream(config.data_path, f"{commit[:8]}:{config.data}", data)
            week = target.week
            if week is not None:
                # The week this page was for under that commit's settings (its first weekday may differ).
                week = week_of(week.start + timedelta(days=3), config.first_weekday)
                if config.week_page(week) != target.rel:
                    return None
            same_file = Target(config, target.kind, target.rel, week)
            return same_file.region(Renderer(config), stream)
        except MapdailyError:
            return None

    def commit(self, message: str, summary: str) -> Result:
        """Write everything planned (or show it, for --dry-run) and commit it."""
        if self.recovering_all:
            # A run was killed while replacing files: make every generated file agree with the data.
            self.recovering.update(t.rel for t in all_targets(self.config, self.stream))
            self.regenerate(t for t in all_targets(self.config, self.stream) if t.rel not in self.files)
            self.recovering_all = False
        if self.hand_edits:
            raise HandEditError(
                "generated text was edited by hand and would be overwritten; move the edit into "
                f"{self.config.data} (`mapdaily edit`), or pass --discard-hand-edits to discard it",
                detail="".join(self.hand_edits),
            )
        config = self.config
        files: dict[str, str | bytes | list[bytes | memoryview]] = {}
        if self.stream.changed:
            files[config.data] = self.stream.parts()
        files.update(self.files)
        parts = files.get(config.data)
        if self.options.dry_run:
            diff = "".join(_diff(rel, read_generated(config, rel) or "", text) for rel, text in files.items())
            return Result(
                f"dry run, nothing written: {summary}"
                + (f"; would write {', '.join(sorted(files))}" if files else ""),
                diff=diff,
                changed=bool(files),
            )
        journal = _journal(config)
        if not files:
            journal.unlink(missing_ok=True)  # whatever a killed run left is consistent again
            return Result(summary, changed=False)
        write_all({config.path(rel): text for rel, text in files.items()}, journal)
        if isinstance(parts, list):
            self.stream.written(parts)
        result = Result(summary, list(files))
        if self.options.commit:
            repo = gitops.open_repo(config.root)
            result.commit = gitops.commit_paths(repo, [config.path(r) for r in files], message)
        return result


def _generated_folders(config: Config) -> set[Path]:
    """Every folder mapdaily writes files in."""
    rels = (config.data, config.readme, config.archive_index, config.week_page(Week(date(2024, 10, 7))))
    return {config.path(rel).parent for rel in rels if config.path(rel).parent.is_dir()}


def _journal(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder or config.root) / ("mapdaily.journal" if folder else ".mapdaily.journal")


def _lock_path(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder / "mapdaily.lock") if folder else config.root / ".mapdaily.lock"


@contextmanager
def changing(config: Config, options: Options, *, creates: bool = False) -> Iterator[Change]:
    """Lock the digest, read papers.yaml and hand a Change to plan; a run killed half-way through
    its writes (its journal is still there) is recovered by regenerating the files it named."""
    if options.commit and not options.dry_run:
        # Fail before any work when there is no repository, or git could not commit.
        gitops.check_identity(gitops.open_repo(config.root))
    with contextlib.nullcontext() if options.dry_run else locked(_lock_path(config)):
        if not options.dry_run:
            remove_leftovers(_generated_folders(config), gitops.git_dir(config.root) or config.root)
        stream = open_stream(config, changing=not options.dry_run, required=not creates)
        readme_days(stream, config)  # validate the days every command touches before changing any
        change = Change(config, stream, options)
        journal = _journal(config)
        if journal.exists():
            change.recovering_all = True
            for line in journal.read_text(encoding="utf-8").splitlines():
                path = Path(line)
                if path.is_relative_to(config.root):
                    change.recovering.add(str(path.relative_to(config.root)))
        yield change


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
    if closed:
        targets.append(index_target(config))
    return targets


PUSH_ATTEMPTS = 4


def run(config: Config, options: Options, command: Callable[[], Result]) -> Result:
    """Run a changing command; with --push, push its commit, and when the remote has moved on,
    drop the commit, catch up with the remote and run the command again on the remote's data
    (generated files are always rendered anew, never merged as text), a bounded number of times."""
    result = command()
    if not options.push or not options.commit or options.dry_run:
        return result
    repo = gitops.open_repo(config.root)
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            gitops.push(repo)
            if attempt > 1:
                result.notes.append(f"the remote had moved on; caught up and pushed on attempt {attempt}")
            return result
        except gitops.PushRejected as e:
            if attempt == PUSH_ATTEMPTS:
                raise MapdailyError(
                    f"{e.message}; gave up after {PUSH_ATTEMPTS} attempts. The commit is kept locally:"
                    " run `git pull --rebase`, then `mapdaily render` and push by hand"
                ) from None
            with locked(_lock_path(config)):
                gitops.catch_up(repo, result.commit)
            if result.commit is not None:
                result = command()
    return result


# --- commands -------------------------------------------------------------------------------------


def render(config: Config, options: Options) -> Result:
    """Regenerate every generated region from the data; write only files whose text changed."""
    with changing(
        config, Options(commit=False, dry_run=options.dry_run, discard_hand_edits=options.discard_hand_edits)
    ) as change:
        targets = all_targets(config, change.stream)
        change.regenerate(targets)
        stale = stray_pages(config, {t.rel for t in targets})
        n = len(change.files)
        summary = f"{n} file{'s' if n != 1 else ''} regenerated" if n else "everything is up to date"
        if stale:
            summary += (
                f"; removed {len(stale)} page{'s' if len(stale) != 1 else ''} of no week: {', '.join(stale)}"
            )
        result = change.commit("render", summary)
        if stale and not options.dry_run:
            for rel in stale:
                config.path(rel).unlink(missing_ok=True)
            result.changed = True
        return result


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
        if rel in keep:
            continue
        try:
            if START in path.read_text(encoding="utf-8"):
                out.append(rel)
        except (OSError, UnicodeDecodeError):
            continue
    return out


def all_targets(config: Config, stream: Stream) -> list[Target]:
    targets = [readme_target(config)]
    weeks = [w for w, _ in closed_weeks(stream, config)]
    targets += [week_target(config, w) for w in weeks]
    if weeks or read_generated(config, config.archive_index) is not None:
        targets.append(index_target(config))
    return targets


def _compare(config: Config, rel: str, region: str) -> str | None:
    """The diff (or the problem) when the region of ``rel`` is not ``region``; None when it is."""
    existing = read_generated(config, rel)
    if existing is None:
        return f"{rel}: missing; run `mapdaily render` to create it\n"
    try:
        parts = split_regions(existing, rel)
    except DataError as e:
        return e.message + "\n"
    if parts.region != region:
        return _diff(rel, parts.region, region, region_line(parts), ("on disk", "as papers.yaml renders it"))
    return None


def _check_weeks(
    config: Config, stream: Stream, lo: int, hi: int
) -> tuple[list[str], list[tuple[Week, int]]]:
    """Check the archive pages of the closed weeks held by documents ``lo`` to ``hi`` (cut at week
    boundaries): their diffs, and each week's paper count for the index."""
    renderer = Renderer(config)
    diffs: list[str] = []
    counts: list[tuple[Week, int]] = []

    def close(week: Week, days: list[Day]) -> None:
        problem = _compare(config, config.week_page(week), renderer.week_region(week, days))
        if problem:
            diffs.append(problem)
        counts.append((week, sum(len(d.papers) for d in days)))

    previous = stream.date_at(lo - 1) if lo > 0 else None
    week: Week | None = None
    days: list[Day] = []
    for i in range(lo, hi):
        day = stream.day(i)
        if previous is not None and day.date >= previous:
            stream.order_error(i, day.date, previous)
        previous = day.date
        w = week_of(day.date, config.first_weekday)
        if w != week:
            if week is not None:
                close(week, days)
            week, days = w, []
        days.append(day)
    if week is not None:
        close(week, days)
    return diffs, counts


_PARALLEL_STATE: tuple[Config, Stream] | None = None


def _check_slice(lo: int, hi: int) -> Any:
    assert _PARALLEL_STATE is not None
    try:
        return _check_weeks(*_PARALLEL_STATE, lo, hi)
    except MapdailyError as e:
        return e


def _slices(stream: Stream, config: Config, lo: int, parts: int) -> list[tuple[int, int]]:
    """Cut documents ``lo`` to the end into about ``parts`` runs of similar size, at week boundaries."""
    n = len(stream)
    sizes = [len(stream.chunks[i].data) for i in range(lo, n)]
    target = sum(sizes) / parts
    cuts = [lo]
    acc = 0.0
    week = None
    for i in range(lo, n):
        w = week_of(stream.date_at(i), config.first_weekday)
        if acc >= target and w != week and len(cuts) < parts:
            cuts.append(i)
            acc = 0.0
        acc += sizes[i - lo]
        week = w
    cuts.append(n)
    return list(zip(cuts, cuts[1:], strict=False))


def check(config: Config, jobs: int | None = None) -> Result:
    """Compare every generated region with what the data renders; CheckFailed with the diffs if any
    differ. A long history is checked by ``jobs`` processes (default: one per CPU), week by week."""
    import os

    global _PARALLEL_STATE
    stream = open_stream(config)
    renderer = Renderer(config)
    diffs: list[str] = []
    found = readme_days(stream, config)
    readme_diff = _compare(config, config.readme, renderer.readme_region(*found) if found else "")
    lo = len(found[1]) + 1 if found else 0
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs > 1 and len(stream) - lo > 400 and hasattr(os, "fork"):
        import multiprocessing

        _PARALLEL_STATE = (config, stream)
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                results = pool.starmap(_check_slice, _slices(stream, config, lo, jobs))
        finally:
            _PARALLEL_STATE = None
    else:
        results = [_check_weeks(config, stream, lo, len(stream))]
    counts: list[tuple[Week, int]] = []
    for result in results:
        if isinstance(result, MapdailyError):
            raise result
        diffs += result[0]
        counts += result[1]
    if readme_diff:
        diffs.insert(0, readme_diff)
    checked = 1 + len(counts)
    for rel in stray_pages(config, {config.week_page(w) for w, _ in counts}):
        diffs.append(
            f"{rel}: a generated page of no week in {config.data} any more;"
            " run `mapdaily render` to remove it\n"
        )
    if counts or read_generated(config, config.archive_index) is not None:
        checked += 1
        problem = _compare(config, config.archive_index, renderer.index_region(counts))
        if problem:
            diffs.append(problem)
    if diffs:
        raise CheckFailed(
            f"{len(diffs)} of {checked} generated file{'s' if checked != 1 else ''}"
            f" {'differ' if len(diffs) != 1 else 'differs'} from"
            f" {config.data}; run `mapdaily render` (or move hand edits into {config.data})",
            detail="".join(diffs),
        )
    plural = "s match" if checked != 1 else " matches"
    return Result(f"{checked} generated file{plural} {config.data}", changed=False)


# --- finding papers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A paper and where it is: document index, date, position in the day (0-based)."""

    index: int
    date: date
    position: int
    paper: Paper

    @property
    def ref(self) -> str:
        return f"{self.date.isoformat()}#{self.position + 1}"


def _candidates(stream: Stream, texts: Iterable[str]) -> list[int]:
    """Documents that may hold any of ``texts`` (a superset, found without parsing)."""
    from mapdaily_cli.store import search_words

    hits: set[int] = set()
    for text in texts:
        hits.update(stream.candidates(search_words(text)))
    return sorted(hits)


def _papers_in(stream: Stream, indexes: Iterable[int]) -> Iterator[Found]:
    for i in indexes:
        day = stream.day(i)
        for pos, paper in enumerate(day.papers):
            yield Found(i, day.date, pos, paper)


def find_duplicates(stream: Stream, paper: Paper) -> list[Found]:
    """Papers anywhere in the history that are the same paper (same url or normalised title)."""
    from mapdaily_cli.model import arxiv_id, canonical_url, same_paper

    texts = [paper.title]
    if paper.url:
        # What the url is compared by (scheme and www. set aside), so that is what is searched for.
        texts.append(arxiv_id(paper.url) or canonical_url(paper.url))
    return [f for f in _papers_in(stream, _candidates(stream, texts)) if same_paper(f.paper, paper)]


def select(stream: Stream, selector: str) -> Found:
    """Resolve a SELECTOR: a url or arXiv id, ``YYYY-MM-DD#N``, or text matching exactly one title
    (exact match first, then a case-insensitive substring)."""
    import re

    from mapdaily_cli.model import arxiv_id, canonical_url, parse_date

    text = selector.strip()
    if not text:
        raise InputError("empty selector; give a url, an arXiv id, YYYY-MM-DD#N or part of a title")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})#(\d+)", text)
    if m:
        try:
            when = parse_date(m[1])
        except ValueError as e:
            raise InputError(str(e)) from None
        index, exists = stream.position_of(when)
        if not exists:
            raise InputError(f"no day {when.isoformat()} in the digest")
        day = stream.day(index)
        n = int(m[2])
        if not 1 <= n <= len(day.papers):
            raise InputError(
                f"{when.isoformat()} has {len(day.papers)} paper{'s' if len(day.papers) != 1 else ''};"
                f" #{n} does not exist"
            )
        return Found(index, when, n - 1, day.papers[n - 1])
    if re.match(r"^https?://", text, re.IGNORECASE) or arxiv_id(text):
        key = canonical_url(text if "/" in text else f"https://arxiv.org/abs/{text}")
        found = [
            f
            for f in _papers_in(stream, _candidates(stream, [arxiv_id(text) or key]))
            if f.paper.url and canonical_url(f.paper.url) == key
        ]
        return _one(found, selector)
    pool = list(_papers_in(stream, _candidates(stream, [text])))
    exact = [f for f in pool if f.paper.title == text]
    if exact:
        return _one(exact, selector)
    folded = text.casefold()
    return _one([f for f in pool if folded in f.paper.title.casefold()], selector)


def _one(found: list[Found], selector: str) -> Found:
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputError(f"no paper matches {selector!r}; try `mapdaily search` to find it")
    listing = "".join(f"  {f.ref}  {f.paper.title}\n" for f in found[:20])
    more = f"  … and {len(found) - 20} more\n" if len(found) > 20 else ""
    raise InputError(
        f"{len(found)} papers match {selector!r}; name one by YYYY-MM-DD#N or its url",
        detail=listing + more,
    )


# --- changing papers ------------------------------------------------------------------------------


def _commit_message(kind: str, *parts: str) -> str:
    """Every commit message mapdaily writes, in one place."""
    return f"{kind}: {' '.join(p for p in parts if p)}"


def _short(title: str, limit: int = 72) -> str:
    from mapdaily_cli.model import fold_space

    title = fold_space(title)
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _check_paper(data: Paper | dict[str, Any], where: str = "--") -> None:
    """Refuse a paper given on the command line or in the editor (``where`` prefixes field names)."""
    from mapdaily_cli.model import paper_problem, validate_url

    fields = data.to_mapping() if isinstance(data, Paper) else data
    problem = paper_problem(fields)
    if problem is not None:
        key, what, fix = problem
        if key == "title" and not str(fields.get("title") or "").strip():
            raise InputError(f"the title is empty; give {where}title")
        raise InputError(f"{where}{key} {what}; {fix}")
    url = fields.get("url")
    if url:
        bad = validate_url(url)
        if bad:
            raise InputError(f"{where}url: {bad}; give the paper's https://arxiv.org/abs/... link")


def _paper_map(paper: Paper) -> Any:
    from ruamel.yaml.comments import CommentedMap

    from mapdaily_cli.store import to_yaml_text

    return CommentedMap((k, to_yaml_text(v)) for k, v in paper.to_mapping().items())


def _papers_seq(doc: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    papers = doc.get("papers")
    if papers is None:
        papers = CommentedSeq()
        doc["papers"] = papers
    papers.fa.set_block_style()
    return papers


def _ensure_day(stream: Stream, when: date) -> int:
    index, exists = stream.position_of(when)
    if not exists:
        stream.insert_day(index, when)
    return index


def _not_after_today(stream: Stream, when: date) -> None:
    """Refuse a day later than the digest's today: it would become today without a rotate."""
    if len(stream) and when > stream.date_at(0):
        first = stream.date_at(0).isoformat()
        raise InputError(
            f"--date {when.isoformat()} is after the digest's today ({first}, the first day in"
            f" papers.yaml); open that day with `mapdaily rotate --date {when.isoformat()}` first"
        )


def add_paper(
    config: Config,
    paper: Paper,
    when: date | None,
    today: date,
    options: Options,
    allow_duplicate: bool = False,
) -> Result:
    """Append ``paper`` to the first day (today) or to ``when``; refuse a duplicate unless
    ``allow_duplicate``."""
    _check_paper(paper)
    with changing(config, options, creates=True) as change:
        stream = change.stream
        if when is None:
            when = stream.date_at(0) if len(stream) else today
        _not_after_today(stream, when)
        if not allow_duplicate:
            dupes = find_duplicates(stream, paper)
            if dupes:
                d = dupes[0]
                raise InputError(
                    f"already in the digest on {d.date.isoformat()} as {d.ref} ({_short(d.paper.title)});"
                    " pass --force to add it anyway"
                )
        index = _ensure_day(stream, when)
        stream.edit(index, lambda doc: _papers_seq(doc).append(_paper_map(paper)))
        change.regenerate(affected_targets(config, change.old, stream, [when]))
        n = len(stream.day(index).papers)
        return change.commit(
            _commit_message("add", _short(paper.title), f"({when.isoformat()})"),
            f"added {when.isoformat()}#{n}: {_short(paper.title)}",
        )


def paper_yaml(config: Config, selector: str) -> tuple[str, str, Paper]:
    """The selected paper as a YAML mapping (for an editor), its reference and its fields."""
    stream = open_stream(config)
    found = select(stream, selector)
    return stream.paper_text(found.index, found.position), found.ref, found.paper


def parse_paper_yaml(text: str) -> dict[str, Any]:
    """Validate an edited paper mapping; InputError with line and column when it is not one."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(text)
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"{where}YAML syntax error: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise InputError("the paper must be a mapping with at least 'title:'")
    _check_paper(dict(data), where="")
    return dict(data)


def edit_paper(
    config: Config,
    selector: str,
    changes: dict[str, str | None] | None,
    options: Options,
    replacement: str | None = None,
    expect: Paper | None = None,
) -> Result:
    """Change fields of one paper (``changes``: None or "" removes an optional field), or replace
    the whole mapping with the edited YAML ``replacement`` (unknown keys kept as written).
    ``expect`` is the paper as it was shown for editing: if it has changed since, nothing is saved."""
    with changing(config, options) as change:
        stream = change.stream
        found = select(stream, selector)
        if expect is not None and found.paper != expect:
            raise InputError(
                f"{found.ref} changed while it was being edited (another command ran); nothing was"
                " saved: run the edit again"
            )
        new_map = parse_paper_yaml(replacement) if replacement is not None else None

        def apply(doc: Any) -> None:
            papers = _papers_seq(doc)
            if new_map is not None:
                from ruamel.yaml import YAML

                papers[found.position] = YAML(typ="rt").load(replacement or "")
                return
            entry = papers[found.position]
            for key, value in (changes or {}).items():
                if value is None or (value == "" and key != "title"):
                    entry.pop(key, None)
                else:
                    from mapdaily_cli.store import to_yaml_text

                    entry[key] = to_yaml_text(value)

        if new_map is None:
            merged = {**found.paper.to_mapping(), **{k: v for k, v in (changes or {}).items()}}
            _check_paper({k: v for k, v in merged.items() if v or k == "title"})
        before = stream.chunks[found.index].text
        stream.edit(found.index, apply)
        new = stream.day(found.index).papers[found.position]
        if stream.chunks[found.index].text == before or (new == found.paper and replacement is None):
            return Result(f"{found.ref} unchanged", changed=False)
        change.regenerate(affected_targets(config, change.old, stream, [found.date]))
        return change.commit(
            _commit_message("edit", _short(new.title), f"({found.date.isoformat()})"),
            f"edited {found.ref}: {_short(new.title)}",
        )


def remove_paper(config: Config, selector: str, options: Options) -> Result:
    """Delete one paper from its day."""
    with changing(config, options) as change:
        stream = change.stream
        found = select(stream, selector)
        stream.edit(found.index, lambda doc: pop_paper(doc, found.position))
        change.regenerate(affected_targets(config, change.old, stream, [found.date]))
        return change.commit(
            _commit_message("remove", _short(found.paper.title), f"({found.date.isoformat()})"),
            f"removed {found.ref}: {_short(found.paper.title)}",
        )


def move_paper(config: Config, selector: str, when: date, options: Options) -> Result:
    """Move one paper to another day (created in its place if needed), keeping its keys and comments."""
    with changing(config, options) as change:
        stream = change.stream
        found = select(stream, selector)
        if found.date == when:
            return Result(f"{found.ref} is already on {when.isoformat()}", changed=False)
        _not_after_today(stream, when)
        holder: list[Any] = []
        stream.edit(found.index, lambda doc: holder.append(pop_paper(doc, found.position)))
        target = _ensure_day(stream, when)
        stream.edit(target, lambda doc: _papers_seq(doc).append(holder[0]))
        change.regenerate(affected_targets(config, change.old, stream, [found.date, when]))
        return change.commit(
            _commit_message(
                "move", _short(found.paper.title), f"({found.date.isoformat()} -> {when.isoformat()})"
            ),
            f"moved {found.ref} to {when.isoformat()}: {_short(found.paper.title)}",
        )


def rotate(config: Config, when: date, options: Options) -> Result:
    """Open a new, empty day ``when``; the previous days move into "This Week", and a week that
    closes goes to the archive. An empty previous day is dropped rather than kept as an empty table."""
    with changing(config, options, creates=True) as change:
        stream = change.stream
        if len(stream):
            first = stream.day(0)
            if when == first.date:
                return Result(f"{when.isoformat()} is already open; nothing to do", changed=False)
            if when < first.date:
                raise InputError(
                    f"cannot rotate to {when.isoformat()}: the digest is already at {first.date.isoformat()}"
                    " (rotate only moves forward)"
                )
            if not first.papers and _is_plain_empty(stream.chunks[0].text):
                stream.delete(0)
        stream.insert_day(0, when)
        targets = affected_targets(config, change.old, stream, [])
        change.regenerate(targets)
        weeks = [t.week.label for t in targets if t.week is not None]
        archived = f", archive {', '.join(weeks)}" if weeks else ""
        return change.commit(
            _commit_message("rotate", when.isoformat() + archived),
            f"opened {when.isoformat()}" + (f"; archived {', '.join(weeks)}" if weeks else ""),
        )


def _is_plain_empty(text: str) -> bool:
    """A day document holding nothing but its date and an empty list (no comments, no other keys)."""
    import re

    lines = [line for line in document_body(text).splitlines() if line.strip()]
    return len(lines) == 2 and all(re.match(r"^(date:|papers:\s*(\[\s*\])?\s*$)", line) for line in lines)


def archive(config: Config, week: Week | None, options: Options) -> Result:
    """Write the archive page of every closed week (or of ``week``) and the index."""
    with changing(config, options) as change:
        stream = change.stream
        current = current_week(stream, config)
        if week is not None:
            if current is None or week >= current:
                raise InputError(
                    f"week {week.label} is not closed yet; only weeks before the current one are archived"
                )
            if not week_days(stream, config, week):
                raise InputError(f"no days of week {week.label} in {config.data}; nothing to archive")
            weeks = [week]
        else:
            weeks = [w for w, _ in closed_weeks(stream, config)]
        change.regenerate([week_target(config, w) for w in weeks] + ([index_target(config)] if weeks else []))
        written = [config.week_page(w) for w in weeks if config.week_page(w) in change.files]
        if not change.files:
            return Result("the archive is up to date; nothing to do", changed=False)
        labels = [w.label for w in weeks if config.week_page(w) in written] or ["index"]
        return change.commit(_commit_message("archive", ", ".join(labels)), f"archived {', '.join(labels)}")


# --- looking --------------------------------------------------------------------------------------


def paper_record(found: Found) -> dict[str, Any]:
    return {
        "date": found.date.isoformat(),
        "n": found.position + 1,
        "ref": found.ref,
        **found.paper.to_mapping(),
    }


def list_days(config: Config, when: date | None, week: Week | None) -> list[Day]:
    """The days of ``when``, of ``week``, or (by default) of the current week, newest first."""
    stream = open_stream(config)
    if when is not None:
        index, exists = stream.position_of(when)
        if not exists:
            raise InputError(f"no day {when.isoformat()} in the digest")
        return [stream.day(index)]
    if week is None:
        week = current_week(stream, config)
        if week is None:
            return []
    return week_days(stream, config, week)


def show(config: Config, selector: str) -> Found:
    """The one paper ``selector`` names."""
    return select(open_stream(config), selector)


def search(config: Config, query: str) -> list[Found]:
    """Papers whose title, affiliation or comment contain ``query`` (case-insensitive), newest first."""
    from mapdaily_cli.model import fold_space

    stream = open_stream(config)
    needle = fold_space(query).casefold()
    if not needle:
        raise InputError("empty search; give a word to look for")
    out = []
    for f in _papers_in(stream, _candidates(stream, [query])):
        fields = (f.paper.title, f.paper.affiliation, f.paper.comment)
        if any(needle in fold_space(v).casefold() for v in fields if v):
            out.append(f)
    return out


# --- import ---------------------------------------------------------------------------------------


def import_digest(
    config: Config,
    files: list[Path],
    options: Options,
    today_year: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Result:
    """Read hand-kept digest pages into papers.yaml (merging days, skipping papers already there);
    a page that is the configured README gets marker regions in place of its digest sections."""
    from mapdaily_cli.importer import merge_days, parse_page, repair_text
    from mapdaily_cli.render import END, START

    with changing(config, options, creates=True) as change:
        stream = change.stream
        pages: dict[str, tuple[str, Any]] = {}
        incoming: list[tuple[str, Day, tuple[int, ...]]] = []
        for n, path in enumerate(files, 1):
            rel = _relative(config, path)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise InputError(f"{rel}: cannot read it ({getattr(e, 'strerror', None) or e})") from None
            page = parse_page(text, rel, today_year=today_year)
            pages[rel] = (text, page)
            incoming += [(rel, day, page.paper_lines[k]) for k, day in enumerate(page.days)]
            if progress:
                progress(n, len(files), rel)
        existing = list(stream.days())
        merged = merge_days(existing, incoming)
        before = {d.date: d for d in existing}
        for day in merged.days:
            old = before.get(day.date)
            new_papers = day.papers[len(old.papers) :] if old else day.papers
            if old is not None and not new_papers:
                continue
            index = _ensure_day(stream, day.date)

            def append(doc: Any, papers: tuple[Paper, ...] = new_papers) -> None:
                seq = _papers_seq(doc)
                for paper in papers:
                    seq.append(_paper_map(paper))

            stream.edit(index, append)
        repairs = sum(page.repairs for _, page in pages.values())
        # A page read here that mapdaily also generates (the README, a week page) keeps the text
        # around its digest sections; those sections become the marker region.
        for rel, (text, page) in pages.items():
            change.recovering.add(rel)  # its region is what was just imported
            if START in text:
                continue
            if page.digest_span is None:
                change.unmarked.add(rel)
                continue
            start, end = page.digest_span
            head, head_fixes = repair_text(text[:start])
            tail, tail_fixes = repair_text(text[end:])
            if rel == config.readme:
                repairs += head_fixes + tail_fixes
            change.base_text[rel] = f"{head}{START}\n{END}\n{tail}"
        change.regenerate(all_targets(config, stream))
        days = len({d.date for _, d, _ in incoming})
        names = ", ".join(pages)
        summary = (
            f"imported {_count(merged.added, 'paper')} on {_count(days, 'day')} from {names};"
            f" {merged.skipped} already present, {repairs} repaired"
        )
        result = change.commit(
            _commit_message("import", f"{merged.added} papers, {days} days from {names}"), summary
        )
        warnings = [w for _, page in pages.values() for w in page.warnings] + list(merged.warnings)
        result.notes += [str(w) for w in warnings]
        if not result.changed and not options.dry_run:
            result.summary = f"nothing new to import from {names}"
        return result


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _relative(config: Config, path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(config.root):
        return resolved.relative_to(config.root).as_posix()
    return str(path)


# --- init -----------------------------------------------------------------------------------------

CI_FILES = {
    "check.yml": ".github/workflows/check.yml",
    "rotate.yml": ".github/workflows/rotate.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
}


def init_digest(
    root: Path,
    settings: dict[str, Any],
    today: date,
    ci: str | None,
    options: Options,
    replace: bool = False,
) -> Result:
    """Make ``root`` a digest: papers.yaml with one empty day, configuration where it differs from
    the defaults, README.md from the skeleton (or markers around an existing README's end), and
    with ``ci="github"`` the workflows and a pre-commit configuration. Existing files are kept
    unless ``replace``; a README holding hand-kept tables is left for `mapdaily import`."""
    from mapdaily_cli.config import load_config, make_config
    from mapdaily_cli.importer import parse_page
    from mapdaily_cli.render import END

    if ci not in (None, "github"):
        raise InputError(f"--ci {ci!r} is not supported; the one choice is 'github'")
    if options.commit and not options.dry_run:
        gitops.open_repo(root)
    current = load_config(root)
    defaults = make_config(root, {})
    # Only what differs from the defaults is written down.
    settings = {
        k: v for k, v in settings.items() if getattr(defaults, k) != (tuple(v) if isinstance(v, list) else v)
    }
    config = make_config(root, settings, "the init options") if settings else current
    notes: list[str] = []
    files: dict[str, str] = {}
    kept: list[str] = []

    def plan(rel: str, text: str) -> None:
        if config.path(rel).exists() and not replace:
            kept.append(rel)
        else:
            files[rel] = text

    if settings:
        plan("mapdaily.toml", _toml(settings))
    if not config.data_path.exists() or replace:
        files[config.data] = (
            "# The digest's data: one YAML document per day, newest first (the first is today).\n"
            f"date: {today.isoformat()}\npapers: []\n"
        )
    else:
        kept.append(config.data)
    readme = read_generated(config, config.readme)
    renderer = Renderer(config)
    if readme is None or replace:
        base = renderer.skeleton("readme", config.readme)
    elif START in readme:
        base = None  # already a digest's README: its region is for `render` to update, with its checks
        kept.append(config.readme)
    else:
        page = parse_page(readme, config.readme)
        if page.days:
            notes.append(
                f"{config.readme} holds hand-kept tables ({len(page.days)} days); run"
                f" `mapdaily import {config.readme}` to move them into {config.data}"
            )
            base = None
        else:
            base = readme + ("" if readme.endswith("\n") else "\n") + f"\n{START}\n{END}\n"
    if ci:
        from importlib.resources import files as package_files

        folder = package_files("mapdaily_cli") / "templates" / "ci"
        for name, rel in CI_FILES.items():
            plan(rel, (folder / name).read_text(encoding="utf-8"))
    data_text = files.get(config.data)
    stream = (
        Stream(config.data_path, config.data, data_text)
        if isinstance(data_text, str)
        else Stream.read(config.data_path, config.data)
    )
    if base is not None:
        found = readme_days(stream, config)
        region = renderer.readme_region(*found) if found else ""
        text = split_regions(base, config.readme).with_region(region)
        if text != readme:
            files[config.readme] = text
    if kept:
        notes.append(f"kept existing {', '.join(kept)} (--replace replaces them)")
    if options.dry_run:
        diff = "".join(_diff(rel, read_generated(config, rel) or "", text) for rel, text in files.items())
        would = f"; would write {', '.join(sorted(files))}" if files else ""
        return Result(f"dry run, nothing written: init{would}", diff=diff, notes=notes)
    if not files:
        return Result("already a mapdaily digest; nothing to do", notes=notes, changed=False)
    with locked(_lock_path(config)):
        write_all({config.path(rel): text for rel, text in files.items()}, _journal(config))
    result = Result("initialised the digest", list(files), notes=notes)
    if options.commit:
        repo = gitops.open_repo(root)
        result.commit = gitops.commit_paths(repo, [config.path(r) for r in files], "init: mapdaily digest")
    return result


def _toml(settings: dict[str, Any]) -> str:
    import json

    lines = ["# mapdaily settings; every other key keeps its default."]
    for key, value in settings.items():
        if isinstance(value, (list, tuple)):
            lines.append(f"{key} = [{', '.join(json.dumps(v) for v in value)}]")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"

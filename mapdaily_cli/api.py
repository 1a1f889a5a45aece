"""Use cases: config -> store -> render -> gitops. Every command of the CLI is one call here."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from mapdaily_cli import gitops
from mapdaily_cli.config import Config
from mapdaily_cli.errors import CheckFailed, DataError, HandEditError, InputError, MapdailyError
from mapdaily_cli.model import Day, Paper, Week, week_of
from mapdaily_cli.render import Regioned, Renderer, region_line, split_regions
from mapdaily_cli.store import Stream, locked, write_all


@dataclass
class Result:
    """What a command did, for the CLI to show."""

    summary: str
    written: list[str] = field(default_factory=list)
    commit: str | None = None
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    changed: bool = True
    data: Any = None


@dataclass(frozen=True)
class Options:
    """The flags every changing command shares."""

    commit: bool = True
    dry_run: bool = False
    force: bool = False
    push: bool = False


# --- what the data renders to -------------------------------------------------------------------


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
    for i in range(len(stream)):
        d = stream.date_at(i)
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
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise MapdailyError(f"{rel} is a folder, not a file; move it away") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MapdailyError(f"{rel}: cannot read it ({e})") from None


def _diff(rel: str, old: str, new: str, line: int = 1) -> str:
    """A unified diff of two texts whose line numbers are those of ``rel`` (region offset ``line``)."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{rel}",
        tofile=f"b/{rel}",
        n=2,
    )
    out = []
    for text in lines:
        if text.startswith("@@") and line != 1:
            text = _shift_hunk(text, line - 1)
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
    """Plans the files a command writes: regions re-rendered, hand edits detected, then all written at once."""

    def __init__(self, config: Config, stream: Stream, options: Options) -> None:
        self.config = config
        self.options = options
        self.renderer = Renderer(config)
        self.old = stream.snapshot()
        self.stream = stream
        self.files: dict[str, str] = {}
        self.hand_edits: list[str] = []
        self.recovering: set[str] = set()

    def regenerate(self, targets: Iterable[Target]) -> None:
        """Plan the new text of each target, refusing regions someone edited by hand."""
        for target in targets:
            new_region = target.region(self.renderer, self.stream)
            existing = read_generated(self.config, target.rel)
            if existing is None:
                base = split_regions(self.renderer.skeleton(target.kind, target.rel), target.rel)
            else:
                base = split_regions(existing, target.rel)
                if base.region != new_region and not self.options.force and target.rel not in self.recovering:
                    old_region = target.region(self.renderer, self.old)
                    if base.region != old_region:
                        self.hand_edits.append(
                            _diff(target.rel, old_region, base.region, region_line(base))
                        )
            text = base.with_region(new_region)
            if text != existing:
                self.files[target.rel] = text

    def commit(self, message: str, summary: str) -> Result:
        """Write everything planned (or show it, for --dry-run) and commit it."""
        if self.hand_edits:
            raise HandEditError(
                "generated text was edited by hand and would be overwritten; move the edit into "
                f"{self.config.data} (or run `mapdaily import`), or pass --force to discard it",
                detail="".join(self.hand_edits),
            )
        config = self.config
        files: dict[str, str] = {}
        if self.stream.changed:
            files[config.data] = self.stream.text()
        files.update(self.files)
        if self.options.dry_run:
            diff = "".join(
                _diff(rel, read_generated(config, rel) or "", text) for rel, text in files.items()
            )
            return Result(f"{summary} (dry run: nothing written)", sorted(files), diff=diff, changed=bool(files))
        if not files:
            return Result(summary, changed=False)
        journal = _journal(config)
        write_all({config.path(rel): text for rel, text in files.items()}, journal)
        result = Result(summary, list(files))
        if self.options.commit:
            repo = gitops.open_repo(config.root)
            result.commit = gitops.commit_paths(repo, [config.path(r) for r in files], message)
            if self.options.push and result.commit:
                gitops.push(repo)
        return result


def _journal(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder or config.root) / ("mapdaily.journal" if folder else ".mapdaily.journal")


def _lock_path(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder / "mapdaily.lock") if folder else config.root / ".mapdaily.lock"


@contextmanager
def changing(config: Config, options: Options) -> Iterator[Change]:
    """Lock the digest, read papers.yaml and hand a Change to plan; a run killed half-way through
    its writes (its journal is still there) is recovered by regenerating the files it named."""
    if options.commit and not options.dry_run:
        gitops.open_repo(config.root)  # fail before any work when there is no repository
    with locked(_lock_path(config)):
        stream = Stream.read(config.data_path, config.data)
        change = Change(config, stream, options)
        journal = _journal(config)
        if journal.exists():
            for line in journal.read_text(encoding="utf-8").splitlines():
                path = Path(line)
                if path.is_relative_to(config.root):
                    change.recovering.add(str(path.relative_to(config.root)))
        yield change
        if journal.exists() and not options.dry_run:
            journal.unlink()


def affected_targets(config: Config, old: Stream, new: Stream, dates: Iterable[date]) -> list[Target]:
    """README always; the archive page of every changed closed week and of weeks that just closed;
    the index when any archive page changes."""
    old_week, new_week = current_week(old, config), current_week(new, config)
    weeks = {week_of(d, config.first_weekday) for d in dates}
    if old_week is not None and new_week is not None and old_week != new_week:
        weeks.add(old_week)
    closed = sorted((w for w in weeks if new_week is None or w < new_week), reverse=True)
    targets = [readme_target(config)] + [week_target(config, w) for w in closed]
    if closed:
        targets.append(index_target(config))
    return targets


# --- commands -------------------------------------------------------------------------------------


def render(config: Config, options: Options) -> Result:
    """Regenerate every generated region from the data; write only files whose text changed."""
    with changing(config, Options(commit=False, dry_run=options.dry_run, force=options.force)) as change:
        targets = all_targets(config, change.stream)
        change.regenerate(targets)
        n = len(change.files)
        return change.commit("render", f"{n} file{'s' if n != 1 else ''} regenerated" if n else "everything is up to date")


def all_targets(config: Config, stream: Stream) -> list[Target]:
    targets = [readme_target(config)]
    weeks = [w for w, _ in closed_weeks(stream, config)]
    targets += [week_target(config, w) for w in weeks]
    if weeks or read_generated(config, config.archive_index) is not None:
        targets.append(index_target(config))
    return targets


def check(config: Config) -> Result:
    """Compare every generated region with what the data renders; CheckFailed with the diffs if any differ."""
    stream = Stream.read(config.data_path, config.data)
    renderer = Renderer(config)
    diffs: list[str] = []
    checked = 0

    def compare(rel: str, region: str) -> None:
        nonlocal checked
        checked += 1
        existing = read_generated(config, rel)
        if existing is None:
            diffs.append(f"{rel}: missing; run `mapdaily render` to create it\n")
            return
        try:
            parts = split_regions(existing, rel)
        except DataError as e:
            diffs.append(e.message + "\n")
            return
        if parts.region != region:
            diffs.append(_diff(rel, parts.region, region, region_line(parts)))

    found = readme_days(stream, config)
    compare(config.readme, renderer.readme_region(*found) if found else "")
    counts = []
    for week, days in closed_weeks(stream, config):
        compare(config.week_page(week), renderer.week_region(week, days))
        counts.append((week, sum(len(d.papers) for d in days)))
    if counts or read_generated(config, config.archive_index) is not None:
        compare(config.archive_index, renderer.index_region(counts))
    if diffs:
        raise CheckFailed(
            f"{len(diffs)} of {checked} generated file{'s' if checked != 1 else ''} differ from"
            f" {config.data}; run `mapdaily render` (or move hand edits into {config.data})",
            detail="".join(diffs),
        )
    return Result(f"{checked} generated file{'s' if checked != 1 else ''} match {config.data}", changed=False)

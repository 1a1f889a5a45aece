"""`import`: hand-kept digest pages into papers.yaml, their digest sections into marker regions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mapdaily_cli.api.plan import plan_all
from mapdaily_cli.api.result import Options, Result, commit_message, count
from mapdaily_cli.api.transaction import Transaction, transaction
from mapdaily_cli.config import Config
from mapdaily_cli.model import Day
from mapdaily_cli.render import END, START

Progress = Callable[[int, int, str], None]


def import_digest(
    config: Config,
    files: list[Path],
    options: Options,
    today_year: int | None = None,
    progress: Progress | None = None,
) -> Result:
    """Read hand-kept digest pages into papers.yaml (merging days, skipping papers already there);
    a page that is the configured README gets marker regions in place of its digest sections."""
    from mapdaily_cli.importer import merge_days, parse_page, read_page

    # Pages are read and parsed before the lock is taken: a page that is no regular file (a FIFO,
    # a device) is refused without blocking anyone.
    pages: dict[str, tuple[str, Any]] = {}
    incoming: list[tuple[str, Day, tuple[int, ...]]] = []
    for n, path in enumerate(files, 1):
        rel = _relative(config, path)
        text = read_page(path, rel)
        page = parse_page(text, rel, today_year=today_year)
        pages[rel] = (text, page)
        incoming += [(rel, day, page.paper_lines[k]) for k, day in enumerate(page.days)]
        if progress:
            progress(n, len(files), rel)
    with transaction(config, options, creates=True) as change:
        stream = change.stream
        existing = list(stream.days())
        merged = merge_days(existing, incoming)
        before = {d.date: d for d in existing}
        for day in merged.days:
            old = before.get(day.date)
            new_papers = day.papers[len(old.papers) :] if old else day.papers
            if old is not None and not new_papers:
                continue
            stream.append_papers(stream.ensure_day(day.date), new_papers)
        repairs = sum(page.repairs for _, page in pages.values()) + _mark_regions(config, change, pages)
        change.plan(plan_all(config, stream, change.renderer))
        days = len({d.date for _, d, _ in incoming})
        names = ", ".join(pages)
        summary = (
            f"imported {count(merged.added, 'paper')} on {count(days, 'day')} from {names};"
            f" {merged.skipped} already present, {repairs} repaired"
        )
        result = change.commit(
            commit_message("import", f"{merged.added} papers, {days} days from {names}"), summary
        )
        warnings = [w for _, page in pages.values() for w in page.warnings] + list(merged.warnings)
        result.notes += [str(w) for w in warnings]
        if not result.changed and not options.dry_run:
            result.summary = f"nothing new to import from {names}"
        return result


def _mark_regions(config: Config, change: Transaction, pages: dict[str, tuple[str, Any]]) -> int:
    """A page read here that mapdaily also generates (the README, a week page) keeps the text
    around its digest sections; those sections become the marker region. Returns the repairs made
    to the README's own text."""
    from mapdaily_cli.importer import repair_text

    repairs = 0
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
    return repairs


def _relative(config: Config, path: Path) -> str:
    resolved = path.resolve()
    if resolved.is_relative_to(config.root):
        return resolved.relative_to(config.root).as_posix()
    return str(path)

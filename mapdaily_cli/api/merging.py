"""Merging a digest by day, never as text: papers.yaml's three versions merged day by day (both
sides' papers kept once, ours first), generated files regenerated from the merged data; the git
merge driver, `git-setup` (which configures a clone for it) and `resolve` (a merge without it)."""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mapdaily_cli import gitops
from mapdaily_cli.api.handedits import split_generated
from mapdaily_cli.api.plan import plan_all, target_for
from mapdaily_cli.api.result import Options, Result, short
from mapdaily_cli.api.transaction import journal_path, transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.model import Day, Paper, same_paper
from mapdaily_cli.render import Renderer, chart_path
from mapdaily_cli.site import search
from mapdaily_cli.store import Stream, write_all


@dataclass
class Merged:
    """papers.yaml merged: its text, and the papers both sides changed differently (kept as ours)."""

    stream: Stream
    conflicts: list[str] = field(default_factory=list)
    added: int = 0


def merge_data(config: Config, base: str | bytes, ours: str | bytes, theirs: str | bytes) -> Merged:
    """The three versions of papers.yaml merged by day: ours as written (its comments kept), then
    what theirs added or changed that ours did not touch; newest day first. A paper both sides
    changed differently, or one side changed and the other removed, is a conflict naming it. Only
    the days theirs changed are parsed and merged: after ten years, a merge of two days' adds
    reads the dates of the history and copies the rest."""
    name = config.data
    streams = [
        Stream(config.data_path, f"{name} ({side})", text)
        for side, text in (("base", base), ("ours", ours), ("theirs", theirs))
    ]
    old, mine, new = (_Side(s) for s in (streams[0], streams[1].snapshot(), streams[2]))
    merged = Merged(streams[1])
    out = merged.stream
    for when in sorted(set(new.at) | set(mine.at), reverse=True):
        if when not in new.at:
            if when in old.at and mine.same(when, old):
                index = out.index_of(when)
                assert index is not None
                out.delete_day(index)  # theirs removed a day ours did not touch
            elif when in old.at:
                _merge_day(merged, streams[2], old.day(when), mine.day(when), Day(when))
            continue
        if (when in old.at and new.same(when, old)) or (when in mine.at and new.same(when, mine)):
            continue  # theirs did not touch the day (ours may have), or both sides made it the same
        _merge_day(merged, streams[2], old.day(when), mine.day(when), new.day(when))
    return merged


class _Side:
    """One version of papers.yaml in a merge: where each day's document is, each parsed when asked."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.at = {when: i for i, when in stream.walk()}

    def day(self, when: date) -> Day:
        index = self.at.get(when)
        return Day(when) if index is None else self.stream.day(index)

    def same(self, when: date, other: _Side) -> bool:
        """Whether day ``when`` is the same here and in ``other`` (the same bytes, else the same
        papers once parsed)."""
        here, there = self.at[when], other.at[when]
        if self.stream.document(here) == other.stream.document(there):
            return True
        return self.stream.day(here) == other.stream.day(there)


def _find(papers: tuple[Paper, ...], paper: Paper) -> int | None:
    return next((i for i, p in enumerate(papers) if same_paper(p, paper)), None)


def _merge_day(merged: Merged, theirs: Stream, base: Day, ours: Day, their_day: Day) -> None:
    """Merge day ``ours.date`` of the two sides into ``merged.stream``."""
    out = merged.stream
    when = ours.date
    order: list[int | Paper] = list(range(len(ours.papers)))
    changes: dict[int, Paper] = {}
    for paper in their_day.papers:
        b, o = _find(base.papers, paper), _find(ours.papers, paper)
        was = base.papers[b] if b is not None else None
        if o is None:
            if was is None:
                order.append(paper)
                merged.added += 1
            elif was != paper:
                merged.conflicts.append(f"{short(paper.title)} ({when}): changed by theirs, removed by ours")
            continue
        mine = ours.papers[o]
        if mine == paper or was == paper:
            continue
        if was == mine:
            changes[o] = paper
        else:
            merged.conflicts.append(f"{short(paper.title)} ({when}): changed differently on both sides")
    for o, mine in enumerate(ours.papers):
        b = _find(base.papers, mine)
        if b is not None and _find(their_day.papers, mine) is None:
            if base.papers[b] == mine:
                order.remove(o)  # theirs removed it, ours did not touch it
            else:
                merged.conflicts.append(f"{short(mine.title)} ({when}): changed by ours, removed by theirs")
    if order == list(range(len(ours.papers))) and not changes:
        return
    index = out.ensure_day(when)
    for o, paper in changes.items():
        out.set_fields(index, o, {k: getattr(paper, k) for k in ("title", "url", "affiliation", "comment")})
    out.set_papers(index, order)
    _copy_extra(out, index, theirs, when, order)


def _copy_extra(out: Stream, index: int, theirs: Stream, when: date, order: list[int | Paper]) -> None:
    """Papers taken from theirs keep their whole YAML mapping (keys mapdaily does not show too)."""
    source = theirs.index_of(when)
    if source is None:
        return
    papers = theirs.day(source).papers
    for position, item in enumerate(order):
        if isinstance(item, Paper):
            at = papers.index(item)
            out.replace_paper(index, position, theirs.paper_text(source, at))


# --- the git merge driver ---------------------------------------------------------------------


def merge_file(
    config: Config, base: Path, ours: Path, theirs: Path, path: str, tracked: str | None = None
) -> list[str]:
    """The merge driver: merge ``theirs`` into ``ours`` (git's %A, written in place), ``base`` being
    their common ancestor; ``path`` says which file (relative to the digest; ``tracked`` is git's
    %P, relative to the repository, when the digest is in a folder of it). papers.yaml is merged by
    day; a generated file is rendered from the data both sides' commits merge to. Returns the
    conflicts."""
    raw = [p.read_bytes() for p in (base, ours, theirs)]
    if path == config.data:
        ids = gitops.blob_ids_of(config.root, raw)
        merged = _merged(config, "\n".join(ids) if ids else None, lambda: (raw[0], raw[1], raw[2]))
        _write(ours, merged.stream.to_bytes())
        return merged.conflicts
    texts = [r.decode("utf-8") for r in raw]
    revs = _data_revs(config, theirs, tracked or path)
    found = gitops.blob_ids(config.root, list(revs), config.data)
    merged = _merged(config, "\n".join(found) if found else None, lambda: _data_versions(config, revs))
    target = target_for(config, merged.stream, path)
    if target is None:
        return [f"{path}: no page of the merged data; run `mapdaily render` after the merge"]
    region = target.region(Renderer(config), merged.stream)  # this page alone, not every page
    if target.whole:  # the reader's side is generated whole: nothing of it is the user's
        _write(ours, region)
        return merged.conflicts
    outside = gitops.merge_texts(*(_hollow(t, path) for t in texts))
    if outside is None:
        return [f"{path}: both sides changed the text around the generated region"]
    _write(ours, split_generated(outside, path).with_region(region))
    return merged.conflicts


def _hollow(text: str, path: str) -> str:
    """``text`` with an empty generated region: what is left is the user's, merged as text."""
    parts = split_generated(text, path)
    return f"{parts.before}<!-- mapdaily:start -->{parts.eol}<!-- mapdaily:end -->{parts.after}"


def forget_merged(config: Config) -> None:
    """Remove the merged data the drivers of a merge kept (see :func:`_merged`): the merge is over."""
    folder = gitops.git_dir(config.root)
    if folder is not None:
        with contextlib.suppress(OSError):
            (folder / "mapdaily-merged").unlink(missing_ok=True)


def _data_revs(config: Config, theirs: Path, path: str) -> tuple[str, str, str]:
    """The base, ours and theirs commits being merged, picked or rebased: HEAD is ours; theirs is
    the commit git names in the environment (a merge) or the commit whose ``path`` is git's %B (a
    cherry-pick or a rebase, whose base is that commit's parent)."""
    named = [k.removeprefix("GITHEAD_") for k in os.environ if k.startswith("GITHEAD_")]
    blob = gitops.hash_file(config.root, theirs)
    other = named[0] if len(named) == 1 else gitops.commit_with_blob(config.root, path, blob)
    if other is None:
        raise MapdailyError(f"{path}: cannot tell which commit is being merged; run `mapdaily resolve`")
    base = gitops.merge_base(config.root, "HEAD", other) if named else f"{other}~1"
    return base, "HEAD", other


def _data_versions(config: Config, revs: tuple[str, str, str]) -> tuple[bytes, bytes, bytes]:
    """papers.yaml in each of ``revs`` (empty where a commit has none)."""
    data = [gitops.blob_at(config.root, rev, config.data) or b"" for rev in revs]
    return data[0], data[1], data[2]


def _merged(config: Config, key: str | None, versions: Callable[[], tuple[bytes, bytes, bytes]]) -> Merged:
    """``merge_data`` of ``versions`` (base, ours, theirs), kept in the git folder under ``key`` (their
    blob ids) for the other drivers of the same merge: git runs one per file both sides changed
    (papers.yaml, the README, the feed, the search data), and each needs the merged data."""
    folder = gitops.git_dir(config.root)
    kept = folder / "mapdaily-merged" if folder is not None and key else None
    if kept is not None and key:
        with contextlib.suppress(OSError):
            data = _kept(kept.read_bytes(), key)
            if data is not None:
                return Merged(Stream(config.data_path, f"{config.data} (merged)", data))
    merged = merge_data(config, *versions())
    if kept is not None and not merged.conflicts:
        parts = merged.stream.parts()
        crc = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        check = f"{sum(len(p) for p in parts)} {crc}"
        with contextlib.suppress(MapdailyError):  # no copy kept: the next driver merges again
            write_all({kept: [f"{key}\n{check}\n\n".encode(), *parts]})
    return merged


def _kept(said: bytes, key: str) -> bytes | None:
    """The merged data kept under ``key`` in ``said`` (the ids, the size and CRC-32 of the data, a
    blank line, the data); None when it is kept under other ids or is not whole (cut short, edited)."""
    head = f"{key}\n".encode()
    if not said.startswith(head):
        return None
    check, _, data = said[len(head) :].partition(b"\n\n")
    return data if check == f"{len(data)} {zlib.crc32(data)}".encode() else None


# --- setup and resolve ------------------------------------------------------------------------


def git_setup(config: Config, command: str) -> Result:
    """Configure this clone for the merge drivers (``command`` runs mapdaily), install the hooks
    that regenerate the pages after a merge, rebase or cherry-pick, and add the lines the drivers
    need to .gitattributes when it lacks them (the user commits it). Idempotent."""
    repo = gitops.open_repo(config.root)
    drivers = _drivers(command)
    changed = gitops.set_config(repo, drivers)
    attributes = config.root / ".gitattributes"
    wanted = attribute_lines(config)
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    missing = [line for line in wanted if line not in text.splitlines()]
    if missing:
        _write(
            attributes,
            text
            + ("" if not text or text.endswith("\n") else "\n")
            + "".join(f"{line}\n" for line in missing),
        )
    from mapdaily_cli.api.hooks import install_hooks

    hooks, notes = install_hooks(config, command)
    said = []
    if changed:
        said.append("configured the merge drivers in this clone's git config")
    if hooks:
        said.append(
            f"installed the {', '.join(hooks)} hook(s) that regenerate the pages after git moves the data"
        )
    if missing:
        said.append(f"added {len(missing)} line(s) to .gitattributes (commit it)")
    return Result(
        "; ".join(said) or "this clone is set up already; nothing to do",
        changed=bool(said),
        written=[".gitattributes"] if missing else [],
        notes=notes,
    )


def _drivers(command: str) -> dict[str, str]:
    return {
        "merge.mapdaily.name": "mapdaily: papers.yaml merged by day",
        "merge.mapdaily.driver": f"{command} merge-driver %O %A %B %P",
        "merge.mapdaily-generated.name": "mapdaily: generated pages rendered from the merged data",
        "merge.mapdaily-generated.driver": f"{command} merge-driver %O %A %B %P",
    }


def driver_warnings(config: Config) -> list[str]:
    """A warning when .gitattributes names mapdaily's merge drivers but this clone's git config
    lacks them (git then merges those files as text, and silently)."""
    path = config.root / ".gitattributes"
    try:
        named = "merge=mapdaily" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if not named:
        return []
    try:
        repo = gitops.open_repo(config.root)
    except MapdailyError:
        return []
    if not gitops.set_config(repo, {"merge.mapdaily.name": _drivers("")["merge.mapdaily.name"]}, write=False):
        return []
    return [
        ".gitattributes names mapdaily's merge drivers but this clone is not set up for them;"
        " run `mapdaily git-setup` once here"
    ]


def attribute_lines(config: Config) -> list[str]:
    """The .gitattributes lines of the drivers: the data, and each kind of generated file."""
    folder = config.archive_dir.rstrip("/")
    generated = [config.readme, config.archive_index, f"{folder}/**/*.md", chart_path(config)]
    if config.feed:
        generated.append(config.feed)
    if config.search_page:
        generated += [config.search_page, f"{search.data_folder(config)}/*"]
    return [f"{config.data} merge=mapdaily"] + [
        f"{g} merge=mapdaily-generated linguist-generated=true" for g in generated
    ]


def resolve(config: Config, options: Options) -> Result:
    """Finish a conflicted merge or rebase without the driver: papers.yaml's three stages merged by
    day, every generated file regenerated from it, both staged; says what to run next."""
    repo = gitops.open_repo(config.root)
    forget_merged(config)
    stages = gitops.stages(repo, config.data)
    merged = None
    if stages is not None:
        merged = merge_data(config, *stages)
        if merged.conflicts:
            raise DataError(
                f"{config.data}: {len(merged.conflicts)} paper(s) changed differently on both sides:"
                f" {'; '.join(merged.conflicts)}; edit {config.data} by hand, then run `mapdaily resolve`",
            )
    if merged is not None and not options.dry_run:
        write_all({config.data_path: merged.stream.text()}, journal_path(config))
    with transaction(config, Options(commit=False, dry_run=options.dry_run)) as change:
        change.plan(p for p in plan_all(config, change.stream, change.renderer))
        change.recovering.update(change.files)
        result = change.commit("", "resolved")
    if options.dry_run:
        return result
    written = [config.data, *result.written] if merged else result.written
    gitops.stage(repo, [config.path(rel) for rel in dict.fromkeys(written)] + gitops.conflicted(repo))
    action = gitops.in_progress(repo)
    result.summary = (
        f"resolved {config.data} by day and regenerated {len(result.written)} file(s); staged;"
        f" now run `git {action} --continue`"
        if action
        else "resolved; staged; now commit"
    )
    return result


def _write(path: Path, text: str | bytes) -> None:
    """Write ``path`` whole or not at all."""
    write_all({path: text})

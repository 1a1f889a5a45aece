"""The one path every command writes through: lock, read, plan each file, refuse hand edits,
show or write everything at once (with a journal for recovery), commit only what was written."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from mapdaily_cli import gitops
from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.handedits import hand_edit, split_generated
from mapdaily_cli.api.plan import (
    Planned,
    Target,
    open_stream,
    plan_all,
    read_generated,
    readme_days,
    site_changes,
    site_targets,
)
from mapdaily_cli.api.result import Options, Result, commit_message
from mapdaily_cli.config import Config
from mapdaily_cli.errors import HandEditError
from mapdaily_cli.model import Week
from mapdaily_cli.render import START, Regioned, Renderer, split_regions
from mapdaily_cli.store import Stream, locked, remove_leftovers, write_all

if TYPE_CHECKING:
    from mapdaily_cli.gitops import Worktree


class Transaction:
    """Plans the files a command writes: regions re-rendered, hand edits detected, all written at once."""

    def __init__(self, config: Config, stream: Stream, options: Options) -> None:
        self.config = config
        self.options = options
        # Templates compiled once are kept in the git folder (a dry run writes nothing, not even that).
        folder = gitops.git_dir(config.root)
        compiled = folder / "mapdaily-templates" if folder is not None and not options.dry_run else None
        self.renderer = Renderer(config, compiled)
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
        #: Files to commit with the written ones although this command does not change them.
        self.commit_also: set[str] = set()
        #: Said to the user with the result (a recovery made before this command, ...).
        self.notes: list[str] = []
        #: The work tree to commit in, once found (its identity checked before any work).
        self.tree: Worktree | None = None

    def regenerate(self, targets: Iterable[Target]) -> None:
        """Plan the new text of each target from the data as it stands now."""
        self.plan(Planned(t, t.region(self.renderer, self.stream)) for t in targets)

    def plan(self, planned: Iterable[Planned]) -> None:
        """Plan each file's text with its new region, refusing regions someone edited by hand."""
        for item in planned:
            target, new_region = item.target, item.region
            existing = read_generated(self.config, target.rel)
            if target.whole:
                # Written whole (the feed, the search data, the chart): nothing in it is anyone's to
                # edit, so it is regenerated; `check` names it when it differs.
                if new_region != existing:
                    self.files[target.rel] = new_region
                continue
            if target.rel in self.base_text:
                base = split_regions(self.base_text[target.rel], target.rel)
            elif existing is None or (target.rel in self.unmarked and START not in existing):
                base = split_regions(self.renderer.skeleton(target.kind, target.rel), target.rel)
            else:
                base = split_generated(existing, target.rel)
                self._check_hand_edit(target, base, new_region)
            text = base.with_region(new_region)
            if text != existing:
                self.files[target.rel] = text

    def _check_hand_edit(self, target: Target, base: Regioned, new_region: str) -> None:
        """Note a hand edit of the text that ``new_region`` would replace (unless it is discarded)."""
        if (
            base.region != new_region
            and not self.options.discard_hand_edits
            and target.rel not in self.recovering
        ):
            found = hand_edit(target, base, self._old_region(target))
            if found:
                self.hand_edits.append(found)

    def _old_region(self, target: Target) -> Callable[[], str]:
        """What the data before this command renders for ``target`` (worked out only when asked)."""
        return lambda: target.region(self.renderer, self.old)

    def put(self, rel: str, text: str) -> None:
        """Plan a file that is not generated from the data (settings, CI files)."""
        self.files[rel] = text

    def commit(self, message: str, summary: str) -> Result:
        """Write everything planned (or show it, for --dry-run) and commit it."""
        if self.recovering_all:
            # A run was killed while replacing files: make every generated file agree with the data.
            planned = plan_all(self.config, self.stream, self.renderer)
            self.recovering.update(p.target.rel for p in planned)
            self.plan(p for p in planned if p.target.rel not in self.files)
            self.recovering_all = False
        if self.files or self.stream.changed:
            # The reader's side follows every change: the feed, the manifest, the page and its library
            # (the data of the months a command changed is among its own targets).
            changes = site_changes(self.config, self.old, self.stream)
            self.regenerate(t for t in changes if t.rel not in self.files)
        if self.hand_edits:
            raise HandEditError(
                "generated text was edited by hand and would be overwritten; run `mapdaily sync` to"
                f" take edited rows into {self.config.data} (or make the change with `mapdaily edit`),"
                " or pass --discard-hand-edits to discard it",
                detail="".join(self.hand_edits),
            )
        files: dict[str, str | bytes | list[bytes | memoryview]] = {}
        if self.stream.changed:
            files[self.config.data] = self.stream.parts()
        files.update(self.files)
        if self.options.dry_run:
            return self._dry_run(files, summary)
        journal = journal_path(self.config)
        if not files and not self.commit_also:
            journal.unlink(missing_ok=True)  # whatever a killed run left is consistent again
            return Result(summary, changed=False, notes=list(self.notes))
        paths = {rel: self.config.path(rel) for rel in [*files, *sorted(self.commit_also - set(files))]}
        repo = None
        if self.options.commit:
            # What would make the commit fail is found before anything is written (the lock is held,
            # so a git lock file seen here is not a concurrent run's).
            repo = self.tree or gitops.open_repo(self.config.root)
            gitops.preflight(repo, list(paths.values()))
            message = self._folding(repo, list(paths.values()), message)
        write_all({paths[rel]: text for rel, text in files.items()}, journal)
        parts = files.get(self.config.data)
        if isinstance(parts, list):
            # the papers counted in the history as read (closed weeks), and in the file written
            self.stream.written(parts, before=self.old)
        result = Result(summary, list(files), notes=list(self.notes))
        if repo is not None:
            result.commit = gitops.commit_paths(repo, list(paths.values()), message)
        return result

    def _folding(self, repo: Worktree, paths: list[Path], message: str) -> str:
        """``message``, saying so when the commit also takes changes left uncommitted before this
        command (by a --no-commit run or a hand edit of these files); the user is told too."""
        data = self.config.path(self.config.data)
        earlier = gitops.uncommitted(repo, paths, {data: self.old.raw} if data in paths else None)
        if not earlier:
            return message
        said = f"changes to {', '.join(earlier)} left uncommitted before (by --no-commit or by hand)"
        self.notes.append(f"the commit also holds the {said}")
        return f"{message}\n\nAlso holds the {said}."

    def _dry_run(self, files: dict[str, str | bytes | list[bytes | memoryview]], summary: str) -> Result:
        config = self.config
        diff = "".join(unified(rel, read_generated(config, rel) or "", text) for rel, text in files.items())
        would = f"; would write {', '.join(sorted(files))}" if files else ""
        return Result(f"dry run, nothing written: {summary}{would}", diff=diff, changed=bool(files))


def generated_folders(config: Config) -> set[Path]:
    """Every folder mapdaily writes files in."""
    rels = [config.data, config.readme, config.archive_index, config.week_page(Week(date(2024, 10, 7)))]
    rels += [t.rel for t in site_targets(config)]
    return {config.path(rel).parent for rel in rels if config.path(rel).parent.is_dir()}


def journal_path(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder or config.root) / ("mapdaily.journal" if folder else ".mapdaily.journal")


def lock_path(config: Config) -> Path:
    folder = gitops.git_dir(config.root)
    return (folder / "mapdaily.lock") if folder else config.root / ".mapdaily.lock"


@contextmanager
def transaction(config: Config, options: Options, *, creates: bool = False) -> Iterator[Transaction]:
    """Lock the digest, read papers.yaml and hand a Transaction to plan; a run killed half-way
    through its writes (its journal is still there) is recovered by regenerating every file."""
    tree = None
    if options.commit and not options.dry_run:
        # Fail before any work when there is no repository, or git could not commit.
        tree = gitops.open_repo(config.root)
        gitops.check_identity(tree)
    with contextlib.nullcontext() if options.dry_run else locked(lock_path(config)):
        notes = []
        interrupted = _interrupted(config)
        if not options.dry_run:
            remove_leftovers(generated_folders(config), gitops.git_dir(config.root) or config.root)
            if interrupted is not None:
                notes.append(_finish_interrupted(config, options, interrupted))
                interrupted = None
        stream = open_stream(config, changing=not options.dry_run, required=not creates)
        readme_days(stream, config)  # validate the days every command touches before changing any
        change = Transaction(config, stream, options)
        change.notes, change.tree = notes, tree
        if interrupted is not None:  # a dry run shows what finishing that write would change too
            change.recovering_all = True
            change.recovering.update(interrupted)
        yield change


def _interrupted(config: Config) -> set[str] | None:
    """The files a killed run was replacing (its journal is still there), None when there was none."""
    journal = journal_path(config)
    try:
        lines = journal.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        lines = []
    root = config.root.resolve()
    named = set()
    for line in lines:
        path = Path(line)
        if path.is_relative_to(root):
            named.add(path.relative_to(root).as_posix())
        elif path.is_relative_to(config.root):
            named.add(path.relative_to(config.root).as_posix())
    return named


def _finish_interrupted(config: Config, options: Options, named: set[str]) -> str:
    """Finish the write a killed run left half done, as its own change with its own commit: every
    generated file made to agree with the data, the files it was replacing committed with them."""
    stream = open_stream(config, changing=True, required=False)
    recovery = Transaction(config, stream, Options(commit=options.commit))
    planned = plan_all(config, stream, recovery.renderer)
    recovery.recovering.update(named, (p.target.rel for p in planned))
    recovery.plan(planned)
    recovery.commit_also.update(rel for rel in named if config.path(rel).is_file())
    shown = ", ".join(sorted(named)) or "its files"
    done = recovery.commit(commit_message("recover", f"finish an interrupted write of {shown}"), "")
    said = f"finished a write an interrupted command had left half done ({shown})"
    return said + (f" in commit {done.commit}" if done.commit else "")

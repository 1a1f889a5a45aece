"""Fresh pages after git moves the data: git runs a merge driver only for a file both sides changed,
so a merge, rebase or cherry-pick that brings in a change of papers.yaml alone (a web edit the sync
bot has not caught up with) leaves the pages as one side rendered them. `git-setup` installs hooks
(post-merge, post-rewrite, post-commit) that regenerate them and commit that on its own."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from mapdaily_cli import gitops
from mapdaily_cli.api.merging import forget_merged
from mapdaily_cli.api.plan import Target, affected_targets, plan_all, site_changes
from mapdaily_cli.api.result import Options, Result, commit_message
from mapdaily_cli.api.transaction import lock_path, transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.store import locked
from mapdaily_cli.store.stream import Stream

#: The hooks, and what git has just done when each runs (for the commit message).
HOOKS = {"post-merge": "the merge", "post-rewrite": "the rebase", "post-commit": "the cherry-pick"}
BEGIN = "# >>> mapdaily: fresh pages after a merge, rebase or cherry-pick (mapdaily git-setup) >>>"
END = "# <<< mapdaily <<<"
_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.DOTALL)
#: First lines of a hook a block of shell lines can be added to.
_SHELLS = re.compile(r"^#!\s*(/usr)?/bin/(env\s+)?(sh|bash|dash|ksh|zsh)\b")


def hook_block(config: Config, command: str, name: str) -> str:
    """The lines a hook runs mapdaily with; whatever happens, they never fail the git command.
    post-commit, which runs for every commit, starts mapdaily only after a cherry-pick or a merge."""
    top = Path(str(gitops.open_repo(config.root).working_tree_dir)).resolve()
    rel = os.path.relpath(config.root.resolve(), top)
    where = "" if rel == "." or rel.startswith("..") else f" -C {shlex.quote(rel)}"
    run = f'{command}{where} hook {name} "$@" </dev/null || true'
    if name == "post-commit":
        run = (
            'case "$(git reflog -1 --format=%gs HEAD 2>/dev/null)" in\n'
            f'"cherry-pick"*|"commit (merge)"*) {run} ;;\nesac'
        )
    return f"{BEGIN}\n{run}\n{END}\n"


def install_hooks(config: Config, command: str) -> tuple[list[str], list[str]]:
    """Put mapdaily's block in each hook where git looks for hooks (core.hooksPath honoured): a new
    hook, or a block added to (or brought up to date in) a shell script of the user's. Returns the
    hooks changed, and a line for each hook of the user's that is not a shell script (left alone)."""
    folder = gitops.git_path(config.root, "hooks")
    if folder is None:
        raise MapdailyError(f"{config.root}: git does not say where its hooks are; is it a git repository?")
    changed: list[str] = []
    notes: list[str] = []
    for name in HOOKS:
        path = folder / name
        block = hook_block(config, command, name)
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old is None:
            new = f"#!/bin/sh\n{block}"
        elif BEGIN in old:
            found = _BLOCK.search(old)
            new = old[: found.start()] + block + old[found.end() :] if found else old + block
        elif _SHELLS.match(old):
            new = old + ("" if old.endswith("\n") else "\n") + block
        else:
            run = " ".join(block.splitlines()[1:-1])
            notes.append(f"{path} is a hook of yours that is not a shell script; make it run: {run}")
            continue
        if new != old:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(new, encoding="utf-8")
            path.chmod(path.stat().st_mode | 0o755)
            changed.append(name)
    return changed, notes


def _applies(config: Config, name: str, args: list[str]) -> bool:
    """Whether git has just finished what the hook ``name`` is for: a merge (not a squash), a
    rebase (not an amend), the last commit of a cherry-pick (post-commit runs for every commit, a
    rebase's picks and mapdaily's own commits too) or of a merge whose conflicts were resolved."""
    if name == "post-merge":
        return args[:1] != ["1"]
    if name == "post-rewrite":
        return args[:1] == ["rebase"]
    if name != "post-commit":
        return False
    moved = gitops.head_moved_by(config.root)
    if moved.startswith("commit (merge)"):
        return True
    if not moved.startswith("cherry-pick"):
        return False
    todo = gitops.git_path(config.root, "sequencer/todo")
    try:
        left = len(todo.read_text(encoding="utf-8").splitlines()) if todo is not None else 0
    except OSError:
        left = 0
    return left <= 1  # the sequencer's list still holds the commit just made


def data_before(config: Config, name: str, now: Stream) -> Stream | None:
    """The data as it was where the two sides of a merge or a rebase parted (``now`` is the data
    as it is), when only the pages of the days either side changed since can be stale: every page
    git brought along was rendered by one side from the same days, unless that side changed
    papers.yaml alone (a web edit, or a commit with git). None (every page is planned) after a
    cherry-pick, or when the settings or the templates changed too."""
    if name not in ("post-merge", "post-rewrite"):
        return None
    fork = gitops.fork_point(config.root, rebase=name == "post-rewrite")
    changed = None if fork is None else gitops.changed_between(config.root, fork, "HEAD")
    if fork is None or changed is None:
        return None
    rendering = {"mapdaily.toml", "pyproject.toml"}
    templates = None if config.templates is None else f"{config.templates}/".removeprefix("./")
    if any(c in rendering or (templates is not None and c.startswith(templates)) for c in changed):
        return None
    if config.data not in changed:
        return now.snapshot()
    data = gitops.blob_at(config.root, fork, config.data)
    if data is None:
        return None
    return Stream(config.path(config.data), config.data, data, extra_fields=config.extra_fields)


def changed_targets(config: Config, old: Stream, new: Stream) -> list[Target]:
    """The generated files the days that differ between ``old`` and ``new`` show, and what any
    change of the data touches (the README, the feed, the reader's side)."""
    was = {when: old.document(i) for i, when in old.walk()}
    dates = [when for i, when in new.walk() if was.pop(when, None) != new.document(i)]
    return affected_targets(config, old, new, [*dates, *was]) + site_changes(config, old, new)


def _narrowed(config: Config, name: str, now: Stream) -> list[Target] | None:
    """The pages to regenerate after hook ``name`` when not all (see :func:`data_before`). None
    too when the data before does not read (a commit with conflict markers that this one mends):
    whatever the data now is, every page is planned from it."""
    try:
        before = data_before(config, name, now)
        return None if before is None else unique(changed_targets(config, before, now))
    except DataError:
        return None


def unique(targets: list[Target]) -> list[Target]:
    """``targets`` without repeats (by the file each writes), in order."""
    seen: dict[str, Target] = {}
    for target in targets:
        seen.setdefault(target.rel, target)
    return list(seen.values())


def after_git(config: Config, name: str, args: list[str]) -> Result:
    """What hook ``name`` runs (git's ``args``): regenerate every stale page and commit them alone
    (`render: …`), only when something changed. Refused, with nothing written, when the data or a
    page has changes not committed, or a page holds a hand edit."""
    if not _applies(config, name, args):
        return Result("nothing to do", changed=False)
    forget_merged(config)
    try:
        with locked(lock_path(config), timeout=0):
            pass
    except MapdailyError:  # mapdaily itself is catching up with a remote: it renders on its own
        return Result("another mapdaily command is running; nothing to do", changed=False)
    after = HOOKS[name]
    if name == "post-commit" and gitops.head_moved_by(config.root).startswith("commit (merge)"):
        after = "the merge"
    repo = gitops.open_repo(config.root)
    with transaction(config, Options(commit=False)) as change:
        targets = _narrowed(config, name, change.stream)
        if targets is None:
            planned = plan_all(config, change.stream, change.renderer)
            change.plan(planned)
            rels = [p.target.rel for p in planned]
        else:
            change.regenerate(targets)
            rels = [t.rel for t in targets]
        if not change.files:
            return Result("the pages are up to date", changed=False)
        rels = [config.data, *rels]
        data = {config.path(config.data): change.old.raw}  # as read: hashed here if git would hash it
        dirty = gitops.uncommitted(repo, [config.path(r) for r in rels], data)
        if dirty:
            raise MapdailyError(
                f"{', '.join(dirty)} changed since the last commit, so the pages were not regenerated"
                f" after {after}; run `mapdaily render` and commit"
            )
        done = change.commit("", "")
    message = commit_message("render", f"regenerate {', '.join(done.written)} after {after}")
    made = gitops.commit_over(config.root, done.written, message)
    if made is None:
        raise MapdailyError(
            f"could not commit the pages regenerated after {after} (put back as they were);"
            " run `mapdaily render` and commit"
        )
    return Result(f"regenerated {', '.join(done.written)} after {after}", done.written, made[:8])

"""Commands for a team on GitHub: sync (what a bot runs after every push), git-setup and the merge
driver (papers.yaml merged by day, pages regenerated), resolve (a conflicted merge without it)."""

import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.cli.app import command, config, options
from mapdaily_cli.cli.params import DryRun, NoCommit, Push


@command()
def sync(no_commit: NoCommit = False, dry_run: DryRun = False, push: Push = False) -> None:
    """Adopt hand edits of generated tables into papers.yaml, regenerate stale pages, commit once."""
    from mapdaily_cli import api

    digest, opts = config(), options(no_commit, dry_run, push=push)
    present.result(api.run(digest, opts, lambda: api.sync(digest, opts)))


@command("git-setup")
def git_setup() -> None:
    """Configure this clone's git for mapdaily's merge drivers; add them to .gitattributes if missing."""
    from mapdaily_cli import api

    runner = f"{shlex.quote(sys.executable)} -m mapdaily_cli"
    present.result(api.git_setup(config(), runner))


@command("merge-driver")
def merge_driver(
    base: Annotated[Path, typer.Argument(help="git's %O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(help="git's %A: our version; the merge is written here.")],
    theirs: Annotated[Path, typer.Argument(help="git's %B: their version.")],
    path: Annotated[str, typer.Argument(help="git's %P: the file's path in the repository.")],
) -> None:
    """The git merge driver `git-setup` configures (run by git, not by hand); exit 1 on a conflict."""
    from mapdaily_cli import api
    from mapdaily_cli.cli.app import start
    from mapdaily_cli.config import find_root, load_config

    # git runs it from the repository's top and names the file from there: the digest is the one
    # the file is in (it may be kept in a folder of a larger repository).
    top = start().resolve()
    digest = load_config(find_root((top / path).parent))
    rel = (top / path).resolve().relative_to(digest.root.resolve()).as_posix()
    base, ours, theirs = (p if p.is_absolute() else top / p for p in (base, ours, theirs))
    conflicts = api.merge_file(digest, base, ours, theirs, rel, tracked=path)
    for line in conflicts:
        present.console().print(f"mapdaily: {path}: conflict: {present.escape(line)}")
    if conflicts:
        raise typer.Exit(1)


@command()
def hook(
    name: Annotated[str, typer.Argument(help="The hook git runs: post-merge, post-rewrite or post-commit.")],
    args: Annotated[Optional[list[str]], typer.Argument(help="What git hands the hook.")] = None,
) -> None:
    """The git hooks `git-setup` installs (run by git, not by hand): regenerate stale pages after a
    merge, rebase or cherry-pick and commit them. Never fails: a refusal is one line, exit 0."""
    from mapdaily_cli import api
    from mapdaily_cli.errors import MapdailyError

    try:
        done = api.after_git(config(), name, list(args or []))
    except MapdailyError as e:
        present.console().print(f"mapdaily: {present.escape(str(e))}")
        return
    if done.changed:
        present.console().print(f"mapdaily: {present.escape(done.summary)} (commit {done.commit})")


@command()
def resolve(dry_run: DryRun = False) -> None:
    """Finish a conflicted merge, rebase or cherry-pick: papers.yaml by day, pages regenerated, staged."""
    from mapdaily_cli import api

    present.result(api.resolve(config(), options(dry_run=dry_run)))


@command()
def intake(
    event: Annotated[Path, typer.Argument(help="The issue event GitHub wrote ($GITHUB_EVENT_PATH).")],
    no_commit: NoCommit = False,
    dry_run: DryRun = False,
    push: Push = False,
) -> None:
    """Add the paper an issue form proposes, as `add --from-issue EVENT.json` does; refuse other authors."""
    add_from_issue(event, no_commit, dry_run, push)


def add_from_issue(event: Path, no_commit: bool, dry_run: bool, push: bool) -> None:
    """`add --from-issue EVENT.json` (and `intake`): add the paper the issue event proposes, to the
    day it names (today when none), like `add --title`; its author must be trusted (or a curator
    labelled it)."""
    from mapdaily_cli import api
    from mapdaily_cli.cli.app import start, today
    from mapdaily_cli.model import Paper

    digest, opts = config(), options(no_commit, dry_run, push=push)
    found = api.proposal(api.read_event(event if event.is_absolute() else start() / event))
    title = found.fields["title"] or ""
    paper = Paper(title, found.fields["url"], found.fields["affiliation"], found.fields["comment"])
    present.result(
        api.run(digest, opts, lambda: api.add_paper(digest, paper, found.when, today(digest), opts))
    )

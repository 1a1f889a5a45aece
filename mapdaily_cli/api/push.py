"""Pushing a command's commit, catching up with a remote that moved on by running the command again."""

from __future__ import annotations

from collections.abc import Callable

from mapdaily_cli import gitops
from mapdaily_cli.api.result import Options, Result
from mapdaily_cli.api.transaction import lock_path
from mapdaily_cli.config import Config
from mapdaily_cli.errors import Interrupted, MapdailyError
from mapdaily_cli.store import locked

PUSH_ATTEMPTS = 4


def run(config: Config, options: Options, command: Callable[[], Result]) -> Result:
    """Run a changing command; with --push, push its commit, and when the remote has moved on,
    drop the commit, catch up with the remote and run the command again on the remote's data
    (generated files are always rendered anew, never merged as text), a bounded number of times."""
    result = command()
    if not options.push or not options.commit or options.dry_run:
        return result
    latest = [result]
    try:
        return _push(config, latest, command)
    except KeyboardInterrupt:
        commit = latest[-1].commit
        if commit is None:
            raise
        raise Interrupted(
            f"interrupted while pushing; the commit {commit} is kept locally: push it with `git push`"
        ) from None


def _push(config: Config, latest: list[Result], command: Callable[[], Result]) -> Result:
    """Push ``latest[-1]``'s commit, catching up and running the command again as needed (each
    new result appended to ``latest``, so an interruption can name the commit it left)."""
    result = latest[-1]
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
            with locked(lock_path(config)):
                gitops.catch_up(repo, result.commit)
            if result.commit is not None:
                result = command()
                latest.append(result)
    return result

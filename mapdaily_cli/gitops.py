"""A thin GitPython wrapper: find the repository, commit exactly the named paths, push."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mapdaily_cli.errors import GitError, NotARepository


def open_repo(root: Path) -> Any:
    """The git repository holding ``root``; GitError (suggesting --no-commit) when there is none."""
    import git

    try:
        return git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotARepository(
            f"{root} is not inside a git repository; run `git init` there, or pass --no-commit"
        ) from None


def check_identity(repo: Any) -> None:
    """Fail before anything is written when git could not make the commit (no user name/email)."""
    import git

    try:
        repo.git.var("GIT_COMMITTER_IDENT")
    except git.GitCommandError:
        raise GitError(
            'git does not know who you are here, so it cannot commit; run `git config user.name "…"`'
            " and `git config user.email …` in this repository (or pass --no-commit)"
        ) from None


def git_dir(root: Path) -> Path | None:
    """The repository's private folder (``.git``) when ``root`` is in one, without importing git."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            text = dot.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                return (folder / text.split(":", 1)[1].strip()).resolve()
    return None


def commit_paths(repo: Any, paths: Sequence[Path], message: str) -> str | None:
    """Commit the current content of ``paths`` only, leaving anything else the user staged staged
    and out of the commit. Returns the new commit's short hash, or None when nothing changed."""
    import git

    workdir = Path(repo.working_tree_dir).resolve()
    rel = [Path(p).resolve().relative_to(workdir).as_posix() for p in paths]
    try:
        # Only new files need staging first; `commit --only` stages tracked ones itself (each large
        # file is hashed once, not once per git command).
        tracked = set(repo.git.ls_files("--", *rel).splitlines())
        new = [r for r in rel if r not in tracked and (workdir / r).exists()]
        if new:
            repo.git.add("--", *new)
        # With a HEAD, --only commits these paths alone; the first commit takes the index, which
        # then holds just them.
        only = ["--only"] if repo.head.is_valid() else []
        try:
            repo.git.commit(*only, "-m", message, "--", *rel)
        except git.GitCommandError as e:
            said = f"{e.stdout}{e.stderr}"
            if any(w in said for w in ("nothing to commit", "nothing added to commit", "no changes added")):
                return None
            raise
        return str(repo.git.rev_parse("--short=8", "HEAD")).strip()
    except git.GitCommandError as e:
        detail = (e.stderr or e.stdout or str(e)).strip().splitlines()
        reason = detail[-1].strip() if detail else "git failed"
        raise GitError(f"git commit failed: {reason}; the files are written but not committed") from None


def last_commit_of(root: Path, path: Path) -> str | None:
    """The last commit that changed ``path`` (None: no repository, no such commit)."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        rel = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        sha = str(repo.git.log("-1", "--format=%H", "--", rel.as_posix())).strip()
        return sha or None
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return None


def text_at(root: Path, commit: str, path: Path) -> str | None:
    """The text of ``path`` in ``commit``, or None when it is not there."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        rel = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        return str(repo.git.show(f"{commit}:{rel.as_posix()}", strip_newline_in_stdout=False))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError, ValueError):
        return None


class PushRejected(GitError):
    """The remote branch moved on: fetch, catch up and try again."""


def push(repo: Any) -> None:
    """Push HEAD to the current branch's upstream; PushRejected when the remote has moved."""
    import git

    branch, remote, remote_head = _upstream(repo)
    try:
        repo.git.push(remote, f"HEAD:{remote_head}")
    except git.GitCommandError as e:
        text = (e.stderr or str(e)).strip()
        if any(w in text for w in ("rejected", "fetch first", "non-fast-forward")):
            raise PushRejected(f"the remote branch {remote}/{remote_head} has moved on") from None
        last = text.splitlines()[-1].strip() if text else "unknown error"
        raise GitError(f"git push failed: {last}; the commit is made locally") from None


def catch_up(repo: Any, ours: str | None) -> None:
    """Fetch the upstream and move the branch onto it, first dropping ``ours`` (the commit just
    made, to be made again on top of the remote's data) when given: only if it is still HEAD, so
    a commit someone else made meanwhile is never thrown away."""
    import git

    branch, remote, remote_head = _upstream(repo)
    try:
        repo.git.fetch(remote, remote_head)
        if ours is not None:
            if not repo.head.commit.hexsha.startswith(ours):
                raise GitError(
                    f"another commit was made on {branch} meanwhile; not dropping anything: run"
                    " `git pull --rebase`, then `mapdaily render`, and push by hand"
                )
            repo.git.reset("--keep", f"{ours}~1")
        repo.git.merge("--ff-only", f"{remote}/{remote_head}")
    except git.GitCommandError as e:
        text = (e.stderr or str(e)).strip()
        last = text.splitlines()[-1].strip() if text else "unknown error"
        raise GitError(
            f"cannot catch up with {remote}/{remote_head}: {last}; pull and resolve by hand, then run again"
        ) from None


def _upstream(repo: Any) -> tuple[str, str, str]:
    try:
        branch = repo.active_branch
    except TypeError:
        raise GitError("HEAD is detached; check out a branch before pushing") from None
    tracking = branch.tracking_branch()
    if tracking is None:
        raise GitError(
            f"branch {branch.name} has no upstream to push to; run `git push -u origin {branch.name}` once"
        )
    return branch.name, tracking.remote_name, tracking.remote_head

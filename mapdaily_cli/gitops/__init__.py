"""git for mapdaily: the work tree and the commit of exactly the named paths (``worktree``), what
merging needs and the history of a file, all as plain git processes; pushing with catch-up through
GitPython (loaded only then)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from mapdaily_cli.errors import GitError
from mapdaily_cli.gitops.plumbing import blob_at as blob_at
from mapdaily_cli.gitops.plumbing import blob_ids as blob_ids
from mapdaily_cli.gitops.plumbing import blob_ids_of as blob_ids_of
from mapdaily_cli.gitops.plumbing import changed_between as changed_between
from mapdaily_cli.gitops.plumbing import commit_over as commit_over
from mapdaily_cli.gitops.plumbing import commit_with_blob as commit_with_blob
from mapdaily_cli.gitops.plumbing import fork_point as fork_point
from mapdaily_cli.gitops.plumbing import git_path as git_path
from mapdaily_cli.gitops.plumbing import hash_file as hash_file
from mapdaily_cli.gitops.plumbing import head_moved_by as head_moved_by
from mapdaily_cli.gitops.plumbing import merge_base as merge_base
from mapdaily_cli.gitops.plumbing import merge_texts as merge_texts
from mapdaily_cli.gitops.worktree import Failed, rel, run_git, upstream
from mapdaily_cli.gitops.worktree import Worktree as Worktree
from mapdaily_cli.gitops.worktree import check_identity as check_identity
from mapdaily_cli.gitops.worktree import commit_paths as commit_paths
from mapdaily_cli.gitops.worktree import open_repo as open_repo
from mapdaily_cli.gitops.worktree import preflight as preflight
from mapdaily_cli.gitops.worktree import uncommitted as uncommitted


def _git() -> ModuleType:
    """GitPython, which refuses to import when it cannot run git."""
    try:
        import git
    except ImportError:
        raise GitError("git cannot be run: install git (or put it on PATH), or pass --no-commit") from None
    return git


def _text(said: object) -> str:
    """What git printed, without the ``stderr: '…'`` wrapping GitPython puts around it."""
    text = str(said or "").strip()
    for stream in ("stderr: ", "stdout: "):
        if text.startswith(stream + "'") and text.endswith("'"):
            return text[len(stream) + 1 : -1].strip()
    return text


def _reason(e: Exception, prefer: Sequence[str] = ()) -> str:
    """git's own line saying why a command failed: the first line starting with one of ``prefer``,
    else the first ``fatal:``/``error:`` line, else what it printed apart from hints."""
    git = _git()
    if isinstance(e, git.GitCommandNotFound):
        return "git cannot be run (is it installed and on PATH?)"
    if not isinstance(e, git.CommandError):
        return str(e)
    lines = [ln.strip() for ln in f"{_text(e.stderr)}\n{_text(e.stdout)}".splitlines() if ln.strip()]
    for starts in (tuple(prefer), ("fatal:", "error:")):
        for line in lines:
            if starts and line.startswith(starts):
                return line.removeprefix("fatal: ").removeprefix("error: ").removeprefix("! ")
    said = " ".join(ln for ln in lines if not ln.startswith("hint:"))
    return said or f"git {e.command[1] if len(e.command) > 1 else ''} failed ({e.status})"


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


def last_commit_of(root: Path, path: Path) -> str | None:
    """The last commit that changed ``path`` (None: no repository, no such commit, no git)."""
    found = commits_of(root, path, 1)
    return found[0] if found else None


def commits_of(root: Path, path: Path, limit: int = 50) -> list[str]:
    """The last ``limit`` commits that changed ``path``, newest first ([] without a repository)."""
    try:
        return run_git(root, "log", f"-{limit}", "--format=%H", "--", str(path.resolve())).split()
    except (Failed, GitError):
        return []


def text_at(root: Path, commit: str, path: Path) -> str | None:
    """The text of ``path`` in ``commit``, or None when it is not there."""
    try:
        where = path.resolve().relative_to(root.resolve()).as_posix()
        return run_git(root, "show", f"{commit}:./{where}")
    except (Failed, GitError, ValueError):
        return None


class PushRejected(GitError):
    """The remote branch moved on: fetch, catch up and try again."""


def push(tree: Worktree) -> None:
    """Push HEAD to the current branch's upstream; PushRejected when the remote has moved (not when
    the remote refuses the push for its own reasons, such as a hook)."""
    git = _git()
    branch, remote, remote_head = upstream(tree)
    try:
        tree.repo.git.push(remote, f"HEAD:{remote_head}")
    except git.CommandError as e:
        # `! [rejected] … (fetch first)` is the remote having moved; `! [remote rejected]` is not.
        if "[rejected]" in _text(getattr(e, "stderr", "")):
            raise PushRejected(f"the remote branch {remote}/{remote_head} has moved on") from None
        raise GitError(f"git push failed: {_reason(e, ['! ['])}; the commit is made locally") from None


def catch_up(tree: Worktree, ours: str | None) -> None:
    """Fetch the upstream and move the branch onto it, first dropping ``ours`` (the commit just
    made, to be made again on top of the remote's data) when given: only if it is still HEAD, so
    a commit someone else made meanwhile is never thrown away."""
    git = _git()
    branch, remote, remote_head = upstream(tree)
    repo = tree.repo
    try:
        repo.git.fetch(remote, remote_head)
        if ours is not None:
            if not str(repo.git.rev_parse("--verify", "HEAD")).startswith(ours):
                raise GitError(
                    f"another commit was made on {branch} meanwhile; not dropping anything: run"
                    " `git pull --rebase`, then `mapdaily render`, and push by hand"
                )
            repo.git.reset("--keep", f"{ours}~1")
        repo.git.merge("--ff-only", f"{remote}/{remote_head}")
    except git.CommandError as e:
        raise GitError(
            f"cannot catch up with {remote}/{remote_head}: {_reason(e)}; pull and resolve by hand,"
            " then run again"
        ) from None


# --- merging (the plumbing a merge driver uses is in gitops.plumbing) ------------------------------


def set_config(tree: Worktree, values: dict[str, str], *, write: bool = True) -> bool:
    """Set these keys in the repository's own git config (only compare them unless ``write``);
    False when they were all set so already."""
    changed = False
    for key, value in values.items():
        try:
            now: str | None = tree.git("config", "--get", key).rstrip("\n")
        except Failed:
            now = None
        if now != value:
            if write:
                tree.git("config", "--local", key, value)
            changed = True
    return changed


def stages(tree: Worktree, path: str) -> tuple[str, str, str] | None:
    """The base, ours and theirs versions of a conflicted ``path`` (None when it is not conflicted;
    a side without the file gives an empty text)."""
    if not tree.git("ls-files", "-u", "--", path).strip():
        return None
    texts = []
    for stage in (1, 2, 3):
        try:
            texts.append(tree.git("show", f":{stage}:{path}"))
        except Failed:
            texts.append("")
    return texts[0], texts[1], texts[2]


def conflicted(tree: Worktree) -> list[Path]:
    """The files git left conflicted."""
    names = tree.git("diff", "--name-only", "--diff-filter=U").splitlines()
    return [tree.root / n for n in names if n]


def stage(tree: Worktree, paths: Sequence[Path]) -> None:
    """`git add` these paths."""
    if paths:
        tree.git("add", "--", *rel(tree, paths))


def in_progress(tree: Worktree) -> str | None:
    """The git command a conflict interrupted: merge, rebase or cherry-pick (None: none)."""
    names = {"rebase-merge": "rebase", "rebase-apply": "rebase", "CHERRY_PICK_HEAD": "cherry-pick"}
    found = [what for name, what in names.items() if (tree.git_dir / name).exists()]
    return found[0] if found else "merge" if (tree.git_dir / "MERGE_HEAD").exists() else None

"""A thin GitPython wrapper: find the repository, check it can commit, commit exactly the named
paths, push."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from mapdaily_cli.errors import GitError, NotARepository
from mapdaily_cli.gitops.plumbing import commit_over as commit_over
from mapdaily_cli.gitops.plumbing import commit_with_blob as commit_with_blob
from mapdaily_cli.gitops.plumbing import git_path as git_path
from mapdaily_cli.gitops.plumbing import hash_file as hash_file
from mapdaily_cli.gitops.plumbing import head_moved_by as head_moved_by
from mapdaily_cli.gitops.plumbing import merge_base as merge_base
from mapdaily_cli.gitops.plumbing import merge_texts as merge_texts

if TYPE_CHECKING:
    from git import Repo

#: The first line of `git commit`'s summary: ``[main (root-commit) 1a2b3c4] subject``. Hooks' output
#: goes to stderr, so this names the commit git made for us, whatever a post-commit hook commits.
_SUMMARY = re.compile(r"^\[.*? ([0-9a-f]{4,64})\] ", re.MULTILINE)


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


def open_repo(root: Path) -> Repo:
    """The git repository holding ``root``, with a working tree to commit from; NotARepository
    (suggesting what to do) when there is none, it is bare, or ``root`` is inside its git folder."""
    git = _git()
    try:
        repo: Repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotARepository(
            f"{root} is not inside a git repository; run `git init` there, or pass --no-commit"
        ) from None
    where = Path(repo.git_dir).resolve()
    if repo.bare or repo.working_tree_dir is None:
        raise NotARepository(
            f"{where} is a bare git repository (it has no working tree to keep the digest in);"
            f" clone it (`git clone {where} <folder>`) and run mapdaily in the clone"
        )
    if Path(root).resolve().is_relative_to(where):
        raise NotARepository(
            f"{root} is inside the git folder {where}; run mapdaily in the working tree"
            f" {repo.working_tree_dir}"
        )
    return repo


def check_identity(repo: Repo) -> None:
    """Fail before anything is written when git could not make a commit here, whatever its files:
    git refuses the repository (dubious ownership), no identity, signing that cannot work. Lock
    files are left to ``preflight``: a concurrent mapdaily run holds them while it commits."""
    _lock_files(repo)
    _check_ident(repo)
    _check_signing(repo)


def preflight(repo: Repo, paths: Sequence[Path], *, push: bool = False) -> None:
    """Fail before anything is written when committing ``paths`` (the files about to be written,
    existing or not) would fail: what ``check_identity`` checks, a lock file git needs is there
    (call this holding mapdaily's own lock, so such a file is not a concurrent run's), a path not
    tracked yet is ignored; with ``push``, also a detached HEAD or a branch without upstream."""
    for lock in _lock_files(repo):
        if lock.exists():
            raise GitError(
                f"{lock} exists: another git process may be running in {repo.working_tree_dir}, or"
                f" one was killed and left it behind; if no git is running, remove {lock} and run again"
            )
    _check_ident(repo)
    _check_ignored(repo, paths)
    _check_signing(repo)
    if push:
        _upstream(repo)


def _check_ident(repo: Repo) -> None:
    git = _git()
    try:
        for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            repo.git.var(ident)
    except git.CommandError as e:
        raise GitError(
            f"git does not know who you are here ({_reason(e)}), so it cannot commit; run"
            ' `git config user.name "…"` and `git config user.email …` in this repository'
            " (or pass --no-commit)"
        ) from None


def _lock_files(repo: Repo) -> list[Path]:
    """The lock files a commit takes (index, HEAD, the branch), where this worktree keeps them;
    the first git call of a check, so it is also where a repository git does not trust shows."""
    git = _git()
    try:
        branch = None if repo.head.is_detached else repo.head.reference.path
    except (ValueError, TypeError, OSError):
        branch = None
    names = ["index.lock", "HEAD.lock"] + ([f"{branch}.lock"] if branch else [])
    try:
        out = repo.git.rev_parse(*(a for name in names for a in ("--git-path", name)))
    except git.CommandError as e:
        raise _refused(repo, e) from None
    workdir = Path(str(repo.working_tree_dir))
    return [(workdir / line).resolve() for line in out.splitlines()]


def _refused(repo: Repo, e: Exception) -> GitError:
    said = _text(getattr(e, "stderr", ""))
    if "dubious ownership" not in said:
        return GitError(f"git cannot use the repository at {repo.working_tree_dir}: {_reason(e)}")
    fix = next((ln.strip() for ln in said.splitlines() if "safe.directory" in ln), "")
    fix = fix or f"git config --global --add safe.directory {repo.working_tree_dir}"
    return GitError(
        f"git refuses the repository at {repo.working_tree_dir}: it belongs to another user"
        f" (dubious ownership); run mapdaily as its owner, or if you trust it, run `{fix}`"
    )


def _rel(repo: Repo, paths: Sequence[Path]) -> list[str]:
    """``paths`` relative to the working tree, with forward slashes (what git takes)."""
    workdir = Path(str(repo.working_tree_dir)).resolve()
    try:
        return [Path(p).resolve().relative_to(workdir).as_posix() for p in paths]
    except ValueError:
        outside = next(p for p in paths if not Path(p).resolve().is_relative_to(workdir))
        raise GitError(
            f"{outside} is outside the git working tree {workdir}; it cannot be committed"
        ) from None


def _check_ignored(repo: Repo, paths: Sequence[Path]) -> None:
    """Refuse when git ignores a path that is not tracked yet: `git add` would refuse it."""
    git = _git()
    rel = _rel(repo, paths)
    if not rel:
        return
    with tempfile.TemporaryFile() as names:
        names.write(b"".join(r.encode("utf-8") + b"\0" for r in rel))
        names.seek(0)
        try:
            out = repo.git.check_ignore("-v", "-z", "--stdin", istream=names, strip_newline_in_stdout=False)
        except git.GitCommandError as e:
            if e.status == 1:  # nothing ignored
                return
            raise GitError(f"git check-ignore failed: {_reason(e)}") from None
    fields = out.split("\0")
    for source, line, pattern, path in zip(
        fields[0::4], fields[1::4], fields[2::4], fields[3::4], strict=False
    ):
        if pattern.startswith("!"):  # a negated pattern: the path is not ignored
            continue
        raise GitError(
            f"git ignores {path} (`{pattern}` in {source}:{line}), so it cannot be committed; remove"
            f" that pattern or add `!{path}` after it, or pass --no-commit"
        )


def _check_signing(repo: Repo) -> None:
    """When commits must be signed, sign a throwaway commit the way `git commit` would: it runs the
    configured program with the configured key (gpg, x509 or ssh), so whatever would fail there
    fails here, before anything is written. It costs one signature and leaves two unreachable
    objects (an empty tree, a commit) for git's garbage collection."""
    git = _git()
    try:
        signing = repo.git.config("--type=bool", "--get", "commit.gpgsign") == "true"
    except git.GitCommandError as e:
        if e.status == 1:  # not set
            return
        raise GitError(f"cannot read commit.gpgsign: {_reason(e)}") from None
    if not signing:
        return
    try:
        tree = repo.git.mktree()
        repo.git.commit_tree("-S", "-m", "mapdaily: signing check", tree)
    except git.CommandError as e:
        raise GitError(
            f"commits here must be signed (commit.gpgsign is on), but git cannot sign: {_reason(e)};"
            " fix the signing setup (user.signingkey, gpg.program, gpg.format), or turn signing"
            " off with `git config commit.gpgsign false` (or pass --no-commit)"
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


def uncommitted(repo: Repo, paths: Sequence[Path]) -> list[str]:
    """Which of ``paths`` (relative, as git names them) differ from the last commit now: changes
    an earlier command left uncommitted (``--no-commit``) or edits by hand, which a commit of these
    paths takes along. Nothing is uncommitted before the first commit's files exist."""
    git = _git()
    rel = _rel(repo, paths)
    if not rel:
        return []
    try:
        said = str(repo.git.status("--porcelain", "-z", "--untracked-files=all", "--", *rel))
    except git.CommandError as e:
        raise GitError(f"git status failed: {_reason(e)}") from None
    wanted = set(rel)
    return sorted({entry[3:] for entry in said.split("\0") if len(entry) > 3 and entry[3:] in wanted})


def commit_paths(repo: Repo, paths: Sequence[Path], message: str) -> str | None:
    """Commit the current content of ``paths`` only, leaving anything else the user staged staged
    and out of the commit. Returns the new commit's short hash (the commit made here, not one a
    hook made after it), or None when nothing changed."""
    git = _git()
    rel = _rel(repo, paths)
    workdir = Path(str(repo.working_tree_dir))
    try:
        # Only new files need staging first; `commit --only` stages tracked ones itself (each large
        # file is hashed once, not once per git command).
        tracked = set(repo.git.ls_files("-z", "--", *rel).split("\0"))
        new = [r for r in rel if r not in tracked and (workdir / r).exists()]
        if new:
            repo.git.add("--", *new)
        # With a HEAD, --only commits these paths alone; the first commit takes the index, which
        # then holds just them.
        only = ["--only"] if repo.head.is_valid() else []
        try:
            said = repo.git.commit(*only, "-m", message, "--", *rel)
        except git.GitCommandError as e:
            out = f"{e.stdout}{e.stderr}"
            if any(w in out for w in ("nothing to commit", "nothing added to commit", "no changes added")):
                return None
            raise
        found = _SUMMARY.search(said)
        return str(repo.git.rev_parse("--short=8", "--verify", f"{found[1] if found else 'HEAD'}^{{commit}}"))
    except git.CommandError as e:
        raise GitError(f"git commit failed: {_reason(e)}; the files are written but not committed") from None


def last_commit_of(root: Path, path: Path) -> str | None:
    """The last commit that changed ``path`` (None: no repository, no such commit, no git)."""
    found = commits_of(root, path, 1)
    return found[0] if found else None


def commits_of(root: Path, path: Path, limit: int = 50) -> list[str]:
    """The last ``limit`` commits that changed ``path``, newest first ([] without a repository)."""
    try:
        git = _git()
    except GitError:
        return []
    try:
        repo = git.Repo(root, search_parent_directories=True)
        rel = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        return str(repo.git.log(f"-{limit}", "--format=%H", "--", rel.as_posix())).split()
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.CommandError, ValueError):
        return []


def text_at(root: Path, commit: str, path: Path) -> str | None:
    """The text of ``path`` in ``commit``, or None when it is not there."""
    try:
        git = _git()
    except GitError:
        return None
    try:
        repo = git.Repo(root, search_parent_directories=True)
        rel = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        return str(repo.git.show(f"{commit}:{rel.as_posix()}", strip_newline_in_stdout=False))
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.CommandError, ValueError):
        return None


class PushRejected(GitError):
    """The remote branch moved on: fetch, catch up and try again."""


def push(repo: Repo) -> None:
    """Push HEAD to the current branch's upstream; PushRejected when the remote has moved (not when
    the remote refuses the push for its own reasons, such as a hook)."""
    git = _git()
    branch, remote, remote_head = _upstream(repo)
    try:
        repo.git.push(remote, f"HEAD:{remote_head}")
    except git.CommandError as e:
        # `! [rejected] … (fetch first)` is the remote having moved; `! [remote rejected]` is not.
        if "[rejected]" in _text(getattr(e, "stderr", "")):
            raise PushRejected(f"the remote branch {remote}/{remote_head} has moved on") from None
        raise GitError(f"git push failed: {_reason(e, ['! ['])}; the commit is made locally") from None


def catch_up(repo: Repo, ours: str | None) -> None:
    """Fetch the upstream and move the branch onto it, first dropping ``ours`` (the commit just
    made, to be made again on top of the remote's data) when given: only if it is still HEAD, so
    a commit someone else made meanwhile is never thrown away."""
    git = _git()
    branch, remote, remote_head = _upstream(repo)
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


def _upstream(repo: Repo) -> tuple[str, str, str]:
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


# --- merging (the plumbing a merge driver uses is in gitops.plumbing) ------------------------------


def set_config(repo: Repo, values: dict[str, str], *, write: bool = True) -> bool:
    """Set these keys in the repository's own git config (only compare them unless ``write``);
    False when they were all set so already."""
    git = _git()
    changed = False
    for key, value in values.items():
        try:
            now = str(repo.git.config("--get", key))
        except git.GitCommandError:
            now = None
        if now != value:
            if write:
                repo.git.config("--local", key, value)
            changed = True
    return changed


def stages(repo: Repo, rel: str) -> tuple[str, str, str] | None:
    """The base, ours and theirs versions of a conflicted ``rel`` (None when it is not conflicted;
    a side without the file gives an empty text)."""
    git = _git()
    listed = str(repo.git.ls_files("-u", "--", rel))
    if not listed:
        return None
    texts = []
    for stage in (1, 2, 3):
        try:
            texts.append(str(repo.git.show(f":{stage}:{rel}", strip_newline_in_stdout=False)))
        except git.GitCommandError:
            texts.append("")
    return texts[0], texts[1], texts[2]


def conflicted(repo: Repo) -> list[Path]:
    """The files git left conflicted."""
    workdir = Path(str(repo.working_tree_dir))
    names = str(repo.git.diff("--name-only", "--diff-filter=U")).splitlines()
    return [workdir / n for n in names if n]


def stage(repo: Repo, paths: Sequence[Path]) -> None:
    """`git add` these paths."""
    repo.git.add("--", *_rel(repo, paths)) if paths else None


def in_progress(repo: Repo) -> str | None:
    """The git command a conflict interrupted: merge, rebase or cherry-pick (None: none)."""
    names = {"rebase-merge": "rebase", "rebase-apply": "rebase", "CHERRY_PICK_HEAD": "cherry-pick"}
    found = [what for name, what in names.items() if (Path(repo.git_dir) / name).exists()]
    return found[0] if found else "merge" if (Path(repo.git_dir) / "MERGE_HEAD").exists() else None

"""The work tree mapdaily commits in, driven by plain git processes (GitPython is loaded only by what
needs more: pushing, merging): found and checked with as few processes as it takes, then the commit
of exactly the named paths."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mapdaily_cli.errors import GitError, NotARepository

if TYPE_CHECKING:
    from git import Repo

#: Settings for mapdaily's own commits, given on the command line (the repository's configuration is
#: not changed): the short hash as it is reported, and the new blobs (a 33 MB papers.yaml after ten
#: years) compressed at zlib's fastest level, which halves git's time for them; they are stored
#: loose only until git packs them, which compresses them anew.
_COMMIT_SETTINGS = ("-c", "core.abbrev=8", "-c", "core.looseCompression=1")


class Failed(Exception):
    """A git process that exited non-zero: its status and what it printed."""

    def __init__(self, status: int, stdout: str, stderr: str) -> None:
        super().__init__(stderr or stdout)
        self.status, self.stdout, self.stderr = status, stdout, stderr


#: What would make git use another repository than the one it finds from the folder it runs in (a
#: hook or a `rebase --exec` of another repository exports them): mapdaily's digest is where it runs.
_ELSEWHERE = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")


def run_git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    """git's output in the repository holding ``cwd`` (Failed when it exits non-zero; GitError when
    git cannot be run at all). Run in the C locale, so that what it says can be read (as GitPython
    runs it), and without the variables that point git at another repository."""
    env = {k: v for k, v in os.environ.items() if k not in _ELSEWHERE}
    env.update(LANGUAGE="C", LC_ALL="C")
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git cannot be run: install git (or put it on PATH), or pass --no-commit") from None
    out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    if done.returncode:
        raise Failed(done.returncode, out, err)
    return out


def reason(stdout: str, stderr: str, prefer: Sequence[str] = ()) -> str:
    """git's own line saying why a command failed: the first line starting with one of ``prefer``,
    else the first ``fatal:``/``error:`` line, else what it printed apart from hints."""
    lines = [ln.strip() for ln in f"{stderr}\n{stdout}".splitlines() if ln.strip()]
    for starts in (tuple(prefer), ("fatal:", "error:")):
        for line in lines:
            if starts and line.startswith(starts):
                return line.removeprefix("fatal: ").removeprefix("error: ").removeprefix("! ")
    return " ".join(ln for ln in lines if not ln.startswith("hint:"))


def _said(e: Failed, what: str) -> str:
    return reason(e.stdout, e.stderr) or f"git {what} failed ({e.status})"


class Worktree:
    """A git work tree: its top folder and git folders, found with one git process."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path) -> None:
        self.working_tree_dir = str(root)
        self.root, self.git_dir, self.common_dir = root, git_dir, common_dir
        #: Whether identity and signing were found able to commit (they are checked once per command).
        self.identity_checked = False
        #: Which of a set of paths git tracks, as asked (see :func:`tracked`).
        self.tracked: dict[tuple[str, ...], set[str]] = {}

    @cached_property
    def repo(self) -> Repo:
        """The GitPython repository, for what needs more than a few git commands."""
        try:
            import git
        except ImportError:
            raise GitError(
                "git cannot be run: install git (or put it on PATH), or pass --no-commit"
            ) from None
        repo = git.Repo(self.root)
        # GitPython's processes inherit the environment; these point them at this repository.
        where = (self.git_dir, self.root, self.common_dir)
        repo.git.update_environment(**{k: str(v) for k, v in zip(_ELSEWHERE, where, strict=True)})
        return repo

    def git(self, *args: str, stdin: bytes | None = None) -> str:
        return run_git(self.root, *args, stdin=stdin)

    def branch(self) -> str | None:
        """The branch HEAD names (``refs/heads/main``), None when it is detached."""
        head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        return head[5:].strip() if head.startswith("ref:") else None


def open_repo(root: Path) -> Worktree:
    """The git work tree holding ``root``; NotARepository (suggesting what to do) when there is
    none, it is bare, or ``root`` is inside its git folder."""
    asked = ("--is-bare-repository", "--is-inside-git-dir", "--absolute-git-dir", "--git-common-dir")
    try:
        said = run_git(root, "rev-parse", *asked, "--show-toplevel").splitlines()
    except Failed as e:
        said = e.stdout.splitlines()
        if len(said) < 4:
            if "dubious ownership" in e.stderr:
                raise refused(root, e) from None
            if "not a git repository" not in e.stderr:
                raise GitError(f"git cannot use the repository at {root}: {_said(e, 'rev-parse')}") from None
            raise NotARepository(
                f"{root} is not inside a git repository; run `git init` there, or pass --no-commit"
            ) from None
    where = Path(said[2]).resolve()
    if said[0] != "true" and (said[1] == "true" or Path(root).resolve().is_relative_to(where)):
        raise NotARepository(f"{root} is inside the git folder {where}; run mapdaily in the working tree")
    if said[0] == "true" or len(said) < 5:
        raise NotARepository(
            f"{where} is a bare git repository (it has no working tree to keep the digest in);"
            f" clone it (`git clone {where} <folder>`) and run mapdaily in the clone"
        )
    return Worktree(Path(said[4]), Path(said[2]), (Path(root) / said[3]).resolve())


def refused(root: Path, e: Failed) -> GitError:
    """The error of git refusing a repository that belongs to someone else (or for another reason)."""
    if "dubious ownership" not in e.stderr:
        return GitError(f"git cannot use the repository at {root}: {_said(e, 'rev-parse')}")
    fix = next((ln.strip() for ln in e.stderr.splitlines() if "safe.directory" in ln), "")
    fix = fix or f"git config --global --add safe.directory {root}"
    return GitError(
        f"git refuses the repository at {root}: it belongs to another user"
        f" (dubious ownership); run mapdaily as its owner, or if you trust it, run `{fix}`"
    )


def check_identity(tree: Worktree) -> None:
    """Fail before anything is written when git could not make a commit here, whatever its files:
    no identity, signing that cannot work. Lock files are left to ``preflight``: a concurrent
    mapdaily run holds them while it commits."""
    _check_ident(tree)
    _check_signing(tree)
    tree.identity_checked = True


def preflight(tree: Worktree, paths: Sequence[Path], *, push: bool = False) -> None:
    """Fail before anything is written when committing ``paths`` (the files about to be written,
    existing or not) would fail: what ``check_identity`` checks (unless it was, for this command),
    a lock file git needs is there (call this holding mapdaily's own lock, so such a file is not a
    concurrent run's), a path not tracked yet is ignored; with ``push``, also a detached HEAD or a
    branch without upstream."""
    for lock in _lock_files(tree):
        if lock.exists():
            raise GitError(
                f"{lock} exists: another git process may be running in {tree.root}, or"
                f" one was killed and left it behind; if no git is running, remove {lock} and run again"
            )
    if not tree.identity_checked:
        check_identity(tree)
    known = tracked(tree, paths)
    _check_ignored(tree, [r for r in rel(tree, paths) if r not in known])
    if push:
        upstream(tree)


def _check_ident(tree: Worktree) -> None:
    try:
        for ident in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            tree.git("var", ident)
    except Failed as e:
        raise GitError(
            f"git does not know who you are here ({_said(e, 'var')}), so it cannot commit; run"
            ' `git config user.name "…"` and `git config user.email …` in this repository'
            " (or pass --no-commit)"
        ) from None


def _lock_files(tree: Worktree) -> list[Path]:
    """The lock files a commit takes (index, HEAD, the branch), where this work tree keeps them."""
    branch = tree.branch()
    names = ["index.lock", "HEAD.lock"] + ([f"{branch}.lock"] if branch else [])
    try:
        out = tree.git("rev-parse", *(a for name in names for a in ("--git-path", name)))
    except Failed as e:
        raise refused(tree.root, e) from None
    return [(tree.root / line).resolve() for line in out.splitlines()]


def rel(tree: Worktree, paths: Sequence[Path]) -> list[str]:
    """``paths`` relative to the working tree, with forward slashes (what git takes)."""
    workdir = tree.root.resolve()
    try:
        return [Path(p).resolve().relative_to(workdir).as_posix() for p in paths]
    except ValueError:
        outside = next(p for p in paths if not Path(p).resolve().is_relative_to(workdir))
        raise GitError(
            f"{outside} is outside the git working tree {workdir}; it cannot be committed"
        ) from None


def tracked(tree: Worktree, paths: Sequence[Path]) -> set[str]:
    """Which of ``paths`` git tracks (relative, as git names them); asked once per set of paths
    (a command's preflight and its commit name the same files)."""
    names = tuple(rel(tree, paths))
    if names not in tree.tracked:
        tree.tracked[names] = set(tree.git("ls-files", "-z", "--", *names).split("\0")) if names else set()
    return tree.tracked[names]


def _check_ignored(tree: Worktree, untracked: list[str]) -> None:
    """Refuse when git ignores a path that is not tracked yet: `git add` would refuse it."""
    if not untracked:
        return
    names = b"".join(r.encode("utf-8") + b"\0" for r in untracked)
    try:
        out = tree.git("check-ignore", "-v", "-z", "--stdin", stdin=names)
    except Failed as e:
        if e.status == 1:  # nothing ignored
            return
        raise GitError(f"git check-ignore failed: {_said(e, 'check-ignore')}") from None
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


def _check_signing(tree: Worktree) -> None:
    """When commits must be signed, sign a throwaway commit the way `git commit` would: it runs the
    configured program with the configured key (gpg, x509 or ssh), so whatever would fail there
    fails here, before anything is written. It costs one signature and leaves two unreachable
    objects (an empty tree, a commit) for git's garbage collection."""
    try:
        signing = tree.git("config", "--type=bool", "--get", "commit.gpgsign").strip() == "true"
    except Failed as e:
        if e.status == 1:  # not set
            return
        raise GitError(f"cannot read commit.gpgsign: {_said(e, 'config')}") from None
    if not signing:
        return
    try:
        empty = tree.git("mktree", stdin=b"").strip()
        tree.git("commit-tree", "-S", "-m", "mapdaily: signing check", empty)
    except Failed as e:
        why = _said(e, "commit-tree")
        raise GitError(
            f"commits here must be signed (commit.gpgsign is on), but git cannot sign: {why};"
            " fix the signing setup (user.signingkey, gpg.program, gpg.format), or turn signing"
            " off with `git config commit.gpgsign false` (or pass --no-commit)"
        ) from None


def upstream(tree: Worktree) -> tuple[str, str, str]:
    """The branch, its upstream's remote and the remote's branch; GitError when HEAD is detached or
    the branch has no upstream."""
    branch = tree.branch()
    if branch is None or not branch.startswith("refs/heads/"):
        raise GitError("HEAD is detached; check out a branch before pushing")
    name = branch.removeprefix("refs/heads/")
    try:
        remote = tree.git("config", "--get", f"branch.{name}.remote").strip()
        merge = tree.git("config", "--get", f"branch.{name}.merge").strip()
    except Failed:
        raise GitError(
            f"branch {name} has no upstream to push to; run `git push -u origin {name}` once"
        ) from None
    return name, remote, merge.removeprefix("refs/heads/")


def uncommitted(
    tree: Worktree, paths: Sequence[Path], contents: Mapping[Path, bytes] | None = None
) -> list[str]:
    """Which of ``paths`` (relative, as git names them) differ from the last commit now: changes
    an earlier command left uncommitted (``--no-commit``) or edits by hand, which a commit of these
    paths takes along. Nothing is uncommitted before the first commit's files exist. ``contents``
    holds what some of them hold now (read by the caller), so that a large file git would have to
    hash again is compared here instead (see :func:`_same_as_head`)."""
    names = rel(tree, paths)
    same = _same_as_head(tree, paths, names, contents or {})
    names = [r for r in names if r not in same]
    if not names:
        return []
    # Not `git status`: it refreshes the whole index, hashing again any file it holds racily (a
    # 33 MB papers.yaml after a pull), whatever paths it is asked about. Before the first commit
    # there is no HEAD to diff with, and status says it.
    diff = ("diff", "HEAD", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv")
    others = ("ls-files", "-z", "--others", "--exclude-standard")
    try:
        found = set(tree.git(*diff, "--", *names).split("\0"))
        found |= set(tree.git(*others, "--", *names).split("\0"))
    except Failed:
        try:
            said = tree.git("status", "--porcelain", "-z", "--untracked-files=all", "--", *names)
        except Failed as e:
            why = _said(e, "status")
            raise GitError(f"git cannot tell what changed since the last commit: {why}") from None
        found = {entry[3:] for entry in said.split("\0") if len(entry) > 3}
    return sorted(found & set(names))


#: From this size on, a file git would hash to tell whether it changed is hashed here instead.
_HASH_HERE = 1 << 20


def _same_as_head(
    tree: Worktree, paths: Sequence[Path], names: list[str], contents: Mapping[Path, bytes]
) -> set[str]:
    """The names of large files among ``paths`` whose ``contents`` are exactly their last commit's
    blob. Asked only for a file git's index holds racily (written in the second the index was,
    as after a checkout, a pull or a reset): `git status` would read and hash all of it with its
    collision-detecting SHA-1, about twice as slow as hashing it here. Anything else (a file that
    differs, a filter or line-ending conversion git applies) is left to `git status`."""
    try:
        index = Path(os.environ.get("GIT_INDEX_FILE") or tree.git_dir / "index")
        indexed = int(index.stat().st_mtime)
        racy = {
            name: data
            for path, name in zip(paths, names, strict=True)
            if (data := contents.get(path)) is not None
            and len(data) >= _HASH_HERE
            and int(Path(path).stat().st_mtime) >= indexed
        }
    except OSError:
        return set()
    if not racy:
        return set()
    try:
        listed = tree.git("ls-tree", "-z", "--full-tree", "HEAD", "--", *racy)
    except Failed:
        return set()  # no commit yet, or git says why when status runs
    from mapdaily_cli.gitops.plumbing import blob_id

    same = set()
    for entry in listed.split("\0"):
        info, _, name = entry.partition("\t")
        fields = info.split()
        if name not in racy or len(fields) != 3 or fields[1] != "blob":
            continue
        if blob_id(racy[name], "sha1" if len(fields[2]) == 40 else "sha256") == fields[2]:
            same.add(name)
    return same


def commit_paths(tree: Worktree, paths: Sequence[Path], message: str) -> str | None:
    """Commit the current content of ``paths`` only, leaving anything else the user staged staged
    and out of the commit. Returns the new commit's short hash (the commit made here, not one a
    hook made after it), or None when nothing changed. A refused commit leaves the index as it was."""
    names = rel(tree, paths)
    new: list[str] = []
    try:
        head = _head(tree)
        if head and not tree.git("diff", "--cached", "--name-only", "-z").strip("\0"):
            # Nothing else is staged: --include stages these paths and commits the index. git hashes
            # and compresses each file once (`--only` hashes a large papers.yaml twice, and a
            # separate `git add` leaves it racily clean for the commit to hash again).
            mode = ["--include"]
        else:
            # With a HEAD, --only commits these paths alone; the first commit takes the index.
            mode = ["--only"] if head else []
        # Only new files need staging first; commit stages tracked ones itself.
        known = tracked(tree, paths)
        new = [r for r in names if r not in known and (tree.root / r).exists()]
        if new:
            tree.git(*_COMMIT_SETTINGS, "add", "--", *new)
            tree.tracked.clear()
        return _commit(tree, message, [*mode, "--", *names], head)
    except Failed as e:
        if new:  # leave the index as it was: nothing of ours staged
            with contextlib.suppress(Failed):
                tree.git("reset", "-q", "--", *new)
        raise GitError(
            f"git commit failed: {_said(e, 'commit')}; the files are written but not committed"
        ) from None


def _commit(tree: Worktree, message: str, args: list[str], head: str | None) -> str | None:
    """``git commit -q -m message args`` (quiet: git's summary would diff a large papers.yaml
    against its last version): the short hash of the commit made, None when there was nothing to
    commit."""
    try:
        tree.git(*_COMMIT_SETTINGS, "commit", "-q", "-m", message, *args)
    except Failed as e:
        out = f"{e.stdout}{e.stderr}"
        if any(w in out for w in ("nothing to commit", "nothing added to commit", "no changes added")):
            return None
        raise
    # Ours is the first commit on top of the old HEAD: a post-commit hook may have committed after it.
    made = tree.git(
        "rev-list",
        "--first-parent",
        "--reverse",
        "--abbrev-commit",
        "--abbrev=8",
        f"{head}..HEAD" if head else "HEAD",
    ).split()
    return made[0] if made else None


def _head(tree: Worktree) -> str | None:
    """The commit HEAD names, None before the first commit."""
    try:
        return tree.git("rev-parse", "-q", "--verify", "HEAD^{commit}").strip() or None
    except Failed:
        return None

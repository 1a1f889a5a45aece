"""git plumbing run as plain processes, for the merge driver and the hooks (which git itself runs):
three-way text merges, blob ids, the commit a rebase or cherry-pick is applying, merge bases, git
paths, HEAD's last move, and a commit of some paths made whatever git command is under way."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "blob_at",
    "blob_ids",
    "blob_id",
    "blob_ids_of",
    "changed_between",
    "commit_over",
    "commit_with_blob",
    "fork_point",
    "git_path",
    "hash_file",
    "head_moved_by",
    "merge_base",
    "merge_texts",
]


def _run(root: Path, *args: str, stdin: str | None = None, index: Path | None = None) -> str | None:
    """git's output in ``root`` (None when it fails), for the merge functions (which git itself runs);
    ``index`` is the index file git uses (the repository's own when None)."""
    out = _run_bytes(root, *args, stdin=None if stdin is None else stdin.encode("utf-8"), index=index)
    return None if out is None else out.decode("utf-8")


def _run_bytes(root: Path, *args: str, stdin: bytes | None = None, index: Path | None = None) -> bytes | None:
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "GIT_INDEX_FILE"}
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=False, env=env)
    return done.stdout if done.returncode == 0 else None


def blob_at(root: Path, rev: str, rel: str) -> bytes | None:
    """The bytes of ``rel`` (relative to ``root``) in commit ``rev``; None when it has no such file."""
    return _run_bytes(root, "cat-file", "blob", f"{rev}:./{rel}")


def blob_ids(root: Path, revs: list[str], rel: str) -> list[str] | None:
    """The blob ids of ``rel`` (relative to ``root``) in each of ``revs``; None when one lacks it."""
    out = _run(root, "rev-parse", *(f"{rev}:./{rel}" for rev in revs))
    ids = out.split() if out else []
    return ids if len(ids) == len(revs) else None


def blob_ids_of(root: Path, data: list[bytes]) -> list[str] | None:
    """The blob ids git gives each of ``data`` in the repository at ``root`` (SHA-1 or SHA-256, as
    it uses), computed here: no need to hand git a large file."""
    found = _run(root, "rev-parse", "--show-object-format")
    name = (found or "").strip() or "sha1"
    if name not in ("sha1", "sha256"):
        return None
    return [blob_id(d, name) for d in data]


def blob_id(data: bytes, algorithm: str = "sha1") -> str:
    """The id of a blob holding ``data`` under ``algorithm`` (git's "blob <size>\\0" header hashed
    with it), with OpenSSL's hashes: large files are hashed here rather than by git."""
    import hashlib

    digest = hashlib.new(algorithm, b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def changed_between(root: Path, a: str, b: str) -> list[str] | None:
    """The paths under ``root`` (relative to it) that differ between commits ``a`` and ``b``; None
    when either is unknown."""
    out = _run(root, "diff", "--name-only", "-z", "--no-renames", "--relative", a, b, "--")
    return None if out is None else [name for name in out.split("\0") if name]


def fork_point(root: Path, *, rebase: bool) -> str | None:
    """Where the history HEAD now has parted from the one it had before a merge or (``rebase``) a
    rebase: the merge base of the branch as it was and HEAD's parents, so that the commits of both
    sides since then count (the branch as it was itself after a fast-forward). None when git
    cannot tell."""
    parents = (_run(root, "rev-parse", "HEAD^@") or "").split()
    before = (_rebased(root) if rebase else None) or "ORIG_HEAD"
    out = _run(root, "merge-base", "--octopus", before, *(parents or ["HEAD"]))
    return (out or "").strip() or None


def _rebased(root: Path) -> str | None:
    """The branch before the rebase that is finishing, as the rebase itself keeps it (a `git reset`
    at one of its stops moves ORIG_HEAD); None when it is not there."""
    for name in ("rebase-merge/orig-head", "rebase-apply/orig-head"):
        where = git_path(root, name)
        try:
            said = where.read_text(encoding="utf-8").strip() if where is not None else ""
        except OSError:
            continue
        if said:
            return said
    return None


def merge_texts(base: str, ours: str, theirs: str) -> str | None:
    """A three-way text merge of ``ours`` and ``theirs`` (git merge-file), None on a conflict."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        names = [Path(folder) / name for name in ("ours", "base", "theirs")]
        for path, text in zip(names, (ours, base, theirs), strict=True):
            path.write_bytes(text.encode("utf-8"))
        return _run(Path(folder), "merge-file", "-p", *map(str, names))


def hash_file(root: Path, path: Path) -> str | None:
    """The blob id git gives ``path``'s bytes."""
    out = _run(root, "hash-object", "--no-filters", "--", str(path))
    return out.strip() if out else None


def commit_with_blob(root: Path, rel: str, blob: str | None, depth: int = 400) -> str | None:
    """The newest commit (of any ref, then of HEAD's reflog) whose ``rel`` is ``blob``: the commit
    a cherry-pick or a rebase is applying, which git does not name to a merge driver."""
    if blob is None:
        return None
    commits = (_run(root, "rev-list", f"--max-count={depth}", "--all", "--reflog") or "").split()
    asked = "".join(f"{c}:{rel}\n" for c in commits)
    out = _run(root, "cat-file", "--batch-check=%(objectname)", stdin=asked) or ""
    for commit, found in zip(commits, out.splitlines(), strict=False):
        if found.strip() == blob:
            return commit
    return None


def merge_base(root: Path, a: str, b: str) -> str:
    """The merge base of ``a`` and ``b`` (``b~1`` when there is none)."""
    out = _run(root, "merge-base", a, b)
    return out.strip() if out else f"{b}~1"


def git_path(root: Path, name: str) -> Path | None:
    """Where git keeps ``name`` (``hooks`` honours core.hooksPath; a worktree's own files)."""
    out = _run(root, "rev-parse", "--git-path", name)
    return (root / out.strip()) if out else None


def head_moved_by(root: Path) -> str:
    """What moved HEAD last, as its reflog says (``cherry-pick: …``, ``commit (merge): …``)."""
    return (_run(root, "reflog", "-1", "--format=%gs", "HEAD") or "").strip()


def commit_over(root: Path, rels: list[str], message: str) -> str | None:
    """Commit the working tree's ``rels`` alone on top of HEAD, through a scratch index, so that it
    works in the middle of a cherry-pick (where `git commit` refuses a partial commit); the index
    then takes them too. On failure they are put back as HEAD has them, and None is returned."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / "index"
        made = None
        if _run(root, "read-tree", "HEAD", index=scratch) is not None:
            if _run(root, "update-index", "--add", "--remove", "--", *rels, index=scratch) is not None:
                tree = (_run(root, "write-tree", index=scratch) or "").strip()
                made = _run(root, "commit-tree", tree, "-p", "HEAD", "-m", message) if tree else None
        if made and _run(root, "update-ref", "-m", message, "HEAD", made.strip()) is not None:
            _run(root, "reset", "--quiet", "--", *rels)
            return made.strip()
    known = set((_run(root, "ls-tree", "-z", "--name-only", "HEAD", "--", *rels) or "").split("\0"))
    if known & set(rels):
        _run(root, "checkout", "HEAD", "--", *sorted(known & set(rels)))
    for rel in set(rels) - known:
        (root / rel).unlink(missing_ok=True)
    return None

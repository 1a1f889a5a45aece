"""git plumbing run as plain processes, for the merge driver (which git itself runs): three-way text
merges, blob ids, the commit a rebase or cherry-pick is applying, merge bases."""

from __future__ import annotations

import tempfile
from pathlib import Path

__all__ = ["commit_with_blob", "hash_file", "merge_base", "merge_texts"]


def _run(root: Path, *args: str, stdin: str | None = None) -> str | None:
    """git's output in ``root`` (None when it fails), for the merge functions (which git itself runs)."""
    import subprocess

    done = subprocess.run(
        ["git", *args], cwd=root, input=stdin, capture_output=True, text=True, encoding="utf-8", check=False
    )
    return done.stdout if done.returncode == 0 else None


def merge_texts(base: str, ours: str, theirs: str) -> str | None:
    """A three-way text merge of ``ours`` and ``theirs`` (git merge-file), None on a conflict."""
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

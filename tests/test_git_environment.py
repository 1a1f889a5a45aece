"""The daily commit path as plain git processes (gitops/worktree.py), in real repositories:
the environment git leaves to its children, other work trees, odd paths and refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import git, run_cli


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def _other_repo(tmp_path: Path) -> Path:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "--quiet", "--initial-branch=main")
    git(other, "config", "user.name", "Other")
    git(other, "config", "user.email", "other@example.com")
    git(other, "commit", "-q", "--allow-empty", "-m", "o")
    return other


# with GIT_DIR set in the environment (a hook or `git rebase --exec` of another
# repository running `mapdaily -C ~/digest add ...`, a shell left with GIT_DIR exported), a git process
# that inherited it would commit the digest's files into THAT repository (at its root, as
# papers.yaml, README.md ...) and the digest's own repository would get nothing.
def test_git_dir_in_the_environment_does_not_redirect_the_commit(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    other = _other_repo(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    monkeypatch.delenv("GIT_DIR")
    assert git(other, "log", "--format=%s") == "o", "the digest's commit went into another repository"
    assert git(repo, "log", "-1", "--format=%s") == "add: Beta (2024-10-15)"


def test_git_work_tree_elsewhere_does_not_redirect_the_commit(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    before = (repo / "papers.yaml").read_bytes()
    other = _other_repo(tmp_path)
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert (repo / "papers.yaml").read_bytes() != before
    assert git(repo, "log", "-1", "--format=%s") == "add: Beta (2024-10-15)"
    assert git(other, "log", "--format=%s") == "o"


def test_the_hash_reported_is_the_commit_made_even_detached_and_abbreviated_long(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    git(repo, "config", "core.abbrev", "12")
    git(repo, "checkout", "--quiet", "--detach")
    said = ok(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert f"(commit {git(repo, 'rev-parse', '--short=8', 'HEAD')})" in said


def test_a_post_commit_hook_that_commits_does_not_change_the_hash_reported(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text(
        "#!/bin/sh\n[ -f hooked ] && exit 0\necho x > hooked && git add hooked"
        " && git commit -q -m 'by the hook'\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    said = ok(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert git(repo, "log", "-1", "--format=%s") == "by the hook"
    assert f"(commit {git(repo, 'rev-parse', '--short=8', 'HEAD~1')})" in said


def test_a_linked_worktree_with_spaces_and_unicode_and_hooks_path(repo: Path, tmp_path: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    linked = tmp_path / "a wörk tree ☕"
    git(repo, "worktree", "add", "--quiet", "-b", "side", str(linked))
    hooks = tmp_path / "my hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text('#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/ran"\n', "utf-8")
    (hooks / "pre-commit").chmod(0o755)
    git(repo, "config", "core.hooksPath", str(hooks))
    ok(linked, "add", "--title", "Beta", "--date", "2024-10-15")
    assert git(linked, "log", "-1", "--format=%s") == "add: Beta (2024-10-15)"
    assert git(repo, "log", "-1", "--format=%s") == "add: Alpha (2024-10-15)"
    assert git(linked, "status", "--porcelain") == ""
    assert (Path(git(linked, "rev-parse", "--absolute-git-dir")) / "ran").exists()


def test_git_missing_from_path(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    monkeypatch.setenv("PATH", str(Path(os.__file__).parent))  # no git there
    code, _, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert code == 1 and err.strip().splitlines() == [
        "error: git cannot be run: install git (or put it on PATH), or pass --no-commit"
    ]
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-15", "--no-commit")


def test_a_digest_in_a_subfolder_of_an_unborn_branch(git_repo: Path) -> None:
    sub = git_repo / "digest folder"
    sub.mkdir()
    (git_repo / "unrelated.txt").write_text("staged, not ours\n", encoding="utf-8")
    ok(sub, "add", "--title", "Alpha", "--date", "2024-10-15")
    ok(sub, "add", "--title", "Beta", "--date", "2024-10-15")
    assert git(git_repo, "log", "--format=%s") == "add: Beta (2024-10-15)\nadd: Alpha (2024-10-15)"
    assert "unrelated.txt" not in git(git_repo, "ls-files")


def test_git_dir_in_the_environment_does_not_redirect_a_push(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "main")
    other = _other_repo(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-15", "--push")
    monkeypatch.delenv("GIT_DIR")
    assert git(remote, "log", "-1", "--format=%s") == "add: Beta (2024-10-15)"


def test_a_refused_commit_leaves_nothing_staged_and_one_made_leaves_the_index_clean(repo: Path) -> None:
    """With nothing else staged, the paths are staged and the index committed (git hashes each file
    once); a hook that refuses the commit finds the index put back as it was."""
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    assert git(repo, "status", "--porcelain") == ""
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'not today' >&2\nexit 1\n", encoding="utf-8")
    (hooks / "pre-commit").chmod(0o755)
    code, _, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert code == 1 and "not today" in err
    assert git(repo, "diff", "--cached", "--name-only") == ""  # nothing left staged
    assert "papers.yaml" in git(repo, "diff", "--name-only")  # the files are written
    (hooks / "pre-commit").unlink()
    (repo / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(repo, "add", "notes.txt")  # something of the user's staged: it stays staged, out of the commit
    ok(repo, "add", "--title", "Gamma", "--date", "2024-10-15")
    assert "notes.txt" not in git(repo, "show", "--name-only", "--format=", "HEAD")
    assert git(repo, "diff", "--cached", "--name-only") == "notes.txt"

"""--push against a real bare remote: a rotate racing a curator's add lands without losing a paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, run_cli


def mapdaily(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return err


@pytest.fixture
def remote_and_clones(tmp_path: Path, isolated_git: Path) -> tuple[Path, Path, Path]:
    # Every clone needs a user and the main branch, so they go into the global configuration.
    for key, value in (
        ("user.name", "Bot"),
        ("user.email", "bot@example.org"),
        ("commit.gpgsign", "false"),
        ("init.defaultBranch", "main"),
    ):
        git(tmp_path, "config", "--global", key, value)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    first = tmp_path / "curator"
    git(tmp_path, "clone", "-q", str(remote), str(first))
    mapdaily(first, "add", "--title", "Monday Paper", "--date", "2024-10-14")
    mapdaily(first, "add", "--title", "Another Monday Paper")
    git(first, "push", "-q", "-u", "origin", "main")
    second = tmp_path / "scheduler"
    git(tmp_path, "clone", "-q", str(remote), str(second))
    return remote, first, second


def test_rotate_catches_up_with_a_concurrent_add(
    remote_and_clones: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    remote, curator, scheduler = remote_and_clones
    # The curator adds a paper and pushes it after the scheduler cloned.
    mapdaily(curator, "add", "--title", "Late Monday Paper", "--comment", "added at night", "--push")
    # The scheduler's rotate is rejected at first, catches up, renders from the merged data, pushes.
    out = mapdaily(scheduler, "rotate", "--date", "2024-10-15", "--push")
    assert "caught up" in out
    result = tmp_path / "result"
    git(tmp_path, "clone", "-q", str(remote), str(result))
    log = git(result, "log", "--format=%s").splitlines()
    assert log[:2] == ["rotate: 2024-10-15", "add: Late Monday Paper (2024-10-14)"]
    data = (result / "papers.yaml").read_text(encoding="utf-8")
    assert data.startswith("date: 2024-10-15\npapers: []\n---\ndate: 2024-10-14\n")
    assert all(t in data for t in ("Monday Paper", "Another Monday Paper", "Late Monday Paper"))
    readme = (result / "README.md").read_text(encoding="utf-8")
    assert "| Late Monday Paper | - | added at night |" in readme
    mapdaily(result, "check")
    # Both local clones end up level with the remote.
    assert git(scheduler, "rev-parse", "HEAD") == git(result, "rev-parse", "HEAD")


def test_push_without_upstream_is_one_clear_line(git_repo: Path) -> None:
    code, _, err = run_cli(git_repo, "add", "--title", "X", "--date", "2024-10-14", "--push")
    assert code == 1
    assert "no upstream" in err and "git push -u origin main" in err
    assert git(git_repo, "log", "--format=%s").splitlines() == ["add: X (2024-10-14)"]


def test_catch_up_never_drops_a_commit_it_did_not_make(git_repo: Path, tmp_path: Path) -> None:
    from mapdaily_cli import gitops
    from mapdaily_cli.errors import GitError

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    (git_repo / "a.txt").write_text("a\n", encoding="utf-8")
    git(git_repo, "add", "a.txt")
    git(git_repo, "commit", "-qm", "a")
    git(git_repo, "remote", "add", "origin", str(remote))
    git(git_repo, "push", "-q", "-u", "origin", "main")
    ours = git(git_repo, "rev-parse", "HEAD")[:8]
    (git_repo / "b.txt").write_text("b\n", encoding="utf-8")
    git(git_repo, "add", "b.txt")
    git(git_repo, "commit", "-qm", "someone else's")
    repo = gitops.open_repo(git_repo)
    with pytest.raises(GitError, match="another commit was made"):
        gitops.catch_up(repo, ours)
    assert git(git_repo, "log", "-1", "--format=%s") == "someone else's"

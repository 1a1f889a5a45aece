"""gitops against repositories that fight back: bare, locked, ignoring, signing, not trusted,
hooked, detached; each refused before anything is written where that can be known, and with
git's own reason where it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli import gitops
from mapdaily_cli.errors import GitError, NotARepository


def digest(repo: Path) -> Path:
    """``repo`` with a digest started and one paper added, both committed."""
    code, out, err = run_cli(repo, "init")
    assert code == 0, err + out
    code, out, err = run_cli(repo, "add", "--title", "First Paper", "--date", "2024-10-14")
    assert code == 0, err + out
    return repo


def files_of(repo: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(repo.iterdir()) if p.is_file()}


def hook(hooks: Path, name: str, body: str) -> None:
    path = hooks / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


# --- the repository itself --------------------------------------------------------------------


def test_a_bare_repository_is_refused_before_writing(tmp_path: Path, isolated_git: Path) -> None:
    bare = tmp_path / "digest.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    before = sorted(p.name for p in bare.iterdir())
    for args in (("add", "--title", "X", "--date", "2024-10-14"), ("init",)):
        code, _, err = run_cli(bare, *args)
        assert code == NotARepository.exit_code == 2
        assert "bare git repository" in err and "git clone" in err and "internal error" not in err
        assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in bare.iterdir()) == before


def test_the_git_folder_itself_is_refused(git_repo: Path) -> None:
    with pytest.raises(NotARepository, match="inside the git folder"):
        gitops.open_repo(git_repo / ".git")


def test_without_git_it_says_so(git_repo: Path) -> None:
    # GitPython refuses to import when it cannot run git: one clear error, not an internal one.
    script = "from pathlib import Path; from mapdaily_cli import gitops; gitops.open_repo(Path('.'))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=git_repo,
        env={**os.environ, "PATH": str(git_repo / "no-such-folder")},
        capture_output=True,
        text=True,
    )
    assert "GitError: git cannot be run" in done.stderr


def test_a_linked_worktree_and_a_submodule_commit_in_their_own_repository(
    git_repo: Path, tmp_path: Path
) -> None:
    digest(git_repo)
    linked = tmp_path / "linked"
    git(git_repo, "worktree", "add", "-q", "-b", "side", str(linked))
    code, _, err = run_cli(linked, "add", "--title", "Side Paper")
    assert code == 0, err
    assert git(linked, "log", "-1", "--format=%s").startswith("add: Side Paper")
    assert git(git_repo, "log", "-1", "--format=%s").startswith("add: First Paper")

    git(git_repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(git_repo), "sub")
    sub = git_repo / "sub"
    git(sub, "config", "user.name", "Sub Curator")
    git(sub, "config", "user.email", "sub@example.com")
    code, _, err = run_cli(sub, "add", "--title", "Sub Paper")
    assert code == 0, err
    assert git(sub, "log", "-1", "--format=%s").startswith("add: Sub Paper")
    assert git(sub, "status", "--porcelain") == ""


# --- refused before writing ---------------------------------------------------------------------


@pytest.mark.parametrize("lock", ["index.lock", "HEAD.lock", "refs/heads/main.lock"])
def test_a_stale_lock_is_refused_before_writing(git_repo: Path, lock: str) -> None:
    digest(git_repo)
    path = git_repo / ".git" / lock
    path.touch()
    repo = gitops.open_repo(git_repo)
    with pytest.raises(GitError) as caught:
        gitops.preflight(repo, [git_repo / "README.md"])
    message = caught.value.message
    assert f"{path} exists" in message and "another git process" in message and f"remove {path}" in message
    # A concurrent mapdaily run holds these while it commits, before the caller has mapdaily's
    # lock: the early check leaves them alone.
    gitops.check_identity(repo)
    path.unlink()
    gitops.preflight(repo, [git_repo / "README.md"])


def test_a_stale_lock_fails_the_command_with_gits_reason(git_repo: Path) -> None:
    digest(git_repo)
    lock = git_repo / ".git" / "index.lock"
    lock.touch()
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 1
    assert str(lock) in err and "File exists.'" not in err and "remove the file manually" not in err


def test_a_lock_is_looked_for_where_the_worktree_keeps_it(git_repo: Path, tmp_path: Path) -> None:
    digest(git_repo)
    linked = tmp_path / "linked"
    git(git_repo, "worktree", "add", "-q", "-b", "side", str(linked))
    (git_repo / ".git" / "index.lock").touch()  # the main worktree's: no matter here
    gitops.preflight(gitops.open_repo(linked), [linked / "README.md"])
    own = git_repo / ".git" / "worktrees" / "linked" / "index.lock"
    own.touch()
    with pytest.raises(GitError, match=f"{own} exists"):
        gitops.preflight(gitops.open_repo(linked), [linked / "README.md"])


def test_an_ignored_new_file_is_refused_before_writing(git_repo: Path) -> None:
    (git_repo / ".gitignore").write_text("archived_papers/\n!keep.md\n", encoding="utf-8")
    repo = gitops.open_repo(git_repo)
    with pytest.raises(GitError) as caught:
        gitops.preflight(repo, [git_repo / "keep.md", git_repo / "archived_papers" / "2024W41.md"])
    message = caught.value.message
    assert "git ignores archived_papers/2024W41.md" in message
    assert "`archived_papers/` in .gitignore:1" in message and "--no-commit" in message
    # Tracked files are committed even when a pattern matches them; absent ones are fine too.
    (git_repo / "README.md").write_text("x\n", encoding="utf-8")
    git(git_repo, "add", "README.md")
    git(git_repo, "commit", "-qm", "readme")
    (git_repo / ".gitignore").write_text("README.md\n", encoding="utf-8")
    gitops.preflight(repo, [git_repo / "README.md", git_repo / "papers.yaml", git_repo / "a b.md"])


def test_an_ignored_file_is_refused_before_anything_is_written(git_repo: Path) -> None:
    # init goes through the same transaction as every writer: the preflight names the pattern.
    (git_repo / ".gitignore").write_text("README.md\n", encoding="utf-8")
    code, _, err = run_cli(git_repo, "init")
    assert code == 1
    assert "git ignores README.md" in err and ".gitignore:1" in err and "hint" not in err
    assert sorted(p.name for p in git_repo.iterdir()) == [".git", ".gitignore"]


def test_signing_that_cannot_work_is_refused_before_writing(git_repo: Path) -> None:
    digest(git_repo)
    before = files_of(git_repo)
    git(git_repo, "config", "commit.gpgsign", "true")
    git(git_repo, "config", "gpg.program", str(git_repo / "no-such-gpg"))
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 1
    assert "must be signed" in err and "no-such-gpg" in err and "commit.gpgsign false" in err
    assert files_of(git_repo) == before
    # An ssh key that is not there is found out the same way.
    git(git_repo, "config", "gpg.format", "ssh")
    git(git_repo, "config", "user.signingkey", str(git_repo / "no-such-key.pub"))
    with pytest.raises(GitError, match="no-such-key.pub"):
        gitops.check_identity(gitops.open_repo(git_repo))


def test_signing_that_works_signs_the_commit(git_repo: Path, tmp_path: Path) -> None:
    digest(git_repo)
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    for name, value in (("commit.gpgsign", "true"), ("gpg.format", "ssh"), ("user.signingkey", f"{key}.pub")):
        git(git_repo, "config", name, value)
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 0, err
    assert "gpgsig" in git(git_repo, "cat-file", "commit", "HEAD")


def test_dubious_ownership_is_refused_before_writing(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digest(git_repo)
    before = files_of(git_repo)
    # git's own switch for "this repository belongs to someone else".
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 1
    assert "dubious ownership" in err
    assert f"`git config --global --add safe.directory {git_repo}`" in err
    assert files_of(git_repo) == before


def test_push_without_a_branch_is_refused_by_the_preflight(git_repo: Path) -> None:
    digest(git_repo)
    repo = gitops.open_repo(git_repo)
    with pytest.raises(GitError, match="no upstream"):
        gitops.preflight(repo, [git_repo / "README.md"], push=True)
    git(git_repo, "checkout", "-q", "--detach")
    with pytest.raises(GitError, match="HEAD is detached"):
        gitops.preflight(repo, [git_repo / "README.md"], push=True)
    gitops.preflight(repo, [git_repo / "README.md"])


# --- git's reason, when it fails anyway -----------------------------------------------------------


def test_a_failed_commit_reports_gits_error_line(git_repo: Path) -> None:
    digest(git_repo)
    (git_repo / "README.md").write_text("changed\n", encoding="utf-8")
    lock = git_repo / ".git" / "index.lock"
    lock.touch()
    with pytest.raises(GitError) as caught:
        gitops.commit_paths(gitops.open_repo(git_repo), [git_repo / "README.md"], "m")
    message = caught.value.message
    assert message.startswith(f"git commit failed: Unable to create '{lock}': File exists.;")
    assert "remove the file manually" not in message and not message.endswith("'")


def test_a_failing_pre_commit_hook_is_quoted(git_repo: Path) -> None:
    digest(git_repo)
    hook(
        git_repo / ".git" / "hooks",
        "pre-commit",
        "echo 'hint: ignore me' >&2; echo 'no commits on Fridays' >&2; exit 1",
    )
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 1
    assert "git commit failed: no commits on Fridays; the files are written" in err


def test_a_push_the_remote_refuses_is_not_retried(git_repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    digest(git_repo)
    git(git_repo, "remote", "add", "origin", str(remote))
    git(git_repo, "push", "-q", "-u", "origin", "main")
    hook(remote / "hooks", "pre-receive", "echo 'frozen until Monday' >&2; exit 1")
    code, _, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14", "--push")
    assert code == 1
    assert "git push failed: [remote rejected]" in err and "pre-receive hook declined" in err
    assert "attempts" not in err and "caught up" not in err
    assert git(git_repo, "log", "-1", "--format=%s").startswith("add: Second Paper")


def test_catching_up_reports_gits_error_line(git_repo: Path, tmp_path: Path) -> None:
    digest(git_repo)
    git(git_repo, "remote", "add", "origin", str(tmp_path / "gone.git"))
    git(git_repo, "config", "branch.main.remote", "origin")
    git(git_repo, "config", "branch.main.merge", "refs/heads/main")
    with pytest.raises(GitError) as caught:
        gitops.catch_up(gitops.open_repo(git_repo), None)
    message = caught.value.message
    assert f"'{tmp_path / 'gone.git'}' does not appear to be a git repository;" in message
    assert "stderr" not in message and "Please make sure" not in message


# --- the commit mapdaily made -------------------------------------------------------------------


def test_the_commit_reported_is_ours_not_a_post_commit_hooks(git_repo: Path) -> None:
    digest(git_repo)
    hook(
        git_repo / ".git" / "hooks",
        "post-commit",
        "git -c core.hooksPath=/dev/null commit -q --allow-empty -m 'hook: stamp'",
    )
    code, out, err = run_cli(git_repo, "add", "--title", "Second Paper", "--date", "2024-10-14")
    assert code == 0, err
    assert git(git_repo, "log", "-2", "--format=%s").splitlines() == [
        "hook: stamp",
        "add: Second Paper (2024-10-14)",
    ]
    assert f"(commit {git(git_repo, 'rev-parse', '--short=8', 'HEAD~1')})" in out + err


def test_the_first_commit_is_reported_and_leaves_staged_files_staged(git_repo: Path) -> None:
    (git_repo / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(git_repo, "add", "notes.txt")
    (git_repo / "README.md").write_text("x\n", encoding="utf-8")
    ours = gitops.commit_paths(gitops.open_repo(git_repo), [git_repo / "README.md"], "first")
    assert ours == git(git_repo, "rev-parse", "--short=8", "HEAD")
    assert git(git_repo, "show", "--format=", "--name-only", "HEAD") == "README.md"
    assert git(git_repo, "status", "--porcelain") == "A  notes.txt"


# --- a large file git holds racily ----------------------------------------------------------------


def _big(repo: Path, name: str = "big.yaml") -> tuple[Path, bytes]:
    """A committed file over the size that is hashed here, written in the second the index was."""
    path = repo / name
    data = b"".join(b"- title: Paper %d\n" % i for i in range(80_000))
    assert len(data) >= 1 << 20
    path.write_bytes(data)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", "big")
    os.utime(path, (os.stat(repo / ".git" / "index").st_mtime,) * 2)  # racy, whatever the clock did
    return path, data


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_a_large_racy_file_is_compared_with_its_commit_here(
    tmp_path: Path, isolated_git: Path, object_format: str
) -> None:
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", f"--object-format={object_format}", "-b", "main", str(repo))
    git(repo, "config", "user.name", "T")
    git(repo, "config", "user.email", "t@example.com")
    path, data = _big(repo)
    tree = gitops.open_repo(repo)
    asked: list[tuple[str, ...]] = []
    real = tree.git

    def spy(*args: str, stdin: bytes | None = None) -> str:
        asked.append(args)
        return real(*args, stdin=stdin)

    tree.git = spy  # type: ignore[method-assign]
    assert gitops.uncommitted(tree, [path], {path: data}) == []
    assert not any("status" in a for a in asked)  # git did not hash it again
    # A file that differs from its commit, however it came to (same size, one byte): git says so.
    changed = data.replace(b"Paper 7\n", b"Paper 8\n", 1)
    path.write_bytes(changed)
    assert gitops.uncommitted(tree, [path], {path: changed}) == ["big.yaml"]
    assert gitops.uncommitted(tree, [path]) == ["big.yaml"]


def test_a_large_file_git_converts_is_left_to_git(git_repo: Path) -> None:
    # With a line-ending conversion the bytes in the work tree are not the blob: git decides.
    (git_repo / ".gitattributes").write_text("*.yaml text eol=crlf\n", encoding="utf-8")
    git(git_repo, "add", ".gitattributes")
    path, _ = _big(git_repo)
    git(git_repo, "rm", "-q", "--cached", "big.yaml")
    git(git_repo, "commit", "-q", "-m", "drop")
    git(git_repo, "checkout", "-q", "HEAD~1", "--", "big.yaml")  # written with CRLF
    data = path.read_bytes()
    assert b"\r\n" in data
    git(git_repo, "commit", "-q", "-m", "back")
    os.utime(path, (os.stat(git_repo / ".git" / "index").st_mtime,) * 2)
    tree = gitops.open_repo(git_repo)
    assert gitops.uncommitted(tree, [path], {path: data}) == gitops.uncommitted(tree, [path]) == []
    path.write_bytes(data + b"- title: more\r\n")
    assert gitops.uncommitted(tree, [path], {path: data + b"- title: more\r\n"}) == ["big.yaml"]


def test_what_is_uncommitted_is_what_a_commit_of_the_paths_would_take_along(git_repo: Path) -> None:
    # Every way a path can differ from the last commit, each on its own path; the answer is read
    # off what committing exactly these paths then holds.
    for name in ("same", "edited", "deleted", "staged", "staged-back", "untracked-dir/x"):
        (git_repo / name).parent.mkdir(exist_ok=True)
        (git_repo / name).write_text(f"{name}\n", encoding="utf-8")
    (git_repo / ".gitignore").write_text("ignored\n", encoding="utf-8")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "base")
    (git_repo / "edited").write_text("changed\n", encoding="utf-8")
    (git_repo / "deleted").unlink()
    (git_repo / "staged").write_text("staged change\n", encoding="utf-8")
    git(git_repo, "add", "staged")
    (git_repo / "staged-back").write_text("for a while\n", encoding="utf-8")
    git(git_repo, "add", "staged-back")
    (git_repo / "staged-back").write_text("staged-back\n", encoding="utf-8")  # as committed again
    (git_repo / "new").write_text("new\n", encoding="utf-8")
    (git_repo / "ignored").write_text("ignored\n", encoding="utf-8")
    names = ["same", "edited", "deleted", "staged", "staged-back", "new", "ignored", "missing"]
    said = gitops.uncommitted(gitops.open_repo(git_repo), [git_repo / n for n in names])
    assert said == ["deleted", "edited", "new", "staged"]
    git(git_repo, "reset", "-q")
    git(git_repo, "add", "new")
    git(git_repo, "commit", "-q", "-m", "all", "--", *(n for n in said))
    assert sorted(git(git_repo, "show", "--format=", "--name-only", "HEAD").split()) == said


def test_blob_ids_are_gits(git_repo: Path) -> None:
    # The merge drivers share the merged data under these ids: they must be git's own.
    for text in ("one\n", "two\n"):
        (git_repo / "f.yaml").write_text(text, encoding="utf-8")
        git(git_repo, "add", "f.yaml")
        git(git_repo, "commit", "-q", "-m", text)
    ids = gitops.blob_ids(git_repo, ["HEAD~1", "HEAD"], "f.yaml")
    assert ids == [git(git_repo, "rev-parse", f"{rev}:f.yaml") for rev in ("HEAD~1", "HEAD")]
    assert gitops.blob_ids_of(git_repo, [b"one\n", b"two\n"]) == ids
    assert ids[1] == git(git_repo, "hash-object", "f.yaml")
    assert gitops.blob_ids(git_repo, ["HEAD", "HEAD"], "missing.yaml") is None

"""Every writer goes through the one transaction: init and import as much as add or rotate."""

from __future__ import annotations

from pathlib import Path

from conftest import git, run_cli


def files_of(repo: Path) -> list[str]:
    return sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if ".git" not in p.parts)


def test_init_without_a_git_identity_writes_nothing_and_says_how(git_repo: Path) -> None:
    git(git_repo, "config", "--unset", "user.name")
    git(git_repo, "config", "--unset", "user.email")
    code, out, err = run_cli(git_repo, "init", "--ci", "github", "--week-start", "sunday")
    assert code == 1 and err.count("\n") == 1
    assert "git config user.name" in err and "git config user.email" in err
    assert "stderr" not in err and not err.strip().endswith("'")
    assert files_of(git_repo) == [] and git(git_repo, "status", "--porcelain") == ""
    # Once git knows who commits, the same init does everything, in one commit.
    git(git_repo, "config", "user.name", "Test Curator")
    git(git_repo, "config", "user.email", "curator@example.com")
    code, out, err = run_cli(git_repo, "init", "--ci", "github", "--week-start", "sunday")
    assert code == 0, err
    assert git(git_repo, "log", "--format=%s").splitlines() == ["init: mapdaily digest"]
    assert git(git_repo, "status", "--porcelain") == ""
    assert "mapdaily.toml" in git(git_repo, "show", "--name-only", "--format=", "HEAD").split()


def test_init_dry_run_writes_nothing_even_in_git(git_repo: Path) -> None:
    before = sorted(p.name for p in (git_repo / ".git").iterdir())
    code, out, err = run_cli(git_repo, "init", "--dry-run")
    assert code == 0 and "dry run" in err and "+date:" in out
    assert files_of(git_repo) == [] and sorted(p.name for p in (git_repo / ".git").iterdir()) == before


def test_init_is_refused_while_another_command_holds_the_lock(git_repo: Path) -> None:
    # init takes the digest's lock like every writer (a short timeout keeps the test quick).
    from filelock import FileLock

    from mapdaily_cli.api import transaction as tx

    lock = FileLock(str(git_repo / ".git" / "mapdaily.lock"))
    original = tx.locked
    try:
        tx.locked = lambda path: original(path, timeout=0.2)  # type: ignore[assignment]
        with lock:
            code, _, err = run_cli(git_repo, "init")
    finally:
        tx.locked = original  # type: ignore[assignment]
    assert code == 1 and "another mapdaily command" in err
    assert files_of(git_repo) == []


def test_a_killed_inits_files_are_taken_up_by_the_next_command(git_repo: Path) -> None:
    # A journal left by a killed run makes the next command (init included) regenerate, not refuse.
    assert run_cli(git_repo, "init")[0] == 0
    readme = git_repo / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("Paper Today", "Half written"), encoding="utf-8"
    )
    (git_repo / ".git" / "mapdaily.journal").write_text(f"{readme}\n", encoding="utf-8")
    code, _, err = run_cli(git_repo, "render")
    assert code == 0, err
    assert "Half written" not in readme.read_text(encoding="utf-8")
    assert not (git_repo / ".git" / "mapdaily.journal").exists()


def test_import_refuses_a_fifo_or_a_device_before_taking_the_lock(repo: Path) -> None:
    import os

    fifo = repo / "page.md"
    os.mkfifo(fifo)
    for page in (str(fifo), "/dev/zero"):
        code, _, err = run_cli(repo, "import", page)
        assert code == 1 and "not a page" in err and err.count("\n") == 1, err
    assert files_of(repo) == ["page.md"]


def test_recovery_commits_what_it_recovered_under_its_own_message(repo: Path) -> None:
    assert run_cli(repo, "add", "--title", "Before", "--date", "2024-10-15")[0] == 0
    # As an `add` killed between its two renames leaves things: new data, the old README, a journal.
    data = repo / "papers.yaml"
    data.write_text(data.read_text(encoding="utf-8") + "- title: Next after half\n", encoding="utf-8")
    journal = repo / ".git" / "mapdaily.journal"
    journal.write_text(f"{data}\n{repo / 'README.md'}\n", encoding="utf-8")
    code, out, err = run_cli(repo, "add", "--title", "Mine")
    assert code == 0, err
    assert "finished a write an interrupted command had left half done" in err
    log = git(repo, "log", "--format=%s").splitlines()
    assert log[:2] == [
        "add: Mine (2024-10-15)",
        "recover: finish an interrupted write of README.md, papers.yaml",
    ]
    # The killed command's paper is in the recovery's commit, not in the one of `add: Mine`.
    assert "Next after half" in git(repo, "show", "HEAD~1", "--", "papers.yaml")
    assert "+- title: Next after half" not in git(repo, "show", "HEAD", "--", "papers.yaml")
    assert not journal.exists() and git(repo, "status", "--porcelain") == ""
    assert run_cli(repo, "check")[0] == 0


def test_a_dry_run_after_a_kill_writes_nothing_and_shows_the_recovery(repo: Path) -> None:
    assert run_cli(repo, "add", "--title", "Before", "--date", "2024-10-15")[0] == 0
    data = repo / "papers.yaml"
    data.write_text(data.read_text(encoding="utf-8") + "- title: Half\n", encoding="utf-8")
    journal = repo / ".git" / "mapdaily.journal"
    journal.write_text(f"{data}\n{repo / 'README.md'}\n", encoding="utf-8")
    before = git(repo, "log", "--format=%s")
    code, out, err = run_cli(repo, "add", "--title", "Mine", "--dry-run")
    assert code == 0 and "+| Half | - | - |" in out and "+| Mine | - | - |" in out
    assert journal.exists() and git(repo, "log", "--format=%s") == before

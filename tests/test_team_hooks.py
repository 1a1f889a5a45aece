"""Fresh pages after git moves the data, in real clones of a bare remote: git runs a merge driver only
for a file both sides changed, so the hooks `git-setup` installs regenerate the pages after a merge,
a rebase and a cherry-pick that bring in a change of papers.yaml alone (a web edit)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import git, run_cli, write_papers
from test_team import DAYS, cli, data, drivers_everywhere, ok, team, web_commit

__all__ = ["team"]  # the fixture, used by name


def _web_edit_then_local_add(ann: Path, bob: Path) -> None:
    """Ann's web edit changes papers.yaml alone (the sync bot has not run); Bob adds a paper."""
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B, fixed on the web.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "From Bob", "--comment", "bob")


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def _fresh(bob: Path) -> None:
    days = data(bob)
    assert [p["title"] for p in days[0]["papers"]] == ["Alpha Paper", "Beta Paper", "From Bob"]
    assert days[0]["papers"][1]["comment"] == "B, fixed on the web."
    assert "B, fixed on the web." in (bob / "README.md").read_text(encoding="utf-8")
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""


@pytest.mark.parametrize("how", ["merge", "rebase", "cherry-pick"])
def test_the_pages_are_fresh_after_git_brings_in_a_web_edit_of_the_data(
    team: tuple[Path, Path, Path], how: str
) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    _web_edit_then_local_add(ann, bob)
    if how == "merge":
        done = _git(bob, "pull", "--no-edit")
    elif how == "rebase":
        done = _git(bob, "pull", "--rebase")
    else:
        mine = git(bob, "rev-parse", "HEAD")
        git(bob, "fetch", "--quiet")
        git(bob, "reset", "--quiet", "--hard", "origin/main")
        done = _git(bob, "cherry-pick", mine)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mapdaily: regenerated README.md" in done.stdout + done.stderr
    _fresh(bob)
    subject = git(bob, "log", "-1", "--format=%s")
    assert subject.startswith("render: regenerate README.md") and subject.endswith(f"after the {how}")


def test_only_the_last_commit_of_a_cherry_pick_of_several_regenerates(team: tuple[Path, Path, Path]) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    _web_edit_then_local_add(ann, bob)
    ok(bob, "add", "--title", "Bob Again", "--comment", "bob")
    git(bob, "fetch", "--quiet")
    git(bob, "branch", "mine")
    git(bob, "reset", "--quiet", "--hard", "origin/main")
    done = _git(bob, "cherry-pick", "mine~1", "mine")
    assert done.returncode == 0, done.stdout + done.stderr
    subjects = git(bob, "log", "-3", "--format=%s").splitlines()
    assert subjects[0].startswith("render: regenerate README.md")
    assert not subjects[1].startswith("render:") and not subjects[2].startswith("render:")
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""


def test_a_pull_that_changes_nothing_stale_commits_nothing(team: tuple[Path, Path, Path]) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    ok(ann, "add", "--title", "From Ann", "--comment", "ann")
    git(ann, "push", "--quiet")
    before = git(bob, "rev-list", "--count", "HEAD")
    assert _git(bob, "pull", "--quiet").returncode == 0
    assert int(git(bob, "rev-list", "--count", "HEAD")) == int(before) + 1  # Ann's commit alone
    ok(bob, "check")


def test_a_hook_that_cannot_regenerate_says_so_and_changes_nothing(team: tuple[Path, Path, Path]) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    _web_edit_then_local_add(ann, bob)
    readme = (bob / "README.md").read_text(encoding="utf-8")
    (bob / "README.md").write_text(readme.replace("| MIT | C. |", "| MIT | typed |"), encoding="utf-8")
    done = _git(bob, "pull", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    said = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.startswith("mapdaily:")]
    assert len(said) == 1 and "README.md changed since the last commit" in said[0], said
    assert git(bob, "status", "--porcelain") == "M README.md"
    assert "| MIT | typed |" in (bob / "README.md").read_text(encoding="utf-8")
    assert git(bob, "log", "-1", "--format=%s").startswith("Merge")


def test_git_setup_adds_its_block_to_a_hook_of_the_users_once_where_core_hookspath_says(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, _ = team
    hooks = ann / "my-hooks"
    hooks.mkdir()
    git(ann, "config", "core.hooksPath", "my-hooks")
    mine = "#!/bin/sh\necho 'my own post-merge'\n"
    (hooks / "post-merge").write_text(mine, encoding="utf-8")
    (hooks / "post-merge").chmod(0o755)
    (hooks / "post-rewrite").write_text("#!/usr/bin/env python3\nprint('mine')\n", encoding="utf-8")
    done = cli(ann, "git-setup")
    assert done.returncode == 0, done.stderr
    text = (hooks / "post-merge").read_text(encoding="utf-8")
    assert text.startswith(mine) and text.count("# >>> mapdaily") == 1
    assert "hook post-merge" in text
    assert (hooks / "post-rewrite").read_text(encoding="utf-8") == "#!/usr/bin/env python3\nprint('mine')\n"
    assert "post-rewrite is a hook of yours that is not a shell script; make it run:" in done.stderr
    assert "hook post-commit" in (hooks / "post-commit").read_text(encoding="utf-8")
    assert not (ann / ".git" / "hooks" / "post-merge").exists()
    again = cli(ann, "git-setup")
    assert "installed" not in again.stderr
    assert (hooks / "post-merge").read_text(encoding="utf-8") == text


def test_the_hook_by_hand_outside_what_it_is_for_does_nothing(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B2.", "Update papers.yaml")
    for args in (["post-commit"], ["post-rewrite", "amend"], ["post-merge", "1"]):
        code, out, err = run_cli(ann, "hook", *args)
        assert code == 0 and out + err == "", (args, out, err)
    assert run_cli(ann, "check")[0] == 1


def test_a_catch_up_of_sync_push_is_not_held_up_by_the_hook(team: tuple[Path, Path, Path]) -> None:
    # `sync --push` catches up with the remote (a fast-forward merge, which runs post-merge) while
    # it holds the digest's lock: the hook leaves the pages to it.
    remote, ann, bob = team
    drivers_everywhere(ann, bob)
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B2.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    git(bob, "fetch", "--quiet")
    git(bob, "reset", "--quiet", "--hard", "origin/main")  # the bot's fresh checkout
    web_commit(ann, "papers.yaml", "comment: C.", "comment: C2.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    done = cli(bob, "sync", "--push")
    assert done.returncode == 0, done.stderr
    assert "caught up" in done.stderr and "mapdaily:" not in done.stdout + done.stderr
    git(ann, "pull", "--quiet")
    ok(ann, "check")


# --- which pages the hooks look at ---------------------------------------------------------------

OLDER = {"title": "Older Paper", "comment": "Two weeks ago."}


def _two_closed_weeks(ann: Path, bob: Path) -> None:
    write_papers(ann, [*DAYS, ("2024-09-26", [OLDER])])
    ok(ann, "render")
    git(ann, "add", "-A")
    git(ann, "commit", "--quiet", "-m", "an older week")
    git(ann, "push", "--quiet")
    git(bob, "pull", "--quiet")
    drivers_everywhere(ann, bob)


@pytest.mark.parametrize("how", ["--no-edit", "--rebase"])
def test_after_a_pull_only_the_pages_of_the_days_it_changed_are_looked_at(
    team: tuple[Path, Path, Path], how: str
) -> None:
    # A pull of a ten-year digest must not render every page: the hook takes the days the data
    # changed in since the two sides parted. A note Bob typed in another week's page proves it: looking at
    # every page, the hook would find that hand edit and regenerate nothing.
    _, ann, bob = team
    _two_closed_weeks(ann, bob)
    older = bob / "archived_papers" / "2024W39.md"
    older.write_text(
        older.read_text(encoding="utf-8").replace("Two weeks ago.", "Two weeks ago (a note)."),
        encoding="utf-8",
    )
    git(bob, "commit", "--quiet", "-am", "a note typed in an old page")
    web_commit(
        ann,
        "papers.yaml",
        "comment: Last week.",
        "comment: Last week, fixed on the web.",
        "Update papers.yaml",
    )
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "From Bob", "--comment", "bob")
    done = _git(bob, "pull", how)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mapdaily: regenerated archived_papers/2024W40.md" in done.stdout + done.stderr
    assert "fixed on the web" in (bob / "archived_papers" / "2024W40.md").read_text(encoding="utf-8")
    assert "(a note)" in older.read_text(encoding="utf-8")
    assert git(bob, "status", "--porcelain") == ""


def test_after_a_pull_that_changes_the_settings_every_page_is_regenerated(
    team: tuple[Path, Path, Path],
) -> None:
    # A web edit of the settings alone (the date format) changes every page: the hook renders all.
    _, ann, bob = team
    _two_closed_weeks(ann, bob)
    (ann / "mapdaily.toml").write_text('date_format = "%Y-%m-%d"\n', encoding="utf-8")
    git(ann, "add", "mapdaily.toml")
    git(ann, "commit", "--quiet", "-m", "Create mapdaily.toml")
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "From Bob", "--comment", "bob")
    done = _git(bob, "pull", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    for page, day in (("2024W39.md", "2024-09-26"), ("2024W40.md", "2024-10-04")):
        assert day in (bob / "archived_papers" / page).read_text(encoding="utf-8")
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""

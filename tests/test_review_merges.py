"""The hooks after a pull or a rebase regenerate what the narrowed look at the days still must: a
week whose last day a pull removed leaves the index, the days changed on our side by hand since the
sides parted, a rebase whose ORIG_HEAD a `git reset` moved, templates kept beside the data (in a
digest at the top and in a folder), and data before the pull that does not read."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import git, write_papers
from test_team import DAYS, _setup, drivers_everywhere, ok, team, web_commit
from test_team_hooks import OLDER, _git, _two_closed_weeks

__all__ = ["team"]  # the fixture, used by name


def test_a_pull_that_removes_the_only_day_of_a_closed_week_regenerates_the_index(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    write_papers(ann, [*DAYS, ("2024-09-26", [OLDER])])
    ok(ann, "render")
    git(ann, "add", "-A")
    git(ann, "commit", "--quiet", "-m", "an older week")
    git(ann, "push", "--quiet")
    assert _git(bob, "pull", "--quiet").returncode == 0
    ok(bob, "check")
    # On the web, Ann removes the day of 26/09 (a mistake): papers.yaml alone.
    text = (ann / "papers.yaml").read_text(encoding="utf-8")
    start = text.index("---\ndate: 2024-09-26")
    (ann / "papers.yaml").write_text(text[:start], encoding="utf-8")
    git(ann, "commit", "--quiet", "-am", "Update papers.yaml")
    git(ann, "push", "--quiet")
    done = _git(bob, "pull", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    index = (bob / "archived_papers.md").read_text(encoding="utf-8")
    assert "2024W39" not in index, index
    assert git(bob, "status", "--porcelain") == ""


@pytest.mark.parametrize("how", ["--no-edit", "--rebase"])
def test_a_pull_regenerates_the_page_of_a_day_changed_on_our_side_by_hand(
    team: tuple[Path, Path, Path], how: str
) -> None:
    # Bob fixes a comment of an old week in papers.yaml and commits it with git (no mapdaily): its
    # page is stale. A pull that brings in Ann's paper renders the pages the merged data shows,
    # the days of both sides since they parted included.
    _, ann, bob = team
    _two_closed_weeks(ann, bob)
    web_commit(bob, "papers.yaml", "comment: Two weeks ago.", "comment: Two weeks ago, fixed.", "fix")
    ok(ann, "add", "--title", "From Ann", "--comment", "ann")
    git(ann, "push", "--quiet")
    done = _git(bob, "pull", how)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fixed" in (bob / "archived_papers" / "2024W39.md").read_text(encoding="utf-8")
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""


def test_a_rebase_that_split_a_commit_with_git_reset_regenerates_what_the_upstream_changed(
    team: tuple[Path, Path, Path],
) -> None:
    # `git reset HEAD^` at an `edit` stop of `git rebase -i` (to split the commit) moves ORIG_HEAD:
    # at the end of the rebase it names a commit already on top of the upstream, not the branch
    # as it was before the rebase.
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    web_commit(ann, "papers.yaml", "comment: Last week.", "comment: Last week, fixed.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "From Bob", "--comment", "bob")
    ok(bob, "add", "--title", "Bob Again", "--comment", "bob")
    git(bob, "fetch", "--quiet")
    edit = subprocess.run(
        ["git", "-c", "sequence.editor=sed -i 1s/^pick/edit/", "rebase", "-i", "origin/main"],
        cwd=bob,
        capture_output=True,
        text=True,
        check=False,
    )
    assert edit.returncode == 0, edit.stdout + edit.stderr
    git(bob, "reset", "--quiet", "HEAD^")
    git(bob, "add", "papers.yaml")
    git(bob, "commit", "--quiet", "-m", "the data")
    git(bob, "add", "-A")
    git(bob, "commit", "--quiet", "-m", "the pages")
    done = _git(bob, "rebase", "--continue")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fixed" in (bob / "archived_papers" / "2024W40.md").read_text(encoding="utf-8")
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""


def _digest_in(folder: Path, templates: str | None = None) -> None:
    """A digest of DAYS in ``folder`` (the repository's top or a folder in it), rendered."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = "" if templates is None else f'templates = "{templates}"\n'
    (folder / "mapdaily.toml").write_text(settings, encoding="utf-8")
    write_papers(folder, DAYS)
    ok(folder, "render")


@pytest.mark.parametrize("where", ["digest", "."])
def test_a_pull_of_a_template_kept_in_the_digest_folder_regenerates_every_page(
    team: tuple[Path, Path, Path], where: str
) -> None:
    # `templates = "."`: the templates sit beside papers.yaml. A web edit of one of them changes
    # the pages of every week.
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    root = ann / where
    _digest_in(root, ".")
    git(ann, "add", "-A")
    git(ann, "commit", "--quiet", "-m", "templates here")
    git(ann, "push", "--quiet")
    assert _git(bob, "pull", "--quiet").returncode == 0
    _setup(bob / where)
    week = (Path(__file__).parents[1] / "mapdaily_cli" / "templates" / "week.md.j2").read_text(
        encoding="utf-8"
    )
    (root / "week.md.j2").write_text(
        week.replace("## {{ heading }}", "## {{ heading }} (ours)"), encoding="utf-8"
    )
    git(ann, "add", "-A")
    git(ann, "commit", "--quiet", "-m", "Create week.md.j2")
    git(ann, "push", "--quiet")
    done = _git(bob, "pull", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    ok(bob / where, "check")


def test_a_pull_that_mends_data_git_had_left_with_conflict_markers_regenerates_the_pages(
    team: tuple[Path, Path, Path],
) -> None:
    # A commit of papers.yaml with conflict markers in it reached Bob (his hook could do nothing
    # with it); the commit that mends it must bring fresh pages, although the data Bob had before
    # does not read.
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    marked = "<<<<<<< ours\n  comment: B.\n=======\n  comment: B2.\n>>>>>>> theirs\n"
    web_commit(ann, "papers.yaml", "  comment: B.\n", marked, "Update papers.yaml")
    git(ann, "push", "--quiet")
    assert _git(bob, "pull", "--quiet").returncode == 0
    web_commit(ann, "papers.yaml", marked, "  comment: B2.\n", "Update papers.yaml")
    git(ann, "push", "--quiet")
    done = _git(bob, "pull", "--no-edit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conflict marker" not in done.stdout + done.stderr
    assert "| THU | B2. |" in (bob / "README.md").read_text(encoding="utf-8")
    ok(bob, "check")

"""A team on GitHub, in real repositories: a bare remote and clones, web-UI style commits, `sync`
adopting hand edits, the merge driver on pull, rebase and cherry-pick, and `resolve`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import git, run_cli, write_papers

from mapdaily_cli.render import split_regions

A = {"title": "Alpha Paper", "url": "https://arxiv.org/abs/2410.00001", "affiliation": "HKU", "comment": "A."}
B = {"title": "Beta Paper", "url": "https://arxiv.org/abs/2410.00002", "affiliation": "THU", "comment": "B."}
C = {"title": "Gamma Paper", "affiliation": "MIT", "comment": "C."}
OLD = {"title": "Old Paper", "comment": "Last week."}

DAYS = [("2024-10-15", [A, B]), ("2024-10-14", [C]), ("2024-10-04", [OLD])]


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err
    return out + err


def cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """mapdaily in its own process (what git and the bot run)."""
    return subprocess.run(
        [sys.executable, "-m", "mapdaily_cli", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def clone(remote: Path, folder: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(remote), str(folder)], check=True, capture_output=True)
    for key, value in (("user.name", folder.name), ("user.email", f"{folder.name}@example.com")):
        git(folder, "config", key, value)
    git(folder, "config", "commit.gpgsign", "false")
    git(folder, "config", "pull.rebase", "false")
    return folder


@pytest.fixture
def team(tmp_path: Path, isolated_git: Path) -> tuple[Path, Path, Path]:
    """A bare remote holding a rendered digest, and two clones of it."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    first = clone(remote, tmp_path / "ann")
    write_papers(first, DAYS)
    ok(first, "render")
    git(first, "add", "-A")
    git(first, "commit", "--quiet", "-m", "start")
    git(first, "push", "--quiet", "-u", "origin", "main")
    return remote, first, clone(remote, tmp_path / "bob")


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def data(repo: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8")))


def web_commit(repo: Path, rel: str, old: str, new: str, message: str) -> None:
    """Change ``old`` to ``new`` in a file and commit that file alone, as GitHub's web editor does."""
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(repo, "commit", "--quiet", "-m", message, "--", rel)


# --- sync -------------------------------------------------------------------------------------


def test_sync_regenerates_after_a_web_edit_of_the_data(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B, fixed on the web.", "Update papers.yaml")
    assert cli(ann, "check").returncode == 1
    before = commits(ann)
    out = ok(ann, "sync")
    assert "regenerate README.md" in out
    assert commits(ann) == before + 1
    assert git(ann, "log", "-1", "--format=%s").startswith("sync: regenerate README.md")
    assert git(ann, "status", "--porcelain") == ""
    ok(ann, "check")
    assert "up to date" in ok(ann, "sync")
    assert commits(ann) == before + 1


def test_sync_adopts_a_changed_cell_an_added_row_and_a_deleted_row(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    readme = (ann / "README.md").read_text(encoding="utf-8")
    assert "| Gamma Paper | MIT | C. |" in readme
    edited = readme.replace("| THU | B. |", "| THU | B, better said. |")
    edited = edited.replace(
        "| Gamma Paper | MIT | C. |\n", "| Gamma Paper | MIT | C. |\n| Delta Paper | CMU | D. |\n"
    )
    lines = [ln for ln in edited.split("\n") if not ln.startswith("| [Alpha Paper]")]
    (ann / "README.md").write_text("\n".join(lines), encoding="utf-8")
    git(ann, "commit", "--quiet", "-am", "Update README.md")
    out = ok(ann, "sync")
    assert "adopt hand edits of README.md (1 changed, 1 added, 1 removed)" in out
    days = data(ann)
    assert days[0]["papers"] == [{**B, "comment": "B, better said."}]
    assert days[1]["papers"] == [C, {"title": "Delta Paper", "affiliation": "CMU", "comment": "D."}]
    assert days[2]["papers"] == [OLD]
    ok(ann, "check")
    assert git(ann, "status", "--porcelain") == ""
    assert "up to date" in ok(ann, "sync")


def test_sync_takes_a_row_without_its_closing_pipe_and_skips_a_placeholder(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, _ = team
    web_commit(
        ann,
        "README.md",
        "| Gamma Paper | MIT | C. |\n",
        "| Gamma Paper | MIT | C. |\n| New One | X | Y\n| - | - | - |\n",
        "Update README.md",
    )
    ok(ann, "sync")
    assert data(ann)[1]["papers"] == [C, {"title": "New One", "affiliation": "X", "comment": "Y"}]
    ok(ann, "check")


def test_sync_takes_a_row_typed_with_full_width_bars(team: tuple[Path, Path, Path]) -> None:
    # An input method types ｜ for |: GitHub shows the row as one cell; it is a paper's three cells.
    _, ann, _ = team
    web_commit(
        ann,
        "README.md",
        "| Gamma Paper | MIT | C. |\n",
        "| Gamma Paper | MIT | C. |\n｜ Wide Paper ｜ PKU ｜ Typed in Chinese. ｜\n",
        "Update README.md",
    )
    assert "1 added" in ok(ann, "sync")
    assert data(ann)[1]["papers"] == [
        C,
        {"title": "Wide Paper", "affiliation": "PKU", "comment": "Typed in Chinese."},
    ]
    assert [d["papers"] for d in data(ann)[::2]] == [[A, B], [OLD]]
    ok(ann, "check")
    assert "｜" not in (ann / "README.md").read_text(encoding="utf-8")


def test_sync_keeps_a_full_width_bar_typed_in_a_cell_of_a_whole_row(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(ann, "README.md", "| Gamma Paper | MIT |", "| Gamma ｜ Paper | MIT |", "Update README.md")
    assert "1 changed" in ok(ann, "sync")
    assert data(ann)[1]["papers"] == [{**C, "title": "Gamma ｜ Paper"}]
    ok(ann, "check")


def test_sync_takes_a_row_broken_over_two_lines(team: tuple[Path, Path, Path]) -> None:
    # GitHub shows the second line as a row of its own; it is the rest of the row above.
    _, ann, _ = team
    web_commit(
        ann,
        "README.md",
        "| Gamma Paper | MIT | C. |\n",
        "| Gamma Paper | MIT | C, now said\nat more length. |\n"
        "| Long Paper | ETH | Its comment\ngoes on. |\n",
        "Update README.md",
    )
    assert "1 changed, 1 added" in ok(ann, "sync")
    assert data(ann)[1]["papers"] == [
        {**C, "comment": "C, now said at more length."},
        {"title": "Long Paper", "affiliation": "ETH", "comment": "Its comment goes on."},
    ]
    assert [d["papers"] for d in data(ann)[::2]] == [[A, B], [OLD]]
    ok(ann, "check")
    assert "up to date" in ok(ann, "sync")


def test_sync_warns_about_a_row_repeating_a_paper_of_another_day(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(
        ann,
        "README.md",
        "| Gamma Paper | MIT | C. |\n",
        "| Gamma Paper | MIT | C. |\n| Beta Paper | THU | B. |\n",
        "Update README.md",
    )
    out = ok(ann, "sync")
    assert "also listed on 2024-10-15" in out
    assert [p["title"] for p in data(ann)[1]["papers"]] == ["Gamma Paper", "Beta Paper"]


def test_sync_refuses_text_between_tables_and_writes_nothing(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(
        ann,
        "README.md",
        "| Gamma Paper | MIT | C. |\n",
        "| Gamma Paper | MIT | C. |\n\nA note of ours.\n",
        "Update README.md",
    )
    before = (ann / "papers.yaml").read_bytes(), (ann / "README.md").read_bytes(), commits(ann)
    code, _, err = run_cli(ann, "sync")
    assert code == 1
    assert "does not read as rows of papers" in err and "A note of ours." in err
    assert ((ann / "papers.yaml").read_bytes(), (ann / "README.md").read_bytes(), commits(ann)) == before


def test_sync_dry_run_and_no_commit(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B2.", "Update papers.yaml")
    before = commits(ann)
    out = ok(ann, "sync", "--dry-run")
    assert "dry run" in out and "B2." in out
    assert cli(ann, "check").returncode == 1
    ok(ann, "sync", "--no-commit")
    assert commits(ann) == before
    ok(ann, "check")


def test_sync_push_catches_up_with_the_remote(team: tuple[Path, Path, Path]) -> None:
    remote, ann, bob = team
    web_commit(ann, "papers.yaml", "comment: B.", "comment: B2.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    git(bob, "pull", "--quiet")
    done = cli(bob, "sync", "--push")
    assert done.returncode == 0, done.stderr
    assert git(remote, "log", "-1", "--format=%s").startswith("sync:")
    git(ann, "pull", "--quiet")
    ok(ann, "check")


# --- stale is never a hand edit -----------------------------------------------------------------


def test_typo_fixed_on_the_web_taken_in_by_edit_then_a_web_edit_of_the_data(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, _ = team
    web_commit(ann, "README.md", "| THU | B. |", "| THU | B! |", "Update README.md")
    ok(ann, "edit", "Beta Paper", "--comment", "B!")
    web_commit(ann, "papers.yaml", "comment: C.", "comment: C, on the web.", "Update papers.yaml")
    ok(ann, "render")
    ok(ann, "check")
    ok(ann, "rotate", "--date", "2024-10-16")
    ok(ann, "check")


def test_a_region_with_an_old_marker_still_tells_a_hand_edit(team: tuple[Path, Path, Path]) -> None:
    _, ann, _ = team
    text = (ann / "README.md").read_text(encoding="utf-8")
    parts = split_regions(text, "README.md")
    assert parts.checksum is not None and parts.untouched
    old = f"{parts.before}<!-- mapdaily:start -->\n{parts.region}<!-- mapdaily:end -->{parts.after}"
    (ann / "README.md").write_text(old.replace("| THU | B. |", "| THU | hand |"), encoding="utf-8")
    code, _, err = run_cli(ann, "render")
    assert code == 1 and "edited by hand" in err
    assert "mapdaily sync" in err and "mapdaily import" not in err
    ok(ann, "sync")
    assert data(ann)[0]["papers"][1]["comment"] == "hand"


# --- merges ---------------------------------------------------------------------------------------


def _both_add(ann: Path, bob: Path) -> None:
    ok(ann, "add", "--title", "From Ann", "--comment", "ann")
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "From Bob", "--comment", "bob")


def test_the_conflict_recipe_without_the_driver_is_finished_by_resolve(team: tuple[Path, Path, Path]) -> None:
    _, ann, bob = team
    _both_add(ann, bob)
    pulled = subprocess.run(["git", "pull", "--quiet"], cwd=bob, capture_output=True, text=True, check=False)
    assert pulled.returncode != 0
    assert "<<<<<<<" in (bob / "README.md").read_text(encoding="utf-8")
    code, _, err = run_cli(bob, "render")
    assert code == 1 and "mapdaily resolve" in err and "mapdaily import" not in err
    out = ok(bob, "resolve")
    assert "git merge --continue" in out or "commit" in out
    git(bob, "commit", "--quiet", "--no-edit")
    titles = [p["title"] for p in data(bob)[0]["papers"]]
    assert titles == ["Alpha Paper", "Beta Paper", "From Bob", "From Ann"]
    ok(bob, "check")


def test_hand_resolved_data_then_render_regenerates_the_conflicted_readme(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    _both_add(ann, bob)
    subprocess.run(["git", "pull", "--quiet"], cwd=bob, capture_output=True, check=False)
    git(bob, "checkout", "--ours", "papers.yaml")
    ok(bob, "add", "--title", "From Ann", "--comment", "ann", "--no-commit")
    ok(bob, "render")
    ok(bob, "check")


def _setup(*clones: Path) -> None:
    for repo in clones:
        done = cli(repo, "git-setup")
        assert done.returncode == 0, done.stderr


def drivers_everywhere(ann: Path, bob: Path) -> None:
    """`git-setup` in Ann's clone, its .gitattributes pushed, then `git-setup` in Bob's."""
    _setup(ann)
    git(ann, "add", ".gitattributes")
    git(ann, "commit", "--quiet", "-m", "merge drivers")
    git(ann, "push", "--quiet")
    git(bob, "pull", "--quiet")
    _setup(bob)


def test_with_git_setup_two_clones_adding_on_the_same_day_pull_without_conflict(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    assert "nothing to do" in cli(bob, "git-setup").stdout + cli(bob, "git-setup").stderr
    _both_add(ann, bob)
    pulled = subprocess.run(
        ["git", "pull", "--no-edit"], cwd=bob, capture_output=True, text=True, check=False
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    titles = [p["title"] for p in data(bob)[0]["papers"]]
    assert titles == ["Alpha Paper", "Beta Paper", "From Bob", "From Ann"]
    ok(bob, "check")
    assert git(bob, "status", "--porcelain") == ""
    assert not (bob / ".git" / "mapdaily-merged").exists()  # what the drivers shared, gone with the merge


@pytest.mark.parametrize("how", ["rebase", "cherry-pick"])
def test_the_driver_serves_rebase_and_cherry_pick(team: tuple[Path, Path, Path], how: str) -> None:
    _, ann, bob = team
    drivers_everywhere(ann, bob)
    _both_add(ann, bob)
    git(bob, "fetch", "--quiet")
    if how == "rebase":
        done = subprocess.run(
            ["git", "rebase", "origin/main"], cwd=bob, capture_output=True, text=True, check=False
        )
    else:
        mine = git(bob, "rev-parse", "HEAD")
        git(bob, "reset", "--quiet", "--hard", "origin/main")
        done = subprocess.run(
            ["git", "cherry-pick", mine], cwd=bob, capture_output=True, text=True, check=False
        )
    assert done.returncode == 0, done.stdout + done.stderr
    titles = [p["title"] for p in data(bob)[0]["papers"]]
    assert titles == ["Alpha Paper", "Beta Paper", "From Ann", "From Bob"]
    ok(bob, "check")


def test_a_paper_changed_differently_on_both_sides_is_a_conflict_by_name(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    _setup(ann, bob)
    ok(ann, "edit", "Beta Paper", "--comment", "ann's view")
    git(ann, "push", "--quiet")
    ok(bob, "edit", "Beta Paper", "--comment", "bob's view")
    pulled = subprocess.run(
        ["git", "pull", "--no-edit"], cwd=bob, capture_output=True, text=True, check=False
    )
    assert pulled.returncode != 0
    assert "Beta Paper (2024-10-15): changed differently on both sides" in pulled.stdout + pulled.stderr


def test_check_warns_when_the_attributes_name_a_driver_this_clone_lacks(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    _setup(ann)
    git(ann, "add", ".gitattributes")
    git(ann, "commit", "--quiet", "-m", "merge drivers")
    git(ann, "push", "--quiet")
    git(bob, "pull", "--quiet")
    code, _, err = run_cli(bob, "check")
    assert code == 0 and "run `mapdaily git-setup` once here" in err
    _setup(bob)
    code, _, err = run_cli(bob, "check")
    assert code == 0 and "git-setup" not in err


def test_a_pulled_web_edit_of_the_data_is_stale_not_a_hand_edit(team: tuple[Path, Path, Path]) -> None:
    _, ann, bob = team
    web_commit(ann, "papers.yaml", "comment: C.", "comment: C2.", "Update papers.yaml")
    git(ann, "push", "--quiet")
    ok(bob, "add", "--title", "Local", "--no-commit")
    git(bob, "stash", "--quiet")
    git(bob, "pull", "--quiet")
    git(bob, "stash", "pop", "--quiet")
    ok(bob, "render")
    ok(bob, "check")


def test_a_conflict_outside_the_generated_region_is_the_users_to_resolve(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, bob = team
    web_commit(ann, "README.md", "<!-- mapdaily:start -->", "Ann's intro.\n<!-- mapdaily:start -->", "intro")
    git(ann, "push", "--quiet")
    web_commit(bob, "README.md", "<!-- mapdaily:start -->", "Bob's intro.\n<!-- mapdaily:start -->", "intro")
    subprocess.run(["git", "pull", "--quiet"], cwd=bob, capture_output=True, check=False)
    code, _, err = run_cli(bob, "render")
    assert code == 1 and "a git conflict outside the generated region" in err


def test_sync_adopts_a_row_edit_without_undoing_a_web_edit_of_the_data_made_meanwhile(
    team: tuple[Path, Path, Path],
) -> None:
    _, ann, _ = team
    web_commit(ann, "papers.yaml", "comment: C.", "comment: C from the web.", "Update papers.yaml")
    web_commit(ann, "README.md", "| THU | B. |", "| THU | B from the page. |", "Update README.md")
    out = ok(ann, "sync")
    assert "1 changed" in out
    days = data(ann)
    assert days[0]["papers"][1]["comment"] == "B from the page."
    assert days[1]["papers"][0]["comment"] == "C from the web."
    ok(ann, "check")


def test_sync_adopts_a_paper_typed_over_the_placeholder_row_of_an_empty_today(
    team: tuple[Path, Path, Path],
) -> None:
    # The morning's rotate leaves "No papers yet today" in the table; a curator on GitHub types the
    # first paper over it. That row is a paper, never lost.
    _, ann, _ = team
    ok(ann, "rotate", "--date", "2024-10-16")
    assert "| No papers yet today |" in (ann / "README.md").read_text(encoding="utf-8")
    web_commit(
        ann,
        "README.md",
        "| No papers yet today |  |  |",
        "| Web Paper | MIT | typed on GitHub |",
        "Update README.md",
    )
    out = ok(ann, "sync")
    assert "1 added" in out
    data = (ann / "papers.yaml").read_text(encoding="utf-8")
    assert data.index("date: 2024-10-16") < data.index("title: Web Paper") < data.index("date: 2024-10-15")
    ok(ann, "check")
    assert "No papers yet today" not in (ann / "README.md").read_text(encoding="utf-8")

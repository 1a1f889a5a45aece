"""The commands as a curator meets them: selectors by the date the page shows, exit codes of
malformed and refused dates, one JSON record, what list and search say, plain help, a commit that
takes along earlier uncommitted changes, init's first day, a paper listed on two days."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import git, run_cli
from typer.testing import CliRunner

from mapdaily_cli.cli import app


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err
    return out + err


def seeded(repo: Path) -> Path:
    ok(repo, "add", "--title", "Old Paper", "--date", "2024-10-10", "--comment", "old")
    ok(repo, "rotate", "--date", "2024-10-14")
    ok(repo, "add", "--title", "Monday Paper", "--url", "https://arxiv.org/abs/2410.11111")
    ok(repo, "rotate", "--date", "2024-10-15")
    ok(repo, "add", "--title", "Tuesday Paper", "--affiliation", "HKU", "--comment", "a fine idea")
    return repo


@pytest.mark.parametrize(
    ("selector", "ref"),
    [("15/10/2024#1", "2024-10-15#1"), ("14/10/2024#1", "2024-10-14#1"), ("#1", "2024-10-15#1")],
)
def test_selectors_take_the_date_as_the_page_shows_it_and_hash_n_for_today(
    repo: Path, selector: str, ref: str
) -> None:
    seeded(repo)
    assert json.loads(ok(repo, "show", selector, "--json"))["ref"] == ref


@pytest.mark.parametrize("selector", ["10/15/2024#1", "2024/10/15#1", "15.10.2024"])
def test_a_selector_like_a_date_in_another_format_gets_a_hint(repo: Path, selector: str) -> None:
    seeded(repo)
    code, _, err = run_cli(repo, "show", selector)
    assert code == 1
    assert "no paper matches" not in err
    assert "not a date in YYYY-MM-DD or the pages' format" in err and "15/10/2024#1" in err


def test_a_day_as_selector_says_how_to_name_its_papers(repo: Path) -> None:
    seeded(repo)
    code, _, err = run_cli(repo, "remove", "2024-10-14")
    assert code == 1 and "2024-10-14#N" in err


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--title", "X", "--date", "15/10/2024"],
        ["rotate", "--date", "tomorrow"],
        ["move", "Old Paper", "--date", "2024-02-30"],
        ["list", "--date", "2024-1-5"],
        ["list", "--week", "2024-41"],
        ["archive", "--week", "W41"],
        ["inbox", "--date", "yesterday"],
    ],
)
def test_a_malformed_date_or_week_is_a_usage_error(repo: Path, args: list[str]) -> None:
    seeded(repo)
    code, _, err = run_cli(repo, *args)
    assert code == 2, err
    assert "not a" in err


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--title", "X", "--date", "2024-10-20"],
        ["rotate", "--date", "2024-10-01"],
        ["move", "Old Paper", "--date", "2024-10-20"],
        ["list", "--date", "2023-01-01"],
    ],
)
def test_a_well_formed_date_that_is_refused_is_rejected_input(repo: Path, args: list[str]) -> None:
    seeded(repo)
    assert run_cli(repo, *args)[0] == 1


def test_list_show_and_search_give_one_record_shape(repo: Path) -> None:
    seeded(repo)
    listed = json.loads(ok(repo, "list", "--json"))
    shown = json.loads(ok(repo, "show", "Tuesday", "--json"))
    found = json.loads(ok(repo, "search", "fine", "--json"))
    assert listed[0] == shown == found[0]
    assert {tuple(r) for r in [*listed, shown, *found]} == {tuple(shown)}
    assert shown["ref"] == "2024-10-15#1"


def test_an_empty_list_says_so(repo: Path) -> None:
    ok(repo, "init")
    code, out, _ = run_cli(repo, "list")
    assert code == 0
    assert "no papers" in out and "┏" not in out and "+--" not in out


def test_search_says_which_field_matched(repo: Path) -> None:
    seeded(repo)
    code, out, _ = run_cli(repo, "search", "fine")
    assert code == 0
    assert "Matched" in out and "comment" in out
    out = run_cli(repo, "search", "HKU")[1]
    assert "affiliation" in out


def test_a_search_with_many_matches_shows_the_newest_and_says_how_many_more(repo: Path) -> None:
    # Ten years hold thousands of papers on "diffusion": a table of them all took seconds to draw.
    from datetime import date, timedelta

    from conftest import write_papers

    days = [(date(2024, 10, 15) - timedelta(days=i), [{"title": f"Diffusion {i}"}]) for i in range(60)]
    write_papers(repo, days)
    code, out, err = run_cli(repo, "search", "diffusion")
    assert code == 0
    assert "60 matches, the newest 50 shown" in out
    assert "Diffusion 0 " in out and "Diffusion 49 " in out and "Diffusion 50 " not in out
    assert "10 older matches not shown" in err and "--all" in err
    code, out, err = run_cli(repo, "search", "diffusion", "--all")
    assert code == 0 and "Diffusion 59 " in out and "not shown" not in err
    assert len(json.loads(ok(repo, "search", "diffusion", "--json"))) == 60


def test_search_highlights_the_match_at_a_terminal(repo: Path) -> None:
    from rich.console import Console

    from mapdaily_cli.cli import present
    from mapdaily_cli.model import Paper

    out = Console(force_terminal=True, color_system="standard", width=200, record=True)
    out.print(present.papers_table("t", [("x#1", Paper("A Fine Title"))], "fine", [["title"]]))
    shown = out.export_text(styles=True)
    assert re.search(r"\x1b\[[0-9;]*7mFine", shown)  # in reverse video
    assert not re.search(r"\x1b\[[0-9;]*7m(A|Title)", shown)


@pytest.mark.parametrize("command", ["add", "edit", "show", "import", "search", "move", "init", "list"])
def test_help_shows_plain_metavars(command: str) -> None:
    said = CliRunner().invoke(app, [command, "--help"]).stdout
    assert "{" not in said.split("\n", 1)[0]
    assert "<" not in said and "list[" not in said


def test_a_commit_that_takes_along_no_commit_changes_says_so(repo: Path) -> None:
    seeded(repo)
    ok(repo, "add", "--title", "Kept Uncommitted", "--no-commit")
    ok(repo, "add", "--title", "Also Uncommitted", "--no-commit")
    said = ok(repo, "add", "--title", "Committed")
    assert "left uncommitted before" in said
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("add: Committed (2024-10-15)")
    assert (
        "Also holds the changes to README.md, feed.xml, papers.yaml, search/2024-10.js left uncommitted"
        in message
    )
    assert git(repo, "status", "--porcelain") == ""
    said = ok(repo, "add", "--title", "Next")
    assert "uncommitted" not in said and "uncommitted" not in git(repo, "log", "-1", "--format=%B")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_init_opens_today_in_the_zone_given(repo: Path, zone: str) -> None:
    before = datetime.now(ZoneInfo(zone)).date()
    ok(repo, "init", "--timezone", zone)
    after = datetime.now(ZoneInfo(zone)).date()
    first = (repo / "papers.yaml").read_text(encoding="utf-8").split("date: ", 1)[1][:10]
    assert first in {before.isoformat(), after.isoformat()}


def test_check_warns_of_a_paper_listed_on_two_days(repo: Path) -> None:
    seeded(repo)
    ok(repo, "add", "--title", "Monday Paper", "--force")
    code, _, err = run_cli(repo, "check")
    assert code == 0, err
    assert "warning: 1 paper of 2024-10-14 is listed on 2024-10-15 too (e.g. 'Monday Paper')" in err
    ok(repo, "remove", "2024-10-15#2")
    assert "warning" not in ok(repo, "check")


def test_a_command_that_wrote_many_files_names_the_first_few() -> None:
    from mapdaily_cli.cli.present import _files

    assert _files(["a", "b"]) == "a, b"
    names = [f"archived_papers/2024W{n:02d}.md" for n in range(1, 40)]
    said = _files(names)
    assert said.startswith("archived_papers/2024W01.md, ") and said.endswith(" and 32 more")
    assert said.count(", ") == 6

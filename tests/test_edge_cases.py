"""Inputs real digests have that the happy path does not: CRLF files, YAML look-alikes, odd document
markers, urls written two ways, data edited by hand, a run killed half-way, colliding settings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import git, run_cli


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def test_crlf_papers_yaml_stays_a_valid_stream(repo: Path) -> None:
    (repo / "papers.yaml").write_bytes(
        b"# data\r\n---\r\ndate: 2024-10-15\r\npapers:\r\n- title: A\r\n---\r\ndate: 2024-10-14\r\n"
        b"papers:\r\n- title: B\r\n"
    )
    ok(repo, "render")
    ok(repo, "add", "--title", "C", "--date", "2024-10-14")
    ok(repo, "rotate", "--date", "2024-10-16")
    ok(repo, "add", "--title", "D")
    days = list(yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8")))
    assert [(str(d["date"]), [p["title"] for p in d["papers"]]) for d in days] == [
        ("2024-10-16", ["D"]),
        ("2024-10-15", ["A"]),
        ("2024-10-14", ["B", "C"]),
    ]
    ok(repo, "check")


def test_crlf_readme_keeps_its_line_endings_outside_the_markers(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split("<!-- mapdaily:start -->\n", 1)
    region, tail = rest.split("<!-- mapdaily:end -->", 1)
    crlf = head.replace("\n", "\r\n") + "<!-- mapdaily:start -->\r\n" + region + "<!-- mapdaily:end -->"
    crlf += tail.replace("\n", "\r\n")
    readme.write_bytes(crlf.encode("utf-8"))
    ok(repo, "check")
    ok(repo, "add", "--title", "B")
    after = readme.read_bytes().decode("utf-8")
    assert after.startswith(head.replace("\n", "\r\n") + "<!-- mapdaily:start -->\r\n")
    assert after.endswith("<!-- mapdaily:end -->" + tail.replace("\n", "\r\n"))
    assert "| B | - | - |" in after


def test_yaml_look_alikes_stay_text(repo: Path) -> None:
    for title, comment in (("Yes", "off"), ("10:30", "2024-10-15"), ("null", "~"), ("1e3", "0x1F")):
        ok(repo, "add", "--title", title, "--comment", comment, "--date", "2024-10-15", "--force")
    papers = yaml.safe_load((repo / "papers.yaml").read_text(encoding="utf-8"))["papers"]
    assert [(p["title"], p["comment"]) for p in papers] == [
        ("Yes", "off"),
        ("10:30", "2024-10-15"),
        ("null", "~"),
        ("1e3", "0x1F"),
    ]
    ok(repo, "check")


def test_line_separators_are_refused(repo: Path) -> None:
    code, _, err = run_cli(repo, "add", "--title", "A\u2028B", "--date", "2024-10-15")
    assert code == 1 and "control character" in err


def test_a_flow_mapping_on_the_marker_line(repo: Path) -> None:
    (repo / "papers.yaml").write_text(
        "date: 2024-10-15\npapers: []\n--- {date: 2024-10-14, papers: [{title: Flow}]}\n", encoding="utf-8"
    )
    ok(repo, "render")
    ok(repo, "add", "--title", "Block", "--date", "2024-10-14")
    ok(repo, "remove", "Flow")
    days = list(yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8")))
    assert [p["title"] for p in days[1]["papers"]] == ["Block"]
    ok(repo, "check")


def test_a_url_is_a_duplicate_however_its_scheme_is_written(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--url", "http://www.openreview.net/forum?id=abc", "--date", "2024-10-15")
    code, _, err = run_cli(repo, "add", "--title", "Other", "--url", "https://openreview.net/forum?id=abc")
    assert code == 1 and "already in the digest" in err
    assert "Other" not in (repo / "papers.yaml").read_text(encoding="utf-8")
    assert (
        '"ref": "2024-10-15#1"' in run_cli(repo, "show", "https://openreview.net/forum?id=abc", "--json")[1]
    )


def test_many_escaped_characters_do_not_slow_the_duplicate_search(repo: Path) -> None:
    # A separator pattern that could read "\\*" two ways took minutes on this comment.
    comment = "Attention " + "\\*" * 40 + " overrated"
    ok(repo, "add", "--title", "First", "--comment", comment, "--date", "2024-10-15")
    ok(repo, "add", "--title", "Attention Is All You Need")


def test_a_hand_fix_in_the_data_is_not_taken_for_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "A Paper With A Tpyo", "--date", "2024-10-15")
    data = repo / "papers.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("Tpyo", "Typo"), encoding="utf-8")
    ok(repo, "add", "--title", "Next")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "A Paper With A Typo" in readme and "Tpyo" not in readme
    ok(repo, "check")


def test_empty_markers_are_filled_not_refused(repo: Path) -> None:
    (repo / "README.md").write_text(
        "# Ours\n\n<!-- mapdaily:start -->\n<!-- mapdaily:end -->\n", encoding="utf-8"
    )
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    assert "| A | - | - |" in (repo / "README.md").read_text(encoding="utf-8")


def test_a_killed_rotate_is_recovered_in_full(repo: Path) -> None:
    ok(repo, "add", "--title", "Monday", "--date", "2024-10-14")
    ok(repo, "rotate", "--date", "2024-10-21")
    ok(repo, "add", "--title", "Next Monday")
    # As a rotate killed after writing papers.yaml leaves things: new data, old pages, a journal.
    data = repo / "papers.yaml"
    data.write_text(
        "date: 2024-10-28\npapers: []\n---\n" + data.read_text(encoding="utf-8"), encoding="utf-8"
    )
    journal = repo / ".git" / "mapdaily.journal"
    journal.write_text(
        "\n".join(str(repo / p) for p in ("papers.yaml", "README.md", "archived_papers/2024W43.md")) + "\n",
        encoding="utf-8",
    )
    # The next command, even one with nothing to do, first finishes the write under its own commit.
    assert "already open" in ok(repo, "rotate", "--date", "2024-10-28")
    assert not journal.exists()
    assert git(repo, "log", "-1", "--format=%s") == (
        "recover: finish an interrupted write of README.md, archived_papers/2024W43.md, papers.yaml"
    )
    shown = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert {"papers.yaml", "README.md", "archived_papers/2024W43.md"} <= set(shown)
    assert git(repo, "status", "--porcelain") == ""
    ok(repo, "add", "--title", "After")
    shown = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert [f for f in shown if f != "feed.xml" and not f.startswith("search/")] == [
        "README.md",
        "papers.yaml",
    ]
    assert (repo / "archived_papers" / "2024W43.md").exists()
    ok(repo, "check")


def test_init_leaves_a_digest_readme_alone(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    readme = repo / "README.md"
    edited = readme.read_text(encoding="utf-8").replace("| A | - | - |", "| A | - | by hand |")
    readme.write_text(edited, encoding="utf-8")
    git(repo, "commit", "-qam", "hand edit")
    ok(repo, "init", "--ci", "github")
    assert readme.read_text(encoding="utf-8") == edited


def test_colliding_settings_are_refused(repo: Path) -> None:
    for setting, words in (
        ('archive_index = "README.md"', "readme and archive_index are the same file"),
        ('readme = ".git/README.md"', "inside .git"),
        ('templates = "no-such-folder"', "is not a folder"),
    ):
        (repo / "mapdaily.toml").write_text(setting + "\n", encoding="utf-8")
        code, _, err = run_cli(repo, "check")
        assert code == 2 and words in err, err


def test_an_edit_refuses_a_paper_that_changed_while_in_the_editor(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    ok(repo, "add", "--title", "First", "--date", "2024-10-15")
    ok(repo, "add", "--title", "Second")
    ok(repo, "add", "--title", "Third")
    # While the curator edits #2, someone else removes #1: #2 is now "Third".
    script = tmp_path / "editor.py"
    script.write_text(
        "import subprocess, sys, pathlib\n"
        "subprocess.run([sys.executable, '-m', 'mapdaily_cli', '-C',"
        f" {str(repo)!r}, 'remove', '2024-10-15#1'], check=True, capture_output=True)\n"
        "p = pathlib.Path(sys.argv[1]); p.write_text(p.read_text().replace('Second', 'Second, edited'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[1]))
    code, _, err = run_cli(repo, "edit", "2024-10-15#2")
    assert code == 1 and "changed while it was being edited" in err
    titles = [
        p["title"] for p in yaml.safe_load((repo / "papers.yaml").read_text(encoding="utf-8"))["papers"]
    ]
    assert titles == ["Second", "Third"]


def test_data_fixed_by_hand_and_committed_is_not_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "A Paper With A Tpyo", "--date", "2024-10-15")
    data = repo / "papers.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("Tpyo", "Typo"), encoding="utf-8")
    git(repo, "commit", "-qam", "fix a typo by hand")
    assert run_cli(repo, "check")[0] == 1
    ok(repo, "render")
    assert "A Paper With A Typo" in (repo / "README.md").read_text(encoding="utf-8")
    ok(repo, "check")


def test_a_layout_change_is_not_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    (repo / "mapdaily.toml").write_text(
        'date_format = "%Y-%m-%d"\ncolumns = ["title", "comment"]\n', encoding="utf-8"
    )
    git(repo, "add", "mapdaily.toml")
    git(repo, "commit", "-qm", "layout")
    ok(repo, "rotate", "--date", "2024-10-16")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "<b>2024-10-15</b>" in readme and "| Paper | Comments |" in readme
    ok(repo, "check")


def test_a_committed_hand_edit_is_still_refused(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    readme = repo / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("| A | - | - |", "| A | - | mine |"), encoding="utf-8"
    )
    git(repo, "commit", "-qam", "hand edit")
    code, out, err = run_cli(repo, "add", "--title", "B")
    assert code == 1 and "edited by hand" in err and "mine" in out


def test_more_settings_are_refused(repo: Path) -> None:
    for setting, words in (
        ('archive_dir = "archived_papers/../.git"', "inside .git"),
        ('archive_page = "{iso_year}.md"', "gives every week the same page"),
    ):
        (repo / "mapdaily.toml").write_text(setting + "\n", encoding="utf-8")
        code, _, err = run_cli(repo, "check")
        assert code == 2 and words in err, err


def test_archiving_a_week_without_days_is_refused(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    code, _, err = run_cli(repo, "archive", "--week", "2024-W30")
    assert code == 1 and "no days of week 2024-W30" in err
    assert not (repo / "archived_papers").exists()


def test_a_dry_run_writes_nothing_even_in_git(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    ok(repo, "add", "--title", "B")

    def tree() -> dict[str, bytes]:
        return {
            str(p.relative_to(repo)): p.read_bytes()
            for p in sorted(repo.rglob("*"))
            if p.is_file() and p.name not in ("index", "mapdaily.lock")
        }

    before = tree()
    for args in (
        ["add", "--title", "C", "--dry-run"],
        ["edit", "B", "--comment", "x", "--dry-run"],
        ["remove", "A", "--dry-run"],
        ["rotate", "--date", "2024-10-21", "--dry-run"],
        ["search", "b"],
        ["show", "A"],
        ["list"],
        ["check"],
    ):
        assert run_cli(repo, *args)[0] == 0, args
        assert tree() == before, args


def test_no_papers_yaml_is_one_clear_line(repo: Path) -> None:
    for args in (["check"], ["list"], ["render"], ["remove", "x"], ["search", "x"]):
        code, _, err = run_cli(repo, *args)
        assert code == 2 and "papers.yaml not found" in err and "mapdaily init" in err, args
    assert list(p.name for p in repo.iterdir()) == [".git"]


def test_a_repository_without_a_git_identity_writes_nothing(repo: Path) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")  # no identity guessed from the host either
    code, _, err = run_cli(repo, "add", "--title", "A", "--date", "2024-10-15")
    assert code == 1 and "git does not know who you are" in err
    assert list(p.name for p in repo.iterdir()) == [".git"]


def test_leftovers_of_a_killed_write_are_removed(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    (repo / ".mapdaily-tmp.papers.yaml.abc123.tmp").write_text("half", encoding="utf-8")
    (repo / ".git" / "mapdaily-old.1.2.papers.yaml").write_text("old", encoding="utf-8")
    ok(repo, "add", "--title", "B")
    assert not list(repo.glob(".mapdaily-tmp.*")) and not list((repo / ".git").glob("mapdaily-old.*"))


def test_import_keeps_the_text_around_an_archive_pages_tables(repo: Path) -> None:
    page = repo / "archived_papers" / "2024W41.md"
    page.parent.mkdir()
    page.write_text(
        "# Our week 41\n\nSome words of ours.\n\n<details>\n<summary> <b>10/10/2024</b> </summary>\n\n"
        "| Paper | Comments |\n|:---|:---|\n| Old Paper | Fine. |\n\n</details>\n\nA footer line.\n",
        encoding="utf-8",
    )
    (repo / "papers.yaml").write_text("date: 2024-10-15\npapers: []\n", encoding="utf-8")
    ok(repo, "import", str(page))
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Our week 41\n\nSome words of ours.\n\n<!-- mapdaily:start -->\n")
    assert text.endswith("<!-- mapdaily:end -->\nA footer line.\n")
    assert "| Old Paper | - | Fine. |" in text
    ok(repo, "check")


def test_removing_the_last_paper_of_a_day_with_a_comment_on_papers(repo: Path) -> None:
    (repo / "papers.yaml").write_text(
        "date: 2020-12-31\npapers:   # my note\n- title: P1\n", encoding="utf-8"
    )
    ok(repo, "render", "--discard-hand-edits")
    ok(repo, "remove", "P1")
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "# my note" in text and yaml.safe_load(text)["papers"] == []
    ok(repo, "check")


COMMENTED = """date: 2024-10-15
papers:
- title: Morning paper
  comment: a
# afternoon batch, reviewed by Li
- title: Afternoon paper
  comment: b
# trailing comment of the day
"""


def test_remove_and_move_leave_the_comments_around_a_paper_in_place(repo: Path) -> None:
    (repo / "papers.yaml").write_text("date: 2024-10-16\npapers: []\n---\n" + COMMENTED, encoding="utf-8")
    ok(repo, "render", "--discard-hand-edits")
    ok(repo, "remove", "Morning paper")
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "# afternoon batch, reviewed by Li\n- title: Afternoon paper" in text
    assert text.endswith("# trailing comment of the day\n")
    ok(repo, "move", "Afternoon paper", "--date", "2024-10-16")
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    day_15 = text[text.index("date: 2024-10-15") :]
    assert "# afternoon batch, reviewed by Li" in day_15 and "# trailing comment of the day" in day_15
    assert "Afternoon paper" not in day_15
    ok(repo, "check")


def test_an_editor_session_that_changes_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(repo, "add", "--title", "A paper", "--comment", "c", "--date", "2024-10-15")
    (repo / "notes.txt").write_text("x\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    monkeypatch.setenv("EDITOR", "true")
    out = ok(repo, "edit", "A paper")
    assert "unchanged" in out
    assert git(repo, "diff", "--cached", "--name-only") == "notes.txt"


def test_the_editor_instruction_line_is_never_saved(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    ok(repo, "add", "--title", "A paper", "--comment", "old", "--date", "2024-10-15")
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text('# my note about this paper\\n' + p.read_text().replace('old', 'new'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    ok(repo, "edit", "A paper")
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "comment: new" in text and "# my note about this paper" in text
    assert "save and close" not in text


def test_a_week_start_change_regenerates_old_pages_and_removes_strays(repo: Path) -> None:
    ok(repo, "add", "--title", "Sunday paper", "--date", "2024-10-13")
    ok(repo, "rotate", "--date", "2024-10-15")
    ok(repo, "add", "--title", "Tuesday paper")
    ok(repo, "rotate", "--date", "2024-10-22")
    (repo / "mapdaily.toml").write_text('week_start = "sunday"\n', encoding="utf-8")
    git(repo, "add", "mapdaily.toml")
    git(repo, "commit", "-qm", "weeks start on Sunday")
    code, out, _ = run_cli(repo, "check")
    assert code == 1
    out = ok(repo, "render")
    assert "removed" in out or "regenerated" in out
    ok(repo, "check")
    pages = sorted(p.name for p in (repo / "archived_papers").glob("*.md"))
    shown = [p for p in pages if "Sunday paper" in (repo / "archived_papers" / p).read_text(encoding="utf-8")]
    assert len(shown) == 1, pages


def test_a_yaml_directive_is_accepted(repo: Path) -> None:
    (repo / "papers.yaml").write_text("%YAML 1.1\n---\ndate: 2024-10-15\npapers: []\n", encoding="utf-8")
    ok(repo, "render")
    ok(repo, "add", "--title", "A")
    ok(repo, "check")

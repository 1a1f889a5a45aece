"""The command line end to end, in real git repositories: exit codes, messages, files, commits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, run_cli

MAPDAILY = [sys.executable, "-m", "mapdaily_cli"]


def ok(repo: Path, *args: str, input: str | None = None) -> str:
    code, out, err = run_cli(repo, *args, input=input)
    assert code == 0, err + out
    return out + err


def commits(repo: Path) -> list[str]:
    out = git(repo, "log", "--format=%s")
    return out.splitlines()


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def seeded(repo: Path) -> Path:
    """A digest with two days in week 2024-W42 and one in W41, rendered and committed."""
    ok(repo, "add", "--title", "Old Paper", "--date", "2024-10-10", "--comment", "old")
    ok(repo, "rotate", "--date", "2024-10-14")
    ok(repo, "add", "--title", "Monday Paper", "--url", "https://arxiv.org/abs/2410.11111")
    ok(repo, "rotate", "--date", "2024-10-15")
    ok(repo, "add", "--title", "Tuesday Paper", "--affiliation", "HKU", "--comment", "fine")
    return repo


def test_scripted_week(repo: Path) -> None:
    # Three papers on the first day, a refused duplicate, a double rotate, an edit.
    ok(
        repo,
        "add",
        "--title",
        "Alpha: A Paper",
        "--url",
        "https://arxiv.org/abs/2410.00001",
        "--affiliation",
        "Lab A",
        "--comment",
        "Good.",
        "--date",
        "2024-10-14",
    )
    ok(repo, "add", "--title", "Beta", "--url", "https://arxiv.org/abs/2410.00002", "--comment", "Fine.")
    ok(repo, "add", "--title", "Gamma", "--comment", "Also | with a pipe")
    code, _, err = run_cli(repo, "add", "--title", "Other", "--url", "https://www.arxiv.org/pdf/2410.00001v3")
    assert code == 1 and "2024-10-14" in err and "--force" in err
    code, _, err = run_cli(repo, "add", "--title", "  alpha:   a PAPER ")
    assert code == 1 and "already in the digest" in err
    ok(repo, "rotate", "--date", "2024-10-15")
    before = commits(repo)
    out = ok(repo, "rotate", "--date", "2024-10-15")
    assert "already open" in out and commits(repo) == before
    ok(repo, "add", "--title", "Delta", "--comment", "Tuesday's")
    ok(repo, "edit", "Beta", "--comment", "Better than fine.")
    # Monday 2024-10-21 closes week 42: it lands on its archive page and in the index.
    ok(repo, "rotate", "--date", "2024-10-21")
    page = (repo / "archived_papers" / "2024W42.md").read_text(encoding="utf-8")
    assert "<b>15/10/2024</b>" in page and "<b>14/10/2024</b>" in page
    assert "Better than fine." in page and "Also \\| with a pipe" in page
    index = (repo / "archived_papers.md").read_text(encoding="utf-8")
    assert "[2024-W42](archived_papers/2024W42.md)" in index and "4 papers" in index
    assert commits(repo) == [
        "rotate: 2024-10-21, archive 2024-W42",
        "edit: Beta (2024-10-14)",
        "add: Delta (2024-10-15)",
        "rotate: 2024-10-15",
        "add: Gamma (2024-10-14)",
        "add: Beta (2024-10-14)",
        "add: Alpha: A Paper (2024-10-14)",
    ]
    assert git(repo, "status", "--porcelain") == ""
    ok(repo, "check")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "Paper Today: 21/10/2024" in readme and "Gamma" not in readme

    # A hand edit inside a generated region: check fails with a diff naming the line; add refuses.
    page_path = repo / "archived_papers" / "2024W42.md"
    page_path.write_text(page.replace("Better than fine.", "Hand edited."), encoding="utf-8")
    code, out, err = run_cli(repo, "check")
    assert code == 1 and "--- a/archived_papers/2024W42.md" in out
    assert "-| [Beta](https://arxiv.org/abs/2410.00002) | - | Hand edited. |" in out
    assert "+| [Beta](https://arxiv.org/abs/2410.00002) | - | Better than fine. |" in out
    line = page.splitlines().index("| [Beta](https://arxiv.org/abs/2410.00002) | - | Better than fine. |") + 1
    assert f"@@ -{line - 2}," in out
    before_files = snapshot(repo)
    code, out, err = run_cli(repo, "add", "--title", "Late", "--date", "2024-10-16")
    assert code == 1 and "edited by hand" in err and "Hand edited." in out
    assert snapshot(repo) == before_files

    # --dry-run shows the diff and writes nothing.
    page_path.write_text(page, encoding="utf-8")
    code, out, err = run_cli(repo, "add", "--title", "Epsilon", "--dry-run")
    assert code == 0 and "+| Epsilon | - | - |" in out and "dry run" in err
    assert snapshot(repo) == {**before_files, "archived_papers/2024W42.md": page.encode()}

    # A staged unrelated file stays staged and out of the commit.
    (repo / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    ok(repo, "add", "--title", "Zeta")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "README.md",
        "feed.xml",
        "papers.yaml",
        "search/2024-10.js",
        "search/2024-10.notes.js",  # today had no paper: the days with papers shift by one
    ]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.txt"]


def test_check_red_after_unrendered_data_change(repo: Path) -> None:
    seeded(repo)
    data = repo / "papers.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("fine", "changed"), encoding="utf-8")
    code, out, err = run_cli(repo, "check")
    assert code == 1 and "README.md" in out and "+| Tuesday Paper | HKU | changed |" in out
    assert "mapdaily render" in err
    ok(repo, "render")
    ok(repo, "check")


def test_outside_a_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    code, _, err = run_cli(folder, "add", "--title", "X")
    assert code == 2 and "not inside a git repository" in err and "--no-commit" in err
    assert list(folder.iterdir()) == []
    ok(folder, "add", "--title", "X", "--no-commit", "--date", "2024-10-15")
    assert (folder / "papers.yaml").exists() and (folder / "README.md").exists()
    ok(folder, "check")


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["add", "--title", "X", "--date", "2024-13-45"], 2, "not a date"),
        (["add", "--title", "  "], 1, "title is empty"),
        (["add", "--title", "X", "--url", "javascript:alert(1)"], 1, "not an http(s) url"),
        (["rotate", "--date", "2024-10-01"], 1, "only moves forward"),
        (["add", "--title", "X", "--date", "2024-10-20"], 1, "after the digest's today (2024-10-15"),
        (["move", "Old Paper", "--date", "2024-10-20"], 1, "rotate --date 2024-10-20"),
        (["show", "no such paper"], 1, "no paper matches"),
        (["edit", "Paper", "--comment", "x"], 1, "papers match"),
        (["remove", "2024-10-15#9"], 1, "#9 does not exist"),
        (["archive", "--week", "2024-W99"], 2, "not a week"),
        (["list", "--date", "2023-01-01"], 1, "no day 2023-01-01"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    repo: Path, args: list[str], code: int, words: str
) -> None:
    seeded(repo)
    before = snapshot(repo)
    n = len(commits(repo))
    got, out, err = run_cli(repo, *args)
    assert got == code, err
    assert words in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert snapshot(repo) == before and len(commits(repo)) == n


def test_ambiguous_selector_lists_candidates(repo: Path) -> None:
    seeded(repo)
    code, out, err = run_cli(repo, "show", "paper")
    assert code == 1 and "3 papers match" in err
    assert "2024-10-15#1  Tuesday Paper" in out and "2024-10-14#1  Monday Paper" in out


@pytest.mark.parametrize(
    "text, words",
    [
        ("date: 2024-10-15\npapers:\n- title: [unclosed\n", "while parsing a flow sequence at 3:10"),
        (
            "date: 2024-10-15\npapers:\n- url: https://x.org\n",
            "papers.yaml:3:3: paper 1 of 2024-10-15 has no title",
        ),
        ("date: 2024-10-15\npapers: []\n---\ndate: 2024-10-15\npapers: []\n", "papers.yaml:4"),
        (
            "<<<<<<< HEAD\ndate: 2024-10-15\n=======\ndate: 2024-10-16\n>>>>>>> x\n",
            "papers.yaml:1: git merge conflict",
        ),
    ],
)
def test_broken_data_is_named(repo: Path, text: str, words: str) -> None:
    (repo / "papers.yaml").write_text(text, encoding="utf-8")
    for args in (["check"], ["add", "--title", "X"], ["rotate", "--date", "2030-01-01"], ["list"]):
        code, _, err = run_cli(repo, *args)
        assert code == 1 and words in err, (args, err)
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == text
    assert not (repo / "README.md").exists()


def test_bad_configuration_exits_2(repo: Path) -> None:
    (repo / "mapdaily.toml").write_text('readme = "../elsewhere.md"\n', encoding="utf-8")
    code, _, err = run_cli(repo, "check")
    assert code == 2 and "leaves the repository" in err
    (repo / "mapdaily.toml").write_text("colour = 1\n", encoding="utf-8")
    code, _, err = run_cli(repo, "check")
    assert code == 2 and "unknown key 'colour'" in err


def test_all_or_nothing_when_a_write_fails(repo: Path) -> None:
    seeded(repo)
    ok(repo, "rotate", "--date", "2024-10-16")
    ok(repo, "add", "--title", "Wednesday")
    (repo / "archived_papers").rename(repo / "moved")
    (repo / "archived_papers").write_text("a file where the folder should be\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "block the archive folder")
    before = snapshot(repo)
    code, _, err = run_cli(repo, "rotate", "--date", "2024-10-21")
    assert code == 1 and "nothing was changed" in err
    assert snapshot(repo) == before
    assert not [p for p in repo.rglob("*.tmp")]


def test_edit_remove_move_show_search_list(repo: Path) -> None:
    seeded(repo)
    ok(repo, "edit", "2410.11111", "--affiliation", "MIT", "--title", "Monday Paper v2")
    ok(repo, "move", "Monday Paper v2", "--date", "2024-10-15")
    shown = json.loads(run_cli(repo, "show", "https://arxiv.org/pdf/2410.11111v1", "--json")[1])
    assert shown == {
        "ref": "2024-10-15#2",
        "date": "2024-10-15",
        "n": 2,
        "title": "Monday Paper v2",
        "url": "https://arxiv.org/abs/2410.11111",
        "affiliation": "MIT",
        "comment": None,
        "authors": None,
    }
    listed = json.loads(run_cli(repo, "list", "--json")[1])
    assert [p["ref"] for p in listed] == ["2024-10-15#1", "2024-10-15#2"]
    assert listed[1] == shown  # list, show and search give one record shape
    found = json.loads(run_cli(repo, "search", "Monday", "--json")[1])
    assert found == [shown]
    found = json.loads(run_cli(repo, "search", "OLD", "--json")[1])
    assert [f["ref"] for f in found] == ["2024-10-10#1"]
    ok(repo, "remove", "2024-10-15#1")
    assert commits(repo)[:3] == [
        "remove: Tuesday Paper (2024-10-15)",
        "move: Monday Paper v2 (2024-10-14 -> 2024-10-15)",
        "edit: Monday Paper v2 (2024-10-14)",
    ]
    ok(repo, "check")
    week = json.loads(run_cli(repo, "list", "--week", "2024-W41", "--json")[1])
    assert week == [
        {
            "ref": "2024-10-10#1",
            "date": "2024-10-10",
            "n": 1,
            "title": "Old Paper",
            "url": None,
            "affiliation": None,
            "comment": "old",
            "authors": None,
        }
    ]


def test_edit_in_editor_validates(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeded(repo)
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('fine', 'edited in the editor') + 'note: kept\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    # A field the settings do not declare is refused (a misspelling must not vanish), naming the
    # field it is likely meant to be; a declared one is kept.
    code, _, err = run_cli(repo, "edit", "Tuesday")
    assert code == 1 and "unknown field 'note'" in err and "extra_fields = ['note']" in err
    (repo / "mapdaily.toml").write_text('extra_fields = ["note"]\n', encoding="utf-8")
    ok(repo, "edit", "Tuesday")
    data = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "comment: edited in the editor" in data and "note: kept" in data
    ok(repo, "check")
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('title: [broken\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {bad}")
    before = snapshot(repo)
    code, _, err = run_cli(repo, "edit", "Tuesday")
    assert code == 1 and "YAML syntax error" in err
    assert snapshot(repo) == before


def test_comment_from_stdin_and_empty_affiliation(repo: Path) -> None:
    ok(
        repo,
        "add",
        "--title",
        "Piped",
        "--affiliation",
        "",
        "--comment",
        "-",
        "--date",
        "2024-10-15",
        input="line one\nline two\n",
    )
    data = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "affiliation" not in data and "line one" in data
    assert "| Piped | - | line one line two |" in (repo / "README.md").read_text(encoding="utf-8")


def _env(repo: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).parents[1])
    return env


def test_eight_concurrent_adds(repo: Path) -> None:
    seeded(repo)
    procs = [
        subprocess.Popen(
            [*MAPDAILY, "-C", str(repo), "add", "--title", f"Concurrent {i}", "--comment", f"n{i}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(repo),
        )
        for i in range(8)
    ]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    data = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert all(f"title: Concurrent {i}\n" in data for i in range(8))
    assert sum(1 for s in commits(repo) if s.startswith("add: Concurrent")) == 8
    assert git(repo, "status", "--porcelain") == ""
    ok(repo, "check")


def test_killed_add_leaves_whole_files(repo: Path) -> None:
    import signal
    import time

    seeded(repo)
    data = repo / "papers.yaml"
    for attempt in range(6):
        before = data.read_text(encoding="utf-8")
        title = f"Killed {attempt}"
        proc = subprocess.Popen(
            [*MAPDAILY, "-C", str(repo), "add", "--no-commit", "--title", title, "--comment", "x" * 5000],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(repo),
        )
        time.sleep(0.15 + attempt * 0.12)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = data.read_text(encoding="utf-8")
        if after != before:
            old, new = papers_of(before), papers_of(after)
            assert new[:-1] == old and new[-1]["title"] == title
        assert not [p for p in repo.rglob("*.tmp")]
        # The next command works, whatever moment the kill hit.
        ok(repo, "add", "--no-commit", "--title", f"After {attempt}")
        ok(repo, "check")


def papers_of(text: str) -> list[dict[str, str]]:
    import yaml

    return [p for doc in yaml.safe_load_all(text) for p in reversed(doc["papers"] or [])][::-1]


def test_an_interrupted_write_is_recovered_not_refused(repo: Path) -> None:
    seeded(repo)
    # A run killed between writing papers.yaml and README.md leaves its journal behind; the data
    # has the new paper, the README does not. The next command regenerates instead of refusing.
    data = repo / "papers.yaml"
    data.write_text(
        data.read_text(encoding="utf-8").replace(
            "- title: Tuesday Paper", "- title: Half Written\n- title: Tuesday Paper"
        ),
        encoding="utf-8",
    )
    (repo / ".git" / "mapdaily.journal").write_text(f"{data}\n{repo / 'README.md'}\n", encoding="utf-8")
    code, _, err = run_cli(repo, "check")
    assert code == 1
    ok(repo, "add", "--title", "After the crash")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "| Half Written | - | - |" in readme and "| After the crash | - | - |" in readme
    assert not (repo / ".git" / "mapdaily.journal").exists()
    ok(repo, "check")


def test_remove_day(repo: Path) -> None:
    seeded(repo)
    ok(repo, "rotate", "--date", "2024-10-20")  # a rotate to the wrong date: the day is empty
    code, _, err = run_cli(repo, "remove", "--day", "2024-10-15")
    assert code == 1 and "2024-10-15 holds 1 paper; move them first" in err and "--with-papers" in err
    code, _, err = run_cli(repo, "remove", "--day", "2024-10-17")
    assert code == 1 and "no day 2024-10-17" in err
    assert run_cli(repo, "remove", "--day", "15/10")[0] == 2
    assert run_cli(repo, "remove")[0] == 2 and run_cli(repo, "remove", "Tuesday", "--with-papers")[0] == 2
    out = ok(repo, "remove", "--day", "2024-10-20")
    assert "removed 2024-10-20" in out and commits(repo)[0] == "remove: day 2024-10-20"
    assert "date: 2024-10-20" not in (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "Paper Today: 15/10/2024" in (repo / "README.md").read_text(encoding="utf-8")
    out = ok(repo, "remove", "--day", "2024-10-14", "--with-papers")
    assert "removed 2024-10-14 and its 1 paper" in out
    assert "Monday Paper" not in (repo / "README.md").read_text(encoding="utf-8")
    ok(repo, "check")
    # The one day of an archived week stays (its page would be left without a week).
    code, _, err = run_cli(repo, "remove", "--day", "2024-10-10", "--with-papers")
    assert code == 1 and "the one day of the archived week 2024-W41" in err
    (repo / "papers.yaml").write_text("date: 2024-10-15\npapers: []\n", encoding="utf-8")
    code, _, err = run_cli(repo, "remove", "--day", "2024-10-15")
    assert code == 1 and "only day" in err
    git(repo, "checkout", "--", "papers.yaml")
    ok(repo, "check")
    assert git(repo, "status", "--porcelain") == ""

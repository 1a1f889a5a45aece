"""Papers proposed through the issue form: recorded issue events, the form and the workflows that
`init --ci github` writes (validated with check-jsonschema's built-in schemas), the version pin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import git, run_cli, write_papers

from mapdaily_cli import __version__
from mapdaily_cli.api.intake import form_answers, proposal
from mapdaily_cli.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "add-paper.yml"


def body(url: str, title: str, affiliation: str, comment: str, when: str) -> str:
    """An issue body as GitHub writes it from the form's answers."""
    parts = [
        ("arXiv id or URL", url),
        ("Title", title),
        ("Affiliation", affiliation),
        ("Comment", comment),
        ("Date", when),
    ]
    return "\n\n".join(f"### {label}\n\n{value or '_No response_'}" for label, value in parts)


def event(text: str, who: str = "MEMBER", action: str = "opened") -> dict[str, Any]:
    return {
        "action": action,
        "issue": {"number": 7, "body": text, "author_association": who, "labels": [{"name": "add-paper"}]},
    }


def test_a_valid_issue_gives_its_paper() -> None:
    found = proposal(
        event(body("2410.08391", "KV Prediction", "Apple", "Fast [TTFT](https://e.com).", "2024-10-15"))
    )
    assert found.fields == {
        "title": "KV Prediction",
        "url": "https://arxiv.org/abs/2410.08391",
        "affiliation": "Apple",
        "comment": "Fast [TTFT](https://e.com).",
    }
    assert found.when is not None and found.when.isoformat() == "2024-10-15"
    assert found.number == 7


def test_no_response_is_empty_and_a_heading_inside_the_comment_stays_in_it() -> None:
    comment = "Why it matters\n\n### Date\n\nnot the date field\n\n### Title\nstill the comment"
    answers = form_answers(body("", "T", "", comment, ""))
    assert answers == {"url": None, "title": "T", "affiliation": None, "comment": comment, "date": None}


def test_a_non_collaborator_is_refused_unless_a_curator_labels_it() -> None:
    text = body("", "T", "", "", "")
    with pytest.raises(InputError, match="owner, members and collaborators"):
        proposal(event(text, who="NONE"))
    assert proposal(event(text, who="NONE", action="labeled")).fields["title"] == "T"


HOSTILE = "| x | <script>alert(1)</script> {{ 7 | times: 7 }} $(rm -rf /) `id` ; \"'"


def test_hostile_text_in_every_field_is_stored_as_typed_and_shown_as_text(repo: Path, tmp_path: Path) -> None:
    write_papers(repo, [("2024-10-15", [])])
    assert run_cli(repo, "render")[0] == 0
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "start")
    path = tmp_path / "event.json"
    path.write_text(
        json.dumps(event(body("https://e.com/" + HOSTILE, HOSTILE, HOSTILE, HOSTILE, ""))), encoding="utf-8"
    )
    code, out, err = run_cli(repo, "intake", str(path))
    assert code == 0, err
    (day,) = yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8"))
    assert day["papers"] == [
        {"title": HOSTILE, "url": "https://e.com/" + HOSTILE, "affiliation": HOSTILE, "comment": HOSTILE}
    ]
    assert "<script>" not in (repo / "README.md").read_text(encoding="utf-8")
    assert run_cli(repo, "check")[0] == 0


def test_refusals_add_nothing(repo: Path, tmp_path: Path) -> None:
    write_papers(repo, [("2024-10-15", [])])
    before = (repo / "papers.yaml").read_bytes()
    path = tmp_path / "event.json"
    for bad in (
        event(body("", "T", "", "", ""), who="CONTRIBUTOR"),
        event(body("", "", "", "x", "")),
        event(body("", "T", "", "", "15/10/2024")),
        event(body("", "T\x07", "", "", "")),
    ):
        path.write_text(json.dumps(bad), encoding="utf-8")
        code, _, err = run_cli(repo, "intake", str(path), "--no-commit")
        assert code == 1, err
        assert (repo / "papers.yaml").read_bytes() == before


def test_the_issue_form_validates() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-issue-forms",
            str(FORM),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ok -- validation done" in done.stdout, done.stdout + done.stderr
    labels = [
        f["attributes"]["label"]
        for f in yaml.safe_load(FORM.read_text(encoding="utf-8"))["body"]
        if f["type"] != "markdown"
    ]
    assert labels == ["arXiv id or URL", "Title", "Affiliation", "Comment", "Date"]


def test_init_pins_the_running_version_in_every_workflow(repo: Path) -> None:
    code, _, err = run_cli(repo, "init", "--ci", "github")
    assert code == 0, err
    version = subprocess.run(
        [sys.executable, "-m", "mapdaily_cli", "--version"], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    assert version == __version__
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["check.yml", "intake.yml", "rotate.yml", "sync.yml"]
    for path in workflows:
        text = path.read_text(encoding="utf-8")
        assert f'python -m pip install "mapdaily=={version}"' in text
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "check_jsonschema",
                "--builtin-schema",
                "vendor.github-workflows",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "ok -- validation done" in done.stdout, done.stdout
    assert "papers.yaml merge=mapdaily" in (repo / ".gitattributes").read_text(encoding="utf-8")
    assert git(repo, "config", "--get", "merge.mapdaily.driver").endswith("merge-driver %O %A %B %P")


def test_init_takes_another_install_source(repo: Path) -> None:
    source = "git+https://github.com/OWNER/REPO@v" + __version__
    assert run_cli(repo, "init", "--ci", "github", "--install", source, "--no-commit")[0] == 0
    assert f'pip install "{source}"' in (repo / ".github" / "workflows" / "sync.yml").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("path", sorted((ROOT / ".github" / "workflows").glob("*.yml")), ids=lambda p: p.name)
def test_every_workflow_of_this_repository_validates(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ok -- validation done" in done.stdout, done.stdout + done.stderr


# --- `add --from-issue`, with the recorded issue events ------------------------------------------

EVENTS = Path(__file__).parent / "fixtures" / "issues"
SPELLINGS = [["add", "--from-issue"], ["intake"]]


def _digest(repo: Path) -> bytes:
    write_papers(repo, [("2024-10-15", []), ("2024-10-14", [])])
    assert run_cli(repo, "render")[0] == 0
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "start")
    return (repo / "papers.yaml").read_bytes()


def _days(repo: Path) -> dict[str, list[dict[str, str]]]:
    found = yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8"))
    return {str(d["date"]): d["papers"] for d in found}


@pytest.mark.parametrize("spelling", SPELLINGS, ids=" ".join)
def test_a_recorded_issue_adds_its_paper_on_its_day_in_one_commit(repo: Path, spelling: list[str]) -> None:
    _digest(repo)
    code, _, err = run_cli(repo, *spelling, str(EVENTS / "valid.json"))
    assert code == 0, err
    assert _days(repo) == {
        "2024-10-15": [
            {
                "title": "KV Prediction For Improved Time to First Token",
                "url": "https://arxiv.org/abs/2410.08391",
                "affiliation": "Apple",
                "comment": "A small model predicts the KV cache of a larger one; see"
                " [the code](https://github.com/apple/ml-kv).",
            }
        ],
        "2024-10-14": [],
    }
    assert git(repo, "rev-list", "--count", "HEAD") == "2"
    assert git(repo, "status", "--porcelain") == ""
    assert run_cli(repo, "check")[0] == 0


@pytest.mark.parametrize(
    ("name", "day", "paper"),
    [
        ("no-response.json", "2024-10-15", {"title": "A Paper Without Much Said"}),
        (
            "heading-in-comment.json",
            "2024-10-14",
            {
                "title": "Headings in a Comment",
                "url": "https://arxiv.org/abs/2410.00003",
                "affiliation": "MIT",
                "comment": "Why it matters\n\n### Date\n\nnot the date field\n\n### Title\nstill the comment",
            },
        ),
        (
            "labeled-by-a-curator.json",
            "2024-10-15",
            {
                "title": "Proposed by a Reader",
                "url": "https://arxiv.org/abs/2410.00005",
                "affiliation": "Somewhere",
                "comment": "Labelled by a curator.",
            },
        ),
    ],
)
def test_recorded_issues_give_the_right_paper_and_nothing_else(
    repo: Path, name: str, day: str, paper: dict[str, str]
) -> None:
    _digest(repo)
    code, _, err = run_cli(repo, "add", "--from-issue", str(EVENTS / name))
    assert code == 0, err
    days = _days(repo)
    assert days[day] == [paper]
    assert sum(len(p) for p in days.values()) == 1
    assert run_cli(repo, "check")[0] == 0


def test_a_non_collaborators_issue_is_refused_in_one_line_and_changes_nothing(repo: Path) -> None:
    before = _digest(repo)
    for spelling in SPELLINGS:
        code, out, err = run_cli(repo, *spelling, str(EVENTS / "non-collaborator.json"))
        assert code == 1
        assert "owner, members and collaborators" in err and len(err.strip().splitlines()) == 1, err
        assert (repo / "papers.yaml").read_bytes() == before
        assert git(repo, "rev-list", "--count", "HEAD") == "1"


def test_hostile_text_from_a_recorded_issue_is_stored_as_typed(repo: Path) -> None:
    _digest(repo)
    hostile = json.loads((EVENTS / "hostile.json").read_text(encoding="utf-8"))
    typed = form_answers(hostile["issue"]["body"])["title"]
    assert typed is not None and "$(rm -rf /)" in typed
    code, _, err = run_cli(repo, "add", "--from-issue", str(EVENTS / "hostile.json"))
    assert code == 0, err
    assert _days(repo)["2024-10-15"] == [
        {"title": typed, "url": "https://e.com/" + typed, "affiliation": typed, "comment": typed}
    ]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "<script>" not in readme and readme.count("<!-- mapdaily:end") == 1
    assert run_cli(repo, "check")[0] == 0


@pytest.mark.parametrize(
    "more",
    [["2410.08391"], ["--title", "T"], ["--comment", "c"], ["--date", "2024-10-15"], ["--force"]],
    ids=" ".join,
)
def test_from_issue_takes_no_other_paper_options(repo: Path, more: list[str]) -> None:
    before = _digest(repo)
    code, _, err = run_cli(repo, "add", "--from-issue", str(EVENTS / "valid.json"), *more)
    assert code == 2 and "--from-issue takes the paper" in err
    assert (repo / "papers.yaml").read_bytes() == before


def test_from_issue_pushes_with_push(repo: Path, tmp_path: Path) -> None:
    _digest(repo)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "--quiet", "-u", "origin", "main")
    code, _, err = run_cli(repo, "add", "--from-issue", str(EVENTS / "valid.json"), "--push")
    assert code == 0, err
    assert git(remote, "log", "-1", "--format=%s") == git(repo, "log", "-1", "--format=%s")
    assert git(remote, "rev-list", "--count", "main") == "2"


def test_the_intake_workflow_adds_with_from_issue_through_the_event_file() -> None:
    for path in (
        ROOT / ".github" / "workflows" / "intake.yml",
        ROOT / "mapdaily_cli" / "templates" / "ci" / "intake.yml",
    ):
        text = path.read_text(encoding="utf-8")
        assert 'mapdaily add --from-issue "$GITHUB_EVENT_PATH" --push' in text
        assert "mapdaily intake" not in text and "github.event.issue.body" not in text

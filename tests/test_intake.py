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

"""Paper fields end to end: a misspelled field is refused with where it is and what was meant; a
field the settings declare (``extra_fields``) is kept, edited and shown as a column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli import api
from mapdaily_cli.errors import InputError

PAPERS = """\
date: 2024-10-15
papers:
- title: A Paper
  url: https://arxiv.org/abs/2410.00001
  {key}: MIT
"""


def _digest(repo: Path, key: str, toml: str = "") -> None:
    assert run_cli(repo, "init")[0] == 0
    (repo / "papers.yaml").write_text(PAPERS.format(key=key), encoding="utf-8")
    if toml:
        (repo / "mapdaily.toml").write_text(toml, encoding="utf-8")


def test_a_misspelled_field_fails_check_where_it_is_written(repo: Path) -> None:
    _digest(repo, "affilation")
    code, out, err = run_cli(repo, "check")
    assert code == 1
    assert "papers.yaml:5:3: unknown field 'affilation' (did you mean 'affiliation'?)" in err, err + out
    # Every command reading the day refuses it the same way; nothing is written.
    before = (repo / "README.md").read_text(encoding="utf-8")
    for args in (("render",), ("list",), ("add", "--title", "Another")):
        code, _, err = run_cli(repo, *args)
        assert code == 1 and "unknown field 'affilation'" in err, (args, err)
    assert (repo / "README.md").read_text(encoding="utf-8") == before


def test_an_unknown_field_names_how_to_declare_it(repo: Path) -> None:
    _digest(repo, "reviewer")
    code, _, err = run_cli(repo, "check")
    assert code == 1
    assert "papers.yaml:5:3: unknown field 'reviewer'" in err
    assert "extra_fields = ['reviewer']" in err


def test_a_declared_field_is_kept_and_shown_as_a_column(repo: Path) -> None:
    toml = 'extra_fields = ["reviewer"]\ncolumns = ["title", "reviewer"]\n'
    _digest(repo, "reviewer", toml)
    code, _, err = run_cli(repo, "render")
    assert code == 0, err
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "| Paper | Reviewer |" in readme and "| MIT |" in readme
    assert run_cli(repo, "check")[0] == 0
    code, out, err = run_cli(repo, "show", "2024-10-15#1", "--json")
    assert code == 0, err
    assert json.loads(out)["reviewer"] == "MIT"
    code, out, _ = run_cli(repo, "show", "2024-10-15#1")
    assert code == 0 and "reviewer: MIT" in out
    # An edit of another field keeps it.
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "reviewer")
    code, _, err = run_cli(repo, "edit", "2024-10-15#1", "--comment", "Worth it.")
    assert code == 0, err
    assert "  reviewer: MIT\n" in (repo / "papers.yaml").read_text(encoding="utf-8")
    assert run_cli(repo, "check")[0] == 0


def test_the_editor_refuses_a_misspelled_field_and_keeps_a_declared_one() -> None:
    with pytest.raises(InputError) as raised:
        api.parse_paper_yaml("title: A Paper\naffilation: MIT\n", ())
    assert raised.value.message == "unknown field 'affilation' (did you mean 'affiliation'?)"
    assert api.parse_paper_yaml("title: A Paper\nreviewer: Ann\n", ("reviewer",))["reviewer"] == "Ann"

"""Hostile YAML in papers.yaml and in the editor: anchors, aliases and merge keys are refused before
anything expands them, in every loader; every YAML error is one line in file:line:col form."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import run_cli

from mapdaily_cli.errors import DataError, InputError
from mapdaily_cli.store import Stream

LAUGHS = (
    "date: 2024-10-15\n"
    "papers:\n"
    "- title: Lol\n"
    "  comment: &a [x, x, x, x, x, x, x, x, x, x]\n"
    "  url: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "  affiliation: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "  more: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "  worse: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)


def stream_of(text: str) -> Stream:
    return Stream(Path("papers.yaml"), "papers.yaml", text)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (LAUGHS, "papers.yaml:4:12", "anchor &a"),
        ("date: 2024-10-15\npapers:\n- title: &t A\n  comment: *t\n", "papers.yaml:3:10", "anchor &t"),
        ("date: 2024-10-15\npapers: &p\n- title: A\n", "papers.yaml:2:9", "anchor &p"),
        ("date: 2024-10-15\npapers:\n- <<: {title: A}\n", "papers.yaml:3:3", "merge key <<"),
        ("date: 2024-10-15\npapers: &r [*r]\n", "papers.yaml:2:9", "anchor &r"),  # recursive
        (
            "# top\n---\ndate: 2024-10-15\npapers: []\n---\ndate: 2024-10-14\npapers:\n- title: *x\n",
            "papers.yaml:8:10",
            "alias *x",
        ),
    ],
)
def test_anchors_aliases_and_merge_keys_are_refused_where_they_are(text: str, where: str, what: str) -> None:
    stream = stream_of(text)
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        list(stream.days())
    message = caught.value.message
    assert message.startswith(f"{where}: {what}") and "not allowed" in message
    assert "\n" not in message and len(message) < 300
    assert time.monotonic() - started < 5  # nothing expanded (a generous bound, not a benchmark)


def test_text_that_only_looks_like_anchors_is_fine() -> None:
    text = (
        "date: 2024-10-15\npapers:\n- title: 'R&D *and* Q&A <<'\n"
        '  comment: "&a *b << c"\n  url: https://x.org/?a=1&b=2\n'
    )
    day = next(stream_of(text).days())
    assert day.papers[0].title == "R&D *and* Q&A <<" and day.papers[0].comment == "&a *b << c"


def test_every_command_refuses_an_alias_in_one_line(repo: Path) -> None:
    (repo / "papers.yaml").write_text(LAUGHS, encoding="utf-8")
    for args in (("check",), ("render",), ("add", "--title", "B"), ("list",), ("search", "x")):
        code, out, err = run_cli(repo, *args)
        assert code == 1, args
        assert "papers.yaml:4:12: anchor &a" in err and len(err) < 400, args
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == LAUGHS


def test_an_alias_in_a_day_is_never_turned_into_null_by_an_edit(repo: Path) -> None:
    text = "date: 2024-10-15\npapers:\n- title: A\n  comment: &c [*c]\n"
    (repo / "papers.yaml").write_text(text, encoding="utf-8")
    code, _, err = run_cli(repo, "add", "--title", "B", "--no-commit")
    assert code == 1 and "anchor &c" in err
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == text


def test_the_editors_yaml_refuses_aliases_too() -> None:
    from mapdaily_cli import api

    with pytest.raises(InputError, match=r"^line 1, column 8: anchor &t: anchors, aliases and merge keys"):
        api.parse_paper_yaml("title: &t A\ncomment: *t\n")


@pytest.mark.parametrize(
    ("text", "where", "char"),
    [
        ("date: 2024-10-15\npapers:\n- title: A\x00B\n", "papers.yaml:3:11", "U+0000"),
        ("date: 2024-10-15\npapers:\n- title: A\n  comment: 'x\x01'\n", "papers.yaml:4:14", "U+0001"),
        (
            "date: 2024-10-15\npapers:\n---\ndate: 2024-10-14\npapers:\n- title: \x7f\n",
            "papers.yaml:6:10",
            "U+007F",
        ),
    ],
)
def test_an_unacceptable_character_is_one_line_with_its_place(text: str, where: str, char: str) -> None:
    with pytest.raises(DataError) as caught:
        list(stream_of(text).days())
    message = caught.value.message
    assert message.startswith(f"{where}: {char} is not allowed") and "\n" not in message


def test_a_nul_is_one_line_at_the_command_line(repo: Path) -> None:
    (repo / "papers.yaml").write_bytes(b"date: 2024-10-15\npapers:\n- title: A\x00B\n")
    code, out, err = run_cli(repo, "check")
    assert code == 1 and err.count("\n") == 1 and "papers.yaml:3:11: U+0000" in err

"""Day documents read off their lines give what the YAML parse gives, or nothing: the papers' count
(for the index and its chart) and the data itself, on every layout a person or a tool may write."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapdaily_cli.api import plan
from mapdaily_cli.config import load_config
from mapdaily_cli.render import Renderer
from mapdaily_cli.store.daylines import quick_count, quick_load
from mapdaily_cli.store.yamlio import round_trip, strict_loader, to_yaml_text


def parsed(text: str) -> Any:
    """What the strict C loader gives, or the exception it raises."""
    try:
        return yaml.load(text, Loader=strict_loader())
    except (yaml.YAMLError, ValueError) as e:
        return e


def agrees(text: str) -> bool:
    """The fast paths give the parse's answers whenever they give one."""
    data = parsed(text)
    quick, count = quick_load(text), quick_count(text)
    if isinstance(data, Exception) or not isinstance(data, dict):
        return quick is None
    papers = data.get("papers")
    if count is not None and (not isinstance(papers, (list, type(None))) or count != len(papers or [])):
        return False
    return quick is None or quick == data


EXAMPLES = [
    "date: 2024-10-15\npapers: []\n",
    "---\ndate: 2024-10-15\npapers:\n",
    "date: '2024-10-15'\npapers:\n- title: A\n",
    "# a comment\ndate: 2024-10-15\npapers:\n- title: A\n  url: https://x.org/a#b\n\n# between\n- title: B\n",
    "date: 2024-10-15\npapers: [{title: A}, {title: B}]\n",
    "date: 2024-10-15\npapers:\n  - title: A\n  - title: B\n",
    'date: 2024-10-15\npapers:\n- title: "A\n- title: B"\n',
    "date: 2024-10-15\npapers:\n- title: 'It''s\n- title: B'\n",
    "date: 2024-10-15\npapers:\n- title: |\n    x\n- title: B\n",
    "date: 2024-10-15\npapers:\n- title: >-\n    folded\n    title\n",
    "date: 2024-10-15\npapers:\n- title: A # comment\n- title: B\n",
    "date: 2024-10-15\npapers:\n- title: A\r- title: B\n",
    "date: 2024-10-15\npapers:\n- title: A\u2028- title: B\n",
    "date: 2024-10-15\npapers:\n- title: &a A\n- title: *a\n",
    "date: 2024-10-15\npapers:\n- title: yes\n- title: 12\n- title: null\n- title: ~\n",
    "date: 2024-10-15\npapers:\n- title: A\n  title: B\n",
    "date: 2024-13-45\npapers:\n- title: A\n",
    'date: 2024-10-15\npapers:\n- title: "tab\\there \\"q\\" back\\\\slash \\x41 \\u00e9"\n',
    'date: 2024-10-15\npapers:\n- title: "\\"quoted\\" and \\\\ and \\/"\n',
    "date: 2024-10-15\npapers:\n- title: a:b C# x-y [z] {w}\n  on: 1\n",
    "date: 2024-10-15\npapers:\n- title: A\n  y: B\n",
    "date: 2024-10-15\npapers:\n- title: A\n  comment: a: b\n",
    "date: 2024-10-15\npapers:\n- title: A\n   url: https://x.org\n",
    "date: 2024-10-15\nnote: x\npapers:\n- title: A\n",
    "date: 2024-10-15\npapers:\n- title: A\x07\n",
    "date: 2024-10-15\npapers:\n- title: A\n...\n",
    "date: 2024-10-15\npapers:\n- title: A\n- B\n",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples(text: str) -> None:
    assert agrees(text), text


def test_the_plain_layout_is_read_off_its_lines() -> None:
    text = "---\ndate: 2024-10-15\npapers:\n"
    text += "- title: \"A \\\"B\\\"\"\n  url: https://x.org/a:b\n- title: 'C''s'\n"
    assert quick_count(text) == 2
    assert quick_load(text) == parsed(text)
    assert quick_load(text) == {
        "date": date(2024, 10, 15),
        "papers": [{"title": 'A "B"', "url": "https://x.org/a:b"}, {"title": "C's"}],
    }


# Text that YAML may read many ways: indicators, quotes, escapes, comments, numbers, line breaks.
ATOMS = st.sampled_from(
    ["a", "B", " ", "  ", ":", ": ", "#", " #", "-", "- ", "'", '"', "\\", "\\n", "[", "]", "{", "}", ",",
     "&x", "*x", "!", "|", ">", "%", "@", "`", "?", "yes", "no", "on", "null", "~", "1", "0x1f", "1e3",
     "2024-10-15", "é", "ß", "\t", "\n", "\r", "\u2028", "\x85", "\x00", "\ufeff", "https://x.org/a"]
)  # fmt: skip
TEXT = st.lists(ATOMS, min_size=1, max_size=8).map("".join)
KEYS = st.sampled_from(["title", "url", "affiliation", "comment", "authors", "on", "y", "x_1"])
PAPERS = st.lists(st.dictionaries(KEYS, TEXT, min_size=1, max_size=4), max_size=4)


def by_ruamel(papers: list[dict[str, str]]) -> str:
    """The document as mapdaily writes it (its round-trip configuration and quoting)."""
    doc = {"date": date(2024, 10, 15), "papers": [{k: to_yaml_text(v) for k, v in p.items()} for p in papers]}
    out = io.StringIO()
    round_trip().dump(doc, out)
    return out.getvalue()


def by_hand(papers: list[dict[str, str]], styles: list[int]) -> str:
    """The document written line by line, each value plain, single- or double-quoted as drawn
    (whether or not that is valid YAML), with comments and blank lines between."""
    lines = ["date: 2024-10-15", "papers:" if papers else "papers: []"]
    n = 0
    for paper in papers:
        for i, (key, value) in enumerate(paper.items()):
            style = styles[n % len(styles)]
            n += 1
            written = [value, "'" + value.replace("'", "''") + "'", '"' + value.replace('"', '\\"') + '"'][
                style % 3
            ]
            lines.append(("- " if i == 0 else "  ") + f"{key}: {written}")
            if style >= 3:
                lines.append("# a comment" if style == 3 else "")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAPERS)
def test_what_mapdaily_writes_reads_the_same(papers: list[dict[str, str]]) -> None:
    try:
        text = by_ruamel(papers)
    except Exception:  # ruamel cannot write some control characters: no document to read
        return
    assert agrees(text), text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAPERS, st.lists(st.integers(0, 4), min_size=1, max_size=6), st.booleans())
def test_any_layout_reads_the_same_or_is_parsed(
    papers: list[dict[str, str]], styles: list[int], marker: bool
) -> None:
    text = ("---\n" if marker else "") + by_hand(papers, styles)
    assert agrees(text), text


@settings(max_examples=200, deadline=None)
@given(PAPERS, st.sampled_from([None, True, False]))
def test_flow_and_block_styles_of_a_dumper(papers: list[dict[str, str]], flow: bool | None) -> None:
    text = yaml.safe_dump(
        {"date": date(2024, 10, 15), "papers": papers}, default_flow_style=flow, allow_unicode=True
    )
    assert agrees(text), text


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            KEYS, st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.()]{0,30}", fullmatch=True), min_size=1, max_size=4
        ),
        max_size=5,
    )
)
def test_plain_text_takes_the_fast_path(papers: list[dict[str, str]]) -> None:
    papers = [{k: v.strip() or "x" for k, v in p.items()} for p in papers]
    text = by_ruamel(papers)
    if all(k not in ("on", "y") for p in papers for k in p):
        assert quick_count(text) == len(papers)
        assert quick_load(text) == parsed(text)


def long_history(days: int = 120) -> str:
    """Days in every layout: plain, flow, block scalars, comments, empty lists."""
    parts = []
    end = date(2024, 10, 14)  # a Monday
    for i in range(days):
        d = (end - timedelta(days=i)).isoformat()
        kind = i % 5
        if kind == 0:
            parts.append(
                f"date: {d}\npapers:\n- title: Plain {i}\n  comment: 'It''s #{i}'\n- title: \"Two {i}\"\n"
            )
        elif kind == 1:
            parts.append(
                f"date: {d}\npapers: [{{title: Flow {i}}}, {{title: 'Flow b {i}'}}, {{title: c{i}}}]\n"
            )
        elif kind == 2:
            parts.append(f"date: {d}\npapers:\n- title: >-\n    Folded\n    - title: not a paper {i}\n")
        elif kind == 3:
            parts.append(f"date: {d}\npapers: []\n")
        else:
            parts.append(f"# day {i}\ndate: '{d}'\npapers:\n\n- title: A {i}  # note\n- title: B {i}\n")
    return "# history\n" + "---\n".join(parts)


def test_the_index_from_counts_is_the_index_from_a_full_parse(git_repo: Path) -> None:
    (git_repo / "papers.yaml").write_text(long_history(), encoding="utf-8")
    config = load_config(git_repo)
    renderer = Renderer(config)
    quick = plan.index_target(config).region(renderer, plan.open_stream(config))
    stream = plan.open_stream(config)
    full = renderer.index_region([(w, plan.papers_in(days)) for w, days in plan.closed_weeks(stream, config)])
    assert quick == full
    assert plan.closed_counts(plan.open_stream(config), config) == [
        (w, plan.papers_in(days)) for w, days in plan.closed_weeks(plan.open_stream(config), config)
    ]


def test_a_monday_rotate_writes_what_check_expects(git_repo: Path) -> None:
    (git_repo / "papers.yaml").write_text(long_history(), encoding="utf-8")
    code, _, err = run_cli(git_repo, "render")
    assert code == 0, err
    code, _, err = run_cli(git_repo, "rotate", "--date", "2024-10-21", "--no-commit")
    assert code == 0, err
    code, out, err = run_cli(git_repo, "check")
    assert code == 0, out + err

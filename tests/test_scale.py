"""The fast paths give the answers the slow ones would: a long history, checked in parallel or not,
duplicates found years back, and the untouched part of papers.yaml copied byte for byte."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli import api
from mapdaily_cli.config import load_config
from mapdaily_cli.errors import CheckFailed, DataError

DAYS = 600


def history(end: date = date(2024, 10, 15), days: int = DAYS) -> str:
    """``days`` days of two papers each, newest first, written the way a person might."""
    parts = []
    for i in range(days):
        d = end - timedelta(days=i)
        parts.append(
            f"date: {d.isoformat()}\npapers:\n"
            f"- title: Paper {i} on Day {d.isoformat()}\n"
            f"  url: https://arxiv.org/abs/{2400 + i // 100}.{i:05d}\n"
            f"  comment: 'Quoted, with a pipe | and # not a comment'\n"
            f"- title: >-\n    A folded title\n    number {i}\n  affiliation: Lab {i % 7}  # a YAML comment\n"
        )
    return "# a long history\n" + "---\n".join(parts)


@pytest.fixture
def long_repo(git_repo: Path) -> Path:
    """A git repository holding ``history()`` in papers.yaml, rendered but not committed."""
    (git_repo / "papers.yaml").write_text(history(), encoding="utf-8")
    code, _, err = run_cli(git_repo, "render")
    assert code == 0, err
    return git_repo


def test_parallel_and_serial_check_agree(long_repo: Path) -> None:
    config = load_config(long_repo)
    assert api.check(config, jobs=2).summary == api.check(config, jobs=1).summary
    page = long_repo / "archived_papers" / "2023W40.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Lab 3", "Lab three"), encoding="utf-8")
    (long_repo / "archived_papers" / "2023W10.md").unlink()
    outcomes = []
    for jobs in (1, 2, 3):
        with pytest.raises(CheckFailed) as failed:
            api.check(config, jobs=jobs)
        outcomes.append((failed.value.message, failed.value.detail))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert "2 of " in outcomes[0][0]
    assert "-| A folded title number" in (outcomes[0][1] or "")
    assert "archived_papers/2023W10.md: missing" in (outcomes[0][1] or "")


def test_parallel_check_reports_the_first_bad_document(long_repo: Path) -> None:
    data = long_repo / "papers.yaml"
    text = data.read_text(encoding="utf-8")
    text = text.replace("Paper 450 on", "Paper 450\n  bad: [on", 1).replace(
        "Paper 520 on", "Paper 520\n  x: [", 1
    )
    data.write_text(text, encoding="utf-8")
    config = load_config(long_repo)
    messages = []
    for jobs in (1, 2):
        with pytest.raises(DataError) as failed:
            api.check(config, jobs=jobs)
        messages.append(failed.value.message)
    assert messages[0] == messages[1]
    line = text[: text.index("bad: [on")].count("\n") + 1
    assert messages[0].startswith(f"papers.yaml:{line + 1}:")


def test_add_finds_a_duplicate_years_back_and_leaves_history_untouched(long_repo: Path) -> None:
    data = long_repo / "papers.yaml"
    before = data.read_bytes()
    for title, url in (
        ("paper 599 ON day 2023-02-24", None),  # case and spacing differ
        ("A FOLDED TITLE   NUMBER 598", None),  # stored as a folded block scalar
        ("Other", "https://www.arxiv.org/pdf/2405.00597v2"),
    ):
        args = ["add", "--no-commit", "--title", title]
        code, _, err = run_cli(long_repo, *args, *(["--url", url] if url else []))
        assert code == 1, err
        assert "already in the digest on 2023-02-2" in err
    assert data.read_bytes() == before
    code, _, err = run_cli(long_repo, "add", "--no-commit", "--title", "Brand New")
    assert code == 0, err
    after = data.read_bytes()
    first_day_end = before.index(b"---\n")
    # Everything after today's document is the same bytes as before.
    assert after.endswith(before[first_day_end:])
    assert b"- title: Brand New\n" in after[: len(after) - len(before) + first_day_end]


def test_scan_cache_follows_every_write(long_repo: Path) -> None:
    import json

    from mapdaily_cli.store.scan import HIDING as _HIDING

    git(long_repo, "add", "-A")
    git(long_repo, "commit", "-qm", "digest")
    data = long_repo / "papers.yaml"
    # Something that can hide a word, deep in the history: an escaped letter in a title.
    old = "- title: Paper 500 on Day 2023-06-03\n"
    text = data.read_text(encoding="utf-8").replace(old, '- title: "P\\x61per 500 on Day 2023-06-03"\n')
    assert "P\\x61per" in text
    data.write_text(text, encoding="utf-8")
    for title in ("A first new one", "A second new one ß", "Yet another"):
        code, _, err = run_cli(long_repo, "add", "--no-commit", "--title", title)
        assert code == 0, err
        entries = json.loads((long_repo / ".git" / "mapdaily-scan.json").read_text(encoding="utf-8"))
        raw = data.read_bytes()
        import zlib

        assert entries[0]["key"] == [len(raw), zlib.crc32(raw)]
        assert entries[0]["hiding"] == [m.start() for m in _HIDING.finditer(raw)]
    # The escaped title is still found as a duplicate, from the cache.
    code, _, err = run_cli(long_repo, "add", "--no-commit", "--title", "paper 500 ON day 2023-06-03")
    assert code == 1 and "already in the digest on 2023-06-03" in err

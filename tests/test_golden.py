"""Golden files: the data of each case under tests/golden renders to its markdown byte for byte.

Regenerate with `python tests/regen_golden.py` and review the change with `git diff tests/golden`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_seed, git
from regen_golden import (
    GOLDEN,
    LIBRARY,
    SEED_SOURCE,
    cases,
    expected_files,
    render_case,
    repair_double_encoding,
)

from mapdaily_cli import api
from mapdaily_cli.config import load_config
from mapdaily_cli.model import week_of
from mapdaily_cli.render import END, START, Renderer, split_regions
from mapdaily_cli.site.search import library_js
from mapdaily_cli.store import Stream

SEED = GOLDEN / "seed"
MAINTAINERS = "\n<hr/>\n\n## Maintaining this digest"


def _readme_region(folder: Path) -> str:
    config = load_config(folder)
    stream = Stream.read(config.data_path, config.data)
    today = stream.day(0)
    week = week_of(today.date, config.first_weekday)
    days = stream.head(lambda d: week.contains(d.date))
    return Renderer(config).readme_region(days[0], days[1:])


def test_seed_data_renders_the_readme_region(seed_dir: Path) -> None:
    readme = (seed_dir / "README.md").read_text(encoding="utf-8")
    assert _readme_region(seed_dir) == split_regions(readme, "README.md").region


def test_seed_passes_check_and_render_changes_nothing(seed_dir: Path) -> None:
    before = (seed_dir / "README.md").read_bytes()
    config = load_config(seed_dir)
    assert api.check(config).changed is False
    result = api.render(config, api.Options(commit=False))
    assert result.written == []
    assert (seed_dir / "README.md").read_bytes() == before


def test_seed_in_a_repository_renders_to_itself(git_repo: Path) -> None:
    copy_seed(git_repo)
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "--quiet", "-m", "seed")
    result = api.render(load_config(git_repo), api.Options(commit=False))
    assert result.written == []
    assert git(git_repo, "status", "--porcelain") == ""
    assert git(git_repo, "config", "--global", "--list") == ""
    assert git(git_repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(git_repo, "log", "--format=%an <%ae>") == "Test Curator <curator@example.com>"


def test_seed_readme_is_the_repaired_seed() -> None:
    readme = (SEED / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines(keepends=True)
    assert [line.rstrip("\n") for line in lines].count(START) == 1
    assert [line.rstrip("\n") for line in lines].count(END) == 1
    # The region opens with an empty line of its own (so that no HTML block above can swallow it).
    start = [line.rstrip("\n") for line in lines].index(START)
    assert lines[start + 1] == "\n"
    del lines[start + 1]
    without_markers = "".join(line for line in lines if line.rstrip("\n") not in (START, END))
    assert MAINTAINERS in without_markers
    page = without_markers[: without_markers.index(MAINTAINERS)]
    assert page == (SEED / "seed-repaired.md").read_text(encoding="utf-8")


def test_seed_repaired_copy_is_current() -> None:
    source = SEED_SOURCE
    if not source.exists():
        # Outside the workspace (CI) the stored copy is the reference; it must still be repaired.
        text = (SEED / "seed-repaired.md").read_text(encoding="utf-8")
        assert "üî•" not in text and "🔥" in text
        return
    repaired = repair_double_encoding(source.read_text(encoding="utf-8"))
    assert repaired == (SEED / "seed-repaired.md").read_text(encoding="utf-8")


def test_repair_leaves_correct_text_alone() -> None:
    assert repair_double_encoding("\uf8ffüî• Paper ‚Äî ok") == "🔥 Paper — ok"
    assert repair_double_encoding("∀uto∃ 🔥 — plain ascii") == "∀uto∃ 🔥 — plain ascii"


@pytest.mark.parametrize("case", cases())
def test_case_renders_its_golden_files(case: str, tmp_path: Path) -> None:
    expected = expected_files(GOLDEN / case)
    assert expected, f"golden case {case} has no expected files"
    written = render_case(GOLDEN / case, tmp_path)
    assert sorted(written) == sorted(expected)
    assert (tmp_path / LIBRARY).read_text(encoding="utf-8") == library_js()
    for rel, text in expected.items():
        assert written[rel] == text, f"{case}/{rel} differs; run `python tests/regen_golden.py {case}`"
    assert api.check(load_config(tmp_path)).changed is False
    again = api.render(load_config(tmp_path), api.Options(commit=False))
    assert again.written == []


def test_cases_cover_several_weeks_and_both_column_sets() -> None:
    weeks = expected_files(GOLDEN / "weeks")
    assert {"README.md", "archived_papers.md"} <= set(weeks)
    assert len([rel for rel in weeks if rel.startswith("archived_papers/")]) >= 2
    comments = expected_files(GOLDEN / "weeks-comments")
    assert "| Paper | Comments |" in comments["README.md"]
    assert "Affiliation" not in comments["archived_papers/2024W41.md"]
    assert "| Paper | Affiliation | Comments |" in weeks["archived_papers/2024W41.md"]


@pytest.mark.parametrize("case", cases())
def test_every_golden_page_shows_the_stored_text(case: str, tmp_path: Path) -> None:
    from test_render import Page, comment_shown, gfm, shown

    for name in ("papers.yaml", "mapdaily.toml"):
        if (GOLDEN / case / name).exists():
            (tmp_path / name).write_bytes((GOLDEN / case / name).read_bytes())
    config = load_config(tmp_path)
    days = list(Stream.read(config.data_path, config.data).days())
    expected = [
        [comment_shown(p.comment) if c == "comment" else shown(p.value_of(c)) for c in config.columns]
        for d in days
        for p in d.papers
    ]
    if days and not days[0].papers:  # today's placeholder row
        expected.insert(0, [config.empty_today] + [""] * (len(config.columns) - 1))
    shown_rows = []
    pages = expected_files(GOLDEN / case)
    for rel in ["README.md", *sorted((r for r in pages if r.startswith("archived_papers/")), reverse=True)]:
        page = Page(gfm(pages[rel]))
        shown_rows += [[c.text for c in row] for row in page.body_rows]
    assert shown_rows == expected


def test_a_case_covers_an_empty_today_and_the_index_before_any_week_closes() -> None:
    files = expected_files(GOLDEN / "empty-today")
    assert "| No papers yet today |  |  |" in files["README.md"]
    assert "15/10/2024" not in files["README.md"]  # an empty day of the week is left out
    assert "No archived weeks yet" in files["archived_papers.md"]
    assert "[Back to the papers of this week](README.md)" in files["archived_papers.md"]

"""The reader's side of a digest: the Atom feed (read by feedparser), the search data (sharded by
month, only today's month rewritten by `add`), the chart of closed weeks, and `check` over them."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import feedparser
import pytest
from conftest import git, run_cli, write_papers
from hypothesis import given
from hypothesis import strategies as st

from mapdaily_cli import api
from mapdaily_cli.config import load_config, make_config
from mapdaily_cli.errors import CheckFailed, ConfigError
from mapdaily_cli.model import Week
from mapdaily_cli.site import weeks_svg

HOSTILE = "<script>alert(1)</script> & ]]> <img src=x onerror=alert(1)> \"q\" 'a'"
TODAY = date(2024, 10, 16)  # a Wednesday


def _days(n: int = 20) -> list[tuple[date, list[dict[str, str]]]]:
    """``n`` days up to TODAY, two papers each (the newest day's first title is hostile)."""
    out = []
    for i in range(n):
        when = TODAY - timedelta(days=i)
        url = f"https://arxiv.org/abs/{when:%y%m}.{i:05d}"
        papers = [
            {"title": f"Paper {when} one", "url": url, "affiliation": "Lab A"},
            {
                "title": f"Paper {when} two",
                "comment": f"About rotary things on {when}",
                "affiliation": "Lab B",
            },
        ]
        out.append((when, papers))
    out[0][1][0]["title"] = HOSTILE
    out[0][1][0]["comment"] = HOSTILE
    out[0][1][0]["affiliation"] = HOSTILE
    return out


@pytest.fixture
def digest(git_repo: Path) -> Path:
    write_papers(git_repo, _days())
    assert run_cli(git_repo, "render")[0] == 0
    git(git_repo, "add", "-A")
    git(git_repo, "commit", "--quiet", "-m", "start")
    return git_repo


def _feed(folder: Path) -> Any:
    parsed = feedparser.parse((folder / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_feed_is_valid_atom_newest_first_with_the_last_days(digest: Path) -> None:
    parsed = _feed(digest)
    assert parsed.version == "atom10"
    entries = parsed.entries
    assert len(entries) == 2 * 14
    dates = [e.updated for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[0].startswith("2024-10-16") and dates[-1].startswith(str(TODAY - timedelta(days=13)))
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.id.startswith("tag:mapdaily,") for e in entries)
    assert entries[1].link.startswith("https://arxiv.org/abs/") is False  # no url: the page showing it
    assert entries[2].link == f"https://arxiv.org/abs/{TODAY - timedelta(days=1):%y%m}.00001"


def test_a_hostile_title_is_text_in_the_feed(digest: Path) -> None:
    text = (digest / "feed.xml").read_text(encoding="utf-8")
    assert "<script>" not in text and "<img" not in text
    ElementTree.fromstring(text)  # well-formed
    first = _feed(digest).entries[0]
    assert first.title == HOSTILE
    assert first.title_detail.type == "text/plain"
    assert HOSTILE in first.summary


def test_ids_stay_the_same_across_renders_and_adds(digest: Path) -> None:
    before = [e.id for e in _feed(digest).entries]
    assert run_cli(digest, "add", "--title", "A new one", "--date", "2024-10-16", "--no-commit")[0] == 0
    after = [e.id for e in _feed(digest).entries]
    assert after[:2] == before[:2] and after[3:] == before[2:]
    assert after[2] not in before
    assert run_cli(digest, "render")[0] == 0
    assert [e.id for e in _feed(digest).entries] == after


def test_site_url_makes_links_absolute_and_check_says_when_it_is_unset(digest: Path) -> None:
    assert "set site_url" in api.check(load_config(digest)).summary
    (digest / "mapdaily.toml").write_text('site_url = "https://lab.github.io/digest"\n', encoding="utf-8")
    assert run_cli(digest, "render")[0] == 0
    parsed = _feed(digest)
    assert parsed.feed.id == "https://lab.github.io/digest/feed.xml"
    assert parsed.entries[1].link == "https://lab.github.io/digest/README.md"
    assert parsed.entries[0].id.startswith("tag:lab.github.io,2024-10-16:")
    assert "set site_url" not in api.check(load_config(digest)).summary


def _call(path: Path) -> list[Any]:
    """The arguments of the one call a data script makes, read back as JSON."""
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(r"mapdaily\.\w+\((.*)\);\n", text, re.S)
    assert m, text[:80]
    result: list[Any] = json.loads(f"[{m.group(1)}]")
    return result


def test_the_search_data_holds_every_paper_by_month(digest: Path) -> None:
    manifest = _call(digest / "search" / "index.js")[0]
    assert manifest["months"] == ["2024-10", "2024-09"]
    assert manifest["current"] == "2024-10-14"
    month, days = _call(digest / "search" / "2024-10.js")
    assert month == "2024-10" and [d[0] for d in days][:2] == ["2024-10-16", "2024-10-15"]
    assert days[0][2][0] == [HOSTILE, "https://arxiv.org/abs/2410.00000", HOSTILE]
    assert days[-1][1] == "archived_papers/2024W40.md"
    _, notes = _call(digest / "search" / "2024-10.notes.js")
    assert notes[0] == [0, 0, HOSTILE] and notes[1] == [0, 1, "About rotary things on 2024-10-16"]
    assert "MiniSearch" in (digest / "search" / "minisearch.js").read_text(encoding="utf-8")
    assert "Permission is hereby granted" in (digest / "search" / "minisearch.js").read_text(encoding="utf-8")


def test_add_rewrites_only_the_months_it_touches(digest: Path) -> None:
    code, out, _ = run_cli(digest, "add", "--title", "Fresh", "--date", "2024-10-16")
    assert code == 0
    files = set(git(digest, "show", "--name-only", "--format=", "HEAD").split())
    assert files == {"papers.yaml", "README.md", "feed.xml", "search/2024-10.js"}
    (digest / "search.html").unlink()  # a missing page is written by the next change
    code, _, _ = run_cli(digest, "edit", "Paper 2024-09-30 two", "--comment", "Now about kernels")
    assert code == 0
    files = set(git(digest, "show", "--name-only", "--format=", "HEAD").split())
    assert files == {"papers.yaml", "archived_papers/2024W40.md", "search/2024-09.notes.js"}
    assert git(digest, "status", "--porcelain") == ""
    assert api.check(load_config(digest)).changed is False


def test_rotate_into_a_new_month_writes_its_data_and_the_manifest(digest: Path) -> None:
    for when in ("2024-10-31", "2024-11-01"):
        assert run_cli(digest, "rotate", "--date", when)[0] == 0
    assert _call(digest / "search" / "index.js")[0]["months"] == ["2024-11", "2024-10", "2024-09"]
    assert _call(digest / "search" / "2024-11.js") == ["2024-11", []]
    assert api.check(load_config(digest)).changed is False


def test_check_names_a_stale_or_edited_file_and_render_regenerates_it(digest: Path) -> None:
    # The reader's side is generated whole: nothing in it is anyone's to edit (a merge or a pull
    # leaves it stale), so check names it and render writes it anew.
    feed = digest / "feed.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace("Lab B", "Lab Z"), encoding="utf-8")
    chunk = digest / "search" / "2024-09.js"
    chunk.write_text(chunk.read_text(encoding="utf-8").replace("Lab A", "Lab Q"), encoding="utf-8")
    with pytest.raises(CheckFailed) as failed:
        api.check(load_config(digest))
    assert "2 of" in failed.value.message
    assert "feed.xml" in str(failed.value.detail) and "search/2024-09.js" in str(failed.value.detail)
    api.render(load_config(digest), api.Options(commit=False))
    assert "Lab Z" not in feed.read_text(encoding="utf-8")
    assert api.check(load_config(digest)).changed is False


def test_a_missing_data_file_is_reported_and_stale_text_is_rewritten_without_asking(digest: Path) -> None:
    (digest / "search" / "2024-10.notes.js").unlink()
    with pytest.raises(CheckFailed, match="1 of") as failed:
        api.check(load_config(digest))
    assert "search/2024-10.notes.js: missing" in str(failed.value.detail)
    # papers.yaml changed by hand and committed with stale files: stale, not a hand edit.
    text = (digest / "papers.yaml").read_text(encoding="utf-8").replace("Lab B", "Lab C")
    (digest / "papers.yaml").write_text(text, encoding="utf-8")
    git(digest, "commit", "--quiet", "-am", "by hand")
    api.render(load_config(digest), api.Options(commit=False))
    assert "Lab C" in (digest / "feed.xml").read_text(encoding="utf-8")
    assert api.check(load_config(digest)).changed is False


def test_the_feed_and_the_search_page_can_be_turned_off(git_repo: Path) -> None:
    write_papers(git_repo, _days(3))
    (git_repo / "mapdaily.toml").write_text("search_page = false\nfeed = false\n", encoding="utf-8")
    assert run_cli(git_repo, "render")[0] == 0
    assert not (git_repo / "feed.xml").exists() and not (git_repo / "search").exists()
    assert not (git_repo / "search.html").exists()
    assert api.check(load_config(git_repo)).changed is False


@pytest.mark.parametrize(
    "setting",
    [{"feed_days": 0}, {"feed_days": "14"}, {"feed_days": True}, {"site_url": "lab.github.io"}, {"feed": 3}],
)
def test_bad_settings_are_refused(tmp_path: Path, setting: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=next(iter(setting))):
        make_config(tmp_path, setting)


def test_other_names_for_the_page_and_the_feed(git_repo: Path) -> None:
    write_papers(git_repo, _days(3))
    text = 'search_page = "docs/find.html"\nfeed = "docs/atom.xml"\nfeed_days = 2\n'
    (git_repo / "mapdaily.toml").write_text(text, encoding="utf-8")
    assert run_cli(git_repo, "render")[0] == 0
    assert (git_repo / "docs" / "find" / "2024-10.js").exists()
    page = (git_repo / "docs" / "find.html").read_text(encoding="utf-8")
    assert 'data-folder="find"' in page and 'href="atom.xml"' in page and 'href="../README.md"' in page
    assert len(_feed_at(git_repo / "docs" / "atom.xml").entries) == 4


def _feed_at(path: Path) -> Any:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo
    return parsed


def test_the_chart_has_a_bar_per_closed_week_oldest_first() -> None:
    counts = [(Week(date(2024, 10, 7)), 3), (Week(date(2024, 9, 30)), 0), (Week(date(2023, 12, 25)), 7)]
    svg = ElementTree.fromstring(weeks_svg(counts))
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in svg.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert [b.find(f"{ns}title").text for b in bars] == [  # type: ignore[union-attr]
        "2023-W52: 7 papers",
        "2024-W40: 0 papers",
        "2024-W41: 3 papers",
    ]
    assert float(bars[0].get("height", "0")) > float(bars[2].get("height", "0")) > 0
    assert "2023" in [t.text for t in svg.iter(f"{ns}text")]


def test_the_index_shows_the_chart_and_links_the_search_page(digest: Path) -> None:
    index = (digest / "archived_papers.md").read_text(encoding="utf-8")
    assert "![Papers per closed week](archived_papers/weeks.svg)" in index
    assert "[Search the papers](search.html)" in index
    svg = (digest / "archived_papers" / "weeks.svg").read_text(encoding="utf-8")
    assert svg.count("<title>20") == 3  # 2024-W39 (from 27/09), W40 and W41 are closed


@pytest.mark.parametrize(
    "settings",
    ['feed = "README.md"', 'feed = "papers.yaml"', 'feed = "search.html"', 'feed = "archived_papers.md"'],
)
def test_a_feed_or_page_named_like_another_file_is_refused(git_repo: Path, settings: str) -> None:
    write_papers(git_repo, _days(3))
    (git_repo / "mapdaily.toml").write_text(settings + "\n", encoding="utf-8")
    before = (git_repo / "papers.yaml").read_bytes()
    code, _, err = run_cli(git_repo, "render")
    assert code == 2 and "would be written over" in err
    assert (git_repo / "papers.yaml").read_bytes() == before and not (git_repo / "README.md").exists()


@given(st.text(alphabet=st.sampled_from("ab&<>\"'\n\r\t{}é"), max_size=12))
def test_xml_text_and_attributes_are_written_as_saxutils_writes_them(value: str) -> None:
    from xml.sax import saxutils

    from mapdaily_cli.site import xmltext

    entities = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
    assert xmltext.escape(value) == saxutils.escape(value)
    assert xmltext.quoteattr(value, entities) == saxutils.quoteattr(value, entities)


def test_the_search_pages_escape_is_htmls() -> None:
    import html

    from hypothesis import given
    from hypothesis import strategies as st

    from mapdaily_cli.site.search import escape

    @given(st.text())
    def same(text: str) -> None:
        assert escape(text) == html.escape(text)

    same()

"""The search page in a real browser: Debian's Chromium, headless, opens it from disk (file://, no
flags that widen file access) with a query in the URL, and shows exactly the matching papers, every
text as text."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest
from conftest import write_papers

from mapdaily_cli import api
from mapdaily_cli.config import load_config

NEEDS = "the search page tests need Chromium (Debian: apt-get install chromium)"
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>document.title='owned'</script> rotary"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Headless Chromium runs the page's timers and script loads in virtual time up to this budget.
    "--virtual-time-budget=10000",
]


def unavailable(reason: str) -> NoReturn:
    """Skip where Chromium is missing, but fail in CI, which installs it (.ci/run)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI installs it (.ci/run), so it must be there", pytrace=False)
    pytest.skip(reason)


class Dom(HTMLParser):
    """The result list of a dumped page: each item's texts by class, and every element's tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.items: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.status = ""
        self._stack: list[str] = []
        self._in_results = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if attr.get("id") == "results":
            self._in_results = True
        if self._in_results:
            self.tags.append(tag)
            if tag == "li":
                self.items.append({})
            if tag == "a":
                self.links.append(attr)
        self._stack.append(attr.get("class") or attr.get("id") or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol":
            self._in_results = False
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "status":
            self.status += data
        if self._in_results and self.items:
            # Text inside a <mark> belongs to the element that holds the mark.
            where = [s for s in self._stack if s not in ("mark",)][-1]
            item = self.items[-1]
            item[where] = item.get(where, "") + data


@pytest.fixture(scope="module")
def browse(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path, str], Dom]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        unavailable(f"{NEEDS}: no chromium on PATH")

    def open_page(page: Path, query: str) -> Dom:
        profile = tmp_path_factory.mktemp("chromium-profile")
        url = page.as_uri() + query
        done = subprocess.run(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or b"<html" not in done.stdout:
            unavailable(f"{NEEDS}: it did not run ({done.stderr.decode('utf-8', 'replace')[-300:]})")
        dom = Dom()
        dom.feed(done.stdout.decode("utf-8"))
        return dom

    return open_page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    days = [
        (
            date(2024, 10, 15),
            [
                {
                    "title": IMG,
                    "url": "javascript:alert(1)",
                    "affiliation": "Lab <b>bold</b>",
                    "comment": "x",
                },
                {
                    "title": "Rotary embeddings at scale",
                    "url": "https://arxiv.org/abs/2410.1",
                    "affiliation": "A",
                },
            ],
        ),
        (date(2024, 10, 8), [{"title": SCRIPT, "affiliation": "Uni B", "comment": "Rotary in the comment"}]),
        (
            date(2023, 3, 1),
            [
                {"title": "Old but rotary", "affiliation": "Uni B"},
                {"title": "Kernels", "comment": "nothing about rotary here? yes: ROTARY", "affiliation": "C"},
                {"title": "Unrelated", "affiliation": "Uni B"},
            ],
        ),
    ]
    write_papers(folder, days)
    api.render(load_config(folder), api.Options(commit=False))
    return folder / "search.html"


def test_without_chromium_the_tests_skip_but_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        unavailable(NEEDS)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI installs it"):
        unavailable(NEEDS)


def test_a_query_in_the_url_finds_the_papers_and_only_them(
    site: Path, browse: Callable[[Path, str], Dom]
) -> None:
    dom = browse(site, "?q=rotary")
    titles = [item["title"] for item in dom.items]
    # Titles, affiliations and comments are searched (the comments loaded when the query asks).
    assert sorted(titles) == sorted(["Rotary embeddings at scale", SCRIPT, "Old but rotary", "Kernels"])
    assert "4 of 6 papers match" in dom.status
    kernels = next(item for item in dom.items if item["title"] == "Kernels")
    assert kernels["comment"] == "nothing about rotary here? yes: ROTARY"
    assert dom.tags.count("mark") >= 4


def test_hostile_text_shows_as_text_and_makes_no_element(
    site: Path, browse: Callable[[Path, str], Dom]
) -> None:
    dom = browse(site, "?q=" + quote("img onerror"))
    assert [item["title"] for item in dom.items] == [IMG]
    assert dom.items[0]["affiliation"] == "Lab <b>bold</b>"
    assert "img" not in dom.tags and "b" not in dom.tags and "script" not in dom.tags
    # A url that is not http(s) gives no link.
    assert not any(link.get("href", "").startswith("javascript") for link in dom.links)
    dom = browse(site, "?q=document")
    assert [item["title"] for item in dom.items] == [SCRIPT]
    assert "script" not in dom.tags


def test_filters_by_date_and_affiliation_and_links_to_the_week(
    site: Path, browse: Callable[[Path, str], Dom]
) -> None:
    dom = browse(site, "?q=rotary&from=2024-01-01&aff=uni")
    assert [item["title"] for item in dom.items] == [SCRIPT]
    assert {link["href"] for link in dom.links if link.get("class") == "week"} == {
        "archived_papers/2024W41.md"
    }
    dom = browse(site, "?aff=Uni+B&to=2023-12-31")
    assert sorted(item["title"] for item in dom.items) == ["Old but rotary", "Unrelated"]
    dom = browse(site, "?q=embeddings")
    assert [link["href"] for link in dom.links if link.get("class") == "week"] == ["README.md"]
    assert [link["href"] for link in dom.links if link.get("class") == "title"] == [
        "https://arxiv.org/abs/2410.1"
    ]


def test_the_page_links_the_feed_and_the_archive(site: Path) -> None:
    page = site.read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Feed" href="feed.xml">' in page
    assert 'href="archived_papers.md">Archive</a>' in page

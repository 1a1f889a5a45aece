"""GitHub Pages runs Liquid over every page before cmark-gfm: generated regions are inert under real
Liquid (Ruby's, driven by liquid_driver.rb) and still show exactly the stored text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

import pytest
from conftest import run_cli, write_papers
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_render import (
    ALL_COLUMNS,
    CHARS,
    DEFAULT,
    EXAMPLES,
    TRICKY,
    Page,
    _region_days,
    assert_shows,
    gfm,
    header_texts,
    plain,
)

from mapdaily_cli.config import Config, make_config
from mapdaily_cli.importer import parse_page
from mapdaily_cli.model import Day, Paper, Week, week_of
from mapdaily_cli.render import (
    END,
    START,
    Renderer,
    end_marker,
    link_target,
    liquid_inert,
    split_regions,
    title_cell,
)

DRIVER = Path(__file__).with_name("liquid_driver.rb")
NEEDS = "the Liquid tests need Ruby and its Liquid library (Debian: apt-get install ruby ruby-liquid)"


class LiquidRefused(Exception):
    """Liquid would not render the text: on GitHub Pages, the whole site's build fails."""


class Liquid:
    """One Ruby process rendering document after document (a JSON line each way)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def render(self, text: str, assigns: dict[str, Any] | None = None) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        request = json.dumps({"text": text, "assigns": assigns or {}}) + "\n"
        self.process.stdin.write(request.encode("utf-8"))
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline().decode("utf-8"))
        if not reply["ok"]:
            raise LiquidRefused(reply["error"])
        return str(reply["out"])


def unavailable(reason: str) -> NoReturn:
    """Skip where Liquid is missing, but fail in CI, which installs it (.ci/run)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI installs them (.ci/run), so they must be there", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def liquid() -> Iterator[Liquid]:
    ruby = shutil.which("ruby")
    if ruby is None:
        unavailable(f"{NEEDS}: no ruby on PATH")
    process = subprocess.Popen(
        [ruby, str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    if process.stdout.readline() != b"ready\n":
        process.wait()
        error = process.stderr.read().decode("utf-8", "replace").strip().splitlines()
        unavailable(f"{NEEDS}: {error[0] if error else 'the driver did not start'}")
    yield Liquid(process)
    assert process.stdin is not None
    process.stdin.close()
    process.wait()
    process.stdout.close()
    process.stderr.close()


def test_without_liquid_the_tests_skip_but_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="ruby-liquid"):
        unavailable(NEEDS)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI installs them"):
        unavailable(NEEDS)


def test_the_driver_renders_liquid(liquid: Liquid) -> None:
    """The oracle works: Liquid in a page is rendered, and a stray end tag fails the build."""
    assert liquid.render("{{ 7 | times: 7 }}{% comment %}hidden{% endcomment %}") == "49"
    assert liquid.render("{{ site.title }}", {"site": {"title": "Digest"}}) == "Digest"
    with pytest.raises(LiquidRefused, match="endraw"):
        liquid.render("a {% endraw %} b")


def test_liquid_inert_breaks_only_liquid_openers() -> None:
    assert liquid_inert("{{a}} {%b%} {{{ { % %} }}") == "&#123;{a}} &#123;%b%} &#123;&#123;{ { % %} }}"
    assert liquid_inert(liquid_inert("{{%")) == "&#123;&#123;%"
    assert liquid_inert("🔥 Paper Today: 15/10/2024") == "🔥 Paper Today: 15/10/2024"


def test_a_url_with_liquid_in_it_holds_no_brace_and_links_to_the_url() -> None:
    url = "https://e.com/{{x}}/{%y%}?q={{-z-}}"
    target = link_target(url)
    assert "{" not in target
    html = gfm("| a |\n|-|\n| " + title_cell(Paper("T", url)) + " |\n")
    (link,) = Page(html).body_rows[0][0].links
    assert unquote(link.href) == url


# --- pages as mapdaily writes them -------------------------------------------------------------


def readme_page(renderer: Renderer, days: list[Day]) -> str:
    region = renderer.readme_region(days[0], days[1:])
    return split_regions(renderer.skeleton("readme", "README.md"), "README.md").with_region(region)


def week_page(renderer: Renderer, week: Week, days: list[Day]) -> str:
    path = renderer.config.week_page(week)
    return split_regions(renderer.skeleton("week", path), path).with_region(renderer.week_region(week, days))


def index_page(renderer: Renderer, weeks: list[tuple[Week, int]]) -> str:
    path = renderer.config.archive_index
    return split_regions(renderer.skeleton("index", path), path).with_region(renderer.index_region(weeks))


# --- any text in any field -----------------------------------------------------------------------

LIQUID_SYNTAX = [
    "{{",
    "}}",
    "{%",
    "%}",
    "{{-",
    "-}}",
    "{%-",
    "-%}",
    "{{{",
    "}}}",
    "{%%}",
    "{{}}",
    "{ {",
    "{ %",
    "{%- raw -%}",
    "{% raw %}",
    "{% endraw %}",
    "{%- endraw -%}",
    "{% comment %}",
    "{% endcomment %}",
    "{% if x %}",
    "{% endif %}",
    "{% include x.html %}",
    "{% assign a = 1 %}",
    "{{ 7 | times: 7 }}",
    "{{ site.title }}",
    "{{ '{{' }}",
    "{% raw %}{{ x }}{% endraw %}",
    "{{ {{ x }} }}",
    "{% {% x %} %}",
    "%",
    "&#123;",
    "&#37;",
    "\\{",
    "{\\%",
]
TEXT = st.lists(st.sampled_from(TRICKY + LIQUID_SYNTAX) | st.text(CHARS, max_size=4), max_size=8).map("".join)
URL = (
    st.none()
    | TEXT
    | st.builds(str.__add__, st.sampled_from(["https://", "http://x.org/", "HTTPS://e.com/{{"]), TEXT)
)
PAPER = st.builds(
    Paper,
    title=TEXT.filter(lambda t: t.strip() != ""),
    url=URL,
    affiliation=st.none() | TEXT,
    comment=st.none() | TEXT,
)
FAILURES = [
    Paper("{{ 7 | times: 7 }}", "https://e.com/{{ 7 | times: 7 }}", "{% raw %}", "{{ 7 | times: 7 }}"),
    Paper("T", "https://e.com/{%x%}", "{% comment %}", "shown {% comment %}hidden{% endcomment %} shown"),
    Paper("{%- raw -%}", None, "{{-", "a {% endraw %} b -}} {{{ }}} {%%}"),
]


def _no_checksum(html: str) -> str:
    """A page without its end marker's checksum (which differs with the region's text)."""
    return re.sub(r" checksum=[0-9a-f]+", "", html)


@pytest.mark.parametrize("config", [DEFAULT, ALL_COLUMNS], ids=["default", "all"])
@settings(max_examples=150, deadline=None)
@given(papers=st.lists(PAPER, min_size=1, max_size=4), n_days=st.integers(1, 3))
@example(papers=FAILURES + EXAMPLES, n_days=2)
def test_any_text_is_inert_under_liquid_and_shows_exactly(
    liquid: Liquid, config: Config, papers: list[Paper], n_days: int
) -> None:
    days = _region_days(papers, n_days)
    renderer = Renderer(config)
    headers = header_texts(config.columns)
    week = week_of(days[0].date)
    pages = [
        (readme_page(renderer, days), readme_page(renderer, plain(days))),
        (week_page(renderer, week, days), week_page(renderer, week, plain(days))),
    ]
    for page, layout in pages:
        assert liquid.render(page) == page
        html = gfm(page)
        assert_shows(html, days, config.columns, headers)
        assert Page(_no_checksum(html)).structure == Page(_no_checksum(gfm(layout))).structure


@pytest.mark.parametrize("paper", FAILURES, ids=["times", "comment", "endraw"])
def test_what_liquid_did_to_a_page_it_no_longer_does(liquid: Liquid, paper: Paper) -> None:
    days = [Day(date(2024, 10, 15), (paper,)), Day(date(2024, 10, 14), (paper,))]
    for config in (DEFAULT, ALL_COLUMNS):
        page = readme_page(Renderer(config), days)
        out = liquid.render(page)
        assert out == page
        assert "49" not in out
        assert_shows(gfm(out), days, config.columns, header_texts(config.columns))


def test_a_linked_title_goes_to_the_stored_url(liquid: Liquid) -> None:
    url = "https://e.com/{{ 7 | times: 7 }}/{%x%}?a={{-b-}}&c=%7B"
    page = readme_page(Renderer(DEFAULT), [Day(date(2024, 10, 15), (Paper("T", url),))])
    assert liquid.render(page) == page
    (link,) = Page(gfm(page)).body_rows[0][0].links
    # A browser sends a brace percent-encoded anyway (and a stray % as it is): the same address.
    assert (
        link.href == "https://e.com/%7B%7B%207%20%7C%20times:%207%20%7D%7D/%7B%x%%7D?a=%7B%7B-b-%7D%7D&c=%7B"
    )


def test_rows_read_back_from_a_page_keep_their_braces() -> None:
    """sync and import read hand-edited regions back: an escaped brace reads as the brace."""
    days = [Day(date(2024, 10, 15), tuple(FAILURES))]
    page = readme_page(Renderer(DEFAULT), days)
    parsed = parse_page(page, "README.md")
    assert [p.title for d in parsed.days for p in d.papers] == [p.title for p in FAILURES]
    assert [p.comment for d in parsed.days for p in d.papers] == [p.comment for p in FAILURES]


# --- the settings' texts -------------------------------------------------------------------------

LITERAL = st.lists(st.sampled_from(["{", "}", "%", "{{", "{%", "%}", "}}", "-", " ", "a", "Z"]), max_size=6)


def _pattern(parts: list[str], field: str) -> tuple[str, str]:
    """A str.format pattern showing ``parts`` around ``{field}``, and its text with ``field`` as X."""
    literal = "".join(parts)
    half = len(parts) // 2
    pattern = "".join(parts[:half]).replace("{", "{{").replace("}", "}}")
    pattern += "{" + field + "}" + "".join(parts[half:]).replace("{", "{{").replace("}", "}}")
    return pattern, literal


@settings(max_examples=60, deadline=None)
@given(heading=LITERAL, week_heading=LITERAL, date_parts=LITERAL, header=LITERAL)
def test_headings_dates_and_headers_from_the_settings_are_inert(
    liquid: Liquid, heading: list[str], week_heading: list[str], date_parts: list[str], header: list[str]
) -> None:
    today_pattern, _ = _pattern(heading, "date")
    archive_pattern, _ = _pattern(heading, "start")
    date_format = "".join(date_parts).replace("%", "%%") + "%d/%m"
    header_text = "".join(header)
    config = make_config(
        Path("."),
        {
            "today_heading": "T" + today_pattern,
            "week_heading": "W" + "".join(week_heading),
            "archive_heading": "A" + archive_pattern,
            "date_format": date_format,
            "headers": {"comment": header_text},
            # Paths become links (of the index, the skeletons' back links): percent-encoded.
            "archive_index": "{{ x }}{%.md",
            "archive_page": "{{{{%{iso_year}W{iso_week:02d}{{%.md",
        },
    )
    renderer = Renderer(config)
    days = _region_days([Paper("a"), Paper("b")], 2)
    week = week_of(days[0].date)
    for page in (
        readme_page(renderer, days),
        week_page(renderer, week, days),
        index_page(renderer, [(week, 2)]),
    ):
        assert liquid.render(page) == page
    html = Page(gfm(readme_page(renderer, days)))
    assert ("T" + today_pattern.format(date=days[0].date.strftime(date_format))).strip() in html.structure
    assert ("W" + "".join(week_heading)).strip() in html.structure
    assert days[1].date.strftime(date_format).strip() in html.structure
    shown_header = " ".join(header_text.split()) or "-"
    assert [c.text for c in html.header_rows[0]] == ["Paper", "Affiliation", shown_header]


# --- a digest on GitHub Pages --------------------------------------------------------------------


def test_liquid_outside_the_markers_is_the_users_and_stays_live(liquid: Liquid, repo: Path) -> None:
    """The user's own text around the region keeps its Liquid (Pages renders it); the region, from
    the default templates or the user's own, stays inert."""
    (repo / "tpl").mkdir()
    (repo / "tpl" / "readme.md.j2").write_text(
        "# {{ today_heading }}\n\n{{ table(today) }}\n", encoding="utf-8"
    )
    write_papers(repo, [("2024-10-15", [{"title": "{{ 7 | times: 7 }}", "comment": "{% endraw %}"}])])
    header = "# {{ site.title }}\n{% comment %}the site's own note{% endcomment %}\n"
    footer = "\n{% if site.title %}Made with care{% endif %}\n"
    for toml in ("", 'templates = "tpl"\n'):
        (repo / "README.md").write_text(f"{header}{START}\n{END}{footer}", encoding="utf-8")
        (repo / "mapdaily.toml").write_text(toml, encoding="utf-8")
        code, _, err = run_cli(repo, "render")
        assert code == 0, err
        text = (repo / "README.md").read_text(encoding="utf-8")
        parts = split_regions(text, "README.md")
        assert (parts.before, parts.after) == (header, footer)
        # The region opens with an empty line, so that no HTML block above it swallows the heading.
        assert parts.region.startswith("\n# 🔥" if toml else "\n## 🔥")
        out = liquid.render(text, {"site": {"title": "Digest"}})
        assert out == f"# Digest\n\n{START}\n{parts.region}{end_marker(parts.region)}\nMade with care\n"
        assert "{{ 7 | times: 7 }}" in Page(gfm(out)).body_rows[0][0].text

"""render.py: cells that GitHub's renderer (cmark-gfm) shows exactly, marker regions, templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mapdaily_cli.config import make_config
from mapdaily_cli.errors import DataError
from mapdaily_cli.model import Day, Paper, Week, comment_links, week_of
from mapdaily_cli.render import (
    END,
    START,
    Regioned,
    Renderer,
    cell,
    end_marker,
    link_target,
    region_line,
    split_regions,
    title_cell,
)

ROOT = Path(__file__).resolve().parent
DEFAULT = make_config(ROOT, {})
ALL_COLUMNS = make_config(ROOT, {"columns": ["title", "url", "affiliation", "comment"]})
COMMENTS = make_config(ROOT, {"columns": ["title", "comment"]})


def gfm(markdown: str) -> str:
    """HTML as github.com's renderer makes it: cmark-gfm with the table, autolink, strikethrough
    and tagfilter extensions; raw HTML is let through so that any that slips out of a cell shows."""
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


# --- reading the HTML back -----------------------------------------------------------------------


@dataclass
class Link:
    href: str
    parts: list[str] = field(default_factory=list)
    #: Whether the link opened before any text or other element of its cell.
    first: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Cell:
    kind: str
    parts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    open_links: list[Link] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Page(HTMLParser):
    """The table rows of a page (cells with their text, elements and links), and everything outside
    the cells as a list of tags and text: the page's structure."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[Cell]] = []
        self.structure: list[str] = []
        self.cell: Cell | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.cell is not None:
            self.cell.tags.append(tag)
            if tag == "a":
                link = Link(
                    dict(attrs).get("href") or "", first=not self.cell.parts and len(self.cell.tags) == 1
                )
                self.cell.links.append(link)
                self.cell.open_links.append(link)
            return
        self.structure.append(f"<{tag}>")
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = Cell(tag)
            self.rows[-1].append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if self.cell is not None and tag not in ("td", "th"):
            if tag == "a" and self.cell.open_links:
                self.cell.open_links.pop()
            return
        self.cell = None
        self.structure.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.parts.append(data)
            for link in self.cell.open_links:
                link.parts.append(data)
        elif data.strip():
            self.structure.append(data.strip())

    def handle_comment(self, data: str) -> None:
        if self.cell is not None:
            self.cell.comments.append(data)
        else:
            self.structure.append(f"<!--{data}-->")

    @property
    def header_rows(self) -> list[list[Cell]]:
        return [row for row in self.rows if row and row[0].kind == "th"]

    @property
    def body_rows(self) -> list[list[Cell]]:
        return [row for row in self.rows if row and row[0].kind == "td"]


# --- the oracle ----------------------------------------------------------------------------------


def shown(text: str | None) -> str:
    """What a cell must show for a stored field: whitespace runs as one space, '-' when empty."""
    return " ".join((text or "").split()) or "-"


def is_http(url: str | None) -> bool:
    return url is not None and re.match(r"\s*https?://", url, re.IGNORECASE) is not None


def is_autolink(link: Link) -> bool:
    """A link cmark-gfm makes of a url, www. address or email typed in the text: it goes where its
    text says."""
    text = link.text
    targets = {unquote(prefix + text) for prefix in ("", "http://", "mailto:")}
    return bool(text) and unquote(link.href) in targets


def comment_shown(text: str | None) -> str:
    """What a comment's cell must show: its text, each link as the link's text."""
    folded = " ".join((text or "").split())
    links = comment_links(folded)
    out, pos = [], 0
    for m in links:
        out += [folded[pos : m.start()], m["text"] or m["auto"]]
        pos = m.end()
    return shown("".join([*out, folded[pos:]]))


def expected_rows(days: list[Day], columns: tuple[str, ...], readme: bool) -> tuple[int, list[list[str]]]:
    """How many tables a page shows, and the text of each body row: an earlier day without papers
    is not shown; today's table, when empty, holds the placeholder row."""
    tables, rows = 0, []
    for i, day in enumerate(days):
        if readme and i == 0 and not day.papers:
            tables += 1
            rows.append(["No papers yet today"] + [""] * (len(columns) - 1))
        elif day.papers:
            tables += 1
        for paper in day.papers:
            rows.append(
                [
                    comment_shown(paper.comment) if c == "comment" else shown(paper.value_of(c))
                    for c in columns
                ]
            )
    return tables, rows


def assert_shows(
    html: str, days: list[Day], config_columns: tuple[str, ...], headers: list[str], readme: bool = True
) -> None:
    """Every paper is one body row, in order, its cells showing exactly its fields; a comment's
    links go exactly where it says and nothing else is a link but what cmark-gfm makes of a url."""
    page = Page(html)
    papers = [paper for day in days for paper in day.papers]
    tables, expected = expected_rows(days, config_columns, readme)
    assert len(page.header_rows) == tables
    for row in page.header_rows:
        assert [c.text for c in row] == headers
    rows = page.body_rows
    assert [[c.text for c in row] for row in rows] == expected
    rows = rows[1:] if readme and not days[0].papers else rows
    for paper, row in zip(papers, rows, strict=True):
        for col, c in zip(config_columns, row, strict=True):
            assert set(c.tags) <= {"a"}, f"markup from the data in {col}: {c.tags}"
            assert not c.comments, f"an HTML comment from the data in {col}"
            title_link = col == "title" and is_http(paper.url)
            if title_link:
                outer = c.links[0] if c.links else None
                assert outer is not None and outer.first, "the title is not linked"
                assert outer.text == c.text
                assert unquote(outer.href) == unquote(" ".join((paper.url or "").split()))
            others = c.links[1:] if title_link else c.links
            if col == "comment":
                others = _without_comment_links(paper.comment, others)
            for link in others:
                assert is_autolink(link), f"a link from the data in {col}: {link}"


def _without_comment_links(comment: str | None, links: list[Link]) -> list[Link]:
    """``links`` without the comment's own links, which must all be there, in order, each showing
    its text and going to its target (a url typed in the text may be an autolink among them, even
    one going where a comment's link goes)."""
    folded = " ".join((comment or "").split())
    wanted = [(m["text"] or m["auto"], m["target"] or m["auto"]) for m in comment_links(folded)]
    rest, k = [], 0
    for link in links:
        if k < len(wanted) and (link.text, link.href) == (shown(wanted[k][0]), wanted[k][1]):
            k += 1
        else:
            rest.append(link)
    assert k == len(wanted), f"the comment's links: {links}, wanted {wanted}"
    return rest


def plain(days: list[Day]) -> list[Day]:
    """The same days with harmless text: what the page's structure must look like."""
    return [
        Day(d.date, tuple(Paper("t", "https://x.org" if is_http(p.url) else None) for p in d.papers))
        for d in days
    ]


def header_texts(config_columns: tuple[str, ...]) -> list[str]:
    return [DEFAULT.headers[c] for c in config_columns]


# --- strategies ----------------------------------------------------------------------------------

TRICKY = [
    "|",
    "\\",
    "\\|",
    "\\\\|",
    "`",
    "``",
    "*",
    "**",
    "_",
    "__",
    "~",
    "~~",
    "[x](y)",
    "[",
    "]",
    "(",
    ")",
    "![i](https://i.example/p.png)",
    "<script>",
    "</script>",
    "</table>",
    "<table>",
    "<details>",
    "</details>",
    "<img src=x>",
    "<em>",
    "<!-- mapdaily:end -->",
    "<!--",
    "-->",
    "&amp;",
    "&#124;",
    "&#x7C;",
    "&lt;",
    "&",
    ";",
    ":smile:",
    ":",
    "$x$",
    "$",
    "-",
    "--",
    " ",
    "  ",
    "\n",
    "\t",
    "\n\n",
    "#",
    ">",
    "!",
    "<",
    "'",
    '"',
    "https://",
    "http://a.b/c_d",
    "https://example.com/x*y",
    "www.example.com",
    "www.",
    "a@b.co",
    "<http://x.y>",
    "mailto:",
    "@",
    "{",
    "}",
    "{{",
    "}}",
    "{%",
    "%}",
    "&#123;",
    "^",
    "+",
    "%",
    "%7C",
    "\u00a0",
    "\u2028",
    "é",
    "🔥",
    "∀",
    "\u200b",
    "[^1]",
    "- [ ]",
    "1.",
    "---",
    ":--",
    "|-|",
    "&#58;",
    "\\*",
    "\\_",
]
CHARS = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t")
TEXT = st.lists(st.sampled_from(TRICKY) | st.text(CHARS, max_size=4), max_size=8).map("".join)
URL = (
    st.none()
    | TEXT
    | st.builds(
        str.__add__, st.sampled_from(["https://", "http://", "HTTPS://", " https://", "javascript:"]), TEXT
    )
)
TITLE = TEXT.filter(lambda t: t.strip() != "")
PAPER = st.builds(Paper, title=TITLE, url=URL, affiliation=st.none() | TEXT, comment=st.none() | TEXT)

EXAMPLES = [
    Paper("a | b", "https://arxiv.org/abs/2410.08391", "x \\| y", "\\\\| and `code` and *em* _u_ ~s~"),
    Paper(
        "[x](y) ![i](j) <script>alert(1)</script>", "https://e.com/a(b)c?d=1&amp;e|f", "</table>", "<details>"
    ),
    Paper("<!-- mapdaily:end -->", "https://e.com/`x`", "&amp; &#124; &#x7c;", ":smile: $x$ $$y$$"),
    Paper("-", None, "-", " - "),
    Paper("  leading and trailing  ", "http://x.org/ a b", "line\nbreak\ttab", "\n\n"),
    Paper("https://example.com/a_b*c*", "javascript:alert(1)", "www.example.com/a_b", "a_b@example.com"),
    Paper("x_www.example.com/a*b*", "https://x.org", "http://e.com/&amp;", "http://e.com/x<y"),
    Paper("\\", "https://x.org/\\", "\\\\", "\\`"),
]


def _region_days(papers: list[Paper], n_days: int) -> list[Day]:
    days: list[Day] = []
    start = date(2024, 10, 13)  # a Sunday: up to seven days back stay in one Monday week
    for i in range(n_days):
        chunk = papers[i::n_days]
        days.append(Day(start - timedelta(days=i), tuple(chunk)))
    return days


@pytest.mark.parametrize("config", [DEFAULT, ALL_COLUMNS, COMMENTS], ids=["default", "all", "comments"])
@settings(max_examples=200, deadline=None)
@given(papers=st.lists(PAPER, min_size=1, max_size=4), n_days=st.integers(1, 3))
@example(papers=EXAMPLES, n_days=2)
@example(papers=EXAMPLES, n_days=1)
def test_any_text_shows_exactly_in_one_row_per_paper(config, papers: list[Paper], n_days: int) -> None:
    days = _region_days(papers, n_days)
    renderer = Renderer(config)
    headers = header_texts(config.columns)

    readme = gfm(renderer.readme_region(days[0], days[1:]))
    assert_shows(readme, days, config.columns, headers)
    assert Page(readme).structure == Page(gfm(renderer.readme_region(*_split(plain(days))))).structure

    week = week_of(days[0].date)
    page = gfm(renderer.week_region(week, days))
    assert_shows(page, days, config.columns, headers, readme=False)
    assert Page(page).structure == Page(gfm(renderer.week_region(week, plain(days)))).structure


def _split(days: list[Day]) -> tuple[Day, list[Day]]:
    return days[0], days[1:]


def test_plain_structure_is_the_layout() -> None:
    days = _region_days([Paper("a"), Paper("b"), Paper("c")], 3)
    page = Page(gfm(Renderer(DEFAULT).readme_region(days[0], days[1:])))
    assert page.structure.count("<details>") == 2
    assert page.structure.count("<table>") == 6  # each day: the centring table and the GFM table
    assert "🔥 Paper Today: 13/10/2024" in page.structure
    assert [r[0].text for r in page.body_rows] == ["a", "b", "c"]


def test_an_empty_today_has_a_placeholder_row_and_empty_days_are_not_shown() -> None:
    empty = Day(date(2024, 10, 15))
    renderer = Renderer(DEFAULT)
    markdown = renderer.readme_region(empty, [Day(date(2024, 10, 14))])
    html = gfm(markdown)
    page = Page(html)
    assert [[c.text for c in row] for row in page.header_rows] == [["Paper", "Affiliation", "Comments"]]
    assert [[c.text for c in row] for row in page.body_rows] == [["No papers yet today", "", ""]]
    assert "<details>" not in html and "Expand" not in html  # nothing under "Papers This Week"
    assert "Papers This Week" in html
    bare = Renderer(make_config(ROOT, {"empty_today": ""}))
    assert Page(gfm(bare.readme_region(empty, []))).body_rows == []
    braces = Renderer(make_config(ROOT, {"empty_today": "{{ none }} | yet"}))
    row = Page(gfm(braces.readme_region(empty, []))).body_rows
    assert [c.text for c in row[0]] == ["{{ none }} | yet", "", ""]
    week = Week(date(2024, 10, 7))
    html = gfm(renderer.week_region(week, [Day(date(2024, 10, 9)), Day(date(2024, 10, 8), (Paper("a"),))]))
    assert len(Page(html).header_rows) == 1 and "09/10/2024" not in html
    html = gfm(renderer.week_region(week, [Day(date(2024, 10, 9))]))
    assert "No papers this week." in html and "<table>" not in html


# --- cells and links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Figures 11-14 are particularly interesting. They highlight it.",
        "UNIQ: Offline Inverse Q-learning for Avoiding Undesirable Demonstrations",
        "Can Looped Transformers Learn to Implement Multi-step Gradient Descent?",
        "Scaling Laws (Section 5.1's formula) + 28% more, 1,000 concepts / 2 ways",
        "∀uto∃∨∧L: It’s a “talker”—and a reasoner",
        "See https://example.com/paper and www.example.org",
    ],
)
def test_ordinary_text_is_not_escaped(text: str) -> None:
    assert cell(text) == text


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        (None, "-"),
        ("", "-"),
        ("  \n ", "-"),
        ("-", "\\-"),
        ("a | b", "a \\| b"),
        ("a\\|b", "a\\\\\\|b"),
        ("*x* _y_ ~z~ `c`", "\\*x\\* \\_y\\_ \\~z\\~ \\`c\\`"),
        ("<b>&amp;", "&lt;b>&amp;amp;"),
        ("AT&T & co", "AT&T & co"),
        (":smile: at 10:30", "\\:smile: at 10:30"),
        ("line one\n  line two", "line one line two"),
        ("{{ 7 | times: 7 }}", "&#123;{ 7 \\| times: 7 }}"),
        ("{% raw %} {{{ {%- x -%}", "&#123;% raw %} &#123;&#123;{ &#123;%- x -%}"),
        ("{ } %} }} {x} 50%", "{ } %} }} {x} 50%"),
        ("&#123;{", "&amp;#123;{"),
    ],
)
def test_cell_markdown(text: str | None, markdown: str) -> None:
    assert cell(text) == markdown


def test_a_url_in_text_stays_a_link_unless_it_needs_escaping() -> None:
    assert cell("at https://example.com/x now") == "at https://example.com/x now"
    assert cell("at https://example.com/a_b now") == "at https\\://example.com/a\\_b now"
    assert cell("www.example.com/a*b") == "www\\.example.com/a\\*b"
    html = gfm("| a |\n|-|\n| " + cell("at https://example.com/a_b now") + " |\n")
    assert Page(html).body_rows[0][0].text == "at https://example.com/a_b now"


def test_title_cell_links_only_http_urls() -> None:
    assert (
        title_cell(Paper("T", "https://arxiv.org/abs/2410.08391")) == "[T](https://arxiv.org/abs/2410.08391)"
    )
    assert title_cell(Paper("T", "javascript:alert(1)")) == "T"
    assert title_cell(Paper("T", "arxiv.org/abs/1")) == "T"
    assert title_cell(Paper("a]b", "http://x.org")) == "[a\\]b](http://x.org)"


def test_link_target_cannot_end_the_link_or_the_cell() -> None:
    target = link_target("https://e.com/a b(c)|d<e>`f`")
    assert not set(target) & set(" ()|<>`\\")
    assert link_target("https://e.com/?a=1&amp;b=2") == "https://e.com/?a=1&amp;amp;b=2"
    assert link_target("https://e.com/?a=1&b=2") == "https://e.com/?a=1&b=2"


# --- marker regions ------------------------------------------------------------------------------


def test_split_regions_keeps_the_outside_byte_for_byte() -> None:
    before = "# Title\r\n\n  odd  spacing \t\n<!-- not a marker -->\n"
    after = "\n\nfooter without newline"
    text = f"{before}{START}\nregion line\n\n{END}{after}"
    parts = split_regions(text, "README.md")
    assert (parts.before, parts.region, parts.after) == (before, "region line\n\n", after)
    new_end = end_marker("new\n")
    assert parts.with_region("new\n") == f"{before}{START}\nnew\n{new_end}{after}"
    assert parts.with_region(parts.region) == text
    assert region_line(parts) == before.count("\n") + 2


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("# no markers here\n", "has no mapdaily markers", 1),
        (f"a\n{START}\nb\n{START}\n{END}\n", "exactly one start and one end", 2),
        (f"a\n{START}\n{END}\n{END}\n", "exactly one start and one end", 2),
        (f"a\nb\n{END}\nc\n{START}\n", "end marker before its start marker", 3),
        (f"{START}\nonly a start\n", "exactly one start and one end", 1),
    ],
)
def test_split_regions_errors(text: str, problem: str, line: int) -> None:
    with pytest.raises(DataError) as raised:
        split_regions(text, "docs/page.md")
    assert raised.value.message.startswith(f"docs/page.md:{line}: ")
    assert problem in raised.value.message


def test_a_marker_inside_data_cannot_end_the_region() -> None:
    renderer = Renderer(DEFAULT)
    day = Day(date(2024, 10, 15), (Paper(END, None, START, f"x\n{END}\ny"),))
    region = renderer.readme_region(day, [])
    text = f"head\n{START}\n{region}{END}\nfoot\n"
    assert split_regions(text, "README.md").region == region


@given(before=st.text(CHARS), after=st.text(CHARS), region=TEXT)
@settings(max_examples=100, deadline=None)
def test_outside_text_survives(before: str, after: str, region: str) -> None:
    rendered = cell(region)  # a region made of a cell: one line that cannot hold a marker
    before = before.replace("mapdaily:", "mapdaily ")
    after = after.replace("mapdaily:", "mapdaily ")
    text = f"{before}\n{START}\n{END}\n{after}"
    new = split_regions(text, "README.md").with_region(rendered + "\n")
    again = split_regions(new, "README.md")
    assert again.before == before + "\n" and again.after == "\n" + after
    assert again.region == rendered + "\n"


# --- templates and pages -------------------------------------------------------------------------


def test_week_page_and_index() -> None:
    renderer = Renderer(DEFAULT)
    weeks = [(Week(date(2024, 10, 7)), 3), (Week(date(2024, 9, 30)), 1), (Week(date(2023, 12, 25)), 0)]
    index = renderer.index_region(weeks)
    assert index.index("## 2024") < index.index("2024-W41") < index.index("2024-W40") < index.index("## 2023")
    assert "- [2024-W41](archived_papers/2024W41.md): 07/10/2024 – 13/10/2024, 3 papers\n" in index
    assert "2024-W40](archived_papers/2024W40.md): 30/09/2024 – 06/10/2024, 1 paper\n" in index
    assert "2023-W52](archived_papers/2023W52.md)" in index
    skeleton = renderer.skeleton("week", "archived_papers/2024W41.md")
    assert "(../archived_papers.md)" in skeleton
    assert split_regions(skeleton, "x").region == ""


def test_custom_templates_override_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "week.md.j2").write_text(
        "# {{ week.label }}\n{% for day in days %}{{ table(day) }}\n{% endfor %}", encoding="utf-8"
    )
    config = make_config(tmp_path, {"templates": "tpl"})
    day = Day(date(2024, 10, 8), (Paper("a|b"),))
    out = Renderer(config).week_region(Week(date(2024, 10, 7)), [day])
    assert out.startswith("\n# 2024-W41\n| Paper | Affiliation | Comments |")
    assert "| a\\|b | - | - |" in out


def test_a_broken_template_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "week.md.j2").write_text("{{ nope }}\n", encoding="utf-8")
    config = make_config(tmp_path, {"templates": "tpl"})
    with pytest.raises(DataError, match="week.md.j2"):
        Renderer(config).week_region(Week(date(2024, 10, 7)), [])


def test_an_end_marker_keeps_a_checksum_of_its_region() -> None:
    text = f"head\n{START}\n{END}\nfoot\n"
    written = split_regions(text, "README.md").with_region("| a |\n")
    parts = split_regions(written, "README.md")
    assert parts.untouched is True and parts.region == "| a |\n"
    assert split_regions(written.replace("| a |", "| b |"), "README.md").untouched is False
    assert split_regions(written.replace("\n", "\r\n"), "README.md").untouched is True
    old = split_regions(text, "README.md")
    assert old.untouched is None and old.with_region(old.region) == text


# --- links in comments and the region's neighbours ------------------------------------------------

URL = st.builds(
    lambda host, path: f"https://{host}.org/{path}",
    st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9._~/?#@!$&'*+,;=%-]{0,12}", fullmatch=True),
)
LINK = st.one_of(
    st.builds(lambda t, u: f"[{t}]({u})", st.text(CHARS, min_size=1, max_size=8), URL),
    st.builds(lambda u: f"<{u}>", URL),
    st.builds(lambda t, u: f"![{t}]({u})", st.text(CHARS, max_size=4), URL),
)
WITH_LINKS = st.lists(st.one_of(st.text(CHARS, max_size=10), LINK), min_size=1, max_size=5).map("".join)


@pytest.mark.parametrize(
    "comment",
    [
        "see <https://github.com/x/y> and [code](https://x.org/a_b*c) ![img](https://i.org/p)",
        "[a|b](https://x.org/?q=1&r=2) {{ x }} {% y %} `c` *d*",
        "<https://x.org/a> <https://y.org/b>",
    ],
)
def test_a_comment_with_links_shows_its_text_and_links_to_its_targets(comment: str) -> None:
    day = Day(date(2024, 10, 15), (Paper("t", comment=comment),))
    for config in (DEFAULT, COMMENTS):
        html = gfm(Renderer(config).readme_region(day, []))
        assert_shows(html, [day], config.columns, header_texts(config.columns))


@settings(max_examples=300, deadline=None)
@given(comments=st.lists(WITH_LINKS, min_size=1, max_size=3))
def test_any_comment_with_links_shows_its_text_and_links_only_to_its_targets(comments: list[str]) -> None:
    """Against cmark-gfm: a comment's links go where it says, its text shows as typed."""
    day = Day(date(2024, 10, 15), tuple(Paper(f"t{i}", comment=c) for i, c in enumerate(comments)))
    for config in (DEFAULT, COMMENTS):
        html = gfm(Renderer(config).readme_region(day, []))
        assert_shows(html, [day], config.columns, header_texts(config.columns))


def test_an_image_shows_as_typed_and_a_link_keeps_its_brackets_out() -> None:
    html = gfm(
        Renderer(COMMENTS).readme_region(
            Day(date(2024, 10, 15), (Paper("t", comment="![i](https://i.org) [c](https://c.org)"),)), []
        )
    )
    cells = Page(html).body_rows[0]
    assert cells[1].text == "![i](https://i.org) c"
    assert "<img" not in html


HOSTILE = [
    "<hr/>",
    "<div>",
    "<details>",
    "<table>",
    "<custom-tag>",
    "  <p>",
    "| a |\n|---|",
    "> quote",
    "- item",
    "text",
    "<!-- open",
]


@pytest.mark.parametrize("above", HOSTILE)
@pytest.mark.parametrize("below", ["", "<div>", "text", "| b |"])
def test_the_region_renders_the_same_whatever_surrounds_it(above: str, below: str) -> None:
    days = _region_days([Paper("a"), Paper("b", comment="c")], 2)
    region = Renderer(DEFAULT).readme_region(days[0], days[1:])
    alone = Page(gfm(Regioned("", region, "\n").with_region(region)))
    hostile = Page(gfm(Regioned(above + "\n", region, "\n" + below + "\n").with_region(region)))
    assert "🔥 Paper Today: 13/10/2024" in hostile.structure and "<h2>" in hostile.structure
    assert [[c.text for c in r] for r in hostile.body_rows][-2:] == [
        [c.text for c in r] for r in alone.body_rows
    ][-2:]
    assert len(hostile.header_rows) >= len(alone.header_rows)

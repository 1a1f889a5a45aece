"""`mapdaily import` end to end: the seed, every kind of mess, and what GitHub shows before and after."""

from __future__ import annotations

import html
import shutil
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
import yaml
from cmarkgfm.cmark import Options
from conftest import git, run_cli

from mapdaily_cli.importer import repair_text

FIXTURES = Path(__file__).parent / "fixtures" / "import"
MESS = sorted(p.name for p in FIXTURES.glob("*.md") if p.name != "seed-README.md")


def test_seed_import(repo: Path) -> None:
    seed = (FIXTURES / "seed-README.md").read_text(encoding="utf-8")
    (repo / "README.md").write_text(seed, encoding="utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "hand-kept digest")
    code, _, err = run_cli(repo, "import", "README.md")
    assert code == 0, err
    assert "imported 38 papers on 2 days" in err and "24 repaired" in err
    assert git(repo, "log", "-1", "--format=%s").strip() == "import: 38 papers, 2 days from README.md"
    assert git(repo, "status", "--porcelain") == ""
    assert run_cli(repo, "check")[0] == 0
    readme = (repo / "README.md").read_text(encoding="utf-8")
    # The markers aside (and the empty line that opens the region, so that no HTML block above it
    # runs into the first heading), the README is the seed as it was meant to read.
    opened = readme.replace("<!-- mapdaily:start -->\n\n", "<!-- mapdaily:start -->\n", 1)
    unmarked = "".join(line for line in opened.splitlines(keepends=True) if "mapdaily:" not in line)
    assert unmarked == repair_text(seed)[0]
    for text in ("🔥", "🛠️", "—", "’", "“", "”", "∀uto∃∨∧L"):
        assert text in unmarked
    days = list(yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8")))
    assert [(str(d["date"]), len(d["papers"])) for d in days] == [("2024-10-15", 19), ("2024-10-14", 19)]
    # Importing again adds nothing and makes no commit.
    code, _, err = run_cli(repo, "import", "README.md")
    assert code == 0 and "nothing new" in err
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2


def test_mistyped_date_is_named(repo: Path) -> None:
    shutil.copy(FIXTURES / "mistyped-month.md", repo / "old.md")
    code, _, err = run_cli(repo, "import", "old.md", "--no-commit")
    assert code == 0
    assert "old.md:10: day 07/10/2024 lies outside the week of its neighbours" in err


class Rows(HTMLParser):
    """The rows of every table in an HTML page: header names to (cell text, link)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, tuple[str, str | None]]] = []
        self._headers: list[str] = []
        self._cells: list[tuple[str, str | None]] = []
        self._text: list[str] | None = None
        self._href: str | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._in_head, self._headers = True, []
        elif tag in ("td", "th"):
            self._text, self._href = [], None
        elif tag == "a" and self._text is not None and self._href is None:
            self._href = dict(attrs).get("href")
        elif tag == "tr":
            self._cells = []
        elif tag == "br" and self._text is not None:
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if self._in_head:
                self._headers.append(text)
            else:
                self._cells.append((text, self._href))
            self._text = None
        elif tag == "tr" and not self._in_head and self._cells:
            self.rows.append(dict(zip(self._headers, self._cells, strict=False)))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


FIELD = {
    "Paper": "title",
    "Affiliation": "affiliation",
    "Main Affiliation": "affiliation",
    "Comments": "comment",
    "Comment": "comment",
}
PLACEHOLDER = {"x", "y", "z", ""}


def shown_rows(markdown: str) -> list[dict[str, object]]:
    """What GitHub shows of a page's tables: per row, the title (and its link) and the other fields."""
    page = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parser = Rows()
    parser.feed(page)
    out = []
    for row in parser.rows:
        fields: dict[str, object] = {}
        for header, (text, href) in row.items():
            name = FIELD.get(html.unescape(header))
            if name:
                fields[name] = text
                if name == "title":
                    fields["url"] = href
        if fields.get("title") and not {str(v) for v in fields.values() if v} <= PLACEHOLDER:
            out.append(fields)
    return out


def _shows(after: dict[str, object], before: dict[str, object], fields: set[str]) -> bool:
    """``after`` shows ``before``: equal cells; a comment may go on where GitHub cut the original
    short (an unescaped ``|`` in it ended the cell, dropping the rest), and shows the target of a
    link it held after the link's text."""
    import re

    for f in fields:
        # A link inside an affiliation is kept as "text (url)": the url is not lost to plain text
        # (a comment keeps its links as links).
        shown = re.sub(r" \(https?://[^ )]+\)", "", str(after.get(f)))
        if f == "comment" and shown.startswith(str(before.get(f))):
            continue
        if after.get(f) != before.get(f):
            return False
    return True


#: What a row typed by hand meant where GitHub shows it otherwise, and the importer repairs it: a
#: row broken over lines is one row, cells split by full-width bars are cells.
INTENDED = {
    "continuation-lines.md": [("so\nit went", "so it went"), ("One,\ntwo,\nthree.", "One, two, three.")],
    "full-width-bars.md": [
        ("Bars ｜ Peking University ｜ An", "Bars | Peking University | An"),
        (
            "｜ Full-Width All Around ｜ Zhejiang University ｜ Even the outer bars. ｜",
            "| Full-Width All Around | Zhejiang University | Even the outer bars. |",
        ),
        ("University ｜ Mixed", "University | Mixed"),
    ],
}


@pytest.mark.parametrize("name", MESS)
def test_every_row_the_original_showed_is_shown_after_import(repo: Path, name: str) -> None:
    original = (FIXTURES / name).read_text(encoding="utf-8")
    shutil.copy(FIXTURES / name, repo / "page.md")
    code, _, err = run_cli(repo, "import", "page.md", "--no-commit")
    assert code == 0, err
    assert run_cli(repo, "check")[0] == 0
    rendered = [(repo / "README.md").read_text(encoding="utf-8")]
    rendered += [p.read_text(encoding="utf-8") for p in sorted((repo / "archived_papers").glob("*.md"))]
    # Today's placeholder row (shown while today has no paper) is no paper.
    shown = [row for page in rendered for row in shown_rows(page)]
    after = [row for row in shown if row.get("title") != "No papers yet today"]
    for broken, meant in INTENDED.get(name, ()):
        assert broken in original
        original = original.replace(broken, meant)
    before = shown_rows(repair_text(original)[0])
    data = [
        p for d in yaml.safe_load_all((repo / "papers.yaml").read_text(encoding="utf-8")) for p in d["papers"]
    ]
    # Every row GitHub showed in the original is shown after import, cell for cell (in the columns
    # the original had), and every imported paper is shown exactly once.
    for row in before:
        fields = {k for k in row if k != "url" or row["url"]}
        wanted = {k: ("-" if v in ("", None) else v) for k, v in row.items() if k in fields}
        assert any(_shows(r, wanted, fields) for r in after), (name, row)
    assert len(after) == len(data)
    assert sorted(str(r["title"]) for r in after) == sorted(" ".join(p["title"].split()) for p in data)


def test_a_comments_link_is_still_a_link_after_import(repo: Path) -> None:
    (repo / "page.md").write_text(
        "## 🔥 Paper Today: 15/10/2024\n\n| Paper | Affiliation | Comments |\n|---|---|---|\n"
        "| A Paper | Lab | See [the code](https://github.com/example/code) first. |\n",
        encoding="utf-8",
    )
    code, _, err = run_cli(repo, "import", "page.md")
    assert code == 0, err
    assert "comment: See [the code](https://github.com/example/code) first." in (
        repo / "papers.yaml"
    ).read_text(encoding="utf-8")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    page = cmarkgfm.github_flavored_markdown_to_html(readme, options=Options.CMARK_OPT_UNSAFE)
    assert '>See <a href="https://github.com/example/code">the code</a> first.</td>' in page
    assert run_cli(repo, "check")[0] == 0

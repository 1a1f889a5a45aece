"""The importer against what an adversarial pass found: pages of many rows, a byte order mark,
control characters in cells, and paths that are not pages."""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import git, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from mapdaily_cli import importer
from mapdaily_cli.errors import InputError
from mapdaily_cli.importer import PageWarning, merge_days, parse_page
from mapdaily_cli.model import CONTROL, Day, Paper, canonical_url, normalise_title, paper_problem

FIXTURES = Path(__file__).parent / "fixtures" / "import"
PAGES = sorted(p.name for p in FIXTURES.glob("*.md"))
HEADER = "| Paper | Affiliation | Comments | Link |\n|---|---|---|---|\n"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _show(day: date) -> str:
    return f"{day:%d/%m/%Y}"


# --------------------------------------------------------------------------- many rows


def test_a_paper_repeated_on_one_day_is_listed_once_in_order() -> None:
    # Identity is (title, url, comment): the same title with another comment is another paper.
    rows = [(f"Paper {i % 7}", f"comment {i % 3}") for i in range(60)]
    text = "## Paper Today: 15/10/2024\n\n" + HEADER + "".join(f"| {t} | - | {c} | - |\n" for t, c in rows)
    page = parse_page(text, "x.md")
    first: dict[tuple[str, str], int] = {}
    repeats = []
    for n, row in enumerate(rows):
        line = 5 + n
        if row in first:
            repeats.append(PageWarning("x.md", line, f'"{row[0]}" is already listed on 15/10/2024; skipped'))
        else:
            first[row] = line
    (day,) = page.days
    assert [(p.title, p.comment) for p in day.papers] == list(first)
    assert page.paper_lines == (tuple(n - 1 for n in first.values()),)
    assert page.warnings == tuple(repeats)


def _reference_merge(existing: list[Day], incoming: list[tuple[str, Day]]) -> tuple[list[Day], list[str]]:
    """merge_days as it was written first (every paper compared with every date), its warnings
    capped as merge_days caps them: the newest SHOWN_DATES dates, then "and earlier days"."""
    days: dict[date, list[Paper]] = {d.date: list(d.papers) for d in existing}
    present = {(p.title, p.url, p.comment) for d in existing for p in d.papers}
    messages = []
    for _, day in incoming:
        listed = days.setdefault(day.date, [])
        for paper in day.papers:
            key = (paper.title, paper.url, paper.comment)
            if key in present or any(key == (p.title, p.url, p.comment) for p in listed):
                continue
            dates = sorted(
                (
                    when
                    for when, papers in days.items()
                    if any(
                        normalise_title(p.title) == normalise_title(paper.title)
                        or (p.url and paper.url and canonical_url(p.url) == canonical_url(paper.url))
                        for p in papers
                    )
                ),
                reverse=True,
            )
            if dates:
                shown = ", ".join(_show(d) for d in dates[: importer.merge.SHOWN_DATES])
                more = " and earlier days" if len(dates) > importer.merge.SHOWN_DATES else ""
                messages.append(f'"{paper.title}" ({_show(day.date)}) is also listed on {shown}{more}')
            listed.append(paper)
    return [Day(d, tuple(days[d])) for d in sorted(days, reverse=True)], messages


_PAPERS = st.builds(
    Paper,
    title=st.sampled_from(["A", "a ", "B", "C"]),
    url=st.sampled_from(
        [None, "https://arxiv.org/abs/2410.00001", "arxiv.org/pdf/2410.00001v2", "https://b.c"]
    ),
    comment=st.sampled_from([None, "x"]),
)
_DAYS = st.builds(
    Day, st.dates(date(2024, 10, 1), date(2024, 10, 12)), st.lists(_PAPERS, max_size=4).map(tuple)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DAYS, max_size=4, unique_by=lambda d: d.date), st.lists(_DAYS, max_size=8))
def test_merge_agrees_with_comparing_every_paper(existing: list[Day], incoming: list[Day]) -> None:
    existing.sort(key=lambda d: d.date, reverse=True)
    pairs = [("x.md", day) for day in incoming]
    days, messages = _reference_merge(existing, pairs)
    result = merge_days(existing, pairs)
    assert list(result.days) == days
    assert [w.message for w in result.warnings] == messages


def test_a_paper_on_many_days_names_the_newest_three() -> None:
    paper = Paper("Everywhere", url="https://arxiv.org/abs/2410.00001")
    days = [date(2024, 10, 1) + timedelta(days=n) for n in range(6)]
    result = merge_days([], [("x.md", Day(d, (paper,))) for d in days])
    assert [w.message for w in result.warnings] == [
        '"Everywhere" (02/10/2024) is also listed on 01/10/2024',
        '"Everywhere" (03/10/2024) is also listed on 02/10/2024, 01/10/2024',
        '"Everywhere" (04/10/2024) is also listed on 03/10/2024, 02/10/2024, 01/10/2024',
        '"Everywhere" (05/10/2024) is also listed on 04/10/2024, 03/10/2024, 02/10/2024 and earlier days',
        '"Everywhere" (06/10/2024) is also listed on 05/10/2024, 04/10/2024, 03/10/2024 and earlier days',
    ]


def test_a_tag_line_without_closing_brackets_is_read_around() -> None:
    # Every '<div' with no '>' after it once cost a scan to the end of the line.
    text = "<details>\n<summary>15/10/2024</summary> <div " + "<div " * 2000 + "\n\n" + HEADER
    text += "| Kept | - | - | - |\n\n</details>\n"
    (day,) = parse_page(text, "x.md").days
    assert day.papers == (Paper("Kept"),)


def test_a_summary_over_many_tag_lines_is_read_whole() -> None:
    text = "<details>\n<summary>\n" + "<b>\n" * 500 + "<i>15/10/2024</i>\n</summary>\n\n" + HEADER
    text += "| Kept | - | - | - |\n\n</details>\n"
    (day,) = parse_page(text, "x.md").days
    assert (day.date, day.papers) == (date(2024, 10, 15), (Paper("Kept"),))


# --------------------------------------------------------------------------- byte order mark


@pytest.mark.parametrize("name", PAGES)
def test_a_byte_order_mark_is_read_past(name: str) -> None:
    text = read(name)
    plain, marked = parse_page(text, name), parse_page("\ufeff" + text, name)
    assert (marked.days, marked.warnings, marked.repairs, marked.paper_lines) == (
        plain.days,
        plain.warnings,
        plain.repairs,
        plain.paper_lines,
    )
    assert plain.digest_span is not None and marked.digest_span is not None
    start, end = plain.digest_span
    # The span is of the text given, mark included; a digest starting the page takes the mark with it.
    assert marked.digest_span == (start + 1 if start else 0, end + 1)


def test_pages_pasted_together_with_their_marks_are_read_whole() -> None:
    first, second = read("summary-dates.md"), read("dash-no-value.md")
    page = parse_page(f"\ufeff{first}\n\ufeff{second}", "both.md")
    assert page.days == parse_page(first + "\n" + second, "x").days
    assert [len(d.papers) for d in page.days] == [1, 1, 1, 3]


def test_import_reads_a_page_with_a_byte_order_mark(repo: Path) -> None:
    (repo / "old.md").write_text("\ufeff" + read("dash-no-value.md"), encoding="utf-8")
    code, _, err = run_cli(repo, "import", "old.md")
    assert code == 0, err
    assert "imported 3 papers on 1 day" in err
    assert git(repo, "log", "-1", "--format=%s") == "import: 3 papers, 1 days from old.md"


# --------------------------------------------------------------------------- control characters


def _page(title: str = "A Title", affiliation: str = "MIT", comment: str = "Fine.", link: str = "-") -> str:
    """A page whose sixth line is a row of these cells, after a row without fault."""
    rows = f"| Fine | - | - | - |\n| {title} | {affiliation} | {comment} | {link} |\n"
    return f"## Paper Today: 15/10/2024\n\n{HEADER}{rows}"


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"title": "Bell\x07Title"}, "title"),
        ({"affiliation": "M\x1bIT"}, "affiliation"),
        ({"comment": "Back\x08space"}, "comment"),
        ({"link": "[pdf](https://arxiv.org/abs/2410.\x7f00001)"}, "url"),
        ({"comment": "C1 \x9b control"}, "comment"),
    ],
)
def test_a_control_character_is_refused_at_the_page_line(cells: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_page(_page(**cells), "archive/w42.md")
    char = CONTROL.search("".join(cells.values()))
    assert char is not None
    code = f"U+{ord(char.group()):04X}"
    assert caught.value.message == (
        f"archive/w42.md:6: the {field} holds a control character ({code}); fix the cell there"
    )
    assert caught.value.detail is None


def test_every_bad_row_is_named() -> None:
    rows = "".join(f"| Bad {n} | - | x\x01 | - |\n" for n in range(14))
    with pytest.raises(InputError) as caught:
        parse_page(f"## Paper Today: 15/10/2024\n\n{HEADER}{rows}", "x.md")
    assert caught.value.message == (
        "x.md:5: the comment holds a control character (U+0001); fix the cell there (and 13 more rows)"
    )
    assert caught.value.detail is not None
    lines = caught.value.detail.splitlines()
    assert lines[0] == "x.md:6: the comment holds a control character (U+0001)"
    assert lines[9] == "x.md:15: the comment holds a control character (U+0001)"
    assert lines[10:] == ["… and 3 more"]


_CONTROLS = [chr(c) for c in range(0x110000) if CONTROL.match(chr(c))]


@pytest.mark.parametrize("char", _CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_character_is_refused_or_read_as_a_space(char: str) -> None:
    try:
        page = parse_page(_page(comment=f"a{char}b"), "x.md")
    except InputError as e:
        where = "row" if char == "\x00" else "comment"  # markdown reads a NUL as U+FFFD
        assert e.message == (
            f"x.md:6: the {where} holds a control character (U+{ord(char):04X}); fix the cell there"
        )
        return
    papers = page.days[0].papers
    assert all(paper_problem(p.to_mapping()) is None for p in papers)
    assert papers[-1].comment == "a b"


_CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(
    lambda s: s.replace("\n", " ").replace("\r", " ")
)


@settings(max_examples=300, deadline=None)
@given(_CELL_TEXT, _CELL_TEXT, _CELL_TEXT)
def test_no_paper_read_is_one_the_store_refuses(title: str, affiliation: str, comment: str) -> None:
    try:
        page = parse_page(_page(title, affiliation, comment), "x.md")
    except InputError as e:
        assert e.message.startswith("x.md:6: the ") and e.message.endswith("; fix the cell there")
        return
    for day in page.days:
        for paper in day.papers:
            assert paper_problem(paper.to_mapping()) is None


def test_import_names_the_page_line_and_writes_nothing(repo: Path) -> None:
    (repo / "old.md").write_text(_page(comment="Ring\x07ring"), encoding="utf-8")
    code, _, err = run_cli(repo, "import", "old.md")
    assert code == 1
    assert "old.md:6: the comment holds a control character (U+0007); fix the cell there" in err
    assert "papers.yaml" not in err
    assert not (repo / "papers.yaml").exists()


# --------------------------------------------------------------------------- read_page


def test_read_page_reads_a_page_as_read_text_does(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_bytes(b"# A\r\nline \xe2\x80\x94 two\rthree\n")
    assert importer.read_page(page, "p.md") == page.read_text(encoding="utf-8") == "# A\nline — two\nthree\n"


def test_read_page_drops_a_byte_order_mark(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_bytes(b"\xef\xbb\xbf## Paper Today: 15/10/2024\n")
    assert importer.read_page(page, "p.md") == "## Paper Today: 15/10/2024\n"


def _refusal(path: Path, shown: str = "the/page.md") -> str:
    with pytest.raises(InputError) as caught:
        importer.read_page(path, shown)
    message = caught.value.message
    assert "\n" not in message and message.startswith(f"{shown}:")
    return message


def test_read_page_refuses_a_folder(tmp_path: Path) -> None:
    assert _refusal(tmp_path) == "the/page.md: is a folder, not a page; give the path of a markdown file"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_read_page_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert _refusal(fifo) == (
        "the/page.md: is a named pipe (FIFO), not a page; give the path of a markdown file"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_read_page_refuses_a_device_even_through_a_link(tmp_path: Path) -> None:
    assert (
        _refusal(Path("/dev/zero"))
        == "the/page.md: is a device, not a page; give the path of a markdown file"
    )
    link = tmp_path / "zero.md"
    link.symlink_to("/dev/zero")
    assert "is a device" in _refusal(link)


def test_read_page_refuses_a_page_over_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    with big.open("wb") as f:
        f.truncate(importer.MAX_PAGE_BYTES + 1)  # sparse: nothing is written
    assert _refusal(big) == (
        "the/page.md: is 67,108,865 bytes, over the 64 MiB a digest page may hold;"
        " is it the right file? (split a page that big into smaller ones)"
    )
    with big.open("r+b") as f:
        f.truncate(importer.MAX_PAGE_BYTES)
    assert len(importer.read_page(big, "big.md")) == importer.MAX_PAGE_BYTES


def test_read_page_names_where_a_page_is_not_utf8(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_bytes(b"# Caf\xc3\xa9\n\n| Universit\xe9 |\n")
    assert _refusal(page) == "the/page.md:3:12: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    page.write_bytes("# UTF-16\n".encode("utf-16"))
    assert _refusal(page) == "the/page.md: is UTF-16 text, not UTF-8; save it as UTF-8"


def test_read_page_refuses_a_missing_page(tmp_path: Path) -> None:
    assert _refusal(tmp_path / "gone.md") == "the/page.md: no such file; give the path of a digest page"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="permissions do not hold root back")
def test_read_page_refuses_an_unreadable_page(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("x", encoding="utf-8")
    page.chmod(0)
    assert _refusal(page) == "the/page.md: cannot read it (Permission denied)"

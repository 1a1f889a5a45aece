"""store.py: validation with file positions, partial edits that copy the rest of the file through,
date lookups, atomic writes and the lock."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import papers_yaml, write_papers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.model import Day, Paper
from mapdaily_cli.store import Stream, locked, search_words, write_all


def stream_of(tmp_path: Path, text: str) -> Stream:
    path = tmp_path / "papers.yaml"
    path.write_text(text, encoding="utf-8")
    return Stream.read(path, "papers.yaml")


def load(tmp_path: Path, text: str) -> list[Day]:
    return list(stream_of(tmp_path, text).days())


# --- validation ----------------------------------------------------------------------------------

DAY = "date: 2024-10-15\npapers:\n"


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (DAY + "- title: a\n  comment: [oops\n", "5:1", "YAML syntax error"),
        (DAY + "- title: a\n  comment: x: y\n", "4:13", "YAML syntax error"),
        (DAY + "- affiliation: Somewhere\n", "3:3", "paper 1 of 2024-10-15 has no title"),
        (DAY + "- title: ''\n", "3:3", "has no title"),
        (DAY + "- title: ok\n- title:\n", "4:3", "paper 2 of 2024-10-15 has no title"),
        (
            DAY + "- title: a\n  affiliation: 42\n",
            "4:16",
            "affiliation of paper 1 of 2024-10-15 must be text",
        ),
        (DAY + "- title: [a, b]\n", "3:10", "title of paper 1 of 2024-10-15 must be text"),
        (DAY + '- title: a\n  comment: "bell \\a"\n', "4:12", "control character"),
        (DAY + '- title: "next line \\N"\n', "3:10", "control character"),
        ("date: 2024-13-45\npapers: []\n", "1:7", "2024-13-45 is not a valid date"),
        ("date: 2024-02-30\npapers: []\n", "1:7", "2024-02-30 is not a valid date"),
        ("date: next tuesday\npapers: []\n", "1:7", "is not a valid date"),
        ("date: 2024-10-15 09:00:00\npapers: []\n", "1:7", "is not a valid date"),
        ("papers: []\n", "1:1", "has no 'date:'"),
        (DAY + "- title: a\n  title: b\n", "4:3", "key 'title' appears twice"),
        ("date: 2024-10-15\ndate: 2024-10-16\npapers: []\n", "2:1", "key 'date' appears twice"),
        ("date: 2024-10-15\npapers: {title: a}\n", "2:9", "'papers' must be a list"),
        (DAY + "- just a string\n", "3:3", "must be a mapping"),
        ("- a list\n", "1:1", "a document must be a day"),
        ("date: 2024-10-15\npapers: []\n---\n", "3:1", "empty document"),
        ("date: 2024-10-15\npapers: []\n---\ndate: 2024-10-15\npapers: []\n", "4:7", "repeats 2024-10-15"),
        (
            "date: 2024-10-14\npapers: []\n---\ndate: 2024-10-15\npapers: []\n",
            "4:7",
            "2024-10-15 is out of order: it comes after 2024-10-14",
        ),
        (
            "# two lines\n# of comments\ndate: 2024-10-15\npapers: []\n---\n\ndate: 2024-10-14\n"
            "papers:\n- title: x\n  url: 7\n",
            "10:8",
            "url of paper 1 of 2024-10-14 must be text",
        ),
    ],
)
def test_invalid_data_is_reported_with_line_and_column(
    tmp_path: Path, text: str, where: str, says: str
) -> None:
    with pytest.raises(DataError) as raised:
        load(tmp_path, text)
    message = raised.value.message
    assert message.startswith(f"papers.yaml:{where}: "), message
    assert says in message


def test_merge_conflict_markers_are_named(tmp_path: Path) -> None:
    text = "date: 2024-10-15\npapers:\n<<<<<<< HEAD\n- title: a\n=======\n- title: b\n>>>>>>> theirs\n"
    with pytest.raises(DataError) as raised:
        stream_of(tmp_path, text)
    assert raised.value.message.startswith("papers.yaml:3:")
    assert "git merge conflict marker '<<<<<<<'" in raised.value.message


def test_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "papers.yaml"
    path.write_bytes(b"date: 2024-10-15\npapers:\n- title: caf\xe9\n")
    with pytest.raises(DataError, match="papers.yaml: not UTF-8 text at byte 37"):
        Stream.read(path, "papers.yaml").day(0)


def test_valid_data_loads(tmp_path: Path) -> None:
    text = papers_yaml(
        [
            ("2024-10-15", [{"title": "A", "url": "https://arxiv.org/abs/2410.00001", "extra": 1}]),
            ("2024-10-14", []),
            ("2024-10-10", [{"title": "B", "affiliation": "X", "comment": "two\nlines"}, {"title": "C"}]),
        ],
        preamble="# the digest\n",
    )
    days = load(tmp_path, text)
    assert [d.date for d in days] == [date(2024, 10, 15), date(2024, 10, 14), date(2024, 10, 10)]
    assert days[0].papers == (Paper("A", "https://arxiv.org/abs/2410.00001"),)
    assert days[2].papers == (Paper("B", None, "X", "two\nlines"), Paper("C"))
    assert load(tmp_path, "") == []
    assert load(tmp_path, "# only a comment\n") == []


def test_a_quoted_date_is_a_date(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, "date: '2024-10-15'\npapers: []\n---\ndate: \"2024-10-14\"\npapers: []\n")
    assert [d.date for d in stream.days()] == [date(2024, 10, 15), date(2024, 10, 14)]


# --- partial edits -------------------------------------------------------------------------------

ODD = """\
# The digest's data.
# Keep these two lines at the top.
date: 2024-10-15   # today
papers:
  # a comment inside the edited document
  - title: "Quoted title"
    url: https://arxiv.org/abs/2410.00001
    reviewer: someone   # an unknown key
    comment: >
      folded
      text
  - title: 'single quoted'
    affiliation:    odd   spacing
--- # the day before
date:    2024-10-14
papers:
-   title:   "odd indentation"      # c
    comment: |
        literal
          block
    extra: {flow: map}
---

# a lone comment
date: 2024-10-13
papers: [ {title: flow style}, {title: "x: y"} ]
---
date: 2024-10-12
papers:
- title: >-
    long
    title
  comment: 'it''s'
"""


def test_edit_leaves_every_other_document_byte_for_byte(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    first_end = ODD.index("--- # the day before")
    stream.append_papers(0, [Paper("New paper")])
    text = stream.text()
    assert text.endswith(ODD[first_end:])
    assert text.startswith("# The digest's data.\n# Keep these two lines at the top.\ndate: 2024-10-15")
    again = stream_of(tmp_path, text)
    assert [p.title for p in again.day(0).papers] == ["Quoted title", "single quoted", "New paper"]
    assert [d.date for d in again.days()] == [date(2024, 10, 15 - i) for i in range(4)]


def test_edit_keeps_unknown_keys_and_comments_of_the_edited_document(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    stream.set_fields(0, 1, {"comment": "added"})
    edited = stream.text()[: stream.text().index("--- # the day before")]
    for kept in (
        "# today",
        "# a comment inside the edited document",
        "reviewer: someone",
        "# an unknown key",
    ):
        assert kept in edited
    assert '"Quoted title"' in edited
    day = stream.day(0)
    assert day.papers[1] == Paper("single quoted", None, "odd   spacing", "added")
    assert day.papers[0].comment == "folded text\n"


def test_edit_of_a_later_document_keeps_the_rest(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    stream.set_fields(1, 0, {"title": "Changed"})
    text = stream.text()
    start, end = ODD.index("--- # the day before"), ODD.index("---\n\n# a lone comment")
    assert text.startswith(ODD[:start] + "--- # the day before\n")
    assert text.endswith(ODD[end:])
    assert "extra: {flow: map}" in text
    assert stream_of(tmp_path, text).day(1).papers[0].title == "Changed"


def test_an_edit_that_breaks_the_day_changes_nothing(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    with pytest.raises(DataError, match="has no title"):
        stream.set_fields(0, 0, {"title": ""})
    assert stream.text() == ODD
    assert not stream.changed


def test_insert_day_at_the_top_keeps_the_preamble_first(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    stream.insert_day(0, date(2024, 10, 16))
    text = stream.text()
    assert text.startswith("# The digest's data.\n# Keep these two lines at the top.\ndate: 2024-10-16\n")
    assert text.endswith(ODD[ODD.index("date: 2024-10-15") :])
    again = stream_of(tmp_path, text)
    assert [d.date for d in again.days()][:2] == [date(2024, 10, 16), date(2024, 10, 15)]
    assert again.day(0).papers == ()


@pytest.mark.parametrize("preamble", ["", "# a comment\n"])
def test_positions_still_name_the_file_lines_after_an_insert(tmp_path: Path, preamble: str) -> None:
    text = preamble + "date: 2024-10-15\npapers:\n- title: a\n  url: 5\n"
    stream = stream_of(tmp_path, text)
    stream.insert_day(0, date(2024, 10, 16))
    line = text.count("\n", 0, text.index("url: 5")) + 1
    with pytest.raises(DataError, match=f"^papers.yaml:{line}:8: url of paper 1"):
        list(stream.days())


def test_insert_day_in_the_middle_and_at_the_end(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    index, exists = stream.position_of(date(2024, 10, 13))
    assert (index, exists) == (2, True)
    index, exists = stream.position_of(date(2024, 10, 11))
    assert (index, exists) == (4, False)
    stream.insert_day(index, date(2024, 10, 11))
    assert stream.position_of(date(2024, 10, 1)) == (len(stream), False)
    stream.insert_day(len(stream), date(2024, 10, 1))
    again = stream_of(tmp_path, stream.text())
    dates = [d.date for d in again.days()]
    assert dates == [date(2024, 10, d) for d in (15, 14, 13, 12, 11, 1)]


def test_insert_into_an_empty_file(tmp_path: Path) -> None:
    stream = Stream.read(tmp_path / "missing.yaml", "missing.yaml")
    assert len(stream) == 0 and stream.text() == ""
    stream.insert_day(0, date(2024, 10, 15))
    stream.insert_day(0, date(2024, 10, 16))
    assert [d.date for d in stream_of(tmp_path, stream.text()).days()] == [
        date(2024, 10, 16),
        date(2024, 10, 15),
    ]


# --- looking things up ---------------------------------------------------------------------------

DATE_LINES = st.sampled_from(
    [
        "date: {d}\n",
        "date: '{d}'\n",
        'date: "{d}"\n',
        "date:    {d}   # a comment\n",
        "date: {d}#not a comment\n",
        "date: {d}\n  continued\n",
        "# a comment first\ndate: {d}\n",
        "date: &anchor {d}\n",
        "date: !!str {d}\n",
        "date: '{d}\"\n",
    ]
)
BODIES = st.sampled_from(
    [
        "{date}papers: []\n",
        "papers: []\n{date}",
        'papers:\n- title: a\n  comment: "one\n{fake}two"\n{date}',
        "papers:\n- title: a\n  comment: 'x\n{fake}'\n{date}",
        "{{date: {d}, papers: []}}\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    when=st.dates(date(1990, 1, 1), date(2100, 1, 1)),
    fake=st.dates(date(1990, 1, 1), date(2100, 1, 1)),
    line=DATE_LINES,
    body=BODIES,
    marker=st.sampled_from(["", "---\n", "--- # c\n"]),
)
def test_date_at_agrees_with_the_parsed_day(
    when: date, fake: date, line: str, body: str, marker: str
) -> None:
    date_line = line.format(d=when.isoformat())
    doc = body.format(date=date_line, d=when.isoformat(), fake=f"date: {fake.isoformat()}\n")
    text = "date: 2100-12-31\npapers: []\n" + (marker or "---\n") + doc
    stream = Stream(Path("papers.yaml"), "papers.yaml", text)
    assert len(stream) == 2
    try:
        expected = Stream(Path("papers.yaml"), "papers.yaml", text).day(1).date
    except DataError:
        with pytest.raises(DataError):
            stream.date_at(1)
        return
    assert stream.date_at(1) == expected


def _decade(start: date, needle_title: str) -> str:
    days = [start - timedelta(days=i) for i in range(3653)]
    parts = [
        f"date: {d.isoformat()}\npapers:\n- title: Paper of {d.isoformat()}\n  comment: routine\n"
        for d in days[:-1]
    ]
    parts.append(f"date: {days[-1].isoformat()}\npapers:\n- title: {needle_title}\n")
    return "# ten years\n" + "---\n".join(parts)


def test_candidates_find_a_paper_ten_years_back(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, _decade(date(2024, 10, 15), "A Needle In The Haystack"))
    assert len(stream) == 3653
    assert stream.candidates(search_words("needle in the")) == [3652]
    assert stream.day(3652).papers[0].title == "A Needle In The Haystack"
    assert stream.date_at(3652) == date(2024, 10, 15) - timedelta(days=3652)
    assert stream.candidates(search_words("routine"))[:3] == [0, 1, 2]
    assert stream.candidates(search_words("not there at all")) == []
    stream.insert_day(0, date(2024, 10, 16))
    # The new day and the old first one (now behind an added '---') are always candidates.
    assert stream.candidates(search_words("NEEDLE")) == [0, 1, 3653]


@pytest.mark.parametrize(
    "stored",
    [
        '"A Ne\\x65dle in the Haystack"',  # an escape standing for a letter
        '"A Needle in the Hay\\\n  stack"',  # a line joined by an escaped line break
        "A Needle in the Haystaſk",  # long s folds to s
        "STRAẞE",  # capital sharp s folds to ss
    ],
)
def test_candidates_never_miss_what_case_folding_or_escapes_hide(tmp_path: Path, stored: str) -> None:
    text = _decade(date(2024, 10, 15), "x").replace("title: x\n", f"title: {stored}\n")
    stream = stream_of(tmp_path, text)
    title = stream.day(3652).papers[0].title
    for query in (title, title.upper(), title.casefold()):
        assert 3652 in stream.candidates(search_words(query)), (stored, query)


def test_index_and_position_of(tmp_path: Path) -> None:
    stream = stream_of(tmp_path, ODD)
    assert stream.index_of(date(2024, 10, 14)) == 1
    assert stream.index_of(date(2024, 10, 16)) is None
    assert stream.index_of(date(2024, 10, 1)) is None
    assert stream.position_of(date(2024, 10, 16)) == (0, False)
    assert stream.position_of(date(2024, 10, 15)) == (0, True)
    assert [stream.date_at(i) for i in range(len(stream))] == [d.date for d in stream.days()]


def test_head_stops_at_the_first_day_that_does_not_match(tmp_path: Path) -> None:
    write_papers(tmp_path, [("2024-10-15", []), ("2024-10-14", []), ("2024-10-06", []), ("2024-10-05", [])])
    stream = Stream.read(tmp_path / "papers.yaml", "papers.yaml")
    assert [d.date for d in stream.head(lambda d: d.date >= date(2024, 10, 7))] == [
        date(2024, 10, 15),
        date(2024, 10, 14),
    ]


# --- writing -------------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def test_write_all_writes_every_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("old\n", encoding="utf-8")
    os.chmod(tmp_path / "README.md", 0o640)
    journal = tmp_path / "journal"
    write_all({tmp_path / "README.md": "new ✓\n", tmp_path / "a" / "b" / "page.md": "page\r\n"}, journal)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "new ✓\n"
    assert (tmp_path / "a" / "b" / "page.md").read_bytes() == b"page\r\n"
    assert (tmp_path / "README.md").stat().st_mode & 0o777 == 0o640
    assert sorted(_tree(tmp_path)) == ["README.md", "a", "a/b", "a/b/page.md"]


def test_write_all_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "archived_papers").write_text("a file where a folder should be\n", encoding="utf-8")
    before = _tree(tmp_path)
    files = {
        tmp_path / "README.md": "new\n",
        tmp_path / "fresh" / "index.md": "fresh\n",
        tmp_path / "archived_papers" / "2024W41.md": "week\n",
        tmp_path / "papers.yaml": "date: 2024-10-15\n",
    }
    with pytest.raises(MapdailyError, match="nothing was changed"):
        write_all(files)
    assert _tree(tmp_path) == before


def test_a_failed_replace_puts_back_what_was_replaced(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "archived_papers.md").mkdir()  # a folder where a file is to be replaced
    before = _tree(tmp_path)
    with pytest.raises(MapdailyError, match="nothing was changed"):
        write_all({tmp_path / "README.md": "new\n", tmp_path / "archived_papers.md": "index\n"})
    assert _tree(tmp_path) == before


def test_the_lock_admits_one_holder(tmp_path: Path) -> None:
    lock = tmp_path / ".mapdaily.lock"
    with locked(lock):
        with pytest.raises(MapdailyError, match="another mapdaily command"):
            with locked(lock, timeout=0.05):
                pass
    with locked(lock, timeout=0.05):
        pass


@settings(max_examples=150, deadline=None)
@example(title="0\\1", style="plain-unicode")  # a backslash between two words
@example(title="ß x", style="ascii-escapes")
@given(
    title=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("ßſKİﬁ'\" :#-\\|\n"),
        min_size=1,
        max_size=40,
    ).filter(lambda t: t.strip()),
    style=st.sampled_from(["plain-unicode", "ascii-escapes", "narrow"]),
)
def test_candidates_find_a_title_however_yaml_wrote_it(title: str, style: str) -> None:
    import yaml as pyyaml

    doc = {"date": date(2020, 1, 1), "papers": [{"title": title}]}
    if style == "plain-unicode":
        body = pyyaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    elif style == "ascii-escapes":
        body = pyyaml.safe_dump(doc, allow_unicode=False, sort_keys=False)
    else:  # folded onto short lines
        body = pyyaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=12)
    filler = "date: 2020-01-02\npapers:\n- title: Something else entirely\n  comment: words words\n"
    stream = Stream(Path("papers.yaml"), "papers.yaml", filler + "---\n" + body)
    stored = stream.day(1).papers[0].title
    same = " ".join(stored.split()).casefold()
    for query in (stored, stored.upper(), stored.casefold(), "  ".join(stored.split())):
        if " ".join(query.split()).casefold() == same:  # the same title to the duplicate rule
            assert 1 in stream.candidates(search_words(query)), (stored, query, body)


def test_deleting_the_first_day_leaves_no_stray_marker_under_the_header(tmp_path: Path) -> None:
    text = "# header\ndate: 2024-10-15\npapers: []\n---\ndate: 2024-10-14\npapers:\n- title: A\n"
    stream = stream_of(tmp_path, text)
    stream.delete_day(0)
    stream.insert_day(0, date(2024, 10, 21))
    assert (
        stream.text()
        == "# header\ndate: 2024-10-21\npapers: []\n---\ndate: 2024-10-14\npapers:\n- title: A\n"
    )
    stream = stream_of(tmp_path, text)
    stream.delete_day(0)
    assert stream.text() == "# header\ndate: 2024-10-14\npapers:\n- title: A\n"
    assert stream.day(0).papers[0].title == "A"
    # A marker holding a comment is the user's text: it stays.
    stream = stream_of(tmp_path, text.replace("---\n", "--- # last week\n"))
    stream.delete_day(0)
    assert stream.text().startswith("# header\n--- # last week\ndate: 2024-10-14\n")


def test_rotate_from_an_empty_day_across_a_week_keeps_the_file_tidy(tmp_path: Path) -> None:
    from conftest import git, run_cli

    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "T")
    git(repo, "config", "user.email", "t@example.com")
    assert run_cli(repo, "init", "--no-commit")[0] == 0
    assert run_cli(repo, "rotate", "--date", "2026-12-07", "--no-commit")[0] == 0
    assert run_cli(repo, "add", "--title", "A", "--no-commit")[0] == 0
    assert run_cli(repo, "rotate", "--date", "2026-12-08", "--no-commit")[0] == 0
    assert run_cli(repo, "rotate", "--date", "2026-12-14", "--no-commit")[0] == 0
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert header.startswith("#") and rest.startswith("date: 2026-12-14\npapers: []\n---\ndate: 2026-12-07\n")

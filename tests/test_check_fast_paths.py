"""The short ways `check` takes give exactly what the long ways give: each is compared with the long
way written out here as it stood before (reading a day off its lines, checking it, escaping cells,
folding spaces, paper keys, finding markers, pairs of days)."""

from __future__ import annotations

import importlib
import re
from datetime import date
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_daylines import ATOMS, PAPERS, TEXT, by_hand

from mapdaily_cli import api, cells, render
from mapdaily_cli.errors import DataError
from mapdaily_cli.model import COMMENT_LINK, CONTROL, Paper, arxiv_ref, canonical_url, comment_link_url
from mapdaily_cli.model import fold_space as quick_fold
from mapdaily_cli.store import daylines
from mapdaily_cli.store.daylines import quick_load
from mapdaily_cli.store.validate import validate_day
from mapdaily_cli.store.yamlio import reads_as_text

# The room of `check` (reached through the package first: importing it by name would shadow
# ``api.check``, the function, with the module).
on_two_days = importlib.import_module(api.check.__module__).on_two_days
Key = tuple[date, str, str, str]

# --- the long ways ------------------------------------------------------------------------------

_UNSURE = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PAPER = re.compile(
    rf"^(- |  )({daylines._KEY}): (?:\"([^\"\\\n]*(?:\\[^\n][^\"\\\n]*)*)\"|'([^'\n]*(?:''[^'\n]*)*)'"
    rf"|({daylines._PLAIN})) *$",
    re.MULTILINE,
)


def _long_value(m: re.Match[str]) -> str | None:
    if m[3] is not None:
        if "\\" not in m[3]:
            return m[3]
        if any(e not in daylines._ESCAPES for e in daylines._ESCAPE.findall(m[3])):
            return None
        return daylines._ESCAPE.sub(lambda e: daylines._ESCAPES[e[1]], m[3])
    if m[4] is not None:
        return m[4].replace("''", "'")
    plain = m[5].rstrip(" ")
    return plain if reads_as_text(plain) else None


def long_load(text: str) -> dict[str, object] | None:
    """A day read off its lines with a regular expression for each line."""
    if _UNSURE.search(text) or daylines.quick_count(text) is None:
        return None
    head = daylines._HEAD.match(text)
    assert head is not None
    when = daylines._date(head[1])
    papers: list[dict[str, str]] | None = [] if head[2] else None
    for m in _PAPER.finditer(text, head.end()):
        value = _long_value(m)
        if value is None or not reads_as_text(m[2]):
            return None
        if m[1] == "- ":
            papers = [] if papers is None else papers
            papers.append({})
        if not papers or m[2] in papers[-1]:
            return None
        papers[-1][m[2]] = value
    return None if when is None else {"date": when, "papers": papers}


def long_fold(text: str) -> str:
    return " ".join(text.split())


def long_links(text: str) -> list[tuple[int, int]]:
    found = COMMENT_LINK.finditer(text)
    return [m.span() for m in found if comment_link_url(m["target"] or m["auto"])]


def long_escape(text: str, open_end: bool = False) -> str:
    specials = list(cells._CELL_SPECIAL.finditer(text))
    lowered = text.lower()
    if not specials and not (open_end and ("://" in lowered or "www." in lowered)):
        return text
    autolinks = "://" in lowered or "www." in lowered
    breaks = cells._autolink_breaks(text, specials, open_end) if autolinks else set()
    if not breaks:
        return cells._CELL_SPECIAL.sub(cells._escape_match, text)
    out, pos = [], 0
    for i in sorted(breaks | {m.start() for m in specials}):
        out.append(text[pos:i])
        m = cells._CELL_SPECIAL.match(text, i)
        out.append(cells._escape_match(m) if m else "\\" + text[i])
        pos = i + 1
    return "".join([*out, text[pos:]])


def long_link_target(url: str) -> str:
    target = cells.quote(long_fold(url).replace(" ", "%20"), safe="-._~:/?#[]@!$&'*+,;=%")
    return cells._ENTITY.sub("&amp;", target)


def long_canonical(url: str) -> str:
    ref = arxiv_ref(url)
    if ref:
        return f"arxiv:{ref.id}"
    return re.sub(r"^https?://(www\.)?", "", url.strip(), flags=re.IGNORECASE).rstrip("/").lower()


def long_pairs(keys: list[Key]) -> dict[tuple[date, date], list[str]]:
    first: dict[tuple[str, str], date] = {}
    pairs: dict[tuple[date, date], list[str]] = {}
    for when, folded, url, title in keys:
        names = [("title", folded)] + ([("url", url)] if url else [])
        newer = next((first[k] for k in names if k in first and first[k] != when), None)
        for k in names:
            first.setdefault(k, when)
        if newer is not None:
            pairs.setdefault((newer, when), []).append(title)
    return pairs


# --- a day read off its lines -----------------------------------------------------------------


def _with_control(data: Any) -> bool:
    return any(CONTROL.search(v) for p in (data or {}).get("papers") or [] for v in p.values())


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAPERS, st.lists(st.integers(0, 4), min_size=1, max_size=6), st.booleans(), st.sampled_from(["", " "]))
@example([{"title": "a\\x07"}], [2], False, "")
@example([{"title": "\x00"}], [0], True, "")
def test_a_day_read_by_its_lines_is_the_day_read_by_patterns(
    papers: list[dict[str, str]], styles: list[int], marker: bool, end: str
) -> None:
    text = ("---\n" if marker else "") + by_hand(papers, styles).rstrip("\n") + end
    quick, long = quick_load(text), long_load(text if text.endswith("\n") else text + "\n")
    # A value that holds a control character (through an escape) is left to the parse to refuse.
    assert quick == long or (quick is None and _with_control(long)), text


#: Values that mostly read as text, some of them blank, some of them not text at all.
VALUES = (
    st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.-]{0,12}", fullmatch=True) | st.sampled_from(["", " ", "x"]) | TEXT
)


def _checked(data: Any, extra: tuple[str, ...] | None) -> object:
    """The day ``validate_day`` makes of ``data``, or the message it refuses it with."""
    try:
        return validate_day(data, lambda path: repr(path), "papers.yaml", extra)
    except DataError as e:
        return e.message


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["title", "title", "url", "tags", "titel"]), VALUES, max_size=3),
        max_size=3,
    ),
    st.lists(st.integers(0, 4), min_size=1, max_size=6),
    st.sampled_from([None, (), ("tags",)]),
    st.sampled_from(["2024-10-15", "'2024-10-15'", "2024-02-30"]),
)
def test_a_day_read_by_its_lines_is_checked_as_a_parsed_one(
    papers: list[dict[str, str]], styles: list[int], extra: tuple[str, ...] | None, written: str
) -> None:
    text = by_hand(papers, styles).replace("date: 2024-10-15", f"date: {written}", 1)
    quick = quick_load(text)
    if quick is not None:
        assert _checked(quick, extra) == _checked(dict(quick), extra), text


# --- cells, folds, keys, markers, pairs ----------------------------------------------------------

CELL_ATOMS = ATOMS | st.sampled_from(
    ["www.", "WWW.x", "http://a.b", "https://x.org/a_b", "[t](https://x.org)", "<https://x.org>", "](",
     "&amp;", ":smile:", "{{", "{%", "|", "`", "*", "_", "~", "$", "\xa0", "\u3000", "  ", "\x1f", "İ"]
)  # fmt: skip
CELL_TEXT = st.lists(CELL_ATOMS, max_size=10).map("".join)


@settings(max_examples=1500, deadline=None)
@given(CELL_TEXT, st.booleans())
@example("a  b", False)
@example(" www.x|y ", True)
def test_cells_and_folds_are_what_the_long_ways_give(text: str, open_end: bool) -> None:
    assert quick_fold(text) == long_fold(text)
    folded = long_fold(text)
    assert cells._escape(folded, open_end) == long_escape(folded, open_end)
    assert [m.span() for m in cells.comment_links(folded)] == long_links(folded)
    assert cells.link_target(text) == long_link_target(text)


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://www.arxiv.org/abs/", ""]),
    st.from_regex(r"[0-9]{4}\.[0-9]{3,6}(v[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["", "/", " ", "x", ".pdf"]),
)
@example("https://arxiv.org/abs/", "0703.1234", "")
@example("https://arxiv.org/abs/", "1501.1234", "")
@example("https://arxiv.org/abs/", "1413.12345", "")
def test_paper_keys_are_what_the_long_way_gives(prefix: str, number: str, suffix: str) -> None:
    url = prefix + number + suffix
    assert canonical_url(url) == long_canonical(url)


@settings(max_examples=300, deadline=None)
@given(CELL_TEXT, st.lists(st.integers(0, 3), max_size=6))
def test_marker_lines_are_those_a_scan_of_every_line_finds(text: str, marks: list[int]) -> None:
    written = ["<!-- mapdaily:start -->", " <!--mapdaily:end checksum=ab12 -->", "x mapdaily:end", ""]
    lines = [text, *[written[i] for i in marks], text]
    page = "\n".join(lines)
    found = [m.span() for m in render.marker_lines(page)]
    assert found == [m.span() for m in render._MARKER_LINE.finditer(page)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["a", "b", "c"]), st.sampled_from(["", "u", "v"])))
)
def test_pairs_of_days_are_found_as_before(rows: list[tuple[int, str, str]]) -> None:
    rows.sort(key=lambda r: -r[0])
    keys = [(date(2024, 10, 20 - d), t, u, t.upper()) for d, t, u in rows]
    messages = on_two_days(keys)
    pairs = long_pairs(keys)
    assert len(messages) == len(pairs)
    for message, ((newer, older), titles) in zip(messages, pairs.items(), strict=True):
        assert message.startswith(f"{len(titles)} paper") and f"of {older.isoformat()}" in message
        assert f"on {newer.isoformat()} too (e.g. {titles[0]!r})" in message


def test_a_paper_title_cell_is_the_long_ways_cell() -> None:
    paper = Paper("A *b* www.x.org|c", "https://x.org/a b&amp;")
    assert (
        cells.title_cell(paper)
        == f"[{long_escape(long_fold(paper.title))}]({long_link_target(paper.url or '')})"
    )

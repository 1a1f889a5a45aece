"""model.py: arXiv ids and url keys, titles, weeks and dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapdaily_cli.model import (
    WEEKDAYS,
    Paper,
    Week,
    arxiv_id,
    canonical_url,
    normalise_title,
    parse_date,
    parse_week_label,
    same_paper,
    validate_url,
    week_of,
)

SAME_ARXIV = [
    "https://arxiv.org/abs/2410.08391",
    "http://arxiv.org/abs/2410.08391",
    "https://arxiv.org/abs/2410.08391v2",
    "https://arxiv.org/pdf/2410.08391",
    "https://arxiv.org/pdf/2410.08391v1.pdf",
    "https://arxiv.org/pdf/2410.08391.pdf",
    "https://www.arxiv.org/abs/2410.08391",
    "https://export.arxiv.org/abs/2410.08391",
    "https://arxiv.org/html/2410.08391v3/",
    "https://arxiv.org/abs/2410.08391?context=cs.CL",
    "https://arxiv.org/abs/2410.08391#section",
    "HTTPS://ArXiv.org/ABS/2410.08391",
    "arxiv.org/abs/2410.08391",
    "  https://arxiv.org/abs/2410.08391  ",
    "arXiv:2410.08391",
    "2410.08391v4",
]


@pytest.mark.parametrize("url", SAME_ARXIV)
def test_every_spelling_of_an_arxiv_link_is_one_paper(url: str) -> None:
    assert arxiv_id(url) == "2410.08391"
    assert canonical_url(url) == "arxiv:2410.08391"


@pytest.mark.parametrize(
    ("url", "aid"),
    [
        ("https://arxiv.org/abs/0704.0001", "0704.0001"),
        ("https://arxiv.org/abs/1501.00001v9", "1501.00001"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/pdf/math.GT/0309136.pdf", "math.gt/0309136"),
    ],
)
def test_old_and_new_identifiers(url: str, aid: str) -> None:
    assert arxiv_id(url) == aid


@pytest.mark.parametrize(
    "url",
    [
        "https://notarxiv.org/abs/2410.08391",
        "https://arxiv.org/abs/2410.083911",
        "https://arxiv.org/list/cs.CL/recent",
        "https://example.com/2410.08391",
        "https://arxiv.org/abs/٢٤١٠.٠٨٣٩١",
        "",
    ],
)
def test_not_arxiv(url: str) -> None:
    assert arxiv_id(url) is None


def test_other_urls_compare_without_scheme_www_case_or_trailing_slash() -> None:
    keys = {
        canonical_url(u)
        for u in ("https://Example.com/Paper/", "http://www.example.com/paper", "example.com/paper")
    }
    assert keys == {"example.com/paper"}
    assert canonical_url("https://example.com/a") != canonical_url("https://example.com/b")


def test_normalise_title() -> None:
    assert normalise_title("  Attention  Is\nAll\tYou Need ") == "attention is all you need"
    assert normalise_title("STRASSE") == normalise_title("straße")
    assert normalise_title("A: B") != normalise_title("A B")


def test_same_paper() -> None:
    a = Paper("Title One", "https://arxiv.org/abs/2410.08391")
    assert same_paper(a, Paper("Another title", "https://arxiv.org/pdf/2410.08391v2.pdf"))
    assert same_paper(a, Paper(" title  one "))
    assert not same_paper(a, Paper("Title Two", "https://arxiv.org/abs/2410.08392"))


def test_validate_url() -> None:
    assert validate_url("https://arxiv.org/abs/2410.08391") is None
    assert validate_url("HTTP://example.com") is None
    assert validate_url("javascript:alert(1)") is not None
    assert validate_url("arxiv.org/abs/1") is not None
    assert validate_url("https:// spaced") is not None


def test_paper_mapping_round_trip() -> None:
    paper = Paper.from_mapping({"title": "T", "url": "", "comment": "c", "extra": 1})
    assert paper == Paper("T", None, None, "c")
    assert paper.to_mapping() == {"title": "T", "comment": "c"}


# --- weeks ---------------------------------------------------------------------------------------


def test_week_of_monday_start() -> None:
    week = week_of(date(2024, 10, 15))
    assert week == Week(date(2024, 10, 7) + timedelta(days=7))
    assert week.start == date(2024, 10, 14) and week.end == date(2024, 10, 20)
    assert week.label == "2024-W42"
    assert week_of(date(2024, 10, 14)) == week and week_of(date(2024, 10, 20)) == week
    assert week_of(date(2024, 10, 13)).label == "2024-W41"


def test_week_of_sunday_start() -> None:
    sunday = WEEKDAYS.index("sunday")
    week = week_of(date(2024, 10, 15), sunday)
    assert (week.start, week.end) == (date(2024, 10, 13), date(2024, 10, 19))
    assert week.label == "2024-W42"  # six of its seven days are in ISO week 42
    assert week_of(date(2024, 10, 13), sunday) == week
    assert week_of(date(2024, 10, 12), sunday).start == date(2024, 10, 6)
    assert week.contains(date(2024, 10, 19)) and not week.contains(date(2024, 10, 20))


def test_weeks_at_the_turn_of_the_year() -> None:
    assert week_of(date(2024, 12, 31)).label == "2025-W01"
    assert week_of(date(2021, 1, 3)).label == "2020-W53"
    assert week_of(date(2021, 1, 3), 6).label == "2021-W01"


@pytest.mark.parametrize(
    ("text", "first_weekday", "start"),
    [
        ("2024-W41", 0, date(2024, 10, 7)),
        ("2024W41", 0, date(2024, 10, 7)),
        (" 2024-w41 ", 0, date(2024, 10, 7)),
        ("2024-W1", 0, date(2024, 1, 1)),
        ("2020-W53", 0, date(2020, 12, 28)),
        ("2024-W41", 6, date(2024, 10, 6)),
    ],
)
def test_parse_week_label(text: str, first_weekday: int, start: date) -> None:
    assert parse_week_label(text, first_weekday) == Week(start)


@pytest.mark.parametrize(
    "text", ["2024-41", "W41", "2024-W", "2024-W00", "2024-W53", "٢٠٢٤-W41", "2024-W41x"]
)
def test_parse_week_label_errors(text: str) -> None:
    with pytest.raises(ValueError, match="week"):
        parse_week_label(text)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(1900, 1, 8), date(2200, 12, 24)), first_weekday=st.integers(0, 6))
def test_a_week_label_names_its_week(day: date, first_weekday: int) -> None:
    week = week_of(day, first_weekday)
    assert week.contains(day) and week.start.weekday() == first_weekday
    assert parse_week_label(week.label, first_weekday) == week
    assert week_of(week.end + timedelta(days=1), first_weekday).start == week.end + timedelta(days=1)


# --- dates ---------------------------------------------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2024-10-15") == date(2024, 10, 15)
    assert parse_date(" 2024-10-15\n") == date(2024, 10, 15)


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-45",
        "2024-02-30",
        "2024-1-5",
        "15/10/2024",
        "20241015",
        "2024-10-15T00:00",
        "",
        "today",
        "٢٠٢٤-١٠-١٥",
    ],
)
def test_parse_date_errors(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value) == f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-15"

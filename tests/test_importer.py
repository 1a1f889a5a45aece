"""Tests for the importer: hand-kept digest pages to days, text repair, merging."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapdaily_cli.importer import PageWarning, ParsedPage, merge_days, parse_page, repair_text
from mapdaily_cli.model import Day, Paper

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def mojibake(text: str) -> str:
    """``text`` as it reads after its UTF-8 was decoded as Mac Roman."""
    return text.encode("utf-8").decode("mac_roman")


# --------------------------------------------------------------------------- the seed


def test_seed_days_and_papers() -> None:
    page = parse_page(read("seed-README.md"), "README.md")
    assert [d.date for d in page.days] == [date(2024, 10, 15), date(2024, 10, 14)]
    assert [len(d.papers) for d in page.days] == [19, 19]
    assert page.warnings == ()
    # Every cell holding a non-ASCII character was double-encoded: 12 per day.
    assert page.repairs == 24

    today = {p.title: p for p in page.days[0].papers}
    first = page.days[0].papers[0]
    assert (first.title, first.url, first.affiliation) == (
        "Editing Massive Concepts in Text-to-Image Diffusion Models",
        None,
        "HKU, THU",
    )
    assert first.comment is not None
    assert first.comment.endswith(
        "is a valuable contribution—such a large-scale benchmark has not been seen before."
    )
    auto = "∀uto∃∨∧L: Autonomous Evaluation of LLMs for Truth Maintenance and Reasoning Tasks"
    assert today[auto] == Paper(
        title=auto,
        affiliation="Arizona State University",
        comment="This could serve as a scalable fluid intelligence benchmark.",
    )
    novo = today["NoVo: Norm Voting off Hallucinations with Attention Heads in Large Language Models"]
    assert novo.affiliation is None
    assert novo.comment is not None and novo.comment.startswith(
        "This research explores controlling behavior by manipulating attention heads during inference. "
        "It’s an intriguing concept"
    )
    cryo = today["CryoFM: A Flow-based Foundation Model for Cryo-EM Densities"]
    assert cryo == Paper(
        title="CryoFM: A Flow-based Foundation Model for Cryo-EM Densities",
        affiliation="Bytedance Research",
        comment=None,
    )
    agents = today["Agents Thinking Fast and Slow: A Talker-Reasoner Architecture"].comment or ""
    assert agents.startswith("Google’s agent framework")
    assert "a “talker” directing a “reasoner”" in agents
    looped = today[
        "Can Looped Transformers Learn to Implement Multi-step Gradient Descent for In-context Learning?"
    ].comment
    assert looped is not None and "such research—the lack of in-depth data analysis" in looped

    all_text = "".join(
        f"{p.title}{p.affiliation or ''}{p.comment or ''}" for d in page.days for p in d.papers
    )
    assert {c for c in all_text if ord(c) > 127} == {"∀", "∃", "∨", "∧", "’", "“", "”", "—"}
    assert page.days[0].papers == page.days[1].papers


def test_seed_digest_span() -> None:
    text = read("seed-README.md")
    page = parse_page(text, "README.md")
    assert page.digest_span is not None
    start, end = page.digest_span
    assert text[:start].endswith("<hr/>\n\n")
    assert text[start:].startswith("## \uf8ffüî• Paper Today: 15/10/2024\n")
    assert text[:end].endswith("</details>\n\n")
    assert text[end:].startswith("<hr/>\n\nIf you are")


def test_crlf_page_reads_the_same_and_spans_the_original_text() -> None:
    text = read("seed-README.md").replace("\n", "\r\n")
    page = parse_page(text, "README.md")
    assert page.days == parse_page(read("seed-README.md"), "README.md").days
    assert page.digest_span is not None
    start, end = page.digest_span
    assert text[:start].endswith("<hr/>\r\n\r\n")
    assert text[end:].startswith("<hr/>\r\n\r\nIf you are")


# --------------------------------------------------------------------------- repair_text


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("\uf8ffüî•", "🔥"),
        ("\uf8ffüõ†Ô∏è", "🛠️"),
        ("‚Äî", "—"),
        ("‚Äô", "’"),
        ("‚Äú", "“"),
        ("‚Äù", "”"),
        ("Universit√©", "Université"),
    ],
)
def test_repair_note_examples(broken: str, fixed: str) -> None:
    assert repair_text(broken) == (fixed, 1)


def test_repair_counts_each_run() -> None:
    assert repair_text("‚àÄuto‚àÉ‚à®‚àßL") == ("∀uto∃∨∧L", 2)
    assert repair_text("It‚Äôs a ‚Äútalker‚Äù") == ("It’s a “talker”", 3)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ASCII | with pipes \\| and <tags>",
        "é",
        "café",
        "Université de Montréal",
        "naïve façade",
        "🔥",
        "🛠️ Papers This Week",
        "—",
        "It’s “fine” — leave it.",
        "清华大学",
        "中文标题：大模型",
        "“Über” and “Ära”",
        "l’été, «Été», —à la carte, « déjà »",
        "∀uto∃∨∧L",
        "\uf8ff",
    ],
)
def test_repair_leaves_correct_text_alone(text: str) -> None:
    assert repair_text(text) == (text, 0)


def test_repair_refuses_control_characters() -> None:
    # "¬Ä" is the Mac Roman reading of C2 80, the UTF-8 of the control character U+0080.
    assert repair_text("a¬Äb") == ("a¬Äb", 0)


def test_repair_mixed_text_fixes_only_the_broken_runs() -> None:
    text = f"Tsinghua 清华, {mojibake('Montréal')} and Montréal"
    assert repair_text(text) == ("Tsinghua 清华, Montréal and Montréal", 1)


# Characters whose double encoding is left alone on purpose: controls, combining marks, and the
# two-byte letters whose Mac Roman reading starts with typographic punctuation ("“Ä" for "Ҁ").
_PUNCTUATION = set("«»…\u00a0–—“”‘’‹›")


def _repairable(c: str) -> bool:
    encoded = mojibake(c)
    return not (len(encoded) == 2 and encoded[0] in _PUNCTUATION)


_CLEAN_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Mn", "Mc", "Me")).filter(_repairable)


def _non_ascii_runs(text: str) -> int:
    runs, inside = 0, False
    for c in text:
        if ord(c) > 127 and not inside:
            runs += 1
        inside = ord(c) > 127
    return runs


@given(st.text(_CLEAN_CHARACTERS, max_size=40))
def test_repair_undoes_the_double_encoding(text: str) -> None:
    assert repair_text(mojibake(text)) == (text, _non_ascii_runs(text))


def _not_mac_roman(c: str) -> bool:
    try:
        c.encode("mac_roman")
    except UnicodeEncodeError:
        return True
    return ord(c) < 128


@given(st.text(st.characters().filter(_not_mac_roman), max_size=40))
def test_repair_never_changes_text_outside_mac_roman(text: str) -> None:
    assert repair_text(text) == (text, 0)


@given(
    st.lists(
        st.tuples(st.text(st.characters(max_codepoint=127), min_size=1, max_size=5), st.characters()),
        max_size=10,
    )
)
def test_repair_never_changes_a_lone_non_ascii_character(pieces: list[tuple[str, str]]) -> None:
    text = "".join(ascii_part + c for ascii_part, c in pieces)
    if _non_ascii_runs(text) == sum(ord(c) > 127 for c in text):
        assert repair_text(text) == (text, 0)


# --------------------------------------------------------------------------- the kinds of mess


def P(
    title: str, affiliation: str | None = None, comment: str | None = None, url: str | None = None
) -> Paper:
    return Paper(title=title, url=url, affiliation=affiliation, comment=comment)


CASES: dict[str, tuple[list[tuple[date, list[Paper]]], list[tuple[int, str]]]] = {
    "link-titles.md": (
        [
            (
                date(2024, 11, 5),
                [
                    P(
                        "Parrots and Experts: Memorisation in Sparse Models",
                        "Harvard University",
                        "Experts help recall more than reasoning.",
                        url="https://arxiv.org/pdf/2410.14516",
                    ),
                    P(
                        "Unlearning Characters Across Modalities",
                        "AIRI",
                        "A benchmark for unlearning; see [the code](https://github.com/example/unlearn).",
                        url="https://arxiv.org/abs/2410.18057v1",
                    ),
                    P("A Title Written Without a Link", None, "Kept as written."),
                ],
            )
        ],
        [],
    ),
    "paper-comments.md": (
        [
            (
                date(2024, 10, 31),
                [
                    P("Sparse Probes for Reasoning Depth", None, "A careful probing study."),
                    P("Retrieval Heads in Long-Context Models", None, "Worth a read."),
                ],
            )
        ],
        [],
    ),
    "main-affiliation.md": (
        [
            (
                date(2024, 10, 30),
                [
                    P("Token Budgets for Chain-of-Thought", "Peking University", "Cheap and effective."),
                    P("Scaling Laws for Tabular Models", "Google DeepMind", "A clean sweep of sizes."),
                ],
            )
        ],
        [],
    ),
    "separators.md": (
        [
            (date(2024, 10, 29), [P("Colon Separator Paper", "MIT", "One.")]),
            (date(2024, 10, 28), [P("Spaced Separator Paper", "CMU", "Two.")]),
            (date(2024, 10, 27), [P("Short Separator Paper", "ETH Zurich", "Three.")]),
        ],
        [],
    ),
    "no-closing-pipe.md": (
        [
            (
                date(2024, 10, 25),
                [
                    P("Rows Without a Closing Pipe", "Stanford", "The last pipe is missing."),
                    P("A Row That Has One", "Meta AI", "This row is complete."),
                    P("Trailing Spaces Only", "Mila", "Missing pipe, trailing spaces."),
                ],
            )
        ],
        [],
    ),
    "full-width-bars.md": (
        [
            (
                date(2024, 11, 12),
                [
                    P("Typed With Full-Width Bars", "Peking University", "An input method typed the bars."),
                    P("Full-Width All Around", "Zhejiang University", "Even the outer bars."),
                    P("One Bar of Each", "Fudan University", "Mixed bars."),
                    P("Title ｜ With a Bar in It", "SJTU", "A well-formed row keeps the bar in its title."),
                ],
            )
        ],
        [(line, "cells separated by full-width bars (｜); read as columns") for line in (5, 6, 7)],
    ),
    "continuation-lines.md": (
        [
            (
                date(2024, 11, 13),
                [
                    P(
                        "A Row Broken Over Two Lines",
                        "Nanjing University",
                        "The comment was long, so it went on on the next line.",
                    ),
                    P("Three Lines", "USTC", "One, two, three."),
                    P("No Closing Bar", "HKUST", "And the next line opens with one"),
                    P("Its Own Row", "CUHK", "So it is not joined."),
                ],
            )
        ],
        [
            (5, "line 6 continues this row; read as one row"),
            (7, "line 8 continues this row; read as one row"),
            (7, "line 9 continues this row; read as one row"),
        ],
    ),
    "summary-dates.md": (
        [
            (date(2024, 11, 7), [P("Single Digit Day", None, "Written 7/11/2024.")]),
            (date(2024, 11, 6), [P("Leading Space Day", None, "Written with a space before it.")]),
            (date(2024, 11, 5), [P("Stray Spaces Day", None, "Spaces all around.")]),
        ],
        [],
    ),
    "blank-after-details.md": (
        [
            (
                date(2024, 10, 22),
                [
                    P("Blank Line After Details", "UCL", "The summary stands alone."),
                    P("Another Paper That Day", "Oxford", "Still read."),
                ],
            )
        ],
        [],
    ),
    "hr-between-details.md": (
        [
            (date(2024, 10, 24), [P("Thursday Paper", "KAIST", "Before the rule.")]),
            (date(2024, 10, 23), [P("Wednesday Paper", "NUS", "After the rule.")]),
        ],
        [],
    ),
    "div-center.md": (
        [
            (
                date(2024, 10, 18),
                [
                    P("Centred With a Div", "Alibaba", "Wrapped in a div."),
                    P("Second Centred Paper", "ByteDance", "Also wrapped."),
                ],
            )
        ],
        [],
    ),
    "glued-table.md": (
        [
            (
                date(2024, 10, 17),
                [
                    P("Glued to the Table Tag", "Tsinghua University", "No blank line above."),
                    P("Also Glued", "Fudan University", "Nor below."),
                ],
            ),
            (
                date(2024, 10, 16),
                [P("Glued Inside Details", "Zhejiang University", "Summary, div and table in one block.")],
            ),
        ],
        [],
    ),
    "paper-colon-heading.md": (
        [
            (
                date(2024, 11, 4),
                [
                    P("A Heading Without Today", None, 'The heading reads "Paper :".'),
                    P("Second Paper Under It", None, "Read as the same day."),
                ],
            )
        ],
        [],
    ),
    "empty-table.md": (
        [
            (date(2024, 11, 12), []),
            (date(2024, 11, 11), [P("The Day Before Had Nothing", "Apple", "This day has one paper.")]),
        ],
        [(2, "empty day 12/11/2024 (kept, with no papers)")],
    ),
    "placeholder-row.md": (
        [
            (
                date(2024, 11, 13),
                [P("Real Paper Before", "NVIDIA", "Kept."), P("Real Paper After", "Microsoft", "Also kept.")],
            )
        ],
        [(6, "placeholder row skipped: x | y | z")],
    ),
    "dash-no-value.md": (
        [
            (
                date(2024, 11, 14),
                [
                    P("No Comment Yet", "Princeton", None),
                    P("No Affiliation Known", None, "Has a comment."),
                    P("Neither", None, None),
                ],
            )
        ],
        [],
    ),
    "same-day-twice.md": (
        [
            (
                date(2024, 11, 8),
                [
                    P("Friday Paper One", "Yale", "First copy."),
                    P("Friday Paper Two", "Duke", "First copy."),
                    P("Friday Paper Three", "Brown", "Only in the second copy."),
                ],
            ),
            (date(2024, 11, 7), [P("Thursday Paper", "Rice", "Between the copies.")]),
        ],
        [
            (19, "day 08/11/2024 appears twice in this file (first at line 2); its papers are merged"),
            (23, '"Friday Paper One" is already listed on 08/11/2024; skipped'),
        ],
    ),
    "mistyped-month.md": (
        [
            (date(2024, 11, 8), [P("Friday Paper", None, "Fine.")]),
            (date(2024, 10, 7), [P("Thursday Paper", None, "Its month was mistyped.")]),
            (date(2024, 11, 6), [P("Wednesday Paper", None, "Fine.")]),
        ],
        [(10, "day 07/10/2024 lies outside the week of its neighbours (likely a typo)")],
    ),
    "extra-cells.md": (
        [
            (
                date(2024, 11, 15),
                [
                    P("Pipes | Escaped in a Title", "Cornell", "Escaped pipes stay text."),
                    P("Unescaped Pipe in a Comment", "Berkeley", "Compares A | B directly."),
                    P("Bold and code in a Title", "UW & AI2", "Line break and tags dropped."),
                ],
            )
        ],
        [
            (
                6,
                "row has 4 cells but the table has 3 columns; "
                "the extra cells are joined into the last column",
            )
        ],
    ),
    "mojibake.md": (
        [
            (
                date(2024, 10, 21),
                [
                    P("∀uto∃∨∧L: Double-Encoded Title", "Université de Montréal", "It’s “good” — really."),
                    P("Already Correct Text", "Tsinghua 清华, Université", "It’s “fine” — leave it."),
                ],
            )
        ],
        [],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture(name: str) -> None:
    expected_days, expected_warnings = CASES[name]
    page = parse_page(read(name), name, today_year=2024)
    assert [(d.date, list(d.papers)) for d in page.days] == expected_days
    assert page.warnings == tuple(PageWarning(name, line, msg) for line, msg in expected_warnings)
    assert page.digest_span is not None


def test_fixture_list_is_complete() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.md")} - {"seed-README.md"}
    assert on_disk == set(CASES)


def test_mojibake_fixture_counts_repaired_fields() -> None:
    assert parse_page(read("mojibake.md"), "mojibake.md").repairs == 3


def test_warning_names_file_and_line() -> None:
    (warning,) = parse_page(read("mistyped-month.md"), "archive/2024W45.md").warnings
    assert str(warning) == (
        "archive/2024W45.md:10: day 07/10/2024 lies outside the week of its neighbours (likely a typo)"
    )
    assert (
        read("mistyped-month.md").splitlines()[warning.line - 1] == "<summary> <b>07/10/2024</b> </summary>"
    )


def test_span_of_an_archive_page_leaves_header_and_footer_out() -> None:
    text = read("hr-between-details.md")
    span = parse_page(text, "w.md").digest_span
    assert span is not None
    assert text[: span[0]] == "# Archive: week 43\n\n"
    assert text[span[1] :] == "<hr/>\n\n[Back to the index](../archived_papers.md)\n"


def test_span_reaches_the_end_of_a_page_without_footer() -> None:
    text = read("glued-table.md")
    assert parse_page(text, "g.md").digest_span == (0, len(text))


# --------------------------------------------------------------------------- smaller cases

_MARKDOWN_PIECES = st.sampled_from(
    ["|", " ", "\n", "\r", "-", ":", "<details>", "</details>", "<summary>", "</summary>", "<b>",
     "14/10/2024", "31/02/2024", "## ", "Paper", "Comments", '<table class="center">', "</table>",
     "</div>", "x", "\\|", "[t](https://a.b)", "`", "<!--", "-->", "√©", "\t", "    ", "> "]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_MARKDOWN_PIECES, max_size=40).map("".join))
def test_any_page_is_read_without_error(text: str) -> None:
    page = parse_page(text, "fuzz.md", today_year=2024)
    if page.digest_span is not None:
        start, end = page.digest_span
        assert 0 <= start <= end <= len(text)


def test_page_without_digest() -> None:
    text = "# Notes\n\n| Command | Does |\n|---|---|\n| add | adds |\n"
    assert parse_page(text, "NOTES.md") == ParsedPage(days=(), warnings=(), repairs=0, digest_span=None)


def test_table_of_papers_without_a_date() -> None:
    text = "| Paper | Comments |\n|---|---|\n| Orphan | No date. |\n"
    page = parse_page(text, "x.md")
    assert page.days == ()
    assert page.warnings == (PageWarning("x.md", 1, "table of papers without a date before it; skipped"),)


def test_impossible_date_is_warned_and_its_table_skipped() -> None:
    text = "## Paper Today: 31/09/2024\n\n| Paper | Comments |\n|---|---|\n| Lost | - |\n"
    page = parse_page(text, "x.md")
    assert page.days == ()
    assert page.warnings == (PageWarning("x.md", 1, "31/09/2024 is not a date; its papers are skipped"),)


def test_year_after_today_year_is_warned() -> None:
    text = "## Paper Today: 15/10/2025\n\n| Paper | Comments |\n|---|---|\n| Soon | - |\n"
    page = parse_page(text, "x.md", today_year=2024)
    assert page.warnings == (
        PageWarning("x.md", 1, "day 15/10/2025 lies after the year 2024 (likely a typo)"),
    )
    assert parse_page(text, "x.md").warnings == ()


def _archive(*dates: str) -> str:
    return "".join(
        f"<details>\n<summary> <b>{d}</b> </summary>\n\n| Paper |\n|---|\n| On {d} |\n\n</details>\n"
        for d in dates
    )


def test_mistyped_first_day_is_warned() -> None:
    page = parse_page(_archive("07/10/2024", "06/11/2024", "05/11/2024"), "x.md")
    assert [w.message for w in page.warnings] == [
        "day 07/10/2024 lies outside the week of its neighbours (likely a typo)"
    ]
    assert page.warnings[0].line == 2


def test_two_days_far_apart_are_warned_once() -> None:
    page = parse_page(_archive("08/11/2024", "07/10/2024"), "x.md")
    assert [(w.line, w.message) for w in page.warnings] == [
        (10, "days 08/11/2024 and 07/10/2024 are 32 days apart (likely a typo)")
    ]


def test_consecutive_weeks_are_not_warned() -> None:
    page = parse_page(_archive("15/10/2024", "14/10/2024", "11/10/2024", "07/10/2024"), "x.md")
    assert page.warnings == ()


def test_commented_out_table_is_not_read() -> None:
    text = (
        "## Paper Today: 15/10/2024\n\n<!--\n| Paper |\n|---|\n| Hidden |\n-->\n| Paper |\n|---|\n| Shown |\n"
    )
    (day,) = parse_page(text, "x.md").days
    assert day.papers == (P("Shown"),)


def test_cells_with_markup() -> None:
    text = (
        "## Paper Today: 15/10/2024\n\n| Paper | Affiliation | Comments |\n|---|---|---|\n"
        "| [A *Linked* Title](https://arxiv.org/abs/2410.08391) | Apple | See <https://apple.com>. |\n"
        "| Paper | Affiliation | Comments |\n"
        "|  |  |  |\n"
        "| - | MIT | A row without a title. |\n"
    )
    page = parse_page(text, "x.md")
    (day,) = page.days
    assert day.papers == (
        P("A Linked Title", "Apple", "See https://apple.com.", url="https://arxiv.org/abs/2410.08391"),
    )
    assert [(w.line, w.message) for w in page.warnings] == [
        (6, "repeated header row skipped"),
        (7, "empty row skipped"),
        (8, "row without a paper title skipped: - | MIT | A row without a title."),
    ]


# --------------------------------------------------------------------------- merge_days


def _incoming(*names: str) -> list[tuple[str, Day]]:
    return [(name, day) for name in names for day in parse_page(read(name), name).days]


def test_merging_the_same_files_twice_adds_nothing() -> None:
    incoming = _incoming("same-day-twice.md", "summary-dates.md", "seed-README.md")
    first = merge_days([], incoming)
    assert first.added == 3 + 1 + 3 + 19 + 19
    assert first.skipped == 0
    again = merge_days(first.days, incoming)
    assert (again.added, again.skipped) == (0, first.added)
    assert again.days == first.days
    assert again.warnings == ()


def test_merged_days_are_newest_first_with_unique_dates() -> None:
    result = merge_days([], _incoming("summary-dates.md", "seed-README.md", "same-day-twice.md"))
    dates = [d.date for d in result.days]
    assert dates == sorted(dates, reverse=True)
    assert dates == [
        date(2024, 11, 8),
        date(2024, 11, 7),
        date(2024, 11, 6),
        date(2024, 11, 5),
        date(2024, 10, 15),
        date(2024, 10, 14),
    ]
    thursday = result.days[1]
    assert [p.title for p in thursday.papers] == ["Single Digit Day", "Thursday Paper"]


def test_same_date_merges_into_one_day() -> None:
    a, b, c = P("A", comment="a"), P("B", comment="b"), P("C")
    existing = [Day(date(2024, 11, 8), (a, b))]
    incoming = [("x.md", Day(date(2024, 11, 8), (b, c))), ("y.md", Day(date(2024, 11, 9), (c,)))]
    result = merge_days(existing, incoming)
    assert result.days == (Day(date(2024, 11, 9), (c,)), Day(date(2024, 11, 8), (a, b, c)))
    assert (result.added, result.skipped) == (2, 1)
    assert [str(w) for w in result.warnings] == ['y.md: "C" (09/11/2024) is also listed on 08/11/2024']


def test_cross_day_duplicates_are_kept_and_warned() -> None:
    result = merge_days([], _incoming("seed-README.md"))
    assert [len(d.papers) for d in result.days] == [19, 19]
    assert len(result.warnings) == 19
    assert result.warnings[0] == PageWarning(
        "seed-README.md",
        0,
        '"Editing Massive Concepts in Text-to-Image Diffusion Models" (14/10/2024) is also listed on '
        "15/10/2024",
    )


def test_same_paper_by_url_is_warned() -> None:
    existing = [Day(date(2024, 10, 15), (P("KV Prediction", url="https://arxiv.org/abs/2410.08391"),))]
    incoming = [("x.md", Day(date(2024, 10, 16), (P("KV Prediction v2", url="arxiv.org/pdf/2410.08391v2"),)))]
    result = merge_days(existing, incoming)
    assert result.added == 1
    assert [w.message for w in result.warnings] == [
        '"KV Prediction v2" (16/10/2024) is also listed on 15/10/2024'
    ]


def test_paper_moved_since_import_is_not_added_back() -> None:
    moved = P("Moved Paper", comment="c")
    existing = [Day(date(2024, 10, 16), (moved,)), Day(date(2024, 10, 15), ())]
    result = merge_days(existing, [("x.md", Day(date(2024, 10, 15), (moved,)))])
    assert (result.added, result.skipped) == (0, 1)
    assert result.days == tuple(existing)


def test_empty_incoming_day_is_kept() -> None:
    result = merge_days([], _incoming("empty-table.md"))
    assert [(d.date, len(d.papers)) for d in result.days] == [
        (date(2024, 11, 12), 0),
        (date(2024, 11, 11), 1),
    ]


def test_link_column_and_title_link() -> None:
    text = (
        "## Paper Today: 15/10/2024\n\n| Paper | Link | Comments |\n|---|---|---|\n"
        "| From the Column | [pdf](https://arxiv.org/pdf/2410.00001) | - |\n"
        "| [From the Title](https://arxiv.org/abs/2410.00002) | - | - |\n"
    )
    (day,) = parse_page(text, "x.md").days
    assert day.papers == (
        P("From the Column", url="https://arxiv.org/pdf/2410.00001"),
        P("From the Title", url="https://arxiv.org/abs/2410.00002"),
    )


def test_rows_without_a_separator_row_are_warned() -> None:
    text = "## Paper Today: 15/10/2024\n\n| Paper | Comments |\n| Lost | No separator. |\n"
    page = parse_page(text, "x.md")
    assert page.days == (Day(date(2024, 10, 15), ()),)
    assert [(w.line, w.message) for w in page.warnings] == [
        (1, "empty day 15/10/2024 (kept, with no papers)"),
        (3, "lines that look like table rows could not be read as a table; skipped"),
    ]


def test_heading_with_a_date_range_is_not_a_day() -> None:
    text = "## Week 42: 14/10/2024 – 20/10/2024\n\n" + _archive("15/10/2024")
    page = parse_page(text, "w.md")
    assert [d.date for d in page.days] == [date(2024, 10, 15)]
    assert page.warnings == ()
    assert page.digest_span is not None
    assert text[page.digest_span[0] :].startswith("<details>")


def test_a_comment_keeps_its_links_as_links_where_a_comment_can_hold_them() -> None:
    text = (
        "## Paper Today: 15/10/2024\n\n| Paper | Affiliation | Comments |\n|---|---|---|\n"
        "| T | [Lab](https://lab.org) | see [ the code ](https://x.org/c), [*data*](https://d.org/a_b)"
        " and <https://a.org>; ![img](https://i.org/p) ![x [y](https://y.org) [js](javascript:alert(1))"
        " [https://u.org](https://u.org) |\n"
    )
    (day,) = parse_page(text, "x.md").days
    (paper,) = day.papers
    assert paper.affiliation == "Lab (https://lab.org)"
    # The spaces inside a link's text stay where a reader sees them; a link after a "!" that is no
    # image stays a link; a link to no http(s) url is text (markdown makes none of it either).
    assert paper.comment == (
        "see [the code](https://x.org/c) , [data](https://d.org/a_b) and https://a.org; img ![x"
        " [y](https://y.org) [js](javascript:alert(1)) https://u.org"
    )

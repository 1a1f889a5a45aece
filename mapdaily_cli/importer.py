"""Hand-kept markdown digest pages (README and archive pages) to days of papers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from .model import Day, Paper, canonical_url, fold_space, normalise_title

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True)
class PageWarning:
    """Something on a page the importer read around; ``line`` is 1-based, 0 when no line applies."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ParsedPage:
    """The days read from one page, what was odd about it, and where its digest sections are.

    ``digest_span`` is ``[start, end)`` in the original text: from the start of the line of the first
    digest element (a "Paper Today"/"Papers This Week" heading, a dated heading or a day's
    ``<details>`` block) to the start of the first non-blank line after the last one. None when the
    page holds no digest sections.
    """

    days: tuple[Day, ...]
    warnings: tuple[PageWarning, ...]
    repairs: int
    digest_span: tuple[int, int] | None
    #: For each day, the line of each of its papers' rows.
    paper_lines: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """Days after a merge (newest first, dates unique) and what the merge did."""

    days: tuple[Day, ...]
    added: int
    skipped: int
    warnings: tuple[PageWarning, ...]


# --------------------------------------------------------------------------- text repair

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")

# Typographic marks whose Mac Roman bytes are also UTF-8 lead bytes: a mark followed by one accented
# letter ("“Über”", "l’été", "—à") would decode to a single Cyrillic, Armenian or Latin Extended letter.
_PUNCTUATION_LEADS = frozenset("«»…\u00a0–—“”‘’‹›")


def repair_text(text: str) -> tuple[str, int]:
    """Undo UTF-8 that was read as Mac Roman and saved again as UTF-8 (``üî•`` for 🔥).

    Each maximal run of non-ASCII characters is replaced by ``run.encode("mac_roman").decode("utf-8")``
    only when that round trip succeeds exactly and the result holds no control character. A run that is
    more likely correct text than a double encoding is left alone too: two characters opening with
    typographic punctuation (``“Ä`` in "“Ära”", ``’é`` in "l’été"), or one that would decode to a
    combining mark with nothing to combine with. Returns the text and the number of runs repaired.
    """
    repaired = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal repaired
        run = match.group()
        if len(run) == 2 and run[0] in _PUNCTUATION_LEADS:
            return run
        try:
            fixed = run.encode("mac_roman").decode("utf-8")
        except UnicodeError:
            return run
        if any(unicodedata.category(c) == "Cc" for c in fixed):
            return run
        if unicodedata.category(fixed[0]).startswith("M"):
            before = text[match.start() - 1] if match.start() else ""
            if not before.isalnum():
                return run
        repaired += 1
        return fixed

    return _NON_ASCII_RUN.sub(fix, text), repaired


# --------------------------------------------------------------------------- markdown


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    class _Markdown(MarkdownIt):
        # Links are kept as written; markdown-it would percent-encode them.
        def normalizeLink(self, url: str) -> str:
            return url

        def normalizeLinkText(self, link: str) -> str:
            return link

    return _Markdown("commonmark").enable(["table", "strikethrough"])


def _split_row(line: str) -> list[str]:
    """A table line's cells, split as markdown-it splits them (``\\|`` unescaped, outer pipes dropped)."""
    from markdown_it.rules_block.table import escapedSplit

    cells = escapedSplit(line.strip())
    if cells and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return cells


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _fix_delimiter_rows(lines: list[str]) -> list[str]:
    """Give each table's delimiter row as many cells as its header (``|:---|`` under three columns)."""
    fixed = list(lines)
    for i in range(1, len(lines)):
        line, header = lines[i], lines[i - 1]
        if "|" not in line or not _DELIMITER_ROW.match(line):
            continue
        if "|" not in header or _DELIMITER_ROW.match(header):
            continue
        columns = len(_split_row(header))
        if columns and columns != len(_split_row(line)):
            fixed[i] = "|" + ":---|" * columns
    return fixed


@dataclass(frozen=True)
class _Heading:
    line: int
    text: str


@dataclass(frozen=True)
class _TagLine:
    line: int
    text: str


@dataclass(frozen=True)
class _Row:
    line: int
    cells: tuple[Token, ...]


@dataclass(frozen=True)
class _Table:
    line: int
    end: int
    header: tuple[Token, ...]
    rows: tuple[_Row, ...]


@dataclass(frozen=True)
class _PipeParagraph:
    line: int


_Event = _Heading | _TagLine | _Table | _PipeParagraph

# HTML blocks whose content readers never see as markdown: comments, <pre>, <script>, ...
_OPAQUE_HTML = re.compile(r"^\s*<(!|\?|pre\b|script\b|style\b|textarea\b)", re.IGNORECASE)


def _events(lines: list[str], first: int) -> Iterator[_Event]:
    """The headings, HTML tag lines and tables of ``lines`` (line ``first`` of the page onwards), in order.

    Markdown inside an HTML block (a table glued to ``<table class="center">``) is read by parsing the
    block's non-tag lines again.
    """
    tokens = _markdown().parse("\n".join(lines))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        start = token.map[0] if token.map else 0
        if token.type == "heading_open":
            yield _Heading(first + start, tokens[i + 1].content)
        elif token.type == "table_open":
            j = i
            header: list[Token] = []
            rows: list[_Row] = []
            row: list[Token] = []
            row_line = start
            in_head = False
            while tokens[j].type != "table_close":
                t = tokens[j]
                if t.type == "thead_open":
                    in_head = True
                elif t.type == "thead_close":
                    in_head = False
                elif t.type == "tr_open":
                    row = []
                    row_line = t.map[0] if t.map else start
                elif t.type == "inline":
                    row.append(t)
                elif t.type == "tr_close":
                    if in_head:
                        header = row
                    else:
                        rows.append(_Row(first + row_line, tuple(row)))
                j += 1
            end = token.map[1] if token.map else start + 1
            yield _Table(first + start, first + end, tuple(header), tuple(rows))
            i = j
        elif token.type == "paragraph_open":
            inline = tokens[i + 1].content.splitlines()
            if sum(s.lstrip().startswith("|") for s in inline) >= 2:
                yield _PipeParagraph(first + start)
        elif token.type == "html_block" and not _OPAQUE_HTML.match(token.content):
            block = token.content.split("\n")
            if block and block[-1] == "":
                block.pop()
            run: list[str] = []
            run_start = 0
            for k, text in enumerate(block):
                if text.lstrip().startswith("<"):
                    if run:
                        yield from _events(run, first + start + run_start)
                        run = []
                    yield _TagLine(first + start + k, text)
                else:
                    if not run:
                        run_start = k
                    run.append(text)
            if run:
                yield from _events(run, first + start + run_start)
        i += 1


# --------------------------------------------------------------------------- cells

_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


@dataclass(frozen=True)
class _Cell:
    text: str
    links: tuple[str, ...]


def _cell(token: Token, *, show_links: bool) -> _Cell:
    """The text a reader sees in a cell (markup dropped, escapes undone); ``show_links`` adds each
    link's target after its text."""
    parts: list[str] = []
    links: list[str] = []
    href = ""
    link_start = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "html_inline":
            if _BREAK_TAG.match(child.content.strip()):
                parts.append(" ")
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
            link_start = len(parts)
        elif kind == "link_close":
            if href:
                links.append(href)
                label = "".join(parts[link_start:]).strip()
                if show_links and label != href:
                    parts.append(f" ({href})" if label else href)
    return _Cell("".join(parts), tuple(links))


_NO_VALUE = frozenset({"", "-", "--"})


# --------------------------------------------------------------------------- dates

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


class _BadDate(ValueError):
    pass


def _find_date(text: str) -> date | None:
    """The first DD/MM/YYYY (or ISO) date in ``text``; None if there is none; _BadDate if impossible."""
    m = _DMY.search(text)
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _ISO.search(text)
        if not m:
            return None
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(year, month, day)
    except ValueError:
        raise _BadDate(m.group().strip()) from None


def _show(day: date) -> str:
    return f"{day:%d/%m/%Y}"


_DIGEST_HEADING = re.compile(r"papers?\b.*\b(today|this\s+week)\b", re.IGNORECASE)


# --------------------------------------------------------------------------- page reading

_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("paper", "title")),
    ("affiliation", ("affiliation",)),
    ("comment", ("comment", "review")),
    ("url", ("link", "url", "arxiv", "pdf")),
)


def _column_fields(header: Sequence[Token]) -> dict[int, str]:
    fields: dict[int, str] = {}
    for index, token in enumerate(header):
        name = fold_space(_cell(token, show_links=False).text).casefold()
        for field_name, words in _COLUMNS:
            if field_name not in fields.values() and any(w in name for w in words):
                fields[index] = field_name
                break
    return fields


@dataclass
class _DayBuild:
    date: date
    line: int
    papers: list[Paper] = field(default_factory=list)
    #: The line of each paper's row.
    lines: list[int] = field(default_factory=list)


_SKIP = object()  # the table under an unreadable date: skipped, its date already warned about


class _PageReader:
    def __init__(self, text: str, path: str, today_year: int | None) -> None:
        self.path = path
        self.today_year = today_year
        self.text = text
        self.lines = re.split(r"\r\n?|\n", text)
        self.warnings: list[PageWarning] = []
        self.repairs = 0
        self.days: dict[date, _DayBuild] = {}
        self.current: _DayBuild | object | None = None
        self.digest_start: int | None = None
        self.digest_end = 0
        self.pending_details: int | None = None
        self.open_tags: dict[str, int] = {}
        self.summary: str | None = None
        self.summary_line = 0

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(PageWarning(self.path, line + 1, message))

    # -- digest extent

    def mark(self, start: int, end: int) -> None:
        if self.digest_start is None:
            self.digest_start = start if self.pending_details is None else self.pending_details
            self.pending_details = None
        self.digest_end = max(self.digest_end, end)

    def tracking(self) -> bool:
        return self.digest_start is not None or self.pending_details is not None

    # -- days

    def open_day(self, text: str, line: int) -> None:
        try:
            found = _find_date(text)
        except _BadDate as bad:
            self.warn(line, f"{bad} is not a date; its papers are skipped")
            self.current = _SKIP
            self.mark(line, line + 1)
            return
        if found is None:
            self.current = None
            return
        self.mark(line, line + 1)
        seen = self.days.get(found)
        if seen is not None:
            self.warn(
                line,
                f"day {_show(found)} appears twice in this file (first at line {seen.line + 1}); "
                "its papers are merged",
            )
            self.current = seen
            return
        if self.today_year is not None and found.year > self.today_year:
            self.warn(line, f"day {_show(found)} lies after the year {self.today_year} (likely a typo)")
        self.current = self.days[found] = _DayBuild(found, line)

    # -- events

    def heading(self, event: _Heading) -> None:
        # A heading naming a range of dates ("14/10/2024 – 20/10/2024") is a week's, not a day's.
        if len(_DMY.findall(event.text)) + len(_ISO.findall(event.text)) == 1:
            self.open_day(event.text, event.line)
        else:
            self.current = None
            if _DIGEST_HEADING.search(event.text):
                self.mark(event.line, event.line + 1)

    _TAG = re.compile(r"<(/?)(details|summary|table|div)\b[^>]*>", re.IGNORECASE)

    def tag_line(self, event: _TagLine) -> None:
        pos = 0
        for m in self._TAG.finditer(event.text):
            if self.summary is not None:
                self.summary += event.text[pos : m.start()]
            pos = m.end()
            closing, name = m[1] == "/", m[2].lower()
            if name == "summary":
                if not closing:
                    self.summary, self.summary_line = "", event.line
                elif self.summary is not None:
                    text, self.summary = self.summary, None
                    self.open_day(text, self.summary_line)
            elif not closing:
                if name == "details" and not self.tracking():
                    self.pending_details = event.line
                if self.tracking():
                    self.open_tags[name] = self.open_tags.get(name, 0) + 1
            else:
                if name == "details":
                    self.current = None
                if self.open_tags.get(name, 0) > 0:
                    self.open_tags[name] -= 1
                    if self.digest_start is not None:
                        self.mark(event.line, event.line + 1)
                    elif name == "details" and not self.open_tags[name]:
                        # A <details> block that held no day: not part of the digest after all.
                        self.pending_details = None
                        self.open_tags.clear()
        if self.summary is not None:
            self.summary += event.text[pos:] + " "

    def table(self, event: _Table) -> None:
        fields = _column_fields(event.header)
        current = self.current
        if current is _SKIP:
            self.mark(event.line, event.end)
            return
        if not isinstance(current, _DayBuild):
            if "title" in fields.values():
                self.warn(event.line, "table of papers without a date before it; skipped")
            return
        self.mark(event.line, event.end)
        if "title" not in fields.values():
            self.warn(event.line, f"table under {_show(current.date)} has no Paper column; skipped")
            return
        header_text = [fold_space(_cell(t, show_links=False).text).casefold() for t in event.header]
        for row in event.rows:
            paper = self.row(row, fields, header_text)
            if paper is None:
                continue
            if any(_identity(paper) == _identity(p) for p in current.papers):
                self.warn(row.line, f'"{paper.title}" is already listed on {_show(current.date)}; skipped')
                continue
            current.papers.append(paper)
            current.lines.append(row.line)

    def row(self, row: _Row, fields: dict[int, str], header_text: list[str]) -> Paper | None:
        cells = list(row.cells)
        columns = len(cells)
        raw = _split_row(self.lines[row.line])
        if len(raw) > columns > 0:
            self.warn(
                row.line,
                f"row has {len(raw)} cells but the table has {columns} columns; "
                "the extra cells are joined into the last column",
            )
            joined = "|".join(raw[columns - 1 :]).strip()
            cells[-1] = _markdown().parseInline(joined)[0]

        values: dict[str, str | None] = {}
        links: tuple[str, ...] = ()
        shown: list[str] = []
        for index, token in enumerate(cells):
            name = fields.get(index)
            cell = _cell(token, show_links=name not in ("title", "url"))
            shown.append(fold_space(cell.text))
            if name is None:
                continue
            if name == "title":
                links = cell.links
            if name == "url" and cell.links:
                values[name] = cell.links[0]
            else:
                values[name] = cell.text

        if all(len(s) <= 1 for s in shown):
            if any(shown):
                self.warn(row.line, f"placeholder row skipped: {' | '.join(shown)}")
            else:
                self.warn(row.line, "empty row skipped")
            return None
        if [s.casefold() for s in shown] == header_text:
            self.warn(row.line, "repeated header row skipped")
            return None

        clean: dict[str, str | None] = {}
        for name in ("title", "url", "affiliation", "comment"):
            value = values.get(name)
            if name == "url" and (value is None or fold_space(value) in _NO_VALUE) and links:
                value = links[0]
            if value is None:
                clean[name] = None
                continue
            value, runs = repair_text(value)
            if runs:
                self.repairs += 1
            value = fold_space(value)
            clean[name] = None if value in _NO_VALUE else value
        title = clean["title"]
        if title is None:
            self.warn(row.line, f"row without a paper title skipped: {' | '.join(shown)}")
            return None
        return Paper(
            title=title, url=clean["url"], affiliation=clean["affiliation"], comment=clean["comment"]
        )

    def pipe_paragraph(self, event: _PipeParagraph) -> None:
        if isinstance(self.current, _DayBuild):
            self.warn(event.line, "lines that look like table rows could not be read as a table; skipped")

    # -- the whole page

    def read(self) -> ParsedPage:
        for event in _events(_fix_delimiter_rows(self.lines), 0):
            if isinstance(event, _Heading):
                self.heading(event)
            elif isinstance(event, _TagLine):
                self.tag_line(event)
            elif isinstance(event, _Table):
                self.table(event)
            else:
                self.pipe_paragraph(event)

        builds = list(self.days.values())
        for build in builds:
            if not build.papers:
                self.warn(build.line, f"empty day {_show(build.date)} (kept, with no papers)")
        self.check_neighbours(builds)
        self.warnings.sort(key=lambda w: w.line)
        days = tuple(Day(b.date, tuple(b.papers)) for b in builds)
        lines = tuple(tuple(b.lines) for b in builds)
        return ParsedPage(days, tuple(self.warnings), self.repairs, self.span(), lines)

    def check_neighbours(self, builds: list[_DayBuild]) -> None:
        """Warn about a day more than a week away from the days around it in the file."""

        def far(a: int, b: int) -> bool:
            return abs((builds[a].date - builds[b].date).days) > 7

        count = len(builds)
        if count == 2 and far(0, 1):
            first, second = builds
            self.warn(
                second.line,
                f"days {_show(first.date)} and {_show(second.date)} are "
                f"{abs((first.date - second.date).days)} days apart (likely a typo)",
            )
            return
        for i in range(count):
            around = [j for j in (i - 1, i + 1) if 0 <= j < count]
            if not around or not all(far(i, j) for j in around):
                continue
            if len(around) == 1:
                j = around[0]
                k = j + (j - i)
                # An end day is the odd one out only if its neighbour agrees with the next one.
                if not 0 <= k < count or far(j, k):
                    continue
            self.warn(
                builds[i].line,
                f"day {_show(builds[i].date)} lies outside the week of its neighbours (likely a typo)",
            )

    def span(self) -> tuple[int, int] | None:
        if self.digest_start is None:
            return None
        starts = [0, *(m.end() for m in re.finditer(r"\r\n?|\n", self.text))]
        end_line = self.digest_end
        while end_line < len(self.lines) and not self.lines[end_line].strip():
            end_line += 1
        end = starts[end_line] if end_line < len(self.lines) else len(self.text)
        return starts[self.digest_start], end


def parse_page(text: str, path: str, *, today_year: int | None = None) -> ParsedPage:
    """Read one hand-kept digest page (a README with 'Paper Today' and 'Papers This Week' sections, or an
    archive page of <details> day blocks).

    A day starts at a heading holding a DD/MM/YYYY date or at a ``<summary>`` holding one; the tables after
    it are its papers. ``path`` names the page in warnings; a day dated after ``today_year`` is warned
    about. Days are returned in the order they appear, a repeated date merged into its first appearance.
    """
    return _PageReader(text, path, today_year).read()


# --------------------------------------------------------------------------- merging

_Identity = tuple[str, str | None, str | None]


def _identity(paper: Paper) -> _Identity:
    return (paper.title, paper.url, paper.comment)


def merge_days(
    existing: Sequence[Day], incoming: Sequence[tuple[str, Day] | tuple[str, Day, Sequence[int]]]
) -> MergeResult:
    """Merge parsed days (with the path each came from) into existing days; result newest first.

    Same date -> one day, papers appended in order. A paper identical (title, url, comment all equal) to
    one already present on that day is not added again, so importing the same files twice adds nothing.

    A paper identical to one anywhere in ``existing`` (moved to another day since) is not added either. A
    paper that is the same paper (same url or title) as one on another day is added, with a warning.
    """
    papers: dict[date, list[Paper]] = {}
    identities: dict[date, set[_Identity]] = {}
    by_title: dict[str, set[date]] = {}
    by_url: dict[str, set[date]] = {}

    def index(day: date, paper: Paper) -> None:
        identities.setdefault(day, set()).add(_identity(paper))
        by_title.setdefault(normalise_title(paper.title), set()).add(day)
        if paper.url:
            by_url.setdefault(canonical_url(paper.url), set()).add(day)

    for day in existing:
        papers.setdefault(day.date, []).extend(day.papers)
        for paper in day.papers:
            index(day.date, paper)
    present = {_identity(p) for day in existing for p in day.papers}

    added = skipped = 0
    warnings: list[PageWarning] = []
    for item in incoming:
        path, day = item[0], item[1]
        rows = item[2] if len(item) > 2 else ()
        listed = papers.setdefault(day.date, [])
        for n, paper in enumerate(day.papers):
            key = _identity(paper)
            if key in present or key in identities.get(day.date, ()):
                skipped += 1
                continue
            dates = set(by_title.get(normalise_title(paper.title), ()))
            if paper.url:
                dates |= by_url.get(canonical_url(paper.url), set())
            if dates:
                shown = ", ".join(_show(d) for d in sorted(dates, reverse=True))
                warnings.append(
                    PageWarning(
                        path,
                        rows[n] if n < len(rows) else 0,
                        f'"{paper.title}" ({_show(day.date)}) is also listed on {shown}',
                    )
                )
            listed.append(paper)
            index(day.date, paper)
            added += 1

    days = tuple(Day(d, tuple(papers[d])) for d in sorted(papers, reverse=True))
    return MergeResult(days, added, skipped, tuple(warnings))

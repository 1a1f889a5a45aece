"""Reading one page: its days (a dated heading or ``<summary>``, then tables) and its digest's extent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from mapdaily_cli.errors import InputError
from mapdaily_cli.importer.dates import DIGEST_HEADING, BadDate, count_dates, find_date, show
from mapdaily_cli.importer.results import PageWarning, ParsedPage
from mapdaily_cli.importer.rows import Layout, read_row, table_rows
from mapdaily_cli.importer.tables import Heading, Table, TagLine, events, fix_delimiter_rows
from mapdaily_cli.model import Day, Paper

_NEWLINE = re.compile(r"\r\n?|\n")

#: The byte order mark an editor may put at the start of a page (or of each page pasted into one).
_BOM = "\ufeff"

#: The refusals shown in an error's detail, after the one its message names.
_MORE_PROBLEMS = 10


@dataclass
class _DayBuild:
    date: date
    line: int
    papers: list[Paper] = field(default_factory=list)
    #: The line of each paper's row.
    lines: list[int] = field(default_factory=list)
    #: Each paper's (title, url, comment): the same paper twice on one day is listed once.
    identities: set[tuple[str, str | None, str | None]] = field(default_factory=set)


_SKIP = object()  # the table under an unreadable date: skipped, its date already warned about

_TAG = re.compile(r"<(/?)(details|summary|table|div)\b[^>]*>", re.IGNORECASE)


class _PageReader:
    def __init__(self, text: str, path: str, today_year: int | None) -> None:
        self.path = path
        self.today_year = today_year
        self.text = text
        self.lines = [line.removeprefix(_BOM) for line in _NEWLINE.split(text)]
        self.warnings: list[PageWarning] = []
        #: (line, what is wrong) for each paper the store would refuse.
        self.problems: list[tuple[int, str]] = []
        self.repairs = 0
        self.days: dict[date, _DayBuild] = {}
        self.current: _DayBuild | object | None = None
        self.digest_start: int | None = None
        self.digest_end = 0
        self.pending_details: int | None = None
        self.open_tags: dict[str, int] = {}
        #: The text of the open ``<summary>``, in pieces; None outside one.
        self.summary: list[str] | None = None
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
            found = find_date(text)
        except BadDate as bad:
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
                f"day {show(found)} appears twice in this file (first at line {seen.line + 1}); "
                "its papers are merged",
            )
            self.current = seen
            return
        if self.today_year is not None and found.year > self.today_year:
            self.warn(line, f"day {show(found)} lies after the year {self.today_year} (likely a typo)")
        self.current = self.days[found] = _DayBuild(found, line)

    # -- events

    def heading(self, event: Heading) -> None:
        # A heading naming a range of dates ("14/10/2024 – 20/10/2024") is a week's, not a day's.
        if count_dates(event.text) == 1:
            self.open_day(event.text, event.line)
        else:
            self.current = None
            if DIGEST_HEADING.search(event.text):
                self.mark(event.line, event.line + 1)

    def tag_line(self, event: TagLine) -> None:
        text = event.text
        pos = 0
        # No tag starts after the last '>': searching there would scan to the end from every '<'.
        for m in _TAG.finditer(text, 0, text.rfind(">") + 1):
            if self.summary is not None:
                self.summary.append(text[pos : m.start()])
            pos = m.end()
            closing, name = m[1] == "/", m[2].lower()
            if name == "summary":
                self.summary_tag(closing, event.line)
            elif closing:
                self.close_tag(name, event.line)
            else:
                self.open_tag(name, event.line)
        if self.summary is not None:
            self.summary.extend((text[pos:], " "))

    def summary_tag(self, closing: bool, line: int) -> None:
        if not closing:
            self.summary, self.summary_line = [], line
        elif self.summary is not None:
            text, self.summary = "".join(self.summary), None
            self.open_day(text, self.summary_line)

    def open_tag(self, name: str, line: int) -> None:
        if name == "details" and not self.tracking():
            self.pending_details = line
        if self.tracking():
            self.open_tags[name] = self.open_tags.get(name, 0) + 1

    def close_tag(self, name: str, line: int) -> None:
        if name == "details":
            self.current = None
        if self.open_tags.get(name, 0) <= 0:
            return
        self.open_tags[name] -= 1
        if self.digest_start is not None:
            self.mark(line, line + 1)
        elif name == "details" and not self.open_tags[name]:
            # A <details> block that held no day: not part of the digest after all.
            self.pending_details = None
            self.open_tags.clear()

    def table(self, event: Table) -> None:
        layout = Layout.of(event.header)
        current = self.current
        if current is _SKIP:
            self.mark(event.line, event.end)
            return
        if not isinstance(current, _DayBuild):
            if layout.has_title:
                self.warn(event.line, "table of papers without a date before it; skipped")
            return
        self.mark(event.line, event.end)
        if not layout.has_title:
            self.warn(event.line, f"table under {show(current.date)} has no Paper column; skipped")
            return
        for found in table_rows(event.rows, self.lines, len(event.header)):
            row = found.row
            read = read_row(row, found.text, layout)
            for note in found.notes + read.notes:
                self.warn(row.line, note)
            self.repairs += read.repaired
            if read.problem is not None:
                self.problems.append((row.line, read.problem))
            if read.paper is not None:
                self.add(current, read.paper, row.line)

    def add(self, day: _DayBuild, paper: Paper, line: int) -> None:
        identity = (paper.title, paper.url, paper.comment)
        if identity in day.identities:
            self.warn(line, f'"{paper.title}" is already listed on {show(day.date)}; skipped')
            return
        day.identities.add(identity)
        day.papers.append(paper)
        day.lines.append(line)

    def pipe_paragraph(self, line: int) -> None:
        if isinstance(self.current, _DayBuild):
            self.warn(line, "lines that look like table rows could not be read as a table; skipped")

    # -- the whole page

    def read(self) -> ParsedPage:
        for event in events(fix_delimiter_rows(self.lines), 0):
            if isinstance(event, Heading):
                self.heading(event)
            elif isinstance(event, TagLine):
                self.tag_line(event)
            elif isinstance(event, Table):
                self.table(event)
            else:
                self.pipe_paragraph(event.line)
        self.refuse_problems()
        builds = list(self.days.values())
        for build in builds:
            if not build.papers:
                self.warn(build.line, f"empty day {show(build.date)} (kept, with no papers)")
        self.check_neighbours(builds)
        self.warnings.sort(key=lambda w: w.line)
        days = tuple(Day(b.date, tuple(b.papers)) for b in builds)
        lines = tuple(tuple(b.lines) for b in builds)
        return ParsedPage(days, tuple(self.warnings), self.repairs, self.span(), lines)

    def refuse_problems(self) -> None:
        """Refuse the page if a paper on it holds what the store refuses: its row's line is named
        here, where the cell can be fixed, not a line of papers.yaml that was never written."""
        if not self.problems:
            return
        (line, problem), *more = self.problems
        rest = f" (and {len(more)} more {'row' if len(more) == 1 else 'rows'})" if more else ""
        detail = "\n".join(f"{self.path}:{n + 1}: {p}" for n, p in more[:_MORE_PROBLEMS])
        if len(more) > _MORE_PROBLEMS:
            detail += f"\n… and {len(more) - _MORE_PROBLEMS} more"
        raise InputError(
            f"{self.path}:{line + 1}: {problem}; fix the cell there{rest}", detail=detail or None
        )

    def check_neighbours(self, builds: list[_DayBuild]) -> None:
        """Warn about a day more than a week away from the days around it in the file."""

        def far(a: int, b: int) -> bool:
            return abs((builds[a].date - builds[b].date).days) > 7

        count = len(builds)
        if count == 2 and far(0, 1):
            first, second = builds
            self.warn(
                second.line,
                f"days {show(first.date)} and {show(second.date)} are "
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
                f"day {show(builds[i].date)} lies outside the week of its neighbours (likely a typo)",
            )

    def span(self) -> tuple[int, int] | None:
        if self.digest_start is None:
            return None
        starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
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
    A byte order mark starting the page (or any line) is read past.

    Raises InputError naming the page's line when a paper on it holds what the store refuses (a control
    character): papers.yaml would take it and then refuse it at a line the user never wrote.
    """
    return _PageReader(text, path, today_year).read()

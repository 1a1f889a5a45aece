"""A table's columns and one row of it: which cell is which field, and the paper the row lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mapdaily_cli.importer.repair import full_width_row, joined_row, repair_text
from mapdaily_cli.importer.tables import Row, cell, inline, split_row
from mapdaily_cli.model import CONTROL, Paper, fold_space, paper_problem

if TYPE_CHECKING:
    from markdown_it.token import Token

_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("paper", "title")),
    ("affiliation", ("affiliation",)),
    ("comment", ("comment", "review")),
    ("url", ("link", "url", "arxiv", "pdf")),
)

#: What a cell holds when it holds nothing.
_NO_VALUE = frozenset({"", "-", "--"})


@dataclass(frozen=True)
class Layout:
    """Which column of a table holds which field, and its header as a reader sees it (folded)."""

    fields: dict[int, str]
    header: tuple[str, ...]

    @classmethod
    def of(cls, header: Sequence[Token]) -> Layout:
        names = tuple(fold_space(cell(t, show_links=False).text).casefold() for t in header)
        fields: dict[int, str] = {}
        for index, name in enumerate(names):
            for field_name, words in _COLUMNS:
                if field_name not in fields.values() and any(w in name for w in words):
                    fields[index] = field_name
                    break
        return cls(fields, names)

    @property
    def has_title(self) -> bool:
        return "title" in self.fields.values()


@dataclass
class RowRead:
    """What one row gave: its paper (None when skipped), warnings about its line, in order, the
    number of its fields whose text was repaired, and what ``paper_problem`` refuses in it."""

    paper: Paper | None = None
    notes: list[str] = field(default_factory=list)
    repaired: int = 0
    problem: str | None = None


@dataclass
class RowText:
    """One row as a reader sees it: its first line, the line(s) as one, repaired, and its cells."""

    row: Row
    text: str
    notes: list[str] = field(default_factory=list)


def table_rows(rows: Sequence[Row], lines: Sequence[str], columns: int) -> list[RowText]:
    """The rows of a table of ``columns`` columns whose lines are ``lines`` of the page, with the
    repairs a row typed by hand needs: a line that is the rest of the row above it (broken over
    two lines) joined to it, and cells split by full-width bars (``｜``) split there."""
    found: list[RowText] = []
    for row in rows:
        text = lines[row.line]
        if found:
            joined = joined_row(found[-1].text, text, columns)
            if joined is not None:
                last = found[-1]
                last.text = joined
                last.notes.append(f"line {row.line + 1} continues this row; read as one row")
                continue
        found.append(RowText(row, text))
    for read in found:
        fixed = full_width_row(read.text, columns)
        if fixed is not None:
            read.text = fixed
            read.notes.append("cells separated by full-width bars (｜); read as columns")
        if fixed is not None or read.notes:
            cells = tuple(inline(c.strip()) for c in split_row(read.text)[:columns])
            read.row = Row(read.row.line, cells)
    return found


def read_row(row: Row, line_text: str, layout: Layout) -> RowRead:
    """The paper listed by ``row`` (whose line of the page is ``line_text``) of a table laid out so."""
    read = RowRead()
    cells = _cells(row, line_text, read.notes)
    values, links, shown = _values(cells, layout.fields)
    skipped = _skipped(shown, layout.header)
    if skipped:
        read.notes.append(skipped)
        return read
    clean, read.repaired = _clean(values, links)
    title = clean["title"]
    if title is None:
        read.notes.append(f"row without a paper title skipped: {' | '.join(shown)}")
        return read
    read.paper = Paper(
        title=title, url=clean["url"], affiliation=clean["affiliation"], comment=clean["comment"]
    )
    read.problem = _problem(read.paper, line_text)
    return read


def _cells(row: Row, line_text: str, notes: list[str]) -> list[Token]:
    """The row's cells; more cells on the line than the table has columns are joined into the last."""
    cells = list(row.cells)
    columns = len(cells)
    raw = split_row(line_text)
    if len(raw) > columns > 0:
        notes.append(
            f"row has {len(raw)} cells but the table has {columns} columns; "
            "the extra cells are joined into the last column"
        )
        cells[-1] = inline("|".join(raw[columns - 1 :]).strip())
    return cells


def _values(
    cells: Sequence[Token], fields: dict[int, str]
) -> tuple[dict[str, str], tuple[str, ...], list[str]]:
    """The text of each field's cell, the links of the title cell, and every cell as shown (folded)."""
    values: dict[str, str] = {}
    links: tuple[str, ...] = ()
    shown: list[str] = []
    for index, token in enumerate(cells):
        name = fields.get(index)
        read = cell(token, show_links=name not in ("title", "url"), keep_links=name == "comment")
        shown.append(fold_space(read.text))
        if name is None:
            continue
        if name == "title":
            links = read.links
        values[name] = read.links[0] if name == "url" and read.links else read.text
    return values, links, shown


def _skipped(shown: list[str], header: tuple[str, ...]) -> str | None:
    """Why a row holding no paper is skipped (blank or placeholder cells, the header again), or None."""
    if all(len(s) <= 1 for s in shown):
        return f"placeholder row skipped: {' | '.join(shown)}" if any(shown) else "empty row skipped"
    if tuple(s.casefold() for s in shown) == header:
        return "repeated header row skipped"
    return None


def _clean(values: dict[str, str], links: tuple[str, ...]) -> tuple[dict[str, str | None], int]:
    """Each field's value repaired and folded (None when it holds nothing), and how many were repaired.
    A url column holding nothing gives way to the title's link."""
    clean: dict[str, str | None] = {}
    repaired = 0
    for name in ("title", "url", "affiliation", "comment"):
        value = values.get(name)
        if name == "url" and (value is None or fold_space(value) in _NO_VALUE) and links:
            value = links[0]
        if value is None:
            clean[name] = None
            continue
        value, runs = repair_text(value)
        if runs:
            repaired += 1
        value = fold_space(value)
        clean[name] = None if value in _NO_VALUE else value
    return clean, repaired


def _problem(paper: Paper, line_text: str) -> str | None:
    """What the store would refuse in ``paper`` (a control character names its code point), or None.
    A NUL is refused too, though markdown turns it into U+FFFD before the paper is made."""
    problem = paper_problem(paper.to_mapping())
    if problem is None:
        return "the row holds a control character (U+0000)" if "\x00" in line_text else None
    key, what, _ = problem
    found = CONTROL.search(getattr(paper, key) or "")
    return f"the {key} {what}" + (f" (U+{ord(found.group()):04X})" if found else "")

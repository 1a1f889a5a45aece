"""Reading a page's markdown: the headings, HTML tag lines and tables markdown-it finds, and cells."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def markdown() -> MarkdownIt:
    """The parser pages are read with: CommonMark with tables and strikethrough, links as written."""
    from markdown_it import MarkdownIt

    class _Markdown(MarkdownIt):
        # Links are kept as written; markdown-it would percent-encode them.
        def normalizeLink(self, url: str) -> str:
            return url

        def normalizeLinkText(self, link: str) -> str:
            return link

    return _Markdown("commonmark").enable(["table", "strikethrough"])


def split_row(line: str) -> list[str]:
    """A table line's cells, split as markdown-it splits them (``\\|`` unescaped, outer pipes dropped)."""
    from markdown_it.rules_block.table import escapedSplit

    cells = escapedSplit(line.strip())
    if cells and not cells[0].strip():
        cells.pop(0)
    if cells and not cells[-1].strip():
        cells.pop()
    return cells


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def fix_delimiter_rows(lines: list[str]) -> list[str]:
    """Give each table's delimiter row as many cells as its header (``|:---|`` under three columns)."""
    fixed = list(lines)
    for i in range(1, len(lines)):
        line, header = lines[i], lines[i - 1]
        if "|" not in line or not _DELIMITER_ROW.match(line):
            continue
        if "|" not in header or _DELIMITER_ROW.match(header):
            continue
        columns = len(split_row(header))
        if columns and columns != len(split_row(line)):
            fixed[i] = "|" + ":---|" * columns
    return fixed


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Heading:
    line: int
    text: str


@dataclass(frozen=True)
class TagLine:
    line: int
    text: str


@dataclass(frozen=True)
class Row:
    line: int
    cells: tuple[Token, ...]


@dataclass(frozen=True)
class Table:
    line: int
    end: int
    header: tuple[Token, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class PipeParagraph:
    line: int


Event = Heading | TagLine | Table | PipeParagraph

# HTML blocks whose content readers never see as markdown: comments, <pre>, <script>, ...
_OPAQUE_HTML = re.compile(r"^\s*<(!|\?|pre\b|script\b|style\b|textarea\b)", re.IGNORECASE)


def events(lines: list[str], first: int) -> Iterator[Event]:
    """The headings, HTML tag lines and tables of ``lines`` (line ``first`` of the page onwards), in order.

    Markdown inside an HTML block (a table glued to ``<table class="center">``) is read by parsing the
    block's non-tag lines again.
    """
    tokens = markdown().parse("\n".join(lines))
    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = first + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            yield Heading(line, tokens[i + 1].content)
        elif token.type == "table_open":
            table, i = _table(tokens, i, first)
            yield table
        elif token.type == "paragraph_open":
            if sum(s.lstrip().startswith("|") for s in tokens[i + 1].content.splitlines()) >= 2:
                yield PipeParagraph(line)
        elif token.type == "html_block" and not _OPAQUE_HTML.match(token.content):
            yield from _html_block(token.content, line)
        i += 1


def _table(tokens: Sequence[Token], i: int, first: int) -> tuple[Table, int]:
    """The table opening at ``tokens[i]``, and the index of its ``table_close``."""
    span = tokens[i].map
    start = span[0] if span else 0
    header: tuple[Token, ...] = ()
    rows: list[Row] = []
    row: list[Token] = []
    row_line = start
    in_head = False
    j = i
    while tokens[j].type != "table_close":
        t = tokens[j]
        if t.type in ("thead_open", "thead_close"):
            in_head = t.type == "thead_open"
        elif t.type == "tr_open":
            row, row_line = [], t.map[0] if t.map else start
        elif t.type == "inline":
            row.append(t)
        elif t.type == "tr_close":
            if in_head:
                header = tuple(row)
            else:
                rows.append(Row(first + row_line, tuple(row)))
        j += 1
    end = span[1] if span else start + 1
    return Table(first + start, first + end, header, tuple(rows)), j


def _html_block(content: str, first: int) -> Iterator[Event]:
    """An HTML block starting at line ``first``: its tag lines, and the markdown between them."""
    block = content.split("\n")
    if block and block[-1] == "":
        block.pop()
    run: list[str] = []
    run_start = 0
    for k, text in enumerate(block):
        if text.lstrip().startswith("<"):
            if run:
                yield from events(run, first + run_start)
                run = []
            yield TagLine(first + k, text)
        else:
            if not run:
                run_start = k
            run.append(text)
    if run:
        yield from events(run, first + run_start)


# --------------------------------------------------------------------------- cells

_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


@dataclass(frozen=True)
class Cell:
    text: str
    links: tuple[str, ...]


def cell(token: Token, *, show_links: bool, keep_links: bool = False) -> Cell:
    """The text a reader sees in a cell (markup dropped, escapes undone); ``show_links`` adds each
    link's target after its text, and ``keep_links`` keeps a link a comment may hold (see
    :func:`comment_link`) as the markdown link it was."""
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
                kept = comment_link(parts[:link_start], parts[link_start:], href) if keep_links else None
                if kept is not None:
                    parts[link_start:] = [kept]
                elif show_links and label != href:
                    parts.append(f" ({href})" if label else href)
    return Cell("".join(parts), tuple(links))


def comment_link(before: Sequence[str], label_parts: Sequence[str], href: str) -> str | None:
    """The link of text ``label_parts`` to ``href`` as a comment keeps it, ``[label](href)`` with the
    spaces around the label outside it; None when a comment cannot hold it as a link (a label that
    is its url, holds brackets or nothing, a target that is no http(s) url, a ``!`` before it that
    would make it read as an image)."""
    from mapdaily_cli.model import COMMENT_LINK, comment_link_url

    raw = "".join(label_parts)
    label = raw.strip()
    written = f"[{label}]({href})"
    if not label or label == href or "".join(before).endswith("!"):
        return None
    if not comment_link_url(href) or COMMENT_LINK.fullmatch(written) is None:
        return None
    return raw[: len(raw) - len(raw.lstrip())] + written + raw[len(raw.rstrip()) :]


def inline(text: str) -> Token:
    """``text`` parsed as the inline content of one cell."""
    return markdown().parseInline(text)[0]

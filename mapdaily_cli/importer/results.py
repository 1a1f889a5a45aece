"""What the importer hands back: the days of a page, the merge of days, and warnings with their place."""

from __future__ import annotations

from dataclasses import dataclass

from mapdaily_cli.model import Day


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

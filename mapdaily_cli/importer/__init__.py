"""Hand-kept markdown digest pages (README and archive pages) to days of papers.

By stage: ``source`` reads a page from disk, ``repair`` undoes double-encoded text and mends rows
typed by hand, ``tables`` reads markdown into headings, tag lines, tables and cells, ``rows`` turns a
row into a paper, ``dates`` finds a day's date, ``page`` reads a whole page into days, ``merge``
merges days into those kept.
"""

from __future__ import annotations

from mapdaily_cli.importer.merge import merge_days
from mapdaily_cli.importer.page import parse_page
from mapdaily_cli.importer.repair import repair_text
from mapdaily_cli.importer.results import MergeResult, PageWarning, ParsedPage
from mapdaily_cli.importer.source import MAX_PAGE_BYTES, read_page

__all__ = [
    "MAX_PAGE_BYTES",
    "MergeResult",
    "PageWarning",
    "ParsedPage",
    "merge_days",
    "parse_page",
    "read_page",
    "repair_text",
]

"""The reader's side of a digest: the Atom feed, the search page and its data, the chart of weeks
(pure functions from days and settings to the text of whole files)."""

from mapdaily_cli.site.chart import weeks_svg
from mapdaily_cli.site.feed import feed_xml, paper_ids
from mapdaily_cli.site.search import (
    Month,
    chunk_js,
    data_folder,
    library_js,
    manifest_js,
    month_of,
    notes_js,
    page_html,
    site_files,
)

__all__ = [
    "Month",
    "chunk_js",
    "data_folder",
    "feed_xml",
    "library_js",
    "manifest_js",
    "month_of",
    "notes_js",
    "page_html",
    "paper_ids",
    "site_files",
    "weeks_svg",
]

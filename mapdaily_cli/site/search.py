"""The search page and its data: one script file per month of papers (titles, links, affiliations)
loaded on opening, one per month of comments loaded when a search needs them, and a manifest."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from mapdaily_cli.config import Config
from mapdaily_cli.model import Day, fold_space
from mapdaily_cli.site.xmltext import escape as _xml_escape

Month = tuple[int, int]

_HERE = Path(__file__).parent
LIBRARY = "minisearch.js"
MANIFEST = "index.js"


def escape(text: str) -> str:
    """``text`` for an HTML attribute or text, as ``html.escape`` writes it (``&<>"'``), without
    importing ``html`` (its table of entities) on every command."""
    return _xml_escape(text, {'"': "&quot;", "'": "&#x27;"})


def month_of(when: date) -> Month:
    return when.year, when.month


def month_name(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def data_folder(config: Config) -> str:
    """Where the search page's data lives: ``search/`` beside ``search.html``."""
    assert config.search_page is not None
    return posixpath.splitext(config.search_page)[0]


def site_files(config: Config) -> dict[str, str]:
    """The generated files that do not depend on the data: the page and the library."""
    if config.search_page is None:
        return {}
    return {config.search_page: "page", f"{data_folder(config)}/{LIBRARY}": "library"}


def chunk_path(config: Config, month: Month, notes: bool = False) -> str:
    return f"{data_folder(config)}/{month_name(month)}{'.notes' if notes else ''}.js"


def _js(call: str, *values: object) -> str:
    """A script that hands ``values`` (as JSON, a valid JavaScript literal) to ``call``."""
    body = ",".join(json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values)
    # Two line separators are valid in JSON strings but were not in older JavaScript.
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"{call}({body});\n"


def _text(value: str | None) -> str:
    return fold_space(value) if value else ""


def _link(config: Config, rel: str) -> str:
    """``rel`` (from the root) as a link from the search page's folder."""
    assert config.search_page is not None
    here = str(PurePosixPath(config.search_page).parent)
    return quote(os.path.relpath(rel, here or "."), safe="/._-~")


def chunk_js(config: Config, month: Month, days: Sequence[Day], pages: Sequence[str]) -> str:
    """The papers of ``month``'s ``days`` (newest first), each day with the page (root-relative, in
    ``pages``) that shows it: ``[date, page, [[title, url, affiliation], ...]]``."""
    links = {page: _link(config, page) for page in dict.fromkeys(pages)}
    rows = [
        [
            d.date.isoformat(),
            links[page],
            [[p.title, _text(p.url), _text(p.affiliation)] for p in d.papers],
        ]
        for d, page in zip(days, pages, strict=True)
    ]
    return _js("mapdaily.papers", month_name(month), rows)


def notes_js(month: Month, days: Sequence[Day]) -> str:
    """The comments of ``month``'s papers: ``[day index, paper index, comment]`` where there is one."""
    rows = [[i, j, _text(p.comment)] for i, d in enumerate(days) for j, p in enumerate(d.papers) if p.comment]
    return _js("mapdaily.notes", month_name(month), rows)


def manifest_js(config: Config, months: Iterable[Month], current: date | None) -> str:
    """The months that have days (newest first) and where the current week's papers are shown (the
    README) from ``current``, the day its week starts."""
    info = {
        "months": [month_name(m) for m in months],
        "current": current.isoformat() if current else None,
        "readme": _link(config, config.readme),
    }
    return _js("mapdaily.manifest", info)


def library_js() -> str:
    """MiniSearch, with its licence ahead of it."""
    licence = (_HERE / "vendor" / "minisearch.LICENSE.txt").read_text(encoding="utf-8").strip()
    code = (_HERE / "vendor" / LIBRARY).read_text(encoding="utf-8")
    return f"/*! MiniSearch 7.2.0 (https://github.com/lucaong/minisearch)\n\n{licence}\n*/\n{code}"


def page_html(config: Config) -> str:
    """The search page: the data folder, the feed and the archive index linked in."""
    assert config.search_page is not None
    template = (_HERE / "page.html").read_text(encoding="utf-8")
    script = (_HERE / "page.js").read_text(encoding="utf-8")
    href = escape(_link(config, config.feed)) if config.feed else ""
    feed = f'<link rel="alternate" type="application/atom+xml" title="Feed" href="{href}">' if href else ""
    values = {
        "data": escape(_link(config, data_folder(config))),
        "index": escape(_link(config, config.archive_index)),
        "readme": escape(_link(config, config.readme)),
        "feed_link": feed,
        "feed_a": f' · <a href="{href}">Feed</a>' if href else "",
        "script": script,
    }
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template

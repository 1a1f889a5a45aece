"""The Atom feed of the last days: one entry per paper, newest first, with a stable ``tag:`` id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from datetime import date
from urllib.parse import urlsplit

from mapdaily_cli.config import Config
from mapdaily_cli.model import Day, Paper, fold_space
from mapdaily_cli.render import is_linkable
from mapdaily_cli.site.xmltext import escape, quoteattr

# Characters XML 1.0 cannot hold at all (not even as references): dropped from the feed's text.
# What XML 1.0 does not allow: the complement of \t \n \r, U+0020-U+D7FF, U+E000-U+FFFD and
# U+10000-U+10FFFF, written as the (quick to compile) class of what is left.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    """``value`` as XML character data: escaped, with what XML cannot hold dropped."""
    return escape(_NOT_XML.sub("", value))


def attr(value: str) -> str:
    """``value`` as a quoted XML attribute."""
    return quoteattr(_NOT_XML.sub("", value), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def paper_key(paper: Paper) -> str:
    """What names a paper whatever its position: its url, else its title (case and spaces folded)."""
    basis = fold_space(paper.url) if paper.url else fold_space(paper.title).casefold()
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def paper_ids(day: Day) -> list[str]:
    """A key per paper of ``day``, unique within it (a second paper with the same key gets ``-2``)."""
    seen: dict[str, int] = {}
    out = []
    for paper in day.papers:
        key = paper_key(paper)
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return out


def absolute(config: Config, rel: str) -> str:
    """A link to ``rel`` on the site: absolute under ``site_url``, else relative to the root."""
    return (config.site_url.rstrip("/") + "/" + rel) if config.site_url else rel


def authority(config: Config) -> str:
    """The tagging authority of the feed's ids: the site's host, or ``mapdaily`` without one."""
    host = urlsplit(config.site_url).hostname if config.site_url else None
    return host or "mapdaily"


def _entry(config: Config, day: Day, paper: Paper, key: str, page: str) -> str:
    when = day.date.isoformat()
    link = fold_space(paper.url) if paper.url and is_linkable(paper.url) else absolute(config, page)
    summary = " — ".join(fold_space(t) for t in (paper.affiliation, paper.comment) if t)
    lines = [
        "  <entry>",
        f"    <id>{text(f'tag:{authority(config)},{when}:{key}')}</id>",
        f'    <title type="text">{text(fold_space(paper.title))}</title>',
        f'    <link rel="alternate" href={attr(link)}/>',
        f'    <link rel="related" href={attr(absolute(config, page))}/>',
        f"    <updated>{when}T00:00:00Z</updated>",
    ]
    if paper.affiliation:
        lines.append(f"    <author><name>{text(fold_space(paper.affiliation))}</name></author>")
    if summary:
        lines.append(f'    <summary type="text">{text(summary)}</summary>')
    return "\n".join([*lines, "  </entry>"]) + "\n"


def feed_xml(config: Config, days: Sequence[Day], page_of: Callable[[date], str]) -> str:
    """The feed of ``days`` (newest first); ``page_of`` names the page that shows a date's papers."""
    assert config.feed is not None
    updated = days[0].date.isoformat() if days else "1970-01-01"
    own = absolute(config, config.feed)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "  <title>Daily papers</title>",
        f"  <id>{text(own if config.site_url else f'tag:{authority(config)},2024:{config.feed}')}</id>",
        f"  <updated>{updated}T00:00:00Z</updated>",
        "  <author><name>The digest's curators</name></author>",
        f'  <link rel="alternate" type="text/html" href={attr(absolute(config, config.readme))}/>',
    ]
    if config.site_url:
        head.append(f'  <link rel="self" type="application/atom+xml" href={attr(own)}/>')
    body = [
        _entry(config, day, paper, key, page_of(day.date))
        for day in days
        for paper, key in zip(day.papers, paper_ids(day), strict=True)
    ]
    return "\n".join(head) + "\n" + "".join(body) + "</feed>\n"

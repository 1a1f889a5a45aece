"""What a field becomes in a cell of a markdown table: escaped for cmark-gfm and for Liquid, long
comments folded, links kept as links where they are safe (pure)."""

from __future__ import annotations

import re
from urllib.parse import quote

from mapdaily_cli.model import Paper, comment_links, fold_space

# What cmark-gfm (and github.com on top of it) would read as markup inside a table cell:
# backslash escapes, code spans, emphasis, strikethrough, links and images, raw HTML and autolinks,
# the cell separator, math, entities, and :emoji: shortcodes; and what Liquid would (see below).
# (Each alternative starts with its one character, so the engine skips ahead to the next of them.)
_CELL_SPECIAL = re.compile(
    r"\\|`|\*|_|~|\[|\]|\||\$|<|&(?=#?[A-Za-z0-9]+;)|:(?=[A-Za-z0-9_+\-]+:)|\{(?=[{%])"
)
_CELL_REPLACE = {"<": "&lt;", "&": "&amp;", "{": "&#123;"}
# GitHub Pages runs Liquid over every page before cmark-gfm, and Liquid reads a tag or an output only
# where ``{{`` or ``{%`` opens one: text without either passes through it byte for byte. A ``{`` that
# would open one is written ``&#123;``, which cmark-gfm (in text and headings) and a browser (in an
# HTML block) show as ``{``; a backslash would not do (``\{%`` still holds ``{%``, and an HTML block
# shows the backslash).
_LIQUID_OPEN = re.compile(r"\{(?=[{%])")
# cmark-gfm's autolink extension takes a url (at its ``:``) or a ``www.`` link (at its ``w``) straight
# from the source text, backslashes and entities included. A candidate runs to the next space (a ``<``
# does not end it: it is written ``&lt;``).
_AUTOLINK = re.compile(r"(?:https?|ftp)(:)//|www(\.)", re.IGNORECASE)
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What a link destination may hold as it is: the characters ``quote`` leaves as they are.
_URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"
_URL_AS_IS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]*")
_LINKABLE = re.compile(r"^\s*https?://", re.IGNORECASE)


def _escape_match(m: re.Match[str]) -> str:
    ch = m.group()
    return _CELL_REPLACE.get(ch) or "\\" + ch


def _autolink_breaks(text: str, specials: list[re.Match[str]], open_end: bool = False) -> set[int]:
    """Where to put a backslash so that no autolink forms around text that had to be escaped.

    A link whose text needs no escaping (but for ``|``, which the table itself unescapes) is left to
    form; any other is kept from forming by escaping its ``:`` or the ``.`` after ``www``. With
    ``open_end`` markup follows ``text`` at once (a comment's link): a candidate running to the end
    would run on into it and swallow the link, so it is kept from forming too.
    """
    breaks: set[int] = set()
    escaped = [m.start() for m in specials if m.group() != "|"]
    for m in _AUTOLINK.finditer(text):
        end = text.find(" ", m.start())
        end = len(text) if end < 0 else end
        at = m.start(1) if m.group(1) else m.start(2)
        if any(m.start() <= i < end and i != at for i in escaped) or (open_end and end == len(text)):
            breaks.add(at)
    return breaks


def cell(text: str | None) -> str:
    """``text`` as the inside of one GFM table cell that shows exactly that text; ``-`` when empty."""
    return "-" if text is None else _folded_cell(fold_space(text))


def _folded_cell(text: str) -> str:
    """:func:`cell` of a text already folded."""
    if not text:
        return "-"
    if text == "-":
        return "\\-"
    return _escape(text)


def _escape(text: str, open_end: bool = False) -> str:
    """``text`` (folded already) as cell markdown that shows exactly that text (``open_end``: markup
    follows it at once)."""
    if "://" not in text and "www." not in text.lower():  # no autolink can form: each special escaped
        return _CELL_SPECIAL.sub(_escape_match, text)
    specials = list(_CELL_SPECIAL.finditer(text))
    lowered = text.lower()
    if not specials and not (open_end and ("://" in lowered or "www." in lowered)):
        return text
    breaks = _autolink_breaks(text, specials, open_end) if "://" in lowered or "www." in lowered else set()
    if not breaks:
        return _CELL_SPECIAL.sub(_escape_match, text)
    out: list[str] = []
    pos = 0
    for i in sorted(breaks | {m.start() for m in specials}):
        out.append(text[pos:i])
        m = _CELL_SPECIAL.match(text, i)
        out.append(_escape_match(m) if m else "\\" + text[i])
        pos = i + 1
    out.append(text[pos:])
    return "".join(out)


def comment_cell(text: str | None) -> str:
    """A comment as the inside of one cell: its markdown links and autolinks to http(s) urls
    (:data:`~mapdaily_cli.model.COMMENT_LINK`) are links, every other character shows as typed."""
    if text is None:
        return cell(text)
    text = fold_space(text)
    links = comment_links(text)
    if not links:
        return _folded_cell(text)
    out: list[str] = []
    pos = 0
    for m in links:
        out.append(_escape(text[pos : m.start()], open_end=True))
        if m["auto"]:
            out.append(f"<{m['auto']}>")
        else:
            out.append(f"[{_escape(m['text'])}]({m['target']})")
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def liquid_inert(text: str) -> str:
    """``text`` with nothing Liquid reads as markup: each ``{`` before a ``{`` or ``%`` as ``&#123;``.

    For the texts of the settings (headings, dates) that go into a region as they are: markdown that
    the user wrote, shown on github.com and on GitHub Pages alike (Liquid belongs outside the markers).
    """
    return _LIQUID_OPEN.sub("&#123;", text)


def link_target(url: str) -> str:
    """``url`` as a link destination that cannot end the link or the cell. An ``&`` that would read as
    an entity is written ``&amp;``: cmark-gfm decodes entities in a destination before backslash
    escapes, so only an entity keeps it. A ``{`` is percent-encoded (as a browser would send it), so
    no Liquid tag can open in a destination."""
    target = fold_space(url)
    if _URL_AS_IS.fullmatch(target) is None:
        target = quote(target.replace(" ", "%20"), safe=_URL_SAFE)
    return _ENTITY.sub("&amp;", target) if "&" in target else target


def is_linkable(url: str | None) -> bool:
    """Only http(s) urls become links; anything else (``javascript:``) stays text-less."""
    return bool(url) and _LINKABLE.match(url or "") is not None


def title_cell(paper: Paper) -> str:
    """The title, linked to the paper's url when it has a usable one."""
    text = cell(paper.title)
    if paper.url and is_linkable(paper.url):
        return f"[{text}]({link_target(paper.url)})"
    return text

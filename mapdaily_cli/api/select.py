"""Finding papers: selectors, the duplicate search and `search`, all through the raw-bytes prefilter."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from mapdaily_cli.api.plan import open_stream
from mapdaily_cli.config import Config
from mapdaily_cli.errors import InputError
from mapdaily_cli.model import Paper, arxiv_ref, canonical_url, fold_space, parse_date, same_paper
from mapdaily_cli.store import Stream, search_words


@dataclass(frozen=True)
class Found:
    """A paper and where it is: document index, date, position in the day (0-based)."""

    index: int
    date: date
    position: int
    paper: Paper

    @property
    def ref(self) -> str:
        return f"{self.date.isoformat()}#{self.position + 1}"


def paper_record(found: Found) -> dict[str, Any]:
    """A found paper as JSON for scripts."""
    return {
        "date": found.date.isoformat(),
        "n": found.position + 1,
        "ref": found.ref,
        **found.paper.to_mapping(),
    }


def candidates(stream: Stream, texts: Iterable[str]) -> list[int]:
    """Documents that may hold any of ``texts`` (a superset, found without parsing)."""
    hits: set[int] = set()
    for text in texts:
        hits.update(stream.candidates(search_words(text)))
    return sorted(hits)


def papers_in(stream: Stream, indexes: Iterable[int]) -> Iterator[Found]:
    for i in indexes:
        day = stream.day(i)
        for pos, paper in enumerate(day.papers):
            yield Found(i, day.date, pos, paper)


def _url_text(url: str) -> str:
    """What every spelling of ``url`` holds, for the prefilter: the number of an arXiv identifier
    (any form, any version: a link, a DOI, ``arXiv:``), else the url as it is compared."""
    ref = arxiv_ref(url)
    return ref.search_text if ref else canonical_url(url)


def find_duplicates(stream: Stream, paper: Paper) -> list[Found]:
    """Papers anywhere in the history that are the same paper (same url or normalised title; every
    form and version of one arXiv identifier is one url), found through the prefilter."""
    texts = [paper.title]
    if paper.url:
        texts.append(_url_text(paper.url))
    return [f for f in papers_in(stream, candidates(stream, texts)) if same_paper(f.paper, paper)]


def select(stream: Stream, selector: str) -> Found:
    """Resolve a SELECTOR: a url or arXiv id, ``YYYY-MM-DD#N``, or text matching exactly one title
    (exact match first, then a case-insensitive substring)."""
    text = selector.strip()
    if not text:
        raise InputError("empty selector; give a url, an arXiv id, YYYY-MM-DD#N or part of a title")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})#(\d+)", text)
    if m:
        return _by_position(stream, m[1], int(m[2]))
    if re.match(r"^https?://", text, re.IGNORECASE) or arxiv_ref(text):
        key = canonical_url(text)
        found = [
            f
            for f in papers_in(stream, candidates(stream, [_url_text(text)]))
            if f.paper.url and canonical_url(f.paper.url) == key
        ]
        return _one(found, selector)
    pool = list(papers_in(stream, candidates(stream, [text])))
    exact = [f for f in pool if f.paper.title == text]
    if exact:
        return _one(exact, selector)
    folded = text.casefold()
    return _one([f for f in pool if folded in f.paper.title.casefold()], selector)


def _by_position(stream: Stream, day_text: str, n: int) -> Found:
    try:
        when = parse_date(day_text)
    except ValueError as e:
        raise InputError(str(e)) from None
    index, exists = stream.position_of(when)
    if not exists:
        raise InputError(f"no day {when.isoformat()} in the digest")
    day = stream.day(index)
    if not 1 <= n <= len(day.papers):
        raise InputError(
            f"{when.isoformat()} has {len(day.papers)} paper{'s' if len(day.papers) != 1 else ''};"
            f" #{n} does not exist"
        )
    return Found(index, when, n - 1, day.papers[n - 1])


def _one(found: list[Found], selector: str) -> Found:
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputError(f"no paper matches {selector!r}; try `mapdaily search` to find it")
    listing = "".join(f"  {f.ref}  {f.paper.title}\n" for f in found[:20])
    more = f"  … and {len(found) - 20} more\n" if len(found) > 20 else ""
    raise InputError(
        f"{len(found)} papers match {selector!r}; name one by YYYY-MM-DD#N or its url",
        detail=listing + more,
    )


def show(config: Config, selector: str) -> Found:
    """The one paper ``selector`` names."""
    return select(open_stream(config), selector)


def search(config: Config, query: str) -> list[Found]:
    """Papers whose title, affiliation or comment contain ``query`` (case-insensitive), newest first."""
    stream = open_stream(config)
    needle = fold_space(query).casefold()
    if not needle:
        raise InputError("empty search; give a word to look for")
    out = []
    for f in papers_in(stream, candidates(stream, [query])):
        fields = (f.paper.title, f.paper.affiliation, f.paper.comment)
        if any(needle in fold_space(v).casefold() for v in fields if v):
            out.append(f)
    return out

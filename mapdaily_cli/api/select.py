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
from mapdaily_cli.model import (
    FIELDS,
    Day,
    Paper,
    arxiv_ref,
    canonical_url,
    fold_space,
    parse_date,
    same_paper,
)
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


#: The fields `search` looks in.
SEARCHED = ("title", "affiliation", "comment")


def paper_record(found: Found) -> dict[str, Any]:
    """A found paper as JSON for scripts: one shape for `list`, `show` and `search` (every field
    is there, null when it is not set; then the declared fields the paper sets)."""
    return {
        "ref": found.ref,
        "date": found.date.isoformat(),
        "n": found.position + 1,
        **{k: getattr(found.paper, k) for k in FIELDS},
        **dict(found.paper.extra),
    }


def day_records(days: Iterable[Day]) -> list[dict[str, Any]]:
    """The papers of ``days`` as records (the shape of ``paper_record``), newest day first."""
    return [paper_record(Found(0, d.date, i, p)) for d in days for i, p in enumerate(d.papers)]


def matched_fields(paper: Paper, query: str) -> list[str]:
    """The fields of ``paper`` that hold ``query`` as `search` looks for it (case and runs of
    space ignored), in the store's order."""
    needle = fold_space(query).casefold()
    return [k for k in SEARCHED if (v := getattr(paper, k)) and needle in fold_space(v).casefold()]


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


#: A selector that looks like a date (digits and the usual separators), with or without ``#N``.
_DATE_LIKE = re.compile(r"\d{1,4}[-./ ]\d{1,2}[-./ ]\d{1,4}(?:#\d*)?")


def select(stream: Stream, selector: str, date_format: str = "%d/%m/%Y") -> Found:
    """Resolve a SELECTOR: a url or arXiv id, ``DATE#N`` (the date as ``YYYY-MM-DD`` or as the
    pages show it, in ``date_format``; ``#N`` alone is today's), or text matching exactly one
    title (exact match first, then a case-insensitive substring)."""
    text = selector.strip()
    if not text:
        raise InputError("empty selector; give a url, an arXiv id, YYYY-MM-DD#N or part of a title")
    m = re.fullmatch(r"([^#]*)#(\d+)", text)
    if m:
        when = _day_of(stream, m[1].strip(), date_format)
        if when is not None:
            return _by_position(stream, when, int(m[2]))
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
    matching = [f for f in pool if folded in f.paper.title.casefold()]
    if not matching and _DATE_LIKE.fullmatch(text):
        raise InputError(_date_hint(stream, text, date_format))
    return _one(matching, selector)


def _day_of(stream: Stream, text: str, date_format: str) -> date | None:
    """The day ``text`` names: today when empty, an ISO date, or a date as the pages show it;
    None when it is no date (the selector may still be part of a title)."""
    from datetime import datetime

    if not text:
        if not len(stream):
            raise InputError("#N names a paper of today, but the digest has no day yet")
        return stream.date_at(0)
    try:
        return parse_date(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, date_format).date()
    except ValueError:
        return None


def _date_hint(stream: Stream, text: str, date_format: str) -> str:
    """What to write instead of a selector that looks like a date but names no paper."""
    day = text.split("#", 1)[0].strip()
    when = _day_of(stream, day, date_format)
    if when is not None:
        return f"{day!r} is a day, not a paper; name one of its papers as {when.isoformat()}#N"
    example = stream.date_at(0) if len(stream) else date(2024, 10, 15)
    return (
        f"{day!r} is not a date in YYYY-MM-DD or the pages' format ({date_format}); name a paper"
        f" as {example.isoformat()}#1 or {example.strftime(date_format)}#1 (#1 alone is today's first)"
    )


def _by_position(stream: Stream, when: date, n: int) -> Found:
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
    return select(open_stream(config), selector, config.date_format)


def search(config: Config, query: str) -> list[Found]:
    """Papers whose title, affiliation or comment contain ``query`` (case-insensitive),
    newest first; ``matched_fields`` says where."""
    stream = open_stream(config)
    if not fold_space(query):
        raise InputError("empty search; give a word to look for")
    return [f for f in papers_in(stream, candidates(stream, [query])) if matched_fields(f.paper, query)]

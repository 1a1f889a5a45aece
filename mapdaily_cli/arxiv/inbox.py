"""The day's candidate papers from Hugging Face's daily papers (a JSON list), newest and most
upvoted first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mapdaily_cli.arxiv.atom import ArxivError
from mapdaily_cli.model import arxiv_ref


@dataclass(frozen=True)
class Candidate:
    """A paper proposed for the day: its canonical arXiv id, title, upvotes, when it was listed,
    its authors and the organisation that submitted it (when the list names one)."""

    id: str
    title: str
    upvotes: int
    published: str
    authors: tuple[str, ...] = ()
    organization: str | None = None

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


def parse_daily(data: bytes, source: str) -> list[Candidate]:
    """The candidates of a daily papers answer, most upvoted first and, among equals, newest first;
    entries without an arXiv id are left out. ArxivError when it is not such a list."""
    try:
        items = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        why = f"the answer is not JSON ({e})"
        raise ArxivError(f"{source}: {why}; is inbox_api the daily papers API?") from None
    if not isinstance(items, list):
        raise ArxivError(f"{source}: the answer is not a list of papers; is inbox_api the daily papers API?")
    out = [c for c in map(_candidate, items) if c is not None]
    out.sort(key=lambda c: c.published, reverse=True)
    out.sort(key=lambda c: c.upvotes, reverse=True)
    return out


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _candidate(item: Any) -> Candidate | None:
    if not isinstance(item, dict):
        return None
    found = item.get("paper")
    paper: dict[str, Any] = found if isinstance(found, dict) else {}
    ref = arxiv_ref(_text(paper.get("id")))
    title = _text(paper.get("title")) or _text(item.get("title"))
    if ref is None or not title:
        return None
    upvotes = paper.get("upvotes", item.get("upvotes", 0))
    listed = paper.get("authors")
    authors: list[Any] = listed if isinstance(listed, list) else []
    names = tuple(n for a in authors if isinstance(a, dict) and (n := _text(a.get("name"))))
    org = item.get("organization") or paper.get("organization")
    organization = _text(org.get("fullname") or org.get("name")) if isinstance(org, dict) else ""
    return Candidate(
        ref.id,
        title,
        upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else 0,
        _text(item.get("publishedAt")) or _text(paper.get("publishedAt")),
        names,
        organization or None,
    )

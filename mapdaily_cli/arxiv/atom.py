"""arXiv's answers: the Atom feed of the API, read safely (no DTD, no entities), to entries."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from mapdaily_cli.arxiv.latex import clean_title
from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import arxiv_ref

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

# A withdrawal is announced in the comment of the new version ("This paper has been withdrawn by
# the author"), and often in an abstract replaced by that sentence.
_WITHDRAWN_COMMENT = re.compile(r"\bwithdrawn\b", re.IGNORECASE)
_WITHDRAWN_SUMMARY = re.compile(
    r"^\W*(?:this|the)\s+(?:paper|article|submission|manuscript|preprint)\s+(?:has\s+been|is|was)\s+withdrawn",
    re.IGNORECASE,
)


class ArxivError(MapdailyError):
    """arXiv could not be asked, or its answer could not be used; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    """One paper as arXiv describes it: ``id`` canonical and versionless, ``title`` turned into
    Unicode text (``raw_title`` as arXiv gives it), authors and their affiliations in order."""

    id: str
    version: int | None
    title: str
    raw_title: str
    authors: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    withdrawn: bool = False
    comment: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """An entry written by :meth:`to_json` (the cache); ValueError when it is not one."""
        try:
            return cls(
                **{**data, "authors": tuple(data["authors"]), "affiliations": tuple(data["affiliations"])}
            )
        except (TypeError, KeyError) as e:
            raise ValueError(f"not a cached entry: {e}") from None


def parse_feed(data: bytes, source: str) -> dict[str, Entry]:
    """The entries of an API answer by canonical id. An ArxivError when ``data`` is no feed, holds a
    DTD or entity declarations (refused unread: no entity is ever expanded), or is arXiv's error
    entry; ids arXiv does not know are simply absent."""
    import xml.etree.ElementTree as ElementTree

    import defusedxml
    import defusedxml.ElementTree

    check = "nothing was changed; is arxiv_api the arXiv API?"
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise ArxivError(
            f"{source}: the answer declares a DTD or XML entities, refused unread; {check}"
        ) from None
    except ElementTree.ParseError as e:
        raise ArxivError(f"{source}: the answer is not an Atom feed ({e}); {check}") from None
    if root.tag != f"{ATOM}feed":
        raise ArxivError(
            f"{source}: the answer is not an Atom feed (its root is {root.tag!r}); nothing was changed"
        )
    entries: dict[str, Entry] = {}
    for node in root.iter(f"{ATOM}entry"):
        entry = _entry(node, source)
        if entry is not None:
            entries[entry.id] = entry
    return entries


def _text(node: Any, tag: str) -> str:
    found = node.find(tag)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _entry(node: Any, source: str) -> Entry | None:
    link = _text(node, f"{ATOM}id")
    if "/api/errors" in link:
        raise ArxivError(f"{source}: arXiv refused the request: {_text(node, f'{ATOM}summary') or link}")
    ref = arxiv_ref(link)
    raw_title = _text(node, f"{ATOM}title")
    if ref is None or not raw_title:
        return None  # what arXiv answers for an id it does not know
    authors, affiliations = [], []
    for author in node.iter(f"{ATOM}author"):
        name = _text(author, f"{ATOM}name")
        if name:
            authors.append(name)
        for aff in author.iter(f"{ARXIV}affiliation"):
            text = " ".join("".join(aff.itertext()).split())
            if text and text not in affiliations:
                affiliations.append(text)
    comment = _text(node, f"{ARXIV}comment") or None
    withdrawn = bool(comment and _WITHDRAWN_COMMENT.search(comment)) or bool(
        _WITHDRAWN_SUMMARY.search(_text(node, f"{ATOM}summary"))
    )
    return Entry(
        ref.id,
        ref.version,
        clean_title(raw_title),
        raw_title,
        tuple(authors),
        tuple(affiliations),
        withdrawn,
        comment,
    )

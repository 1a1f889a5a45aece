"""arXiv identifiers as people paste them: every form to one canonical, versionless identifier."""

from __future__ import annotations

from collections.abc import Iterable

from mapdaily_cli.errors import UsageError
from mapdaily_cli.model import ArxivRef, arxiv_ref

#: What the API takes in one request (``id_list``); more ids are asked for in batches.
BATCH = 100

_FORMS = "2410.08391, arXiv:2410.08391v2, https://arxiv.org/abs/2410.08391, hep-th/9901001"


def parse_id(text: str) -> ArxivRef:
    """The identifier in ``text`` (an id, an arXiv link to the abstract, PDF or HTML, a DOI);
    a UsageError naming the forms that are understood otherwise."""
    ref = arxiv_ref(text)
    if ref is None:
        shown = " ".join(text.split()) or "''"
        raise UsageError(
            f"{shown!r} is not an arXiv id or link; write it like {_FORMS}"
            " (or pass --title and --url to add a paper by hand)"
        )
    return ref


def parse_ids(texts: Iterable[str]) -> list[ArxivRef]:
    """Every identifier of ``texts`` in order; one given twice (in any form) is a UsageError."""
    seen: dict[str, str] = {}
    out = []
    for text in texts:
        ref = parse_id(text)
        if ref.id in seen:
            raise UsageError(
                f"{text.strip()!r} and {seen[ref.id]!r} are the same paper ({ref.id}); give it once"
            )
        seen[ref.id] = text.strip()
        out.append(ref)
    return out

"""Changes to one round-trip loaded day document (ruamel.yaml objects never leave the store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mapdaily_cli.model import Paper
from mapdaily_cli.store.append import plain_entries
from mapdaily_cli.store.yamlio import to_yaml_text


def papers_seq(doc: Any) -> Any:
    """The day's list of papers, made (or turned into a block list) so that papers can be appended."""
    from ruamel.yaml.comments import CommentedSeq

    papers = doc.get("papers")
    if papers is None:
        papers = CommentedSeq()
        doc["papers"] = papers
    papers.fa.set_block_style()
    return papers


def append(doc: Any, papers: Sequence[Paper]) -> None:
    """Append ``papers`` to the day, each field written so that it reads back as typed."""
    from ruamel.yaml.comments import CommentedMap

    seq = papers_seq(doc)
    for paper in papers:
        seq.append(CommentedMap((k, to_yaml_text(v)) for k, v in paper.to_mapping().items()))


def entries_text(papers: Sequence[Paper]) -> str:
    """``papers`` as the lines of block list entries at column 0, written as :func:`append` writes
    them into a day (``- title: …``); "" for none."""
    if not papers:
        return ""
    plain = plain_entries([p.to_mapping() for p in papers])
    if plain is not None:
        return plain  # what ruamel writes for them, without loading it
    import io

    from ruamel.yaml.comments import CommentedMap

    from mapdaily_cli.store.yamlio import round_trip

    doc = CommentedMap()
    append(doc, papers)
    out = io.StringIO()
    round_trip().dump(doc, out)
    head, _, items = out.getvalue().partition("\n")
    assert head == "papers:", head
    return items


def set_fields(doc: Any, position: int, changes: Mapping[str, str | None]) -> None:
    """Set fields of paper ``position``; None (or "" for an optional field) removes the field.
    Keys mapdaily does not know, and the comments, stay as they are."""
    entry = papers_seq(doc)[position]
    for key, value in changes.items():
        if value is None or (value == "" and key != "title"):
            entry.pop(key, None)
        else:
            entry[key] = to_yaml_text(value)


def arrange(doc: Any, papers: Sequence[int | Paper]) -> None:
    """Make the day's papers ``papers``: an int keeps the entry at that position, a Paper is new."""
    seq = papers_seq(doc)
    old = list(seq)
    del seq[:]
    for item in papers:
        if isinstance(item, int):
            seq.append(old[item])
        else:
            append(doc, [item])
    if not seq:
        seq.fa.set_flow_style()  # `papers: []`: an empty block sequence cannot be written


def replace(doc: Any, position: int, entry: Any) -> None:
    """Put ``entry`` (a round-trip loaded mapping) in the place of paper ``position``."""
    papers_seq(doc)[position] = entry


def pop_paper(doc: Any, position: int) -> Any:
    """Remove paper ``position`` and return it, leaving the YAML comments that follow it (ruamel
    attaches them to its last key; they sit above the next paper, or close the day) where they
    were: on the paper before it, or under ``papers:``."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    def last_slot(entry: Any) -> Any:
        if not hasattr(entry, "ca") or not entry:
            return None
        return entry.ca.items.setdefault(list(entry.keys())[-1], [None, None, None, None])

    seq = doc["papers"]
    entry = seq[position]
    slot = last_slot(entry)
    token = slot[2] if slot is not None and len(slot) > 2 else None
    if token is not None:
        slot[2] = None
        if position > 0 and last_slot(seq[position - 1]) is not None:
            keep = last_slot(seq[position - 1])
        else:
            keep = doc.ca.items.setdefault("papers", [None, None, None, None])
        text = token.value if keep[2] is None else keep[2].value + token.value.lstrip("\n")
        keep[2] = CommentToken(text, CommentMark(0), None)
    del seq[position]
    if not seq:
        seq.fa.set_flow_style()  # `papers: []`: an empty block sequence cannot be written
    return entry

"""What a day document must be: its date, its list of papers, each paper by the one paper rule."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from mapdaily_cli.errors import DataError
from mapdaily_cli.model import FIELDS, UNKNOWN_FIELD, Day, Paper, paper_problem

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class LineRead(dict[str, object]):
    """A day document read off its lines (:func:`~mapdaily_cli.store.daylines.quick_load`):
    ``date`` (a date, or the text of a quoted one) and ``papers`` (None or a list of mappings of
    text to text), where no value holds a control character (:data:`~mapdaily_cli.model.CONTROL`):
    what the store's rules need checked of it is known to hold but for the keys and the titles."""

    __slots__ = ()


class KeyOf(str):
    """A step of a path to a node that names a mapping's key itself, not its value (where an
    unknown field is written)."""

    __slots__ = ()


def paper_message(
    fields: Mapping[str, Any],
    name: Callable[[str], str],
    no_title: str,
    extra_fields: Sequence[str] | None = None,
) -> tuple[str, str] | None:
    """The one message for what is wrong with ``fields`` as a paper, as (field, message), where
    ``name`` says how a field is called where the paper came from (``--url``, ``url of paper 2 of
    2024-10-15``), ``no_title`` is what to say when it has none and ``extra_fields`` are the fields
    the settings declare; None when it is a paper."""
    problem = paper_problem(fields, extra_fields)
    if problem is None:
        return None
    key, what, fix = problem
    if what == UNKNOWN_FIELD:
        return key, f"unknown field {key!r}" + (f" ({fix})" if fix.startswith("did you mean") else f"; {fix}")
    if key == "title" and not str(fields.get("title") or "").strip():
        return key, no_title
    return key, f"{name(key)} {what}; {fix}"


def _field_of(i: int, when: date) -> Callable[[str], str]:
    return lambda key: f"{key} of paper {i + 1} of {when}"


def validate_day(
    data: Any,
    locate: Callable[[tuple[Any, ...]], str],
    display: str,
    extra_fields: Sequence[str] | None = None,
) -> Day:
    """The Day a loaded document holds; a DataError at the offending node (``locate`` turns a path
    of keys and indexes into ``LINE:COL``) when it breaks the store's rules (``extra_fields``: the
    paper fields the settings declare)."""

    if type(data) is LineRead:
        day = _read_day(data, extra_fields)
        if day is not None:
            return day

    def fail(path: tuple[Any, ...], message: str) -> DataError:
        return DataError(f"{display}:{locate(path)}: {message}")

    if data is None:
        raise fail((), "empty document (a stray '---'?); remove it")
    if not isinstance(data, Mapping):
        raise fail((), "a document must be a day: a mapping with 'date:' and 'papers:'")
    when = data.get("date")
    if when is None:
        raise fail((), "this day has no 'date:'; add one as YYYY-MM-DD")
    if isinstance(when, str) and _ISO_DATE.fullmatch(when):
        with contextlib.suppress(ValueError):
            when = date.fromisoformat(when)
    if not isinstance(when, date) or hasattr(when, "hour"):
        raise fail(("date",), f"date {when!r} is not a valid date; write it as YYYY-MM-DD")
    papers = data.get("papers")
    if papers is None:
        papers = []
    if not isinstance(papers, list):
        raise fail(("papers",), "'papers' must be a list of papers (each starting with '- title:')")
    out: list[Paper] = []
    for i, paper in enumerate(papers):
        if not isinstance(paper, Mapping):
            raise fail(("papers", i), f"paper {i + 1} of {when} must be a mapping with a 'title:'")
        no_title = f"paper {i + 1} of {when} has no title; add 'title:'"
        found = paper_message(paper, _field_of(i, when), no_title, extra_fields)
        if found is not None:
            key, message = found
            last = KeyOf(key) if message.startswith("unknown field") else key
            raise fail(("papers", i) if message == no_title else ("papers", i, last), message)
        out.append(Paper.from_mapping(dict(paper)))
    return Day(when, tuple(out))


def _read_day(data: LineRead, extra_fields: Sequence[str] | None) -> Day | None:
    """The Day of a document read off its lines, when it keeps the store's rules (its values are
    text without control characters: only its date, its keys and its titles are left to check);
    None when it may not, and the checks above must say what is wrong."""
    when = data["date"]
    if type(when) is not date:
        return None
    known = None if extra_fields is None else frozenset((*FIELDS, *extra_fields))
    papers: list[dict[str, str]] = data["papers"] or []  # type: ignore[assignment]
    out: list[Paper] = []
    for paper in papers:
        title = paper.get("title")
        if not title or not title.strip() or (known is not None and not known.issuperset(paper)):
            return None
        out.append(Paper.from_mapping(paper))
    return Day(when, tuple(out))

"""Appending papers to a day by writing their lines after the day's last one: the document's other
bytes stay exactly as they are and only the new papers are emitted (no round trip of the day)."""

from __future__ import annotations

import re

_EMPTY_LIST = re.compile(r"papers:[ \t]*\[[ \t]*\][ \t]*\n")


def appended(text: str, items: str) -> str | None:
    """``text`` (one day document, as mapdaily writes it: ``papers:`` its last key, a block list
    or ``[]``) with ``items`` (block list entries at column 0) after its last entry; None when the
    document is laid out otherwise (a flow list, a Windows line end, nothing to append after).
    The caller reads the result back to be sure it means what was meant."""
    if "\r" in text or not items:
        return None
    lines = text.splitlines(keepends=True)
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1  # trailing blank lines stay after the new papers
    if not last:
        return None
    if _EMPTY_LIST.fullmatch(lines[last - 1]):
        lines[last - 1] = "papers:\n"
    elif lines[last - 1].startswith(("papers:", "---")):
        return None
    return "".join(lines[:last]) + items + "".join(lines[last:])


#: Text ruamel writes as it stands (plain) or in single quotes: it starts with a letter or digit and
#: holds no line break, tab or other character ruamel would escape.
_TEXT = re.compile(r"[A-Za-z0-9][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]*")
#: One word starting with a digit: YAML 1.2 (ruamel) may read it as a number (``0o17``, ``12e3``)
#: where 1.1 does not, so ruamel quotes it; it is left to ruamel.
_NUMBERISH = re.compile(r"\d[\w.:+-]*")


def _scalar(key: str, value: str) -> str | None:
    """``value`` as ruamel writes it after ``key: ``: plain, or in single quotes when a plain
    scalar would end there (a ``: `` or `` #`` in it, a ``:`` at its end); None when it is any
    other case (a number-like or YAML word, a character to escape, a line ruamel would fold, a
    quote to escape)."""
    from mapdaily_cli.store.yamlio import reads_as_text

    if len(key) + len(value) > 4000 or not _TEXT.fullmatch(value) or value[-1].isspace():
        return None
    if not value.isprintable() or _NUMBERISH.fullmatch(value) or not reads_as_text(value):
        return None
    if ": " in value or " #" in value or value.endswith(":"):
        return None if "'" in value else f"'{value}'"  # with a ' in it, ruamel writes double quotes
    return value


def plain_entries(papers: list[dict[str, str]]) -> str | None:
    """``papers`` (each a mapping of its fields) as block list entries, each value written as ruamel
    writes it; None when some value is one :func:`_scalar` leaves to ruamel."""
    out = []
    for fields in papers:
        for n, (key, value) in enumerate(fields.items()):
            written = _scalar(key, value)
            if written is None:
                return None
            out.append(f"{'- ' if n == 0 else '  '}{key}: {written}\n")
    return "".join(out)

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

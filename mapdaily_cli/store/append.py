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


#: Text YAML reads back as itself when written plain (after ``key: ``), and that ruamel writes
#: plain too: it starts with a letter or digit, holds no line break, no ``: `` or `` #``, no
#: character ruamel would escape, and YAML 1.1 resolves it to text (checked by the caller).
_PLAIN = re.compile(r"[A-Za-z0-9](?:[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*[^\s:])?")
#: One word starting with a digit: YAML 1.2 (ruamel) may read it as a number (``0o17``, ``12e3``)
#: where 1.1 does not, so ruamel quotes it; it is left to ruamel.
_NUMBERISH = re.compile(r"\d[\w.:+-]*")


def plain_entries(papers: list[dict[str, str]]) -> str | None:
    """``papers`` (each a mapping of its fields) as block list entries with every value plain, as
    ruamel writes such values; None when some value needs quoting (ruamel then writes them)."""
    from mapdaily_cli.store.yamlio import reads_as_text

    out = []
    for fields in papers:
        for n, (key, value) in enumerate(fields.items()):
            if not (
                len(value) < 1000 and _PLAIN.fullmatch(value) and ": " not in value and " #" not in value
            ):
                return None
            if not value.isprintable() or _NUMBERISH.fullmatch(value) or not reads_as_text(value):
                return None
            out.append(f"{'- ' if n == 0 else '  '}{key}: {value}\n")
    return "".join(out)

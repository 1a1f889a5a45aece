"""Unified diffs whose line numbers are those of the file shown."""

from __future__ import annotations

import difflib
import re


def unified(
    rel: str,
    old: str | bytes,
    new: str | bytes | list[bytes | memoryview],
    line: int = 1,
    labels: tuple[str, str] = ("now", "after this command"),
) -> str:
    """A unified diff of two texts whose line numbers are those of ``rel`` (region offset ``line``).
    Lines the two share at either end are set aside first, so a one-line change to a large file
    costs little."""
    if isinstance(new, list):
        new = b"".join(new)
    a = (old.decode("utf-8", errors="replace") if isinstance(old, bytes) else old).splitlines(keepends=True)
    b = (new.decode("utf-8", errors="replace") if isinstance(new, bytes) else new).splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    skip = max(head - 2, 0)
    a, b = a[skip : len(a) - max(tail - 2, 0)], b[skip : len(b) - max(tail - 2, 0)]
    lines = difflib.unified_diff(
        a, b, fromfile=f"a/{rel}", tofile=f"b/{rel}", fromfiledate=labels[0], tofiledate=labels[1], n=2
    )
    out = []
    for text in lines:
        if text.startswith("@@") and line - 1 + skip:
            text = _shift_hunk(text, line - 1 + skip)
        out.append(text if text.endswith("\n") else text + "\n\\ No newline at end of file\n")
    return "".join(out)


def _shift_hunk(header: str, by: int) -> str:
    def shift(m: re.Match[str]) -> str:
        start = int(m[2]) + by if int(m[2]) else 0
        return f"{m[1]}{start}{m[3] or ''}"

    return re.sub(r"([-+])(\d+)(,\d+)?", shift, header, count=2)

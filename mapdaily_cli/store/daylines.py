"""A day document read off its lines when its layout leaves no doubt (the layout mapdaily writes):
how many papers it holds (the archive index and its chart need no parse of the history), and the
data a YAML parse would give (a long history is read without a YAML parser).

The fast path accepts a document only when every line of it is one whose meaning does not depend
on what came before: its ``date:`` line, a ``papers:`` line, and paper lines that each hold one
whole key and value (``- title: ...`` opens a paper, ``  url: ...`` continues it), where each value
is a plain, single-quoted or double-quoted scalar that ends on its own line. No line can then be
the continuation of a scalar, so the papers are exactly the ``- `` lines. Anything else (flow
style, a block scalar, a scalar over several lines, tabs, comments after values, anchors, tags,
other keys, a character YAML refuses, an escape other than a one-letter one) is not read this way:
None, and the caller parses the document."""

from __future__ import annotations

import re
from datetime import date
from itertools import islice

from mapdaily_cli.model import CONTROL
from mapdaily_cli.store.validate import LineRead
from mapdaily_cli.store.yamlio import reads_as_text

# The parts of a line, each one whole YAML token that ends on its line (loops unrolled: the regular
# expression engine runs through a long comment in one step).
_KEY = r"[A-Za-z_][A-Za-z0-9_]*"
_DOUBLE = r'"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*"'
_SINGLE = r"'[^'\n]*(?:''[^'\n]*)*'"
# A plain scalar that cannot start anything else (no indicator first), holds no ": " (a mapping
# value), no " #" (a comment) and no tab, and does not end in ":".
_PLAIN = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\t:#]*(?:(?::(?=[^\s])|(?<=[^\s])#)[^\n\t:#]*)*"
_VALUE = rf"(?:{_DOUBLE}|{_SINGLE}|{_PLAIN})"
_SKIP = r"(?:#[^\n]*)?\n"
_LAYOUT = re.compile(
    rf"(?:--- *\n)?(?:{_SKIP})*"
    r"date: (['\"]?)\d{4}-\d{2}-\d{2}\1 *\n"
    rf"(?:papers: \[\] *\n(?:{_SKIP})*"
    rf"|papers: *\n(?:{_SKIP})*(?:- {_KEY}: {_VALUE} *\n(?:(?:  {_KEY}: {_VALUE} *)?\n|#[^\n]*\n)*)*)"
)

# What YAML also reads as a line break (a line of the fast path would then be two).
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
# What the YAML reader refuses (a control character), and a byte order mark: a parse must say it.
_NOT_READ = r"\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff"
# Any of them in a text (a class of what is left out compiles in a fraction of the time the
# layout's negated classes take with these ranges added: every command reads days).
_UNREAD = re.compile(f"[{_NOT_READ}]")
# The date and the papers line (after what the layout lets stand before them).
_HEAD = re.compile(r"(?:--- *\n)?(?:(?:#[^\n]*)?\n)*date: ([^\n]*?) *\npapers:( \[\])? *\n")
# The one-letter escapes of a double-quoted scalar (YAML 1.1, as the C parser reads them).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_ESCAPE = re.compile(r"\\(.)")


def quick_count(text: str) -> int | None:
    """The number of papers of the day document ``text`` (its ``---`` line included or not) when
    its layout is the plain one described above, else None (then only a parse can tell)."""
    if any(brk in text for brk in _OTHER_BREAKS):
        return None
    if not text.endswith("\n"):
        text += "\n"
    if _LAYOUT.fullmatch(text) is None:
        return None
    return text.count("\n- ")


def quick_load(text: str) -> LineRead | None:
    """What a YAML parse of the day document ``text`` gives (a mapping of ``date`` and ``papers``,
    each paper a mapping of text), when its layout is the plain one described above, every value
    reads as text and none holds a control character; else None (then only a parse can tell, or
    say what is wrong)."""
    if any(brk in text for brk in _OTHER_BREAKS):
        return None
    if not text.endswith("\n"):
        text += "\n"  # the last line ends as every other does
    if _LAYOUT.fullmatch(text) is None or _UNREAD.search(text):
        return None
    head = _HEAD.match(text)
    assert head is not None  # the layout holds
    when = _date(head[1])
    if when is None:
        return None
    papers: list[dict[str, str]] | None = [] if head[2] else None
    paper: dict[str, str] = {}
    lines = text.split("\n")
    # The layout holds: past the head, each line is empty, a comment, or a paper's line (``- `` or
    # two spaces, a key, ``: `` and the value as written, then spaces).
    for line in islice(lines, head[0].count("\n"), None):
        if not line or line[0] == "#":
            continue
        lead, _, written = line.partition(": ")  # the key's line start ("- " or "  ") holds none
        key = lead[2:]
        value = _value(written.rstrip(" "))
        if value is None or not reads_as_text(key):
            return None
        if line[0] == "-":
            paper = {}
            papers = [] if papers is None else papers
            papers.append(paper)
        elif key in paper:
            return None  # a key twice: the parse says where
        paper[key] = value
    return LineRead(date=when, papers=papers)


def _date(written: str) -> date | str | None:
    """The value of a ``date:`` line: a date when plain, the text when quoted, None when no date."""
    if written[0] in "'\"":
        return written[1:-1]
    try:
        return date.fromisoformat(written)
    except ValueError:
        return None


def _value(written: str) -> str | None:
    """The text of a value as written on its line (one whole scalar) as a parse reads it; None when
    only a parse can tell."""
    if written[0] == '"':
        inner = written[1:-1]
        if "\\" not in inner:
            return inner
        unknown = [e for e in _ESCAPE.findall(inner) if e not in _ESCAPES]
        value = None if unknown else _ESCAPE.sub(lambda e: _ESCAPES[e[1]], inner)
        return None if value is None or CONTROL.search(value) else value
    if written[0] == "'":
        return written[1:-1].replace("''", "'")
    return written if reads_as_text(written) else None

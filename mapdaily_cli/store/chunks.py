"""The raw stream: papers.yaml cut into documents on its ``---`` lines, each decoded only when read."""

from __future__ import annotations

import contextlib
import re
from datetime import date

from mapdaily_cli.errors import DataError
from mapdaily_cli.model import Day

# A document marker at column 0 cannot occur inside content, so the stream is split on it.
SEPARATOR = re.compile(r"^---(?=[ \t\r]|$)", re.MULTILINE)
_MARKER = re.compile(rb"\n---(?=[ \t\r\n]|\Z)")
# A document's first content line, when it is a plain ``date:`` line (as mapdaily writes it).
# What YAML also takes for a line break (CR, NEL, LS, PS) starts with one of the bytes \r, \xc2,
# \xe2: a line holding one is left to the parse.
_LINE = rb"[^\n\r\xc2\xe2]"
_DATE_LINE = re.compile(
    rb"(?:---[ \t]*(?:#" + _LINE + rb"*)?\n)?(?:[ \t]*(?:#" + _LINE + rb"*)?\n)*"
    rb"date:[ \t]*(['\"]?)(\d{4}-\d{2}-\d{2})\1[ \t]*(?:[ \t]#" + _LINE + rb"*)?\n"
    rb"(?=[^ \t\n\r\xc2\xe2]|\Z)"  # not continued on the next line
)


class Chunk:
    """One YAML document of the stream: its bytes (its ``---`` line included, if it has one),
    decoded only when something reads it."""

    __slots__ = ("_data", "_raw", "end", "offset", "day", "added_lines", "source", "_text", "papers")

    def __init__(
        self,
        data: bytes | str | None,
        offset: int | None = None,
        day: Day | None = None,
        added_lines: int = 0,
        source: str = "papers.yaml",
        raw: bytes | None = None,
        end: int | None = None,
    ) -> None:
        self.source = source
        self._text = data if isinstance(data, str) else None
        self._data = data.encode("utf-8") if isinstance(data, str) else data
        #: The file's bytes and where in them this document ends, when it is still as read
        #: (its bytes are then sliced only when needed).
        self._raw = raw
        self.end = end
        #: Byte offset of the chunk in the file it was read from (None for a chunk made in memory).
        self.offset = offset
        #: The validated Day, once parsed.
        self.day = day
        #: How many papers the document holds, once counted (or known from the scan cache).
        self.papers: int | None = None if day is None else len(day.papers)
        #: Lines put in front of the bytes read from the file (a ``---`` added when a day is inserted
        #: above it), so that positions still name the file's lines.
        self.added_lines = added_lines

    @property
    def pristine(self) -> bool:
        """Still the very bytes of the file it was read from."""
        return self._raw is not None

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert self._raw is not None and self.offset is not None
            data = self._raw[self.offset : self.end]
            self._data = data if data.endswith(b"\n") else data + b"\n"
        return self._data

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self._text = self.data.decode("utf-8")
            except UnicodeDecodeError as e:
                where = f" at byte {self.offset + e.start}" if self.offset is not None else ""
                raise DataError(f"{self.source}: not UTF-8 text{where}; save the file as UTF-8") from None
        return self._text

    def quick_date(self) -> date | None:
        """The date read off the document's ``date:`` line when that is its first content line
        (nothing before it can hide it in a scalar); None when it must be parsed to be known."""
        if self._raw is not None and self.offset is not None:
            # Matched in the file's bytes where the document lies: nothing is copied or decoded.
            m = _DATE_LINE.match(self._raw, self.offset, len(self._raw) if self.end is None else self.end)
        else:
            m = _DATE_LINE.match(self.data)
        if m:
            with contextlib.suppress(ValueError):
                return date.fromisoformat(m[2].decode("ascii"))
        return None

    def marker_line(self) -> str:
        """The ``---`` line to keep in front of the document when it is written anew: as written when
        it holds nothing but a comment, a plain one when it held more, "" when it had none."""
        if not SEPARATOR.match(self.text):
            return ""
        line = self.text[: self.text.find("\n") + 1] or "---\n"
        return line if re.fullmatch(r"---[ \t]*(?:#[^\r]*)?\r?\n", line) else "---\n"

    def with_marker(self) -> Chunk:
        """This chunk with a ``---`` line in front (when a document is inserted above it)."""
        if SEPARATOR.match(self.text):
            return self
        return Chunk(b"---\n" + self.data, self.offset, self.day, self.added_lines + 1, self.source)


def without_marker(chunk: Chunk) -> Chunk:
    """``chunk`` without its plain ``---`` line (when it becomes the first document); a marker line
    holding a comment or content is kept."""
    text = chunk.text
    if not re.match(r"---[ \t]*\r?\n", text):
        return chunk
    rest = text[text.index("\n") + 1 :]
    return Chunk(rest, chunk.offset, chunk.day, chunk.added_lines - 1, chunk.source)


def document_body(text: str) -> str:
    """A document's text without its ``---`` marker (what follows the marker on its line, such as
    a flow mapping, is kept; a comment there is not)."""
    if not SEPARATOR.match(text):
        return text
    line, _, rest = text.partition("\n")
    if re.fullmatch(r"---[ \t]*(?:#.*)?\r?", line):
        return rest
    return text[3:]


def split(raw: bytes, source: str) -> tuple[bytes, list[Chunk]]:
    """Split the stream into a preamble (leading comment lines) and one chunk per document, on the
    ``---`` lines (a marker at column 0 cannot occur inside content)."""
    pos = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    while pos < len(raw):
        nl = raw.find(b"\n", pos)
        end = len(raw) if nl < 0 else nl + 1
        line = raw[pos:end].strip()
        if line and not line.startswith((b"#", b"%")):  # comments and directives (%YAML 1.2)
            break
        pos = end
    starts = [pos] if pos < len(raw) else []
    starts += [m.start() + 1 for m in _MARKER.finditer(raw, max(pos - 1, 0)) if m.start() + 1 != pos]
    ends = [*starts[1:], len(raw)][: len(starts)]
    return raw[:pos], [_read(raw, start, end, source) for start, end in zip(starts, ends, strict=True)]


def _read(raw: bytes, offset: int, end: int, source: str) -> Chunk:
    """``Chunk(None, offset, source=source, raw=raw, end=end)``, made without the constructor's
    checks: a ten-year file has thousands of documents."""
    chunk = Chunk.__new__(Chunk)
    chunk._data = chunk._text = chunk.day = chunk.papers = None
    chunk._raw, chunk.offset, chunk.end, chunk.source, chunk.added_lines = raw, offset, end, source, 0
    return chunk

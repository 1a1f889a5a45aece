"""papers.yaml as a stream of day documents, newest first: read lazily, walked in order, changed by
named edits that re-emit only the documents they touch."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.model import Day, Paper
from mapdaily_cli.store import edits
from mapdaily_cli.store.append import appended
from mapdaily_cli.store.chunks import SEPARATOR, Chunk, document_body, split, without_marker
from mapdaily_cli.store.scan import Prefilter, ScanCache
from mapdaily_cli.store.validate import KeyOf, validate_day
from mapdaily_cli.store.yamlio import compose, load_round_trip, load_strict, round_trip

_CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |$)", re.MULTILINE)
T = TypeVar("T")


class Stream:
    """papers.yaml as a list of documents; only documents that change are parsed for writing."""

    def __init__(
        self,
        path: Path,
        display: str,
        data: bytes | str,
        cache: ScanCache | None = None,
        extra_fields: Sequence[str] | None = None,
    ) -> None:
        self.path = path
        self.display = display
        #: The paper fields the settings declare; any other unknown field is refused when a day is
        #: read (None: the settings are not known, and unknown fields pass).
        self.extra_fields = extra_fields
        self.raw = data.encode("utf-8") if isinstance(data, str) else data
        self.prefilter = Prefilter(self.raw, cache)
        if self.prefilter.hiding is None:  # an earlier run saw no conflict markers in these bytes
            self._check_conflicts()
        self.preamble, self.chunks = split(self.raw, display)
        if len(self.prefilter.counts) == len(self.chunks):  # counted by an earlier run: these bytes
            for chunk, n in zip(self.chunks, self.prefilter.counts, strict=True):
                chunk.papers = n
        self.changed = False

    @classmethod
    def read(
        cls,
        path: Path,
        display: str,
        cache: ScanCache | None = None,
        extra_fields: Sequence[str] | None = None,
    ) -> Stream:
        """Read the stream at ``path``; a missing file is an empty stream."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as e:
            raise DataError(f"{display}: cannot read it ({e.strerror})") from None
        return cls(path, display, data, cache, extra_fields)

    @classmethod
    def fresh(cls, path: Path, display: str, text: str, extra_fields: Sequence[str] | None = None) -> Stream:
        """A new file holding ``text`` (validated when read), to be written in place of ``path``."""
        stream = cls(path, display, text, extra_fields=extra_fields)
        stream.changed = True
        return stream

    # --- the file ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    def parts(self) -> list[bytes | memoryview]:
        """The file as pieces to write one after another: the documents that changed, then the run
        of documents nobody touched as one view of the bytes read (no copy of the history)."""
        k = len(self.chunks)
        end = len(self.raw)
        while k > 0 and self.chunks[k - 1].pristine and self.chunks[k - 1].end == end:
            k -= 1
            end = self.chunks[k].offset or 0
        out: list[bytes | memoryview] = [self.preamble, *(c.data for c in self.chunks[:k])]
        if k < len(self.chunks):
            out.append(memoryview(self.raw)[end:])
            if not self.raw.endswith(b"\n"):
                out.append(b"\n")
        return out

    def to_bytes(self) -> bytes:
        """The whole file as it stands now."""
        return b"".join(self.parts())

    def text(self) -> str:
        """The whole file as text."""
        return self.to_bytes().decode("utf-8")

    def written(self, parts: list[bytes | memoryview], before: Stream | None = None) -> None:
        """Tell the scan cache that ``parts`` (from :meth:`parts`) is now the file, with the papers
        of each document as far as they are known, and those counted in ``before`` (the stream as
        read, whose bytes the cache keeps too)."""
        counts = self._counts()
        counted = before._counts() if before is not None and not before.changed else None
        self.prefilter.written(
            parts,
            counts if any(n is not None for n in counts) else None,
            counted if counted and any(n is not None for n in counted) else None,
        )

    def _counts(self) -> list[int | None]:
        return [c.papers if c.day is None else len(c.day.papers) for c in self.chunks]

    def papers_at(self, index: int) -> int:
        """How many papers document ``index`` holds: known once counted (or from the scan cache),
        else read off its lines where they leave no doubt, else from its parse."""
        chunk = self.chunks[index]
        if chunk.day is not None:  # parsed: that says it
            return len(chunk.day.papers)
        if chunk.papers is None:
            from mapdaily_cli.store.daylines import quick_count

            quick = quick_count(chunk.text)
            chunk.papers = len(self.day(index).papers) if quick is None else quick
        return chunk.papers

    def snapshot(self) -> Stream:
        """A copy whose document list is independent of this one's (chunks are never mutated)."""
        copy = object.__new__(Stream)
        copy.__dict__.update(self.__dict__)
        copy.chunks = list(self.chunks)
        return copy

    def size_of(self, index: int) -> int:
        """How many bytes document ``index`` holds."""
        return len(self.chunks[index].data)

    # --- reading ----------------------------------------------------------------------------

    def document(self, index: int) -> bytes | memoryview:
        """Document ``index`` as bytes (a view of the bytes read while it is untouched: no copy)."""
        chunk = self.chunks[index]
        if chunk.pristine and chunk.offset is not None:
            return memoryview(self.raw)[chunk.offset : chunk.end]
        return chunk.data

    def date_at(self, index: int) -> date:
        """The date of document ``index``, read off its ``date:`` line when it can be, else parsed."""
        chunk = self.chunks[index]
        if chunk.day is None:
            quick = chunk.quick_date()
            if quick is not None:
                return quick
        return self.day(index).date

    def day(self, index: int) -> Day:
        """The validated day of document ``index`` (parsed once with the C loader)."""
        chunk = self.chunks[index]
        if chunk.day is None:
            chunk.day = self._parse(chunk)
        return chunk.day

    def walk(self, start: int = 0) -> Iterator[tuple[int, date]]:
        """The one walk over the days: (index, date) of every document from ``start`` on, newest
        first, each date checked to be older than the one before it."""
        previous = self.date_at(start - 1) if start > 0 else None
        for i in range(start, len(self.chunks)):
            when = self.date_at(i)
            if previous is not None and when >= previous:
                self.order_error(i, when, previous)
            previous = when
            yield i, when

    def days(self, start: int = 0) -> Iterator[Day]:
        """Every day from document ``start`` on, newest first, validated and in order."""
        for i, _ in self.walk(start):
            yield self.day(i)

    def head(self, keep: Callable[[Day], bool]) -> list[Day]:
        """The leading days for which ``keep`` holds (stops at the first that does not)."""
        out: list[Day] = []
        for day in self.days():
            if not keep(day):
                break
            out.append(day)
        return out

    def index_of(self, when: date) -> int | None:
        """The document holding ``when``, None when there is none."""
        index, exists = self.position_of(when)
        return index if exists else None

    def position_of(self, when: date) -> tuple[int, bool]:
        """Where ``when`` is or would go: (index, whether a document for it exists)."""
        for i, d in self.walk():
            if d <= when:
                return i, d == when
        return len(self.chunks), False

    def candidates(self, words: list[str]) -> list[int]:
        """Indexes of the documents whose text, case-folded, may contain the phrase made of ``words``
        (from :func:`search_words`): a superset of the true matches, found without parsing or even
        decoding the history. Documents that something could hide a word in are always included."""
        if not words:
            return list(range(len(self.chunks)))
        starts = [(c.offset or 0, c.end or 0, i) for i, c in enumerate(self.chunks) if c.pristine]
        always = {i for i, c in enumerate(self.chunks) if not c.pristine}
        return self.prefilter.candidates(words, starts, always)

    def paper_text(self, index: int, position: int) -> str:
        """Paper ``position`` of document ``index`` as YAML, its comments and unknown keys kept."""
        doc = self._load_round_trip(index)
        out = io.StringIO()
        round_trip().dump(doc["papers"][position], out)
        return out.getvalue()

    def is_plain_empty(self, index: int) -> bool:
        """Document ``index`` holds nothing but its date and an empty list (no comments, no other keys)."""
        lines = [line for line in document_body(self.chunks[index].text).splitlines() if line.strip()]
        return len(lines) == 2 and all(re.match(r"^(date:|papers:\s*(\[\s*\])?\s*$)", line) for line in lines)

    # --- named edits ------------------------------------------------------------------------

    def insert_day(self, index: int, when: date) -> None:
        """Insert an empty day ``when`` as document ``index``."""
        body = f"date: {when.isoformat()}\npapers: []\n"
        if index == 0 and self.chunks:
            had_marker = SEPARATOR.match(self.chunks[0].text) is not None
            self.chunks[0] = self.chunks[0].with_marker()
            body = ("---\n" if had_marker else "") + body
        elif self.chunks:
            body = "---\n" + body
        self.chunks.insert(index, Chunk(body))
        self.changed = True

    def ensure_day(self, when: date) -> int:
        """The index of day ``when``, inserting an empty day in its place when there is none."""
        index, exists = self.position_of(when)
        if not exists:
            self.insert_day(index, when)
        return index

    def delete_day(self, index: int) -> None:
        """Remove document ``index``; a document that becomes the first loses a plain ``---`` line
        the removed one did not have (no stray marker under the file's header comment)."""
        removed = self.chunks.pop(index)
        if index == 0 and self.chunks and not SEPARATOR.match(removed.text):
            self.chunks[0] = without_marker(self.chunks[0])
        self.changed = True

    def append_papers(self, index: int, papers: Sequence[Paper]) -> None:
        """Append ``papers`` to day ``index``: their lines written after the day's last one when
        the day is laid out as mapdaily writes it (and reads back as meant), else a round trip."""
        chunk = self.chunks[index]
        was = self.day(index)
        text = appended(chunk.text, edits.entries_text(papers))
        if text is not None:
            new = Chunk(text)
            try:
                new.day = self._parse(new, line_base=self._line_of(chunk))
            except MapdailyError:  # not what was meant: the round trip below says what is wrong
                new.day = None
            if new.day == Day(was.date, was.papers + tuple(papers)):
                self.chunks[index] = new
                self.changed = True
                return
        self._edit(index, lambda doc: edits.append(doc, papers))

    def set_fields(self, index: int, position: int, changes: Mapping[str, str | None]) -> bool:
        """Set fields of a paper (None or "" removes an optional field); False when the document
        reads the same afterwards (nothing is then marked changed)."""
        before = self.chunks[index]
        self._edit(index, lambda doc: edits.set_fields(doc, position, changes))
        return self._undo_if_same(index, before)

    def replace_paper(self, index: int, position: int, text: str) -> bool:
        """Replace a paper by the YAML mapping ``text`` (its keys and comments as written); False
        when the document reads the same afterwards."""
        entry = load_round_trip(text, "", 1)
        before = self.chunks[index]
        self._edit(index, lambda doc: edits.replace(doc, position, entry))
        return self._undo_if_same(index, before)

    def set_papers(self, index: int, papers: Sequence[int | Paper]) -> bool:
        """Make day ``index``'s papers ``papers``, in that order: an int keeps the paper at that
        position (its keys and comments as they are), a Paper is added; a paper not named is
        removed. False when the document reads the same afterwards."""
        before = self.chunks[index]
        self._edit(index, lambda doc: edits.arrange(doc, papers))
        return self._undo_if_same(index, before)

    def remove_paper(self, index: int, position: int) -> None:
        """Delete a paper from its day, its neighbours' comments kept in place."""
        self._edit(index, lambda doc: edits.pop_paper(doc, position))

    def move_paper(self, index: int, position: int, when: date) -> int:
        """Move a paper, keys and comments and all, to the end of day ``when`` (made if needed);
        returns that day's index."""
        entry = self._edit(index, lambda doc: edits.pop_paper(doc, position))
        target = self.ensure_day(when)
        self._edit(target, lambda doc: edits.papers_seq(doc).append(entry))
        return target

    def _undo_if_same(self, index: int, before: Chunk) -> bool:
        if self.chunks[index].text == before.text:
            self.chunks[index] = before
            return False
        return True

    def _edit(self, index: int, change: Callable[[Any], T]) -> T:
        """Round-trip document ``index``, apply ``change``, re-emit that document alone."""
        chunk = self.chunks[index]
        doc = self._load_round_trip(index)
        result = change(doc)
        out = io.StringIO()
        round_trip().dump(doc, out)
        new = Chunk(chunk.marker_line() + out.getvalue())
        new.day = self._parse(new, line_base=self._line_of(chunk))
        self.chunks[index] = new
        self.changed = True
        return result

    # --- parsing and its errors -------------------------------------------------------------

    def _load_round_trip(self, index: int) -> Any:
        chunk = self.chunks[index]
        body = document_body(chunk.text)

        def base() -> int:  # counted only for an error message: counting is O(file)
            return self._line_of(chunk) + chunk.text[: len(chunk.text) - len(body)].count("\n")

        return load_round_trip(body, self.display, base)

    def _line_of(self, chunk: Chunk) -> int:
        """The 1-based file line on which ``chunk`` starts (0 for chunks made in memory)."""
        if chunk.offset is None:
            return 0
        return self.raw.count(b"\n", 0, chunk.offset) + 1 - chunk.added_lines

    def _check_conflicts(self) -> None:
        if b"<<<<<<<" not in self.raw and b">>>>>>>" not in self.raw:  # a diff3 '|||||||' comes with both
            return
        text = self.raw.decode("utf-8", errors="replace")
        m = _CONFLICT.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            raise DataError(
                f"{self.display}:{line}: git merge conflict marker {m[1]!r}; run `mapdaily resolve`"
                " (it keeps the papers of both sides and regenerates the pages), or resolve it by hand"
                " (keep the papers of both sides, remove the markers) and run `mapdaily render`"
            )

    def _parse(self, chunk: Chunk, line_base: int | None = None) -> Day:
        def base() -> int:  # counted only for an error message: counting is O(file)
            return self._line_of(chunk) if line_base is None else line_base

        data = load_strict(chunk.text, self.display, base)
        return validate_day(
            data, lambda path: self._locate(chunk, path, base()), self.display, self.extra_fields
        )

    def _locate(self, chunk: Chunk, path: tuple[Any, ...], base: int) -> str:
        """``LINE:COL`` of the node at ``path`` (keys and list indexes) inside ``chunk``."""
        import yaml

        node: Any = compose(chunk.text)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
            return f"{base}:1"  # an empty document: point at its start, not past its end
        best = node
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == step), None)
                node = None if pair is None else pair[0] if isinstance(step, KeyOf) else pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
            else:
                node = None
            if node is None:
                break
            best = node
        return f"{base + best.start_mark.line}:{best.start_mark.column + 1}"

    def order_error(self, index: int, when: date, previous: date) -> None:
        """Raise the DataError for document ``index`` (dated ``when``) following ``previous``."""
        chunk = self.chunks[index]
        where = self._locate(chunk, ("date",), self._line_of(chunk))
        what = "repeats" if when == previous else "is out of order: it comes after"
        raise DataError(
            f"{self.display}:{where}: date {when.isoformat()} {what} {previous.isoformat()};"
            " days must be unique and newest first (merge or reorder the documents)"
        )

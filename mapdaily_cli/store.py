"""papers.yaml: the document stream, partial round-trip edits, validation, atomic writes and the lock."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.model import Day, Paper, paper_problem

# A document marker at column 0 cannot occur inside content, so the stream is split on it.
_SEPARATOR = re.compile(r"^---(?=[ \t\r]|$)", re.MULTILINE)
_CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |$)", re.MULTILINE)
# A document's first content line, when it is a plain ``date:`` line (as mapdaily writes it).
_DATE_LINE = re.compile(
    r"(?:---[ \t]*(?:#[^\n]*)?\n)?(?:[ \t]*(?:#[^\n]*)?\n)*"
    r"date:[ \t]*(['\"]?)(\d{4}-\d{2}-\d{2})\1[ \t]*(?:[ \t]#[^\n]*)?\n"
    r"(?=[^ \t\n]|\Z)"  # not continued on the next line
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Chunk:
    """One YAML document of the stream: its bytes (its ``---`` line included, if it has one),
    decoded only when something reads it."""

    __slots__ = ("_data", "_raw", "end", "offset", "day", "added_lines", "source", "_text")

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
        self.day = day
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


# What hides a word of a title from a search of the raw lowercased bytes: an escape in a
# double-quoted scalar that can stand for a letter (\x, \u, \U) or join two lines (\ at a line's
# end), and the 19 characters whose case folding holds an ASCII letter or digit (ß, İ, ſ, K, ﬁ ...).
_HIDING = re.compile(
    rb"\\[xuU]|\\\r?\n|\xc3\x9f|\xc4\xb0|\xc5[\x89\xbf]|\xc7\xb0|\xe1\xba[\x96-\x9a\x9e]"
    rb"|\xe2\x84\xaa|\xef\xac[\x80-\x86]"
)


def search_words(text: str) -> list[str]:
    """What a search for ``text`` (case- and space-folded) looks for in the raw lowercased bytes:
    its runs of ASCII letters and digits, in order."""
    return re.findall(r"[a-z0-9]+", " ".join(text.split()).casefold())


# Between two runs of a phrase, in the raw bytes: anything but an ASCII letter or digit (spaces, a
# line break and indentation where YAML folds a line, punctuation, other letters' UTF-8 bytes,
# quotes doubled or escaped), or a backslash escape.
_BETWEEN = rb"(?:[^a-z0-9\\]|\\[a-z0-9]|\\)+"


class Stream:
    """papers.yaml as a list of document texts; only documents that change are parsed for writing."""

    def __init__(self, path: Path, display: str, data: bytes | str, cache: ScanCache | None = None) -> None:
        self.path = path
        self.display = display
        self.raw = data.encode("utf-8") if isinstance(data, str) else data
        self.cache = cache
        # What an earlier run learnt of these very bytes (no conflict markers, where words can hide).
        self._hiding: list[int] | None = cache.lookup(self.raw) if cache else None
        if self._hiding is None:
            self._check_conflicts(self.raw)
        self.preamble, self.chunks = _split(self.raw, display)
        self.changed = False
        self._lowered: bytes | None = None

    @classmethod
    def read(cls, path: Path, display: str, cache: ScanCache | None = None) -> Stream:
        """Read the stream at ``path``; a missing file is an empty stream."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as e:
            raise DataError(f"{display}: cannot read it ({e.strerror})") from None
        return cls(path, display, data, cache)

    def written(self, parts: list[bytes | memoryview]) -> None:
        """Tell the scan cache about the file just written as ``parts`` (from :meth:`parts`): where
        words can hide in it follows from what is known of the bytes read, without a new scan."""
        if self.cache is None or self._hiding is None:
            return
        head = b"".join(bytes(p) for p in parts if not isinstance(p, memoryview))
        tail = next((p for p in parts if isinstance(p, memoryview)), None)
        tail_start = len(self.raw) - len(tail) if tail is not None else len(self.raw)
        shift = len(head) - tail_start
        hiding = [m.start() for m in _HIDING.finditer(head)]
        hiding += [at + shift for at in self._hiding if at >= tail_start]
        self.cache.remember(b"".join(parts) if tail is None else (head, tail), hiding, self.raw)

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    def to_bytes(self) -> bytes:
        """The whole file as it stands now."""
        return b"".join(self.parts())

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

    def text(self) -> str:
        """The whole file as text."""
        return self.to_bytes().decode("utf-8")

    def snapshot(self) -> Stream:
        """A copy whose document list is independent of this one's (chunks are never mutated)."""
        copy = object.__new__(Stream)
        copy.__dict__.update(self.__dict__)
        copy.chunks = list(self.chunks)
        return copy

    def date_at(self, index: int) -> date:
        """The date of document ``index``, read off its ``date:`` line when that is the document's
        first content line (nothing before it can hide it in a scalar), else by parsing the document."""
        chunk = self.chunks[index]
        if chunk.day is None:
            m = _DATE_LINE.match(chunk.text)
            if m:
                with contextlib.suppress(ValueError):
                    return date.fromisoformat(m[2])
        return self.day(index).date

    def line_of(self, chunk: Chunk) -> int:
        """The 1-based file line on which ``chunk`` starts (0 for chunks made in memory)."""
        if chunk.offset is None:
            return 0
        return self.raw.count(b"\n", 0, chunk.offset) + 1 - chunk.added_lines

    def day(self, index: int) -> Day:
        """The validated day of document ``index`` (parsed once with the C loader)."""
        chunk = self.chunks[index]
        if chunk.day is None:
            chunk.day = self._parse(chunk)
        return chunk.day

    def days(self) -> Iterator[Day]:
        """Every day, newest first, validated, dates checked to be unique and descending."""
        previous: Day | None = None
        for i in range(len(self.chunks)):
            day = self.day(i)
            if previous is not None and day.date >= previous.date:
                self._order_error(i, day, previous)
            previous = day
            yield day

    def head(self, keep: Callable[[Day], bool]) -> list[Day]:
        """The leading days for which ``keep`` holds (stops at the first that does not)."""
        out: list[Day] = []
        for i in range(len(self.chunks)):
            day = self.day(i)
            if out and day.date >= out[-1].date:
                self._order_error(i, day, out[-1])
            if not keep(day):
                break
            out.append(day)
        return out

    def index_of(self, when: date) -> int | None:
        """The document holding ``when``, scanning from the top (the stream is newest first)."""
        for i in range(len(self.chunks)):
            d = self.date_at(i)
            if d == when:
                return i
            if d < when:
                return None
        return None

    def position_of(self, when: date) -> tuple[int, bool]:
        """Where ``when`` is or would go: (index, whether a document for it exists)."""
        for i in range(len(self.chunks)):
            d = self.date_at(i)
            if d <= when:
                return i, d == when
        return len(self.chunks), False

    def candidates(self, words: list[str]) -> list[int]:
        """Indexes of the documents whose text, case-folded, may contain the phrase made of ``words``
        (from :func:`search_words`): a superset of the true matches, found without parsing or even
        decoding the history. Documents that something could hide a word in are always included."""
        import bisect

        if not words:
            return list(range(len(self.chunks)))
        read = [(c.offset or 0, i) for i, c in enumerate(self.chunks) if c.pristine]
        offsets = [o for o, _ in read]
        always = {i for i, c in enumerate(self.chunks) if not c.pristine}
        if self._lowered is None:
            self._lowered = self.raw.lower()  # ASCII only: offsets stay those of the file
        if self._hiding is None:
            self._hiding = [m.start() for m in _HIDING.finditer(self.raw)]
            if self.cache is not None:
                self.cache.remember(self.raw, self._hiding)
        # The phrase from its longest word on (a literal the search can skip ahead to), six words at most.
        first = max(range(len(words)), key=lambda k: len(words[k]))
        phrase = re.compile(
            _BETWEEN.join(re.escape(w.encode("ascii")) for w in words[first : first + 6]), re.S
        )
        hits: set[int] = set()
        m = phrase.search(self._lowered)
        while m is not None:
            k = bisect.bisect_right(offsets, m.start()) - 1
            if k >= 0:
                hits.add(read[k][1])
            # One match in a document is enough: go on from the next one.
            nxt = offsets[k + 1] if 0 <= k + 1 < len(offsets) else m.start() + 1
            m = phrase.search(self._lowered, max(nxt, m.start() + 1))
        if first > 0 or len(words) > first + 6:
            # The whole phrase, only inside the documents its longest part was found in.
            whole = re.compile(_BETWEEN.join(re.escape(w.encode("ascii")) for w in words), re.S)
            lowered = self._lowered
            hits = {
                i for i in hits if whole.search(lowered, self.chunks[i].offset or 0, self.chunks[i].end or 0)
            }
        for at in self._hiding:
            k = bisect.bisect_right(offsets, at) - 1
            if k >= 0:
                always.add(read[k][1])
        return sorted(hits | always)

    # --- writing ---------------------------------------------------------------------------

    def insert_day(self, index: int, day: date) -> None:
        """Insert an empty day as document ``index``."""
        text = f"date: {day.isoformat()}\npapers: []\n"
        self._insert(index, text)

    def _insert(self, index: int, body: str) -> None:
        if index == 0 and self.chunks:
            first = self.chunks[0]
            had_marker = _SEPARATOR.match(first.text) is not None
            if not had_marker:
                self.chunks[0] = Chunk(
                    b"---\n" + first.data, first.offset, first.day, first.added_lines + 1, first.source
                )
            body = ("---\n" if had_marker else "") + body
        elif index > 0 or self.chunks:
            body = "---\n" + body
        self.chunks.insert(index, Chunk(body))
        self.changed = True

    def edit(self, index: int, change: Callable[[Any], None]) -> None:
        """Round-trip document ``index`` with ruamel.yaml, let ``change`` mutate it, re-emit it alone."""
        chunk = self.chunks[index]
        head = ""
        if _SEPARATOR.match(chunk.text):
            line = chunk.text[: chunk.text.find("\n") + 1] or "---\n"
            # The marker line is kept as written when it holds nothing but a comment.
            head = line if re.fullmatch(r"---[ \t]*(?:#[^\r]*)?\r?\n", line) else "---\n"
        yaml = _round_trip()
        doc = self._round_trip_load(yaml, index)
        change(doc)
        out = io.StringIO()
        yaml.dump(doc, out)
        new = Chunk(head + out.getvalue())
        new.day = self._parse(new, line_base=self.line_of(chunk))
        self.chunks[index] = new
        self.changed = True

    def paper_text(self, index: int, position: int) -> str:
        """Paper ``position`` of document ``index`` as YAML, its comments and unknown keys kept."""
        yaml = _round_trip()
        doc = self._round_trip_load(yaml, index)
        out = io.StringIO()
        yaml.dump(doc["papers"][position], out)
        return out.getvalue()

    def _round_trip_load(self, yaml: Any, index: int) -> Any:
        """Document ``index`` loaded for a round trip; what ruamel refuses is a DataError with its place."""
        from ruamel.yaml.error import YAMLError

        chunk = self.chunks[index]
        body = document_body(chunk.text)
        try:
            return yaml.load(body)
        except YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            base = self.line_of(chunk) + chunk.text[: len(chunk.text) - len(body)].count("\n")
            where = f"{base + mark.line}:{mark.column + 1}" if mark else f"{base}"
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            raise DataError(f"{self.display}:{where}: {problem}; fix the YAML there") from None

    def delete(self, index: int) -> None:
        """Remove document ``index``."""
        del self.chunks[index]
        self.changed = True

    # --- validation ------------------------------------------------------------------------

    def _check_conflicts(self, raw: bytes) -> None:
        if b"<<<<<<<" not in raw and b">>>>>>>" not in raw:  # a diff3 '|||||||' comes with both
            return
        text = raw.decode("utf-8", errors="replace")
        m = _CONFLICT.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            raise DataError(
                f"{self.display}:{line}: git merge conflict marker {m[1]!r}; resolve the conflict"
                " (keep the papers of both sides, remove the markers), then run `mapdaily render`"
            )

    def _parse(self, chunk: Chunk, line_base: int | None = None) -> Day:
        import yaml

        def base() -> int:  # counted only for an error message: counting is O(file)
            return self.line_of(chunk) if line_base is None else line_base

        try:
            data = yaml.load(chunk.text, Loader=_CLoader())
        except yaml.YAMLError as e:
            first = base()
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            problem = getattr(e, "problem", None) or str(e)
            where = f"{first + mark.line}:{mark.column + 1}" if mark else f"{first}"
            context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
            if context and start is not None and start is not mark:
                problem += f" ({context} at {first + start.line}:{start.column + 1})"
            if getattr(e, "strict", False):  # valid YAML that the store refuses
                raise DataError(f"{self.display}:{where}: {problem}") from None
            raise DataError(
                f"{self.display}:{where}: YAML syntax error: {problem}; fix the YAML there"
            ) from None
        return _validate(data, lambda path: self._locate(chunk, path, base()), self.display)

    def _locate(self, chunk: Chunk, path: tuple[Any, ...], base: int) -> str:
        """``LINE:COL`` of the node at ``path`` (keys and list indexes) inside ``chunk``."""
        import yaml

        try:
            node: Any = yaml.compose(chunk.text, Loader=_CLoader())
        except yaml.YAMLError:
            return str(base)
        if node is None or (isinstance(node, yaml.ScalarNode) and node.value == ""):
            return f"{base}:1"  # an empty document: point at its start, not past its end
        best = node
        for step in path:
            if node is None:
                break
            if isinstance(node, yaml.MappingNode):
                found = None
                for k, v in node.value:
                    if k.value == step:
                        found = v if step != "__key__" else k
                        break
                node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                node = node.value[step] if step < len(node.value) else None
            else:
                node = None
            if node is not None:
                best = node
        if best is None:
            return str(base)
        return f"{base + best.start_mark.line}:{best.start_mark.column + 1}"

    def _order_error(self, index: int, day: Day, previous: Day) -> None:
        self.order_error(index, day.date, previous.date)

    def order_error(self, index: int, when: date, previous: date) -> None:
        """Raise the DataError for document ``index`` (dated ``when``) following ``previous``."""
        where = self._locate(self.chunks[index], ("date",), self.line_of(self.chunks[index]))
        what = "repeats" if when == previous else "is out of order: it comes after"
        raise DataError(
            f"{self.display}:{where}: date {when.isoformat()} {what} {previous.isoformat()};"
            " days must be unique and newest first (merge or reorder the documents)"
        )


def _validate(data: Any, locate: Callable[[tuple[Any, ...]], str], display: str) -> Day:
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
        problem = paper_problem(paper)
        if problem is not None:
            key, what, fix = problem
            if key == "title" and not str(paper.get("title") or "").strip():
                raise fail(("papers", i), f"paper {i + 1} of {when} has no title; add 'title:'")
            raise fail(("papers", i, key), f"{key} of paper {i + 1} of {when} {what}; {fix}")
        out.append(Paper.from_mapping(dict(paper)))
    return Day(when, tuple(out))


class ScanCache:
    """What a scan of papers.yaml found, kept (in the repository's git folder) for the next command,
    keyed by the file's size and CRC-32: that it holds no conflict markers, and the offsets of the
    escapes and characters that can hide a word from :meth:`Stream.candidates`. A few recent
    versions are kept, so switching between them (a checkout, a reset) costs no new scan."""

    KEEP = 4

    def __init__(self, path: Path, writable: bool = True) -> None:
        self.path = path
        #: Read-only for commands that must write nothing (a dry run, a look at the digest).
        self.writable = writable
        self._known: tuple[bytes, list[int]] | None = None  # the last key computed, and of what

    def _key(self, data: bytes | tuple[bytes, memoryview]) -> list[int]:
        import zlib

        if isinstance(data, tuple):
            return [len(data[0]) + len(data[1]), zlib.crc32(data[1], zlib.crc32(data[0]))]
        if self._known is not None and self._known[0] is data:
            return self._known[1]
        key = [len(data), zlib.crc32(data)]
        self._known = (data, key)
        return key

    def _entries(self) -> list[dict[str, Any]]:
        import json

        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
            return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        except (OSError, ValueError):
            return []

    def lookup(self, data: bytes) -> list[int] | None:
        if not self.path.exists():
            return None
        key = self._key(data)
        for entry in self._entries():
            if entry.get("key") == key and isinstance(entry.get("hiding"), list):
                return [int(at) for at in entry["hiding"]]
        return None

    def remember(
        self, data: bytes | tuple[bytes, memoryview], hiding: list[int], before: bytes | None = None
    ) -> None:
        """Keep ``hiding`` for ``data``, newest first; ``before`` (the version it was made from)
        stays next, so going back to it (a reset, a checkout) finds it."""
        import json

        if not self.writable:
            return
        key = self._key(data)
        entries = [e for e in self._entries() if e.get("key") != key]
        if before is not None:
            old = self._key(before)
            entries.sort(key=lambda e: e.get("key") != old)
        entries.insert(0, {"key": key, "hiding": hiding})
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(entries[: self.KEEP]), encoding="utf-8")
            os.replace(tmp, self.path)


def document_body(text: str) -> str:
    """A document's text without its ``---`` marker (what follows the marker on its line, such as
    a flow mapping, is kept; a comment there is not)."""
    if not _SEPARATOR.match(text):
        return text
    line, _, rest = text.partition("\n")
    if re.fullmatch(r"---[ \t]*(?:#.*)?\r?", line):
        return rest
    return text[3:]


_MARKER = re.compile(rb"\n---(?=[ \t\r\n]|\Z)")


def _split(raw: bytes, source: str) -> tuple[bytes, list[Chunk]]:
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
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(raw)
        chunks.append(Chunk(None, start, source=source, raw=raw, end=end))
    return raw[:pos], chunks


_LOADER: Any = None


def _CLoader() -> Any:
    """The fast safe loader, made strict: a key repeated in one mapping is an error (PyYAML would
    keep the last one silently), and so is an impossible date such as 2024-13-45 (PyYAML raises a
    bare ValueError), each with its place in the file."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Refused(yaml.constructor.ConstructorError):
        strict = True

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            # Cheap first: only a mapping whose key texts repeat needs its keys constructed.
            keys = [k.value for k, _ in node.value] if isinstance(node, yaml.MappingNode) else []
            if len(set(map(str, keys))) != len(keys):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=True)
                    try:
                        repeated = key in seen
                        seen.add(key)
                    except TypeError:
                        continue
                    if repeated:
                        raise Refused(
                            None,
                            None,
                            f"key {key!r} appears twice in this mapping; keep one of them",
                            key_node.start_mark,
                        )
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_timestamp(self, node: Any) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as e:
                raise Refused(
                    None,
                    None,
                    f"date {node.value} is not a valid date ({e}); write it as YYYY-MM-DD",
                    node.start_mark,
                ) from None

    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)
    _LOADER = StrictLoader
    return _LOADER


def _round_trip() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def to_yaml_text(value: str) -> Any:
    """A string as ruamel should write it so that the C loader reads it back as that string: a
    literal block when it spans lines, double quotes when a plain scalar would read as something
    else under YAML 1.1 (``Yes``, ``off``, ``10:30``, ``2024-10-15``) or holds trailing spaces."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if "\n" in value and not re.search(r"[ \t]\n|[ \t]$|^\s", value):
        return LiteralScalarString(value)
    if "\n" in value or _resolves_to_other_than_text(value):
        return DoubleQuotedScalarString(value)
    return value


def pop_paper(doc: Any, position: int) -> Any:
    """Remove paper ``position`` from a round-trip loaded day and return it, leaving the YAML
    comments that follow it (ruamel attaches them to its last key; they sit above the next paper,
    or close the day) where they were: on the paper before it, or under ``papers:``."""
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


def _resolves_to_other_than_text(value: str) -> bool:
    import yaml

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag != "tag:yaml.org,2002:str")


# --- files ------------------------------------------------------------------------------------


#: Names of the files :func:`write_all` makes on the way; a run killed half-way can leave them,
#: and the next one removes them (:func:`remove_leftovers`).
TEMP_PREFIX = ".mapdaily-tmp."
BACKUP_PREFIX = "mapdaily-old."


def remove_leftovers(folders: Iterable[Path], scratch: Path | None) -> None:
    """Delete what a killed :func:`write_all` left: temporary files in ``folders``, backups in
    ``scratch``. Called with the lock held, so no other run is using them."""
    for folder in folders:
        for leftover in folder.glob(f"{TEMP_PREFIX}*.tmp"):
            leftover.unlink(missing_ok=True)
    if scratch is not None:
        for leftover in scratch.glob(f"{BACKUP_PREFIX}*"):
            leftover.unlink(missing_ok=True)


def write_all(
    files: Mapping[Path, str | bytes | list[bytes | memoryview]], journal: Path | None = None
) -> None:
    """Write every file or none: temporary files first (in each target's folder), then renames.

    If a rename fails, the files already replaced get their old content back (from hard links made
    before the renames, so nothing is read back). ``journal`` names the files while they are being
    replaced, so a run killed half-way can be recognised by the next.
    """
    temps: dict[Path, Path] = {}
    made_dirs: list[Path] = []
    try:
        for path, content in files.items():
            folder = path.parent
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            for d in reversed(missing):
                d.mkdir()
                made_dirs.append(d)
            fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=folder)
            temps[path] = Path(tmp_name)
            with os.fdopen(fd, "wb") as f:
                if isinstance(content, list):
                    f.writelines(content)
                else:
                    f.write(content.encode("utf-8") if isinstance(content, str) else content)
                f.flush()
                os.fsync(f.fileno())
            if path.exists():
                os.chmod(tmp_name, path.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp_name, 0o666 & ~_umask())
    except OSError as e:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        target = next((p for p, t in temps.items() if str(t) == e.filename), e.filename or "a file")
        raise MapdailyError(
            f"cannot write {target}: {e.strerror}; nothing was changed"
            " (check that folder and its permissions)"
        ) from None
    backups: dict[Path, Path | bytes | None] = {}
    done: list[Path] = []
    try:
        if journal is not None:
            journal.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
        for path, tmp in temps.items():
            backups[path] = _backup(path, journal.parent if journal is not None else path.parent)
            os.replace(tmp, path)
            done.append(path)
    except OSError as e:
        for path in done:
            with contextlib.suppress(OSError):
                _restore(path, backups.get(path))
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        if journal is not None:
            journal.unlink(missing_ok=True)  # everything is as it was: nothing to recover
        target = next((p for p, t in temps.items() if str(t) == e.filename), e.filename)
        raise MapdailyError(f"cannot replace {target}: {e.strerror}; nothing was changed") from None
    finally:
        for kept in backups.values():
            if isinstance(kept, Path):
                kept.unlink(missing_ok=True)
    if journal is not None:
        journal.unlink(missing_ok=True)


def _backup(path: Path, folder: Path) -> Path | bytes | None:
    """The old content of ``path``: a hard link to it (in ``folder``, beside the journal, out of
    the work tree), its bytes where links fail, None if it does not exist."""
    if not path.exists():
        return None
    link = folder / f"{BACKUP_PREFIX}{os.getpid()}.{abs(hash(str(path)))}.{path.name}"
    try:
        link.unlink(missing_ok=True)
        os.link(path, link)
        return link
    except OSError:
        return path.read_bytes()


def _restore(path: Path, backup: Path | bytes | None) -> None:
    if backup is None:
        path.unlink()
    elif isinstance(backup, Path):
        os.replace(backup, path)
    else:
        path.write_bytes(backup)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = 60) -> Iterator[None]:
    """Hold the digest's lock: one changing command at a time; a dead holder never blocks."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        with lock:
            yield
    except Timeout:
        raise MapdailyError(
            f"another mapdaily command has held {lock_path} for {timeout:.0f}s; wait for it to finish"
        ) from None

"""papers.yaml: the document stream, partial round-trip edits, validation, atomic writes and the lock."""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mapdaily_cli.errors import DataError, MapdailyError
from mapdaily_cli.model import FIELDS, Day, Paper

# A document marker at column 0 cannot occur inside content, so the stream is split on it.
_SEPARATOR = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)
_CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>|\|\|\|\|\|\|\|)(?: |$)", re.MULTILINE)
# A document's first content line, when it is a plain ``date:`` line (as mapdaily writes it).
_DATE_LINE = re.compile(
    r"(?:---[ \t]*(?:#[^\n]*)?\n)?(?:[ \t]*(?:#[^\n]*)?\n)*"
    r"date:[ \t]*(['\"]?)(\d{4}-\d{2}-\d{2})\1[ \t]*(?:[ \t]#[^\n]*)?\n"
    r"(?=[^ \t\n]|\Z)"  # not continued on the next line
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters (C0 but tab and newline, DEL, C1): YAML and markdown would each read them
# their own way (U+0085 is a line break to YAML).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Chunk:
    """One YAML document of the stream, as text (its ``---`` line included, if it has one)."""

    text: str
    #: Offset of the chunk in the file it was read from (None for a chunk made in memory).
    offset: int | None = None
    day: Day | None = None
    #: Lines put in front of the text read from the file (a ``---`` added when a day is inserted
    #: above it), so that positions still name the file's lines.
    added_lines: int = 0


class Stream:
    """papers.yaml as a list of document texts; only documents that change are parsed for writing."""

    def __init__(self, path: Path, display: str, text: str) -> None:
        self.path = path
        self.display = display
        self.original = text
        self._check_conflicts(text)
        self.preamble, self.chunks = _split(text)
        self.changed = False

    @classmethod
    def read(cls, path: Path, display: str) -> Stream:
        """Read the stream at ``path``; a missing file is an empty stream."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except UnicodeDecodeError as e:
            raise DataError(f"{display}: not UTF-8 text ({e}); save it as UTF-8") from None
        except OSError as e:
            raise DataError(f"{display}: cannot read it ({e.strerror})") from None
        return cls(path, display, text)

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.chunks)

    def text(self) -> str:
        """The whole file as it stands now."""
        return self.preamble + "".join(c.text for c in self.chunks)

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
        return self.original.count("\n", 0, chunk.offset) + 1 - chunk.added_lines

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

    def find_text(self, needle: str) -> list[int]:
        """Indexes of documents whose raw text contains ``needle`` (case-insensitive): a cheap,
        exact-superset prefilter before parsing."""
        pattern = re.compile(re.escape(needle), re.IGNORECASE)
        starts = [c.offset for c in self.chunks]
        if any(s is None for s in starts) or self.changed:
            return [i for i, c in enumerate(self.chunks) if pattern.search(c.text)]
        import bisect

        hits: list[int] = []
        offsets = [s for s in starts if s is not None]
        for m in pattern.finditer(self.original):
            i = bisect.bisect_right(offsets, m.start()) - 1
            if i >= 0 and (not hits or hits[-1] != i):
                hits.append(i)
        return hits

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
                self.chunks[0] = Chunk("---\n" + first.text, first.offset, first.day, first.added_lines + 1)
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
            head = line if re.fullmatch(r"---[ \t]*(?:#.*)?\n", line) else "---\n"
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

    def _check_conflicts(self, text: str) -> None:
        m = _CONFLICT.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            raise DataError(
                f"{self.display}:{line}: git merge conflict marker {m[1]!r}; resolve the conflict"
                " (keep the papers of both sides, remove the markers), then run `mapdaily render`"
            )

    def _parse(self, chunk: Chunk, line_base: int | None = None) -> Day:
        import yaml

        base = self.line_of(chunk) if line_base is None else line_base
        try:
            data = yaml.load(chunk.text, Loader=_CLoader())
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
            problem = getattr(e, "problem", None) or str(e)
            where = f"{base + mark.line}:{mark.column + 1}" if mark else f"{base}"
            context, start = getattr(e, "context", None), getattr(e, "context_mark", None)
            if context and start is not None and start is not mark:
                problem += f" ({context} at {base + start.line}:{start.column + 1})"
            if getattr(e, "strict", False):  # valid YAML that the store refuses
                raise DataError(f"{self.display}:{where}: {problem}") from None
            raise DataError(
                f"{self.display}:{where}: YAML syntax error: {problem}; fix the YAML there"
            ) from None
        return _validate(data, lambda path: self._locate(chunk, path, base), self.display)

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
        title = paper.get("title")
        if title is None or (isinstance(title, str) and not title.strip()):
            raise fail(("papers", i), f"paper {i + 1} of {when} has no title; add 'title:'")
        for key in FIELDS:
            value = paper.get(key)
            if value is not None and not isinstance(value, str):
                raise fail(
                    ("papers", i, key),
                    f"{key} of paper {i + 1} of {when} must be text, not {value!r}; quote it",
                )
            if value and _CONTROL.search(value):
                raise fail(
                    ("papers", i, key),
                    f"{key} of paper {i + 1} of {when} holds a control character; remove it",
                )
        out.append(Paper.from_mapping(dict(paper)))
    return Day(when, tuple(out))


def document_body(text: str) -> str:
    """A document's text without its ``---`` line."""
    if _SEPARATOR.match(text):
        return text.split("\n", 1)[1] if "\n" in text else ""
    return text


def _split(text: str) -> tuple[str, list[Chunk]]:
    """Split the stream into a preamble (leading comment lines) and one chunk per document."""
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        line = text[pos:end].strip()
        if line and not line.startswith("#"):
            break
        pos = end
    starts = [m.start() for m in _SEPARATOR.finditer(text, pos)]
    if pos < len(text) and (not starts or starts[0] != pos):
        starts.insert(0, pos)  # the first document has no '---'
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        body = text[start:end]
        if not body.endswith("\n"):
            body += "\n"
        chunks.append(Chunk(body, start))
    return text[:pos], chunks


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
            if isinstance(node, yaml.MappingNode):
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
    """A string as ruamel should write it: a literal block when it spans lines."""
    if "\n" in value:
        from ruamel.yaml.scalarstring import LiteralScalarString

        return LiteralScalarString(value if value.endswith("\n") else value)
    return value


# --- files ------------------------------------------------------------------------------------


def write_all(files: Mapping[Path, str], journal: Path | None = None) -> None:
    """Write every file or none: temporary files first (in each target's folder), then renames.

    If a rename fails, the files already renamed get their old text back. ``journal`` names the
    files while they are being replaced, so a run killed half-way can be recognised by the next.
    """
    temps: dict[Path, Path] = {}
    made_dirs: list[Path] = []
    try:
        for path, text in files.items():
            folder = path.parent
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            for d in reversed(missing):
                d.mkdir()
                made_dirs.append(d)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            temps[path] = Path(tmp_name)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
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
        target = e.filename or "a file"
        raise MapdailyError(
            f"cannot write {target}: {e.strerror}; nothing was changed"
            " (check that folder and its permissions)"
        ) from None
    old: dict[Path, str | None] = {}
    if journal is not None:
        journal.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
    done: list[Path] = []
    try:
        for path, tmp in temps.items():
            old[path] = path.read_text(encoding="utf-8") if path.exists() else None
            os.replace(tmp, path)
            done.append(path)
    except OSError as e:
        for path in done:
            previous = old.get(path)
            with contextlib.suppress(OSError):
                if previous is None:
                    path.unlink()
                else:
                    path.write_text(previous, encoding="utf-8")
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        raise MapdailyError(f"cannot replace {e.filename}: {e.strerror}; nothing was changed") from None
    if journal is not None:
        journal.unlink(missing_ok=True)


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

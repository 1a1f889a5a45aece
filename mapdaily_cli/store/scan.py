"""Finding documents without parsing them: the phrase prefilter over the raw bytes, and the scan
cache that lets the next command skip the scan of a file it has seen."""

from __future__ import annotations

import bisect
import contextlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# What hides a word of a title from a search of the raw lowercased bytes: an escape in a
# double-quoted scalar that can stand for a letter (\x, \u, \U) or join two lines (\ at a line's
# end), and the 19 characters whose case folding holds an ASCII letter or digit (ß, İ, ſ, K, ﬁ ...).
HIDING = re.compile(
    rb"\\[xuU]|\\\r?\n|\xc3\x9f|\xc4\xb0|\xc5[\x89\xbf]|\xc7\xb0|\xe1\xba[\x96-\x9a\x9e]"
    rb"|\xe2\x84\xaa|\xef\xac[\x80-\x86]"
)

# Between two runs of a phrase, in the raw bytes: anything but an ASCII letter or digit (spaces, a
# line break and indentation where YAML folds a line, punctuation, other letters' UTF-8 bytes,
# quotes doubled or escaped), or a backslash escape.
_BETWEEN = rb"(?:[^a-z0-9\\]|\\[a-z0-9]|\\)+"


def search_words(text: str) -> list[str]:
    """What a search for ``text`` (case- and space-folded) looks for in the raw lowercased bytes:
    its runs of ASCII letters and digits, in order."""
    return re.findall(r"[a-z0-9]+", " ".join(text.split()).casefold())


class Prefilter:
    """The raw bytes of papers.yaml as read, searched for phrases: which documents may hold one."""

    def __init__(self, raw: bytes, cache: ScanCache | None) -> None:
        self.raw = raw
        self.cache = cache
        #: What an earlier run learnt of these very bytes: where words can hide (None: not known).
        self.hiding: list[int] | None = cache.lookup(raw) if cache else None
        #: How many papers each document of these bytes holds, as far as an earlier run counted.
        self.counts: list[int | None] = cache.counts if cache else []
        self._lowered: bytes | None = None

    def candidates(
        self, words: list[str], starts: Sequence[tuple[int, int, int]], always: set[int]
    ) -> list[int]:
        """Indexes of the documents that may contain the phrase made of ``words`` (a superset of the
        true matches). ``starts`` holds (offset, end, index) of each document still as read, in
        file order; ``always`` the documents made in memory, which are always included."""
        if self._lowered is None:
            self._lowered = self.raw.lower()  # ASCII only: offsets stay those of the file
        if self.hiding is None:
            self.hiding = [m.start() for m in HIDING.finditer(self.raw)]
            if self.cache is not None:
                self.cache.remember(self.raw, self.hiding)
        offsets = [o for o, _, _ in starts]
        lowered = self._lowered
        # The phrase from its longest word on (a literal the search can skip ahead to), six words at most.
        first = max(range(len(words)), key=lambda k: len(words[k]))
        phrase = _phrase(words[first : first + 6])
        hits: set[int] = set()
        m = phrase.search(lowered)
        while m is not None:
            k = bisect.bisect_right(offsets, m.start()) - 1
            if k >= 0:
                hits.add(k)
            # One match in a document is enough: go on from the next one.
            nxt = offsets[k + 1] if 0 <= k + 1 < len(offsets) else m.start() + 1
            m = phrase.search(lowered, max(nxt, m.start() + 1))
        if first > 0 or len(words) > first + 6:
            # The whole phrase, only inside the documents its longest part was found in.
            whole = _phrase(words)
            hits = {k for k in hits if whole.search(lowered, starts[k][0], starts[k][1])}
        for at in self.hiding:
            k = bisect.bisect_right(offsets, at) - 1
            if k >= 0:
                hits.add(k)
        return sorted({starts[k][2] for k in hits} | always)

    def written(
        self,
        parts: list[bytes | memoryview],
        counts: list[int | None] | None = None,
        counted: list[int | None] | None = None,
    ) -> None:
        """Tell the scan cache about the file just written as ``parts`` (changed documents, then
        one view of the untouched tail of the bytes read): where words can hide in it follows from
        what is known of the bytes read, without a new scan; ``counts`` are its documents' papers,
        ``counted`` those of the bytes read (kept for them in the same write)."""
        if self.cache is None or (self.hiding is None and not counts and not counted):
            return
        head = b"".join(bytes(p) for p in parts if not isinstance(p, memoryview))
        tail = next((p for p in parts if isinstance(p, memoryview)), None)
        tail_start = len(self.raw) - len(tail) if tail is not None else len(self.raw)
        shift = len(head) - tail_start
        hiding = None
        if self.hiding is not None:
            hiding = [m.start() for m in HIDING.finditer(head)]
            hiding += [at + shift for at in self.hiding if at >= tail_start]
        data = b"".join(parts) if tail is None else (head, self.raw, tail_start)
        self.cache.remember(data, hiding, self.raw, counts, counted if counted != self.counts else None)


def _phrase(words: list[str]) -> re.Pattern[bytes]:
    return re.compile(_BETWEEN.join(re.escape(w.encode("ascii")) for w in words), re.S)


class ScanCache:
    """What a scan of papers.yaml found, kept (in the repository's git folder) for the next command,
    keyed by the file's size and CRC-32: that it holds no conflict markers, and the offsets of the
    escapes and characters that can hide a word from :meth:`Prefilter.candidates`. A few recent
    versions are kept, so switching between them (a checkout, a reset) costs no new scan."""

    KEEP = 4

    def __init__(self, path: Path, writable: bool = True) -> None:
        self.path = path
        #: Read-only for commands that must write nothing (a dry run, a look at the digest).
        self.writable = writable
        self._known: tuple[bytes, list[int]] | None = None  # the last key computed, and of what
        #: The paper counts the entry found by the last :meth:`lookup` holds ([] for none).
        self.counts: list[int | None] = []

    def _key(self, data: bytes | tuple[bytes, bytes, int]) -> list[int]:
        """[size, CRC-32] of ``data``: bytes, or (head, raw, start) for ``head + raw[start:]``
        (a file written as new documents and the untouched rest of the one read), whose CRC
        follows from the one of ``raw`` when it is known, without reading the rest again."""
        import zlib

        if isinstance(data, tuple):
            head, raw, start = data
            rest = len(raw) - start
            if self._known is not None and self._known[0] is raw:
                shift = _x_to_8n(rest)  # CRC(a + b) = CRC(a) * x^(8|b|) + CRC(b), modulo the polynomial
                crc_rest = self._known[1][1] ^ _times(shift, zlib.crc32(memoryview(raw)[:start]))
                return [len(head) + rest, _times(shift, zlib.crc32(head)) ^ crc_rest]
            return [len(head) + rest, zlib.crc32(memoryview(raw)[start:], zlib.crc32(head))]
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
        """What an earlier run found of ``data``: where words can hide (None: not known), and the
        papers of each document in :attr:`counts` ([] when not known)."""
        self.counts = []
        if not self.path.exists():
            return None
        key = self._key(data)
        for entry in self._entries():
            if entry.get("key") != key:
                continue
            counts = entry.get("counts")
            if isinstance(counts, list) and all(n is None or type(n) is int for n in counts):
                self.counts = counts
            hiding = entry.get("hiding")
            return [int(at) for at in hiding] if isinstance(hiding, list) else None
        return None

    def remember(
        self,
        data: bytes | tuple[bytes, bytes, int],
        hiding: list[int] | None,
        before: bytes | None = None,
        counts: list[int | None] | None = None,
        before_counts: list[int | None] | None = None,
    ) -> None:
        """Keep ``hiding`` and ``counts`` (the papers of each document), either of them when known,
        for ``data``, newest first, with what was kept of it before; ``before`` (the version it was
        made from) stays next, so going back to it (a reset, a checkout) finds it, with
        ``before_counts`` when given."""
        import json

        if not self.writable:
            return
        key = self._key(data)
        entries = self._entries()
        entry: dict[str, Any] = next((e for e in entries if e.get("key") == key), {"key": key})
        entries = [e for e in entries if e is not entry]
        if before is not None:
            old = self._key(before)
            entries.sort(key=lambda e: e.get("key") != old)
            if before_counts:
                if not entries or entries[0].get("key") != old:
                    entries.insert(0, {"key": old})
                entries[0]["counts"] = before_counts
        if hiding is not None:
            entry["hiding"] = hiding
        if counts:
            entry["counts"] = counts
        entries.insert(0, entry)
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(entries[: self.KEEP]), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # a cache that cannot be written is only slower; leave nothing behind
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


# CRC-32 arithmetic (zlib's crc32_combine): polynomials over GF(2) in zlib's reflected bit order.
_POLY = 0xEDB88320
_SQUARES: list[int] = []  # x^(2^k) modulo the polynomial, k = 0..31


def _times(a: int, b: int) -> int:
    """``a * b`` modulo the CRC polynomial (``a`` not zero)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _x_to_8n(n: int) -> int:
    """x^(8n) modulo the CRC polynomial: what shifting a CRC past ``n`` bytes multiplies it by."""
    if not _SQUARES:
        _SQUARES.append(1 << 30)
        for _ in range(31):
            _SQUARES.append(_times(_SQUARES[-1], _SQUARES[-1]))
    p, k = 1 << 31, 3
    while n:
        if n & 1:
            p = _times(_SQUARES[k & 31], p)
        n >>= 1
        k += 1
    return p

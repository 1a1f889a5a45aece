"""A small cache of what arXiv said about papers, kept in the repository's git folder, so a failed
commit or a second try does not ask again."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from mapdaily_cli.arxiv.atom import Entry


class Cache:
    """Entries by canonical id, each with the time it was fetched; entries older than ``ttl``
    seconds are not used, and only the ``keep`` newest are kept. A cache that cannot be read is
    empty and one that cannot be written is not written: it only ever saves a request."""

    def __init__(
        self,
        path: Path | None,
        *,
        writable: bool = True,
        ttl: float = 24 * 3600,
        keep: int = 500,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.path, self.writable, self.ttl, self.keep, self.now = path, writable, ttl, keep, now
        self._entries: dict[str, tuple[float, Entry]] | None = None

    def _load(self) -> dict[str, tuple[float, Entry]]:
        if self._entries is None:
            self._entries = {}
            try:
                data = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
                for key, item in data.get("entries", {}).items():
                    self._entries[key] = (float(item["at"]), Entry.from_json(item["entry"]))
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                self._entries = {}
        return self._entries

    def get(self, key: str) -> Entry | None:
        """The entry fetched for ``key`` within the last ``ttl`` seconds, if any."""
        found = self._load().get(key)
        if found is None or self.now() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, entries: Iterable[Entry]) -> None:
        """Remember ``entries`` (fetched now) and write the cache, the ``keep`` newest entries."""
        table = self._load()
        at = self.now()
        for entry in entries:
            table.pop(entry.id, None)
            table[entry.id] = (at, entry)
        newest = sorted(table.items(), key=lambda kv: kv[1][0])[-self.keep :]
        self._entries = dict(newest)
        if self.path is None or not self.writable:
            return
        data = {"entries": {k: {"at": at_, "entry": e.to_json()} for k, (at_, e) in newest}}
        self._write(json.dumps(data, ensure_ascii=False))

    def _write(self, text: str) -> None:
        assert self.path is not None
        name = None
        try:
            fd, name = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(name, self.path)
        except OSError:
            if name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(name)

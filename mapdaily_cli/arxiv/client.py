"""Asking arXiv (and other paper APIs) politely: one request per batch of ids, a pause between
requests, a User-Agent that names mapdaily and whom to contact, a timeout, and retries with backoff
on 429 and 5xx answers that honour Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from mapdaily_cli.arxiv.atom import ArxivError, Entry, parse_feed
from mapdaily_cli.arxiv.cache import Cache
from mapdaily_cli.arxiv.ids import BATCH

#: The answers worth asking again after a pause.
RETRY = frozenset({429, 500, 502, 503, 504})
#: The largest answer read (a feed of 100 entries is well under 1 MB).
MAX_BYTES = 16 * 1024 * 1024


class Unreachable(ArxivError):
    """The API could not be reached, timed out or kept failing."""


def user_agent(contact: str | None = None) -> str:
    """``mapdaily/VERSION (daily paper digest; CONTACT)``: who is asking, and how to reach them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("mapdaily")
    except PackageNotFoundError:
        mine = "unknown"
    # Header text is one line of printable ASCII.
    who = "".join(c for c in contact or "" if " " <= c <= "~").strip()
    return f"mapdaily/{mine} (daily paper digest tool{'; ' + who if who else ''})"


class Client:
    """A polite client of one API. ``clock`` and ``sleep`` are injectable so tests never wait;
    ``progress(done, total)`` is told how far a long batch of ids has come."""

    def __init__(
        self,
        api: str,
        *,
        contact: str | None = None,
        name: str = "arXiv",
        hint: str = "pass --title to add it by hand",
        timeout: float = 20.0,
        attempts: int = 3,
        interval: float = 3.0,
        max_wait: float = 120.0,
        cache: Cache | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if urlsplit(api).scheme.lower() not in ("http", "https"):
            raise ArxivError(f"{api!r} is not an http(s) url; set arxiv_api to one")
        self.api, self.name, self.hint = api, name, hint
        self.agent = user_agent(contact)
        self.timeout, self.attempts, self.interval, self.max_wait = timeout, attempts, interval, max_wait
        self.cache, self.clock, self.sleep, self.now, self.progress = cache, clock, sleep, now, progress
        self._last: float | None = None
        #: Every request made (its url), for tests and for telling the curator.
        self.requests: list[str] = []

    def entries(self, ids: Sequence[str]) -> dict[str, Entry]:
        """arXiv's entries for the canonical ``ids`` (those it does not know are absent): from the
        cache where it has them, the rest in one request per batch of up to 100 ids."""
        found: dict[str, Entry] = {}
        missing = []
        for key in dict.fromkeys(ids):
            cached = self.cache.get(key) if self.cache else None
            if cached is not None:
                found[key] = cached
            else:
                missing.append(key)
        for start in range(0, len(missing), BATCH):
            if self.progress:
                self.progress(start, len(missing))
            batch = missing[start : start + BATCH]
            params = {"id_list": ",".join(batch), "max_results": str(len(batch))}
            got = parse_feed(self.get(params), self.name)
            fresh = [got[key] for key in batch if key in got]
            found.update((e.id, e) for e in fresh)
            if self.cache:
                self.cache.put(fresh)
        if self.progress and missing:
            self.progress(len(missing), len(missing))
        return found

    def get(self, params: Mapping[str, str], accept: str = "application/atom+xml") -> bytes:
        """The body of a GET of the API with ``params``, paced and retried; Unreachable when the
        API cannot be reached or keeps failing, ArxivError for any other refusal."""
        url = f"{self.api}{'&' if '?' in self.api else '?'}{urlencode(params)}" if params else self.api
        for attempt in range(1, self.attempts + 1):
            status, body, retry_after = self._request(url, accept)
            if status == 200 and not body.lstrip().startswith(b"Rate exceeded"):
                return body
            if status == 200:
                status = 429  # how arXiv says "too many requests" at times: a plain-text 200
            if status not in RETRY:
                raise ArxivError(f"{self.name} answered HTTP {status} for {url}; nothing was changed")
            wait = retry_after if retry_after is not None else self.interval * 2**attempt
            if attempt == self.attempts or wait > self.max_wait:
                raise Unreachable(
                    f"could not reach {self.name}: HTTP {status} {attempt} time{'s' if attempt > 1 else ''}"
                    f" from {self.api}{f' (it asks to wait {wait:.0f} s)' if wait > self.max_wait else ''};"
                    f" try again later or {self.hint}"
                )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request(self, url: str, accept: str) -> tuple[int, bytes, float | None]:
        """One paced request: (status, body, Retry-After in seconds when given)."""
        import http.client
        import urllib.error
        import urllib.request

        if self._last is not None:
            gap = self.clock() - self._last
            if gap < self.interval:
                self.sleep(self.interval - gap)
        self.requests.append(url)
        request = urllib.request.Request(url, headers={"User-Agent": self.agent, "Accept": accept})
        try:
            try:
                with _opener().open(request, timeout=self.timeout) as answer:
                    return answer.status, _read(answer), None
            except urllib.error.HTTPError as e:
                with e:
                    return e.code, b"", _retry_after(e.headers.get("Retry-After"), self.now())
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            raise Unreachable(f"could not reach {self.name} at {self.api} ({reason}); {self.hint}") from None
        finally:
            self._last = self.clock()


def _read(answer: Any) -> bytes:
    body: bytes = answer.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError(f"the answer is larger than {MAX_BYTES // 2**20} MB")
    return body


def _retry_after(value: str | None, now: float) -> float | None:
    """Retry-After in seconds from now: a number of seconds or an HTTP date; None when absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


def _opener() -> Any:
    """urllib's opener, following redirects to http(s) only (never to a file or ftp url)."""
    import urllib.request

    class HttpOnly(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            if urlsplit(newurl).scheme.lower() not in ("http", "https"):
                raise ValueError(f"redirected to {newurl!r}, which is not http(s)")
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(HttpOnly)

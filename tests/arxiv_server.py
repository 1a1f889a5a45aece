"""A local stand-in for the arXiv API and Hugging Face's daily papers: an HTTP server in a thread
of the test process, on 127.0.0.1, answering in the documented formats (Atom for arXiv, JSON for
the daily papers) from a table of papers or from a script of answers. Never the real network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

ATOM_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D{ids}%26start%3D0%26max_results%3D{n}"
    rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list={ids}&amp;start=0&amp;max_results={n}</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-10-15T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{n}</opensearch:itemsPerPage>
"""


@dataclass
class Record:
    """One paper the stand-in knows: what arXiv's entry for it says."""

    id: str
    title: str
    authors: list[tuple[str, list[str]]] = field(default_factory=list)
    version: int = 1
    comment: str | None = None
    summary: str = "We study a problem and propose a method that works well."
    category: str = "cs.CL"


def entry_xml(r: Record) -> str:
    """An ``<entry>`` as the API user manual documents it (id, dates, title, summary, authors with
    their arxiv:affiliation, arxiv:comment, links, categories), title hard-wrapped as arXiv does."""
    words = r.title.split(" ")
    wrapped = " ".join(words[:4]) + ("\n  " + " ".join(words[4:]) if len(words) > 4 else "")
    authors = "".join(
        f"    <author>\n      <name>{escape(name)}</name>\n"
        + "".join(
            f'      <arxiv:affiliation xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(a)}</arxiv:affiliation>\n'
            for a in affs
        )
        + "    </author>\n"
        for name, affs in r.authors
    )
    comment = (
        f'    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(r.comment)}</arxiv:comment>\n'
        if r.comment
        else ""
    )
    link = f"http://arxiv.org/abs/{r.id}v{r.version}"
    return (
        "  <entry>\n"
        f"    <id>{link}</id>\n"
        "    <updated>2024-10-11T17:59:46Z</updated>\n"
        "    <published>2024-10-10T21:55:11Z</published>\n"
        f"    <title>{escape(wrapped)}</title>\n"
        f"    <summary>  {escape(r.summary)}\n</summary>\n"
        f"{authors}{comment}"
        f'    <link href="{link}" rel="alternate" type="text/html"/>\n'
        f'    <link title="pdf" href="http://arxiv.org/pdf/{r.id}v{r.version}" rel="related"'
        ' type="application/pdf"/>\n'
        f'    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{r.category}"'
        ' scheme="http://arxiv.org/schemas/atom"/>\n'
        f'    <category term="{r.category}" scheme="http://arxiv.org/schemas/atom"/>\n'
        "  </entry>\n"
    )


def feed_xml(ids: list[str], records: dict[str, Record]) -> str:
    """The feed the API answers for ``id_list=ids``: one entry per id it knows, in the order asked."""
    known = [records[i] for i in ids if i in records]
    head = ATOM_HEAD.format(ids=",".join(ids), n=len(ids), total=len(known))
    return head + "".join(entry_xml(r) for r in known) + "</feed>\n"


@dataclass
class Answer:
    """A scripted answer: status, headers, body; ``delay`` seconds before answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Server:
    """The running stand-in: ``url`` of the arXiv query endpoint, ``daily_url`` of the daily papers,
    ``records`` it knows, ``script`` of answers given first (in order), ``requests`` it received."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.daily: dict[str, list[dict[str, Any]]] = {}
        self.script: list[Answer] = []
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
                answer = server.script.pop(0) if server.script else server.answer(parts.path, query)
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                try:
                    self.wfile.write(answer.body)
                except OSError:
                    pass  # the client gave up (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{port}/api/query"
        self.daily_url = f"http://127.0.0.1:{port}/api/daily_papers"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    def answer(self, path: str, query: dict[str, str]) -> Answer:
        if path == "/api/daily_papers":
            body = json.dumps(self.daily.get(query.get("date", ""), [])).encode()
            return Answer(body=body, headers={"Content-Type": "application/json"})
        ids = [i for i in query.get("id_list", "").split(",") if i]
        body = feed_xml(ids, self.records).encode()
        return Answer(body=body, headers={"Content-Type": "application/atom+xml; charset=utf-8"})

    def add(self, *records: Record) -> None:
        for r in records:
            self.records[r.id] = r

    @property
    def api_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "/api/query"]


def serve() -> Iterator[Server]:
    server = Server()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


class FakeTime:
    """A clock that moves only when slept on: pauses are measured, never waited for."""

    def __init__(self) -> None:
        self.t = 1_000_000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

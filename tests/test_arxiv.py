"""The arxiv room: every form of an identifier, titles from LaTeX, the Atom answers read safely,
and the client's manners (batches, pauses, User-Agent, retries, timeout) against a local server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from arxiv_server import Answer, FakeTime, Record, Server, feed_xml, serve

from mapdaily_cli.arxiv import (
    ArxivError,
    Cache,
    Client,
    Entry,
    Unreachable,
    clean_title,
    parse_daily,
    parse_feed,
    parse_id,
    parse_ids,
    user_agent,
)
from mapdaily_cli.errors import UsageError
from mapdaily_cli.model import Paper, canonical_url, same_paper

KV = Record(
    "2410.08391",
    "KV Prediction For Improved Time to First Token",
    [
        ("Maxwell Horton", ["Apple"]),
        ("Qingqing Cao", ["Apple", "University of Washington"]),
        ("Chenfan Sun", []),
    ],
    version=2,
)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def client(server: Server, fake: FakeTime, **kw: object) -> Client:
    return Client(server.url, clock=fake.clock, sleep=fake.sleep, now=lambda: fake.t, **kw)  # type: ignore[arg-type]


# --- identifiers ---------------------------------------------------------------------------------

NEW_FORMS = [
    "2410.08391",
    "2410.08391v2",
    "arXiv:2410.08391",
    "arxiv:2410.08391v1",
    "https://arxiv.org/abs/2410.08391",
    "https://arxiv.org/abs/2410.08391v3",
    "http://arxiv.org/abs/2410.08391",
    "arxiv.org/abs/2410.08391",
    "https://arxiv.org/pdf/2410.08391",
    "https://arxiv.org/pdf/2410.08391v2",
    "https://arxiv.org/pdf/2410.08391v2.pdf",
    "https://arxiv.org/pdf/2410.08391.pdf",
    "https://arxiv.org/html/2410.08391v1",
    "https://arxiv.org/html/2410.08391v1/",
    "https://arxiv.org/html/2410.08391v1#S3",
    "https://export.arxiv.org/abs/2410.08391",
    "https://www.arxiv.org/abs/2410.08391?context=cs",
    "10.48550/arXiv.2410.08391",
    "https://doi.org/10.48550/arXiv.2410.08391",
    "doi:10.48550/arXiv.2410.08391",
    "  2410.08391  ",
]


@pytest.mark.parametrize("text", NEW_FORMS)
def test_every_form_of_a_new_id_is_the_canonical_versionless_id(text: str) -> None:
    ref = parse_id(text)
    assert ref.id == "2410.08391"
    assert ref.url == "https://arxiv.org/abs/2410.08391"
    assert canonical_url(text) == "arxiv:2410.08391"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("https://arxiv.org/pdf/math.GT/0309136v1.pdf", "math/0309136"),
        ("arXiv:math/0309136", "math/0309136"),
        ("cond-mat.mes-hall/0211022", "cond-mat/0211022"),
        ("0704.0001", "0704.0001"),
        ("1412.9999", "1412.9999"),
        ("1501.00001", "1501.00001"),
    ],
)
def test_old_style_ids_and_the_edges_of_the_new_style(text: str, canonical: str) -> None:
    assert parse_id(text).id == canonical
    assert parse_id(text).url == f"https://arxiv.org/abs/{canonical}"


@pytest.mark.parametrize(
    "text",
    [
        "2410.0839",  # too short
        "2410.083911",  # too long
        "2413.08391",  # month 13
        "1412.00001",  # five digits before 2015
        "1501.0001",  # four digits from 2015
        "hep-th/0704001",  # old style ended in March 2007
        "hep-th/990100",
        "https://notarxiv.org/abs/2410.08391",
        "https://arxiv.org/list/cs.CL/recent",
        "10.1145/3292500.3330701",
        "٢٤١٠.٠٨٣٩١",
        "",
        "attention is all you need",
    ],
)
def test_a_malformed_id_is_a_usage_error_naming_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_id(text)
    assert e.value.exit_code == 2
    assert "is not an arXiv id or link" in e.value.message and "2410.08391" in e.value.message
    assert "\n" not in e.value.message


def test_one_paper_given_twice_in_two_forms_is_refused() -> None:
    with pytest.raises(UsageError, match="same paper"):
        parse_ids(["2410.08391", "https://arxiv.org/pdf/2410.08391v2.pdf"])
    assert [r.id for r in parse_ids(["2410.08391", "hep-th/9901001"])] == ["2410.08391", "hep-th/9901001"]


@pytest.mark.parametrize("a", NEW_FORMS[:8] + ["10.48550/arXiv.2410.08391"])
@pytest.mark.parametrize("b", ["https://arxiv.org/abs/2410.08391", "https://arxiv.org/pdf/2410.08391v7.pdf"])
def test_the_duplicate_rule_sees_every_form_and_version_as_one_paper(a: str, b: str) -> None:
    assert same_paper(Paper("One title", a), Paper("Another title", b))


def test_an_old_id_with_and_without_its_subject_class_is_one_paper() -> None:
    assert same_paper(
        Paper("A", "https://arxiv.org/abs/math.GT/0309136"),
        Paper("B", "https://arxiv.org/abs/math/0309136v2"),
    )


# --- titles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "KV Prediction For\n  Improved Time to First Token",
            "KV Prediction For Improved Time to First Token",
        ),
        (r"$\alpha$-Divergence Minimisation", "α-Divergence Minimisation"),
        (r"Scaling $\Omega$ and $\beta$", "Scaling Ω and β"),
        (r"\textbf{Bold} Claims and \emph{Modest} Results", "Bold Claims and Modest Results"),
        (r"\textit{\textbf{Nested}} styles", "Nested styles"),
        (r"Schr\"odinger Bridges", "Schrödinger Bridges"),
        (r"Schr\"{o}dinger and {\"U}ber", "Schrödinger and Über"),
        (
            r"Erd\H{o}s, Fran\c{c}ois, Pok\'{e}mon, na\"{\i}ve, \'Ecole, G\`ene",
            "Erdős, François, Pokémon, naïve, École, Gène",
        ),
        (r"$\ell_1$ Regularisation in $O(n \log n)$", "ℓ₁ Regularisation in O(n log n)"),
        (r"$x^2$ and $H_2O$", "x² and H₂O"),
        (r"R\&D at 50\%", "R&D at 50%"),
        (r"{BERT} Rediscovers the Pipeline", "BERT Rediscovers the Pipeline"),
        # Not unambiguous: left exactly as written.
        (r"Beyond $\mathcal{O}(n^{k+1})$ Bounds", r"Beyond $\mathcal{O}(n^{k+1})$ Bounds"),
        (r"$\pi_{\theta}$ Policies", r"$\pi_{\theta}$ Policies"),
        (r"\cite{x} and \unknown{y}", r"\cite{x} and \unknown{y}"),
        ("Plain <b>title</b> & more", "Plain <b>title</b> & more"),
    ],
)
def test_titles_from_latex_to_unicode_where_unambiguous(raw: str, title: str) -> None:
    assert clean_title(raw) == title


# --- the Atom feed -------------------------------------------------------------------------------


def test_an_entry_gives_title_authors_and_unique_affiliations_in_author_order() -> None:
    entries = parse_feed(feed_xml(["2410.08391"], {KV.id: KV}).encode(), "arXiv")
    entry = entries["2410.08391"]
    assert entry.title == "KV Prediction For Improved Time to First Token"
    assert entry.version == 2
    assert entry.authors == ("Maxwell Horton", "Qingqing Cao", "Chenfan Sun")
    assert entry.affiliations == ("Apple", "University of Washington")
    assert not entry.withdrawn


def test_an_unknown_id_is_absent_and_an_empty_feed_is_no_error() -> None:
    assert parse_feed(feed_xml(["2410.99999"], {}).encode(), "arXiv") == {}


def test_an_entry_without_a_title_is_an_id_arxiv_does_not_know() -> None:
    xml = feed_xml([], {}).replace(
        "</feed>", "<entry><id>http://arxiv.org/abs/2410.99999</id><title/></entry></feed>"
    )
    assert parse_feed(xml.encode(), "arXiv") == {}


def test_a_withdrawn_paper_is_marked_by_its_comment_or_its_abstract() -> None:
    by_comment = Record(
        "2410.00001", "Gone", comment="This paper has been withdrawn by the author", version=3
    )
    by_summary = Record("2410.00002", "Also gone", summary="This paper has been withdrawn due to an error.")
    kept = Record(
        "2410.00003", "Drug withdrawal effects", summary="We study how drugs are withdrawn from markets."
    )
    records = {r.id: r for r in (by_comment, by_summary, kept)}
    entries = parse_feed(feed_xml(list(records), records).encode(), "arXiv")
    assert [entries[i].withdrawn for i in records] == [True, True, False]


def test_arxivs_error_entry_is_a_one_line_error() -> None:
    xml = feed_xml([], {}).replace(
        "</feed>",
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_2410.0839</id><title>Error</title>"
        "<summary>incorrect id format for 2410.0839</summary></entry></feed>",
    )
    with pytest.raises(ArxivError, match="arXiv refused the request: incorrect id format for 2410.0839"):
        parse_feed(xml.encode(), "arXiv")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2410.08391v1</id>
<title>&lol9;</title></entry></feed>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2410.08391v1</id>
<title>&secret;</title></entry></feed>"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL, b'<?xml version="1.0"?><!DOCTYPE feed><feed/>'])
def test_entity_declarations_and_dtds_are_refused_unread(xml: bytes) -> None:
    with pytest.raises(ArxivError, match="refused unread") as e:
        parse_feed(xml, "arXiv")
    assert "\n" not in e.value.message


@pytest.mark.parametrize("body", [b"Rate exceeded.", b"<feed", b"", b"<html><body>Oops</body></html>"])
def test_malformed_xml_or_not_a_feed_is_a_one_line_error(body: bytes) -> None:
    with pytest.raises(ArxivError, match="not an Atom feed") as e:
        parse_feed(body, "arXiv")
    assert "\n" not in e.value.message


# --- the client ----------------------------------------------------------------------------------


def test_a_batch_of_ids_is_one_request_naming_them_all(server: Server, fake: FakeTime) -> None:
    others = [Record(f"2410.0000{i}", f"Paper {i}") for i in range(1, 5)]
    server.add(KV, *others)
    found = client(server, fake).entries([KV.id, *(r.id for r in others)])
    assert set(found) == {KV.id, *(r.id for r in others)}
    [request] = server.api_requests
    assert request["query"]["id_list"] == ",".join([KV.id, *(r.id for r in others)])
    assert request["query"]["max_results"] == "5"


def test_more_than_a_hundred_ids_are_batches_three_seconds_apart(server: Server, fake: FakeTime) -> None:
    records = [Record(f"2410.{i:05d}", f"Paper {i}") for i in range(1, 251)]
    server.add(*records)
    seen: list[tuple[int, int]] = []
    found = client(server, fake, progress=lambda done, total: seen.append((done, total))).entries(
        [r.id for r in records]
    )
    assert len(found) == 250
    assert [len(r["query"]["id_list"].split(",")) for r in server.api_requests] == [100, 100, 50]
    assert fake.slept == [3.0, 3.0]  # the clock did not move during the requests: the full pause
    assert seen == [(0, 250), (100, 250), (200, 250), (250, 250)]


def test_the_user_agent_names_mapdaily_its_version_and_the_contact(server: Server, fake: FakeTime) -> None:
    server.add(KV)
    client(server, fake, contact="curator@example.org").entries([KV.id])
    agent = server.api_requests[0]["headers"]["User-Agent"]
    assert agent.startswith("mapdaily/") and "curator@example.org" in agent
    assert user_agent("evil\r\nX-Injected: 1") == user_agent("evilX-Injected: 1")


def test_a_429_with_retry_after_is_waited_for_then_answered(server: Server, fake: FakeTime) -> None:
    server.add(KV)
    server.script = [Answer(429, b"Rate exceeded.", {"Retry-After": "7"})]
    found = client(server, fake).entries([KV.id])
    assert KV.id in found
    assert len(server.api_requests) == 2
    assert fake.slept == [7.0]  # Retry-After honoured; the pause since the last request is then spent


def test_a_retry_after_date_is_honoured(server: Server, fake: FakeTime) -> None:
    from email.utils import formatdate

    server.add(KV)
    server.script = [Answer(503, b"", {"Retry-After": formatdate(fake.t + 30, usegmt=True)})]
    client(server, fake).entries([KV.id])
    assert 29 <= fake.slept[0] <= 31


def test_a_plain_text_rate_exceeded_is_a_429(server: Server, fake: FakeTime) -> None:
    server.add(KV)
    server.script = [Answer(200, b"Rate exceeded.\n")]
    assert KV.id in client(server, fake).entries([KV.id])
    assert fake.slept == [6.0]  # backoff: 3 s, doubled


def test_a_503_three_times_is_a_clear_one_line_failure(server: Server, fake: FakeTime) -> None:
    server.script = [
        Answer(503),
        Answer(503),
        Answer(503),
        Answer(200, feed_xml([KV.id], {KV.id: KV}).encode()),
    ]
    with pytest.raises(Unreachable) as e:
        client(server, fake).entries([KV.id])
    assert len(server.api_requests) == 3
    assert fake.slept == [6.0, 12.0]  # backoff doubles
    assert "could not reach arXiv: HTTP 503 3 times" in e.value.message
    assert "pass --title to add it by hand" in e.value.message and "\n" not in e.value.message


def test_a_retry_after_longer_than_worth_waiting_fails_at_once(server: Server, fake: FakeTime) -> None:
    server.script = [Answer(429, b"", {"Retry-After": "3600"})]
    with pytest.raises(Unreachable, match="asks to wait 3600 s"):
        client(server, fake).entries([KV.id])
    assert fake.slept == []


def test_another_http_error_is_not_retried(server: Server, fake: FakeTime) -> None:
    server.script = [Answer(400, b"bad")]
    with pytest.raises(ArxivError, match="HTTP 400"):
        client(server, fake).entries([KV.id])
    assert len(server.api_requests) == 1


def test_a_timeout_is_could_not_reach(server: Server, fake: FakeTime) -> None:
    server.script = [Answer(200, b"<feed/>", delay=1.0)]
    with pytest.raises(Unreachable) as e:
        client(server, fake, timeout=0.1).entries([KV.id])
    assert e.value.message.startswith("could not reach arXiv at ")
    assert "timed out" in e.value.message and e.value.message.endswith("pass --title to add it by hand")


def test_nothing_listening_is_could_not_reach(fake: FakeTime) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = Client(f"http://127.0.0.1:{port}/api/query", clock=fake.clock, sleep=fake.sleep)
    with pytest.raises(Unreachable, match="could not reach arXiv at"):
        dead.entries([KV.id])


@pytest.mark.parametrize("api", ["file:///etc/passwd", "ftp://example.org/api", "export.arxiv.org/api/query"])
def test_only_http_or_https_apis(api: str) -> None:
    with pytest.raises(ArxivError, match="not an http"):
        Client(api)


def test_the_cache_answers_without_a_request_and_expires(
    server: Server, fake: FakeTime, tmp_path: Path
) -> None:
    server.add(KV)
    path = tmp_path / "mapdaily-arxiv.json"
    first = client(server, fake, cache=Cache(path, now=lambda: fake.t)).entries([KV.id])
    again = client(server, fake, cache=Cache(path, now=lambda: fake.t)).entries([KV.id])
    assert again == first and len(server.api_requests) == 1
    fake.t += 2 * 24 * 3600
    client(server, fake, cache=Cache(path, now=lambda: fake.t)).entries([KV.id])
    assert len(server.api_requests) == 2
    assert json.loads(path.read_text(encoding="utf-8"))["entries"][KV.id]["entry"]["title"] == KV.title


def test_a_broken_or_read_only_cache_only_costs_a_request(
    server: Server, fake: FakeTime, tmp_path: Path
) -> None:
    server.add(KV)
    path = tmp_path / "mapdaily-arxiv.json"
    path.write_text("{not json", encoding="utf-8")
    assert KV.id in client(server, fake, cache=Cache(path)).entries([KV.id])
    path.write_text('{"entries": {"2410.08391": {"at": 1, "entry": {"id": 3}}}}', encoding="utf-8")
    assert KV.id in client(server, fake, cache=Cache(path)).entries([KV.id])
    before = path.read_text(encoding="utf-8")
    client(server, fake, cache=Cache(path, writable=False)).entries([KV.id])
    assert path.read_text(encoding="utf-8") == before


def test_an_entry_round_trips_through_the_cache_format() -> None:
    entry = Entry("2410.08391", 2, "T", "T", ("A", "B"), ("Apple",), False, None)
    assert Entry.from_json(json.loads(json.dumps(entry.to_json()))) == entry


# --- the daily candidates ------------------------------------------------------------------------


def test_daily_candidates_most_upvoted_then_newest_first() -> None:
    items = [
        {"paper": {"id": "2410.00001", "title": "Low", "upvotes": 1, "authors": [{"name": "A"}]},
         "publishedAt": "2024-10-15T08:00:00.000Z", "title": "Low"},
        {"paper": {"id": "2410.00002", "title": "High old", "upvotes": 9},
         "publishedAt": "2024-10-14T08:00:00.000Z", "organization": {"name": "apple", "fullname": "Apple"}},
        {"paper": {"id": "2410.00003", "title": "High new", "upvotes": 9},
         "publishedAt": "2024-10-15T09:00:00.000Z"},
        {"paper": {"id": "not-an-id", "title": "Skipped"}},
        "junk",
    ]  # fmt: skip
    got = parse_daily(json.dumps(items).encode(), "Hugging Face")
    assert [c.id for c in got] == ["2410.00003", "2410.00002", "2410.00001"]
    assert got[1].organization == "Apple" and got[2].authors == ("A",)


@pytest.mark.parametrize("body", [b"<html>", b'{"error": "x"}'])
def test_daily_candidates_that_are_no_list_are_a_one_line_error(body: bytes) -> None:
    with pytest.raises(ArxivError, match="inbox_api"):
        parse_daily(body, "Hugging Face")

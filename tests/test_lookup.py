"""Adding papers by their arXiv id, `check --online` and the inbox, through the api, in real git
repositories, against a local server speaking arXiv's Atom and the daily papers' JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from arxiv_server import Answer, FakeTime, Record, Server, serve
from conftest import git, write_papers

from mapdaily_cli import api
from mapdaily_cli.api import lookup
from mapdaily_cli.api.result import Options
from mapdaily_cli.arxiv import Client, Unreachable
from mapdaily_cli.config import Config, load_config
from mapdaily_cli.errors import CheckFailed, ConfigError, DataError, InputError, UsageError
from mapdaily_cli.store import Stream

TODAY = date(2024, 10, 15)
KV = Record(
    "2410.08391",
    "KV Prediction For Improved Time to First Token",
    [("Maxwell Horton", ["Apple"]), ("Qingqing Cao", ["Apple", "University of Washington"]), ("C. Sun", [])],
    version=2,
)
EDIT = Record(
    "2410.07171",
    r"Editing Massive Concepts in Text-to-Image \textbf{Diffusion} Models with $\alpha$-Blending",
    [("Tianwei Xiong", [])],
)
GONE = Record(
    "2410.05555", "A Result That Did Not Hold", comment="This paper has been withdrawn by the authors"
)
OLD = Record("hep-th/9901001", "An Old Paper on Strings", [("A. Theorist", ["IAS"])])


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def settings(repo: Path, server: Server, extra: str = "") -> Config:
    (repo / "mapdaily.toml").write_text(
        f'arxiv_api = "{server.url}"\ninbox_api = "{server.daily_url}"\n'
        f'contact = "curator@example.org"\n{extra}',
        encoding="utf-8",
    )
    return load_config(repo)


def digest(repo: Path, days: list[tuple[date, list[dict[str, str]]]]) -> None:
    write_papers(repo, days)
    git(repo, "add", "papers.yaml")
    git(repo, "commit", "-q", "-m", "data")


@pytest.fixture
def repo(git_repo: Path, server: Server) -> Path:
    server.add(KV, EDIT, GONE, OLD)
    digest(git_repo, [(TODAY, [{"title": "Some Earlier Paper", "url": "https://example.org/p"}])])
    return git_repo


def client_of(config: Config, fake: FakeTime, **kw: object) -> Client:
    client = lookup.arxiv_client(config, **kw)  # type: ignore[arg-type]
    client.clock, client.sleep = fake.clock, fake.sleep
    return client


def commits(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def test_an_id_in_any_form_fills_title_link_affiliations_and_authors(
    repo: Path, server: Server, fake: FakeTime
) -> None:
    config = settings(repo, server)
    [fetched] = api.fetch_papers(
        config, ["https://arxiv.org/pdf/2410.08391v1.pdf"], client=client_of(config, fake)
    )
    paper = fetched.paper
    assert paper.title == KV.title
    assert paper.url == "https://arxiv.org/abs/2410.08391"  # canonical, versionless
    assert paper.affiliation == "Apple, University of Washington"
    assert paper.authors == "Maxwell Horton, Qingqing Cao, C. Sun"
    assert not fetched.needs_affiliation
    result = api.add_papers(config, [paper], None, TODAY, Options())
    assert commits(repo)[0] == f"add: {KV.title} (2024-10-15)"
    assert "added 2024-10-15#2" in result.summary
    text = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "url: https://arxiv.org/abs/2410.08391\n" in text and "authors: Maxwell Horton" in text
    agent = server.api_requests[0]["headers"]["User-Agent"]
    assert agent.startswith("mapdaily/") and "curator@example.org" in agent


def test_several_ids_are_one_request_and_one_commit(repo: Path, server: Server, fake: FakeTime) -> None:
    config = settings(repo, server)
    before = len(commits(repo))
    fetched = api.fetch_papers(
        config, ["2410.08391", "arXiv:2410.07171v1", "hep-th/9901001"], {"comment": "Worth a read."},
        client=client_of(config, fake),
    )  # fmt: skip
    assert len(server.api_requests) == 1
    assert server.api_requests[0]["query"]["id_list"] == "2410.08391,2410.07171,hep-th/9901001"
    titles = [f.paper.title for f in fetched]
    assert titles[1] == "Editing Massive Concepts in Text-to-Image Diffusion Models with α-Blending"
    assert all(f.paper.comment == "Worth a read." for f in fetched)
    assert fetched[1].needs_affiliation and fetched[2].paper.url == "https://arxiv.org/abs/hep-th/9901001"
    result = api.add_papers(config, [f.paper for f in fetched], None, TODAY, Options())
    assert len(commits(repo)) == before + 1
    assert commits(repo)[0] == "add: 3 papers (2024-10-15)"
    assert result.summary.startswith("added 2024-10-15#2-#4: ")


def test_given_fields_replace_arxivs(repo: Path, server: Server, fake: FakeTime) -> None:
    config = settings(repo, server)
    [fetched] = api.fetch_papers(
        config, ["2410.08391"], {"title": "My Own Title", "affiliation": "", "url": "https://example.org/kv"},
        client=client_of(config, fake),
    )  # fmt: skip
    assert fetched.paper.title == "My Own Title"
    assert fetched.paper.affiliation is None and fetched.paper.url == "https://example.org/kv"
    assert fetched.paper.authors == "Maxwell Horton, Qingqing Cao, C. Sun"


def test_many_authors_are_cut_with_et_al() -> None:
    names = [f"Author {i}" for i in range(40)]
    assert lookup.authors_text(names) == ", ".join(names[:10]) + " et al."


def nothing_changed(repo: Path, before: tuple[str, list[str]]) -> None:
    assert ((repo / "papers.yaml").read_text(encoding="utf-8"), commits(repo)) == before
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""


def state(repo: Path) -> tuple[str, list[str]]:
    return (repo / "papers.yaml").read_text(encoding="utf-8"), commits(repo)


def test_an_unknown_id_is_rejected_input_and_changes_nothing(
    repo: Path, server: Server, fake: FakeTime
) -> None:
    config = settings(repo, server)
    before = state(repo)
    with pytest.raises(InputError) as e:
        api.fetch_papers(config, ["2410.08391", "2410.99999"], client=client_of(config, fake))
    assert e.value.exit_code == 1 and "\n" not in e.value.message
    assert e.value.message.startswith("arXiv does not know 2410.99999; ")
    nothing_changed(repo, before)


def test_a_malformed_id_is_usage_and_asks_nothing(repo: Path, server: Server, fake: FakeTime) -> None:
    config = settings(repo, server)
    with pytest.raises(UsageError) as e:
        api.fetch_papers(config, ["2410.08391", "2410.0839"], client=client_of(config, fake))
    assert e.value.exit_code == 2 and "'2410.0839' is not an arXiv id or link" in e.value.message
    assert server.requests == []


def test_a_withdrawn_paper_is_said_and_can_be_added_anyway(
    repo: Path, server: Server, fake: FakeTime
) -> None:
    config = settings(repo, server)
    with pytest.raises(InputError) as e:
        api.fetch_papers(config, ["2410.05555"], client=client_of(config, fake))
    assert "was withdrawn on arXiv" in e.value.message and "--allow-withdrawn" in e.value.message
    [fetched] = api.fetch_papers(config, ["2410.05555"], client=client_of(config, fake), allow_withdrawn=True)
    assert fetched.entry.withdrawn and fetched.paper.title == GONE.title


def test_arxiv_out_of_reach_is_one_line_that_says_how_to_go_on(
    repo: Path, server: Server, fake: FakeTime
) -> None:
    config = settings(repo, server)
    before = state(repo)
    server.script = [Answer(503), Answer(503), Answer(503)]
    with pytest.raises(Unreachable) as e:
        api.fetch_papers(config, ["2410.08391"], client=client_of(config, fake))
    assert e.value.message.startswith("could not reach arXiv")
    assert e.value.message.endswith("pass --title to add it by hand") and e.value.exit_code == 1
    nothing_changed(repo, before)


def test_the_cache_saves_the_request_after_a_failed_add(repo: Path, server: Server, fake: FakeTime) -> None:
    config = settings(repo, server)
    [fetched] = api.fetch_papers(config, ["2410.08391"], client=client_of(config, fake))
    assert (repo / ".git" / "mapdaily-arxiv.json").is_file()
    with pytest.raises(InputError, match="after the digest's today"):
        api.add_papers(config, [fetched.paper], TODAY + timedelta(days=3), TODAY, Options())
    [again] = api.fetch_papers(config, ["arXiv:2410.08391v2"], client=client_of(config, fake))
    assert again.paper == fetched.paper
    assert len(server.api_requests) == 1


def test_a_dry_run_does_not_write_the_cache(repo: Path, server: Server, fake: FakeTime) -> None:
    config = settings(repo, server)
    api.fetch_papers(config, ["2410.08391"], client=client_of(config, fake, writable=False))
    api.fetch_papers(config, ["2410.08391"], dry_run=True)
    assert not (repo / ".git" / "mapdaily-arxiv.json").exists()


STORED_FORMS = [
    "https://arxiv.org/pdf/2410.08391v1.pdf",
    "https://arxiv.org/abs/2410.08391v3",
    "http://export.arxiv.org/abs/2410.08391",
    "https://doi.org/10.48550/arXiv.2410.08391",
    "https://arxiv.org/html/2410.08391v2/",
]


def long_history(repo: Path, url: str) -> None:
    """Ten years of days, one paper each, the paper at ``url`` on the oldest one."""
    first = TODAY - timedelta(days=3650)
    days = [
        (TODAY - timedelta(days=i), [{"title": f"Paper number {i}", "url": f"https://example.org/{i}"}])
        for i in range(0, 3650, 10)
    ]
    days.append((first, [{"title": "The KV paper as it was first added", "url": url}]))
    digest(repo, days)


@pytest.mark.parametrize("stored", STORED_FORMS)
def test_an_id_in_the_history_in_any_form_is_a_duplicate_found_without_parsing_it(
    repo: Path, server: Server, fake: FakeTime, stored: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_history(repo, stored)
    config = settings(repo, server)
    parsed: list[int] = []
    original = Stream.day
    monkeypatch.setattr(Stream, "day", lambda self, i: (parsed.append(i), original(self, i))[1])
    for given in ("2410.08391", "https://arxiv.org/abs/2410.08391v2", "10.48550/arXiv.2410.08391"):
        with pytest.raises(InputError) as e:
            api.fetch_papers(config, [given], client=client_of(config, fake))
        assert "2410.08391 is already in the digest on 2014-10-18" in e.value.message
        assert "--force" in e.value.message
    assert server.requests == []  # refused before arXiv is asked
    assert len(set(parsed)) <= 2  # the prefilter found the day: the history was not parsed
    fetched = api.fetch_papers(config, ["2410.08391"], client=client_of(config, fake), allow_duplicate=True)
    with pytest.raises(InputError, match="already in the digest on 2014-10-18"):
        api.add_papers(config, [fetched[0].paper], None, TODAY, Options())


def test_the_exact_duplicate_search_treats_every_form_as_one_paper(repo: Path) -> None:
    config = load_config(repo)
    api.add_paper(config, api_paper("First", "https://arxiv.org/abs/math/0309136"), None, TODAY, Options())
    for url in ("https://arxiv.org/pdf/math.GT/0309136v2.pdf", "https://doi.org/10.48550/arXiv.math/0309136"):
        with pytest.raises(InputError, match="already in the digest"):
            api.add_paper(config, api_paper("Other title", url), None, TODAY, Options())
    assert api.show(config, "https://arxiv.org/abs/math.GT/0309136v3").paper.title == "First"


def api_paper(title: str, url: str) -> api.Paper:  # type: ignore[name-defined]
    from mapdaily_cli.model import Paper

    return Paper(title, url)


def test_the_same_paper_twice_in_one_add_is_refused(repo: Path) -> None:
    from mapdaily_cli.model import Paper

    config = load_config(repo)
    with pytest.raises(InputError, match="given twice"):
        api.add_papers(
            config, [Paper("A", "https://arxiv.org/abs/2410.1"), Paper("a", None)], None, TODAY, Options()
        )


# --- check --online ------------------------------------------------------------------------------


def test_check_online_reports_exactly_the_wrong_title_and_the_unknown_id(
    git_repo: Path, server: Server, fake: FakeTime
) -> None:
    server.add(KV, EDIT, OLD)
    digest(
        git_repo,
        [
            (TODAY, [
                {"title": "KV Prediction for improved time to first token", "url": "https://arxiv.org/abs/2410.08391"},
                {"title": "Editing Massive Concepts (a typo)", "url": "https://arxiv.org/pdf/2410.07171v1.pdf"},
                {"title": "Not on arXiv", "url": "https://example.org/x"},
            ]),
            (TODAY - timedelta(days=1), [
                {"title": "No such paper", "url": "https://arxiv.org/abs/2410.99999"},
                {"title": EDIT.title, "url": "https://arxiv.org/abs/2410.07171"},
                {"title": "An Old Paper on Strings", "url": "https://arxiv.org/abs/hep-th/9901001v2"},
            ]),
        ],
    )  # fmt: skip
    config = settings(git_repo, server)
    seen: list[tuple[int, int]] = []
    result = api.check_online(
        config, client=client_of(config, fake, writable=False, progress=lambda *a: seen.append(a))
    )
    assert len(result.notes) == 2
    assert result.notes[0].startswith("2024-10-15#2: the title differs from arXiv's for 2410.07171: ")
    assert result.notes[1].startswith("2024-10-14#1: arXiv does not know 2410.99999")
    assert result.summary == "5 papers linked to arXiv checked against it: 2 warnings"
    assert len(server.api_requests) == 1 and seen[-1] == (4, 4)
    assert not result.changed
    with pytest.raises(CheckFailed) as e:
        api.check_online(config, strict=True, client=client_of(config, fake))
    assert e.value.exit_code == 1 and e.value.detail == "".join(n + "\n" for n in result.notes)


def test_check_online_reports_a_withdrawn_paper(git_repo: Path, server: Server, fake: FakeTime) -> None:
    server.add(GONE)
    digest(git_repo, [(TODAY, [{"title": GONE.title, "url": "https://arxiv.org/abs/2410.05555"}])])
    config = settings(git_repo, server)
    result = api.check_online(config, client=client_of(config, fake))
    assert result.notes == [f"2024-10-15#1: 2410.05555 was withdrawn on arXiv ({GONE.title})"]


def test_plain_check_never_touches_the_network(repo: Path, server: Server) -> None:
    config = settings(repo, server)
    api.render(config, Options())
    api.check(config)
    assert server.requests == []


# --- the inbox -----------------------------------------------------------------------------------


def test_the_inbox_lists_the_days_candidates_and_marks_those_in_the_digest(
    repo: Path, server: Server
) -> None:
    config = settings(repo, server)
    digest(repo, [(TODAY, [{"title": "KV", "url": "https://arxiv.org/pdf/2410.08391v2"}])])
    server.daily["2024-10-15"] = [
        {"paper": {"id": "2410.07171", "title": "Editing", "upvotes": 3},
         "publishedAt": "2024-10-15T06:00:00Z"},
        {"paper": {"id": "2410.08391", "title": "KV Prediction", "upvotes": 12},
         "publishedAt": "2024-10-15T05:00:00Z", "organization": {"name": "apple", "fullname": "Apple"}},
    ]  # fmt: skip
    items = api.inbox(config, TODAY)
    assert [i.candidate.id for i in items] == ["2410.08391", "2410.07171"]
    assert items[0].found is not None and items[0].found.ref == "2024-10-15#1"
    assert items[1].found is None and items[0].candidate.organization == "Apple"
    assert server.requests[0]["query"] == {"date": "2024-10-15"}


# --- settings, the store, the columns ------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('arxiv_api = "ftp://example.org/api"', "arxiv_api must be an http"),
        ('arxiv_api = "file:///etc/passwd"', "arxiv_api must be an http"),
        ('inbox_api = "not a url"', "inbox_api must be an http"),
        ('contact = "a\\nb"', "contact must be one line of ASCII"),
        ("contact = 3", "contact must be text"),
    ],
)
def test_bad_api_settings_are_refused(git_repo: Path, line: str, message: str) -> None:
    (git_repo / "mapdaily.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(git_repo)


def test_the_api_defaults() -> None:
    config = Config(root=Path("."))
    assert config.arxiv_api == "https://export.arxiv.org/api/query"
    assert config.inbox_api.startswith("https://") and config.contact is None


def test_authors_must_be_text_in_the_store(git_repo: Path) -> None:
    write_papers(git_repo, [(TODAY, [{"title": "T", "authors": 12}])])
    with pytest.raises(DataError, match="authors of paper 1 of 2024-10-15 must be text"):
        api.list_days(load_config(git_repo), None, None)


def test_authors_are_shown_only_where_the_columns_name_them(git_repo: Path) -> None:
    digest(git_repo, [(TODAY, [{"title": "T", "authors": "Ada Lovelace, Alan Turing"}])])
    api.render(load_config(git_repo), Options())
    assert "Ada Lovelace" not in (git_repo / "README.md").read_text(encoding="utf-8")
    (git_repo / "mapdaily.toml").write_text('columns = ["title", "authors", "comment"]\n', encoding="utf-8")
    api.render(load_config(git_repo), Options(discard_hand_edits=True))
    readme = (git_repo / "README.md").read_text(encoding="utf-8")
    assert "| Paper | Authors | Comments |" in readme and "Ada Lovelace, Alan Turing" in readme

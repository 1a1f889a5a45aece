"""`mapdaily add ID…` and `mapdaily inbox` on the command line, against a local server speaking
arXiv's Atom and the daily papers' JSON: exit codes, one-line errors, commits."""

from __future__ import annotations

import json
import shlex
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from arxiv_server import Record, Server, serve
from conftest import git, run_cli

KV = Record(
    "2410.08391",
    "KV Prediction For Improved Time to First Token",
    [("Maxwell Horton", ["Apple"]), ("Qingqing Cao", ["Apple"])],
)
OLD = Record(
    "hep-th/9901001", r"Strings on $\mathrm{AdS}_5$? No: on Schr\"odinger Spaces", [("A. Theorist", [])]
)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


@pytest.fixture
def digest(repo: Path, server: Server) -> Path:
    server.add(KV, OLD)
    (repo / "mapdaily.toml").write_text(
        f'arxiv_api = "{server.url}"\ninbox_api = "{server.daily_url}"\n', encoding="utf-8"
    )
    code, out, err = run_cli(repo, "add", "--title", "First Paper", "--date", "2024-10-15", "--comment", "ok")
    assert code == 0, err
    return repo


def commits(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def test_add_by_ids_fills_the_papers_in_one_commit(digest: Path, server: Server) -> None:
    code, out, err = run_cli(
        digest,
        "add",
        "https://arxiv.org/pdf/2410.08391v2.pdf",
        "arXiv:hep-th/9901001",
        "--comment",
        "Worth it.",
    )
    assert code == 0, err
    assert commits(digest)[0] == "add: 2 papers (2024-10-15)"
    assert len(server.api_requests) == 1
    data = (digest / "papers.yaml").read_text(encoding="utf-8")
    assert (
        "url: https://arxiv.org/abs/2410.08391\n" in data
        and "url: https://arxiv.org/abs/hep-th/9901001\n" in data
    )
    readme = (digest / "README.md").read_text(encoding="utf-8")
    assert KV.title in readme and "Apple" in readme
    assert "title: 'Strings on AdS₅? No: on Schrödinger Spaces'\n" in data


def test_options_replace_what_arxiv_says(digest: Path) -> None:
    code, _, err = run_cli(digest, "add", "2410.08391", "--title", "KV, retitled", "--affiliation", "")
    assert code == 0, err
    data = (digest / "papers.yaml").read_text(encoding="utf-8")
    assert "title: KV, retitled" in data and "Apple" not in data


def test_a_malformed_id_is_a_usage_error(digest: Path, server: Server) -> None:
    before = commits(digest)
    code, out, err = run_cli(digest, "add", "2410.0839")
    assert code == 2
    assert err.startswith("error: '2410.0839' is not an arXiv id or link;") and err.count("\n") == 1
    assert commits(digest) == before and server.requests == []


def test_an_unknown_id_is_rejected_input(digest: Path) -> None:
    code, _, err = run_cli(digest, "add", "2410.99999")
    assert code == 1 and err.startswith("error: arXiv does not know 2410.99999;") and err.count("\n") == 1


def test_a_duplicate_in_another_form_is_refused(digest: Path) -> None:
    assert run_cli(digest, "add", "2410.08391")[0] == 0
    code, _, err = run_cli(digest, "add", "https://arxiv.org/html/2410.08391v3")
    assert code == 1 and "2410.08391 is already in the digest on 2024-10-15 as 2024-10-15#2" in err
    assert "--force" in err


def test_arxiv_out_of_reach_says_how_to_add_by_hand(digest: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (digest / "mapdaily.toml").write_text(
        f'arxiv_api = "http://127.0.0.1:{port}/api/query"\n', encoding="utf-8"
    )
    before = (digest / "papers.yaml").read_bytes()
    code, _, err = run_cli(digest, "add", "2410.08391")
    assert code == 1 and err.startswith("error: could not reach arXiv at http://127.0.0.1:")
    assert err.rstrip().endswith("pass --title to add it by hand") and err.count("\n") == 1
    assert (digest / "papers.yaml").read_bytes() == before


def test_a_dry_run_writes_nothing_not_even_the_cache(digest: Path) -> None:
    before = (digest / "papers.yaml").read_bytes()
    code, out, err = run_cli(digest, "add", "2410.08391", "--dry-run")
    assert code == 0, err
    assert "+  url: https://arxiv.org/abs/2410.08391" in out
    assert (digest / "papers.yaml").read_bytes() == before
    assert not (digest / ".git" / "mapdaily-arxiv.json").exists()


def test_edit_opens_the_editor_once_per_paper(
    digest: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
        "open(p, 'a', encoding='utf-8').write('Comment on ' + t.split()[4].rstrip(':'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    code, _, err = run_cli(digest, "add", "2410.08391", "hep-th/9901001", "--edit")
    assert code == 0, err
    data = (digest / "papers.yaml").read_text(encoding="utf-8")
    assert "comment: Comment on 2410.08391\n" in data and "comment: Comment on hep-th/9901001\n" in data
    assert "<!--" not in data


def test_inbox_lists_the_candidates_and_marks_those_in_the_digest(digest: Path, server: Server) -> None:
    assert run_cli(digest, "add", "2410.08391")[0] == 0
    server.daily["2024-10-15"] = [
        {"paper": {"id": "2410.07171", "title": "Editing Massive Concepts", "upvotes": 3}},
        {"paper": {"id": "2410.08391", "title": "KV Prediction", "upvotes": 12}},
    ]
    code, out, err = run_cli(digest, "inbox", "--date", "2024-10-15", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert [(c["id"], c["in_digest"]) for c in got] == [("2410.08391", "2024-10-15#2"), ("2410.07171", None)]
    code, out, err = run_cli(digest, "inbox", "--date", "2024-10-15")
    assert code == 0 and "Editing Massive Concepts" in out
    code, out, _ = run_cli(digest, "inbox", "--date", "2024-10-16")
    assert code == 0 and "no candidates for 2024-10-16" in out


def test_check_online_warns_of_a_title_arxiv_spells_otherwise(digest: Path, server: Server) -> None:
    assert run_cli(digest, "add", "2410.08391", "--comment", "Fine.")[0] == 0
    assert (
        run_cli(digest, "edit", "2410.08391", "--title", "KV Predictoin For Improved Time to First Token")[0]
        == 0
    )
    code, out, err = run_cli(digest, "check", "--online")
    assert code == 0, err
    assert "KV Predictoin" in err and "checked against it: 1 warning" in err
    code, out, err = run_cli(digest, "check", "--online", "--strict")
    assert code == 1 and "differ from it" in err
    assert git(digest, "status", "--porcelain") == "?? mapdaily.toml"  # check wrote nothing

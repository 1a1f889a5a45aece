"""Shared fixtures: real git repositories with an isolated git configuration, the command line run
in-process, papers.yaml writers, and a copy of the seed digest."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mapdaily_cli.cli import app

GOLDEN = Path(__file__).parent / "golden"
SEED = GOLDEN / "seed"

#: One day for ``write_papers``: its date (a ``date`` or ISO text) and its papers (mappings).
DaySpec = tuple[date | str, Sequence[Mapping[str, Any]]]


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout (stripped); a failing git fails the test."""
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, encoding="utf-8"
    )
    return done.stdout.strip()


@pytest.fixture
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME of its own and an empty global git configuration; the system one is ignored."""
    home = tmp_path_factory.mktemp("home")
    global_config = home / "gitconfig"
    global_config.write_text("", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        *("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EDITOR", "EDITOR", "VISUAL", "XDG_CONFIG_HOME"),
        *("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"),
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    return home


@pytest.fixture
def git_repo(tmp_path: Path, isolated_git: Path) -> Path:
    """An empty git repository (branch main, a user, no signing) in a temporary folder."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "config", "user.name", "Test Curator")
    git(repo, "config", "user.email", "curator@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    return repo


@pytest.fixture
def repo(git_repo: Path) -> Path:
    """The ``git_repo`` fixture under the name the command line tests use."""
    return git_repo


def run_cli(repo: Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run ``mapdaily -C repo args`` in-process and return its exit code, stdout and stderr; a
    traceback in either stream fails the test."""
    result = CliRunner().invoke(app, ["-C", str(repo), *args], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def papers_yaml(days: Iterable[DaySpec], preamble: str = "") -> str:
    """The text of a papers.yaml holding ``days`` in the given order (one document each)."""
    import yaml

    docs = []
    for when, papers in days:
        when = when if isinstance(when, date) else date.fromisoformat(when)
        body = yaml.safe_dump(
            {"date": when, "papers": [dict(p) for p in papers]},
            sort_keys=False,
            allow_unicode=True,
            width=4096,
        )
        docs.append(body)
    return preamble + "---\n".join(docs)


def write_papers(folder: Path, days: Iterable[DaySpec], preamble: str = "") -> Path:
    """Write ``folder/papers.yaml`` holding ``days`` (newest first is the caller's business)."""
    path = folder / "papers.yaml"
    path.write_text(papers_yaml(days, preamble), encoding="utf-8")
    return path


@pytest.fixture
def make_papers() -> Callable[..., Path]:
    """``make_papers(folder, [(date, [paper, ...]), ...])`` writes papers.yaml there."""
    return write_papers


#: The seed digest's files: its data, its README and the reader's side generated beside them.
SEED_FILES = ("papers.yaml", "README.md", "archived_papers.md", "feed.xml", "search.html", "search")


def copy_seed(folder: Path) -> Path:
    """Copy the seed digest (the SEED_FILES of tests/golden/seed) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SEED_FILES:
        if (SEED / name).is_dir():
            shutil.copytree(SEED / name, folder / name, dirs_exist_ok=True)
        else:
            shutil.copyfile(SEED / name, folder / name)
    return folder


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A temporary folder holding the seed digest: its papers.yaml and its README.md."""
    return copy_seed(tmp_path / "seed")

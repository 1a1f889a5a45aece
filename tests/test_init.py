"""`mapdaily init` in real git repositories."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import git, run_cli

SEED = Path(__file__).parent / "fixtures" / "import" / "seed-README.md"


def mapdaily(repo: Path, *args: str) -> tuple[int, str]:
    code, out, err = run_cli(repo, *args)
    return code, out + err


def test_init_makes_a_digest_that_checks_green(repo: Path) -> None:
    code, out = mapdaily(repo, "init", "--ci", "github", "--columns", "title,comment")
    assert code == 0, out
    files = git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n")
    assert files[0] == "init: mapdaily digest"
    assert sorted(f for f in files[1:] if f and not f.startswith("search/")) == [
        ".gitattributes",
        ".github/ISSUE_TEMPLATE/add-paper.yml",
        ".github/workflows/check.yml",
        ".github/workflows/intake.yml",
        ".github/workflows/rotate.yml",
        ".github/workflows/sync.yml",
        ".pre-commit-config.yaml",
        "README.md",
        "archived_papers.md",
        "feed.xml",
        "mapdaily.toml",
        "papers.yaml",
        "search.html",
    ]
    assert (repo / "mapdaily.toml").read_text(encoding="utf-8").endswith('columns = ["title", "comment"]\n')
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "| Paper | Comments |" in readme and "<!-- mapdaily:start -->" in readme
    assert mapdaily(repo, "check")[0] == 0
    assert git(repo, "status", "--porcelain") == ""
    # A second init keeps everything and commits nothing.
    code, out = mapdaily(repo, "init", "--ci", "github")
    assert code == 0 and "nothing to do" in out and "kept existing" in out
    assert (repo / "README.md").read_text(encoding="utf-8") == readme
    assert len(git(repo, "log", "--format=%s").splitlines()) == 1
    # Then the digest works as usual.
    assert mapdaily(repo, "add", "--title", "First")[0] == 0
    assert mapdaily(repo, "check")[0] == 0


def test_init_writes_only_settings_that_differ_from_the_defaults(repo: Path) -> None:
    code, out = mapdaily(repo, "init", "--week-start", "Monday", "--columns", "title,affiliation,comment")
    assert code == 0, out
    assert not (repo / "mapdaily.toml").exists()
    code, out = mapdaily(repo, "init", "--week-start", "sunday", "--replace")
    assert code == 0, out
    assert (repo / "mapdaily.toml").read_text(encoding="utf-8").endswith('week_start = "sunday"\n')


def test_init_wraps_an_existing_readme(repo: Path) -> None:
    (repo / "README.md").write_text("# Our lab's reading list\n\nSome words.\n", encoding="utf-8")
    code, out = mapdaily(repo, "init")
    assert code == 0, out
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Our lab's reading list\n\nSome words.\n\n<!-- mapdaily:start -->\n")
    assert re.search(r"<!-- mapdaily:end checksum=[0-9a-f]+ -->\n$", readme)
    assert not (repo / "mapdaily.toml").exists()
    assert mapdaily(repo, "check")[0] == 0


def test_init_leaves_hand_kept_tables_to_import(repo: Path) -> None:
    seed = SEED.read_text(encoding="utf-8")
    (repo / "README.md").write_text(seed, encoding="utf-8")
    code, out = mapdaily(repo, "init")
    assert code == 0
    assert "hand-kept tables" in out and "mapdaily import README.md" in out
    assert (repo / "README.md").read_text(encoding="utf-8") == seed


def test_init_rejects_bad_settings(repo: Path) -> None:
    code, out = mapdaily(repo, "init", "--timezone", "Mars/Olympus")
    assert code == 2 and "not a known time zone" in out
    code, out = mapdaily(repo, "init", "--ci", "gitlab")
    assert code == 1 and "not supported" in out
    assert list(p.name for p in repo.iterdir()) == [".git"]


def test_init_pages_writes_a_jekyll_configuration_once(repo: Path) -> None:
    import yaml

    code, out = mapdaily(repo, "init", "--pages")
    assert code == 0, out
    assert "Settings > Pages" in out
    settings = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    assert settings == {"markdown": "GFM", "include": ["archived_papers", "search"]}
    assert "_config.yml" in git(repo, "show", "--name-only", "--format=", "HEAD").split()
    (repo / "_config.yml").write_text("theme: mine\n", encoding="utf-8")
    code, out = mapdaily(repo, "init", "--pages")
    assert code == 0 and "kept existing" in out and "_config.yml" in out
    assert (repo / "_config.yml").read_text(encoding="utf-8") == "theme: mine\n"

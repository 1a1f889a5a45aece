"""config.py's paths under hostile settings and hostile trees: patterns and path settings that would
leave their folder or land on another file, and symbolic links in and out of the repository."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli.config import Config, load_config, make_config
from mapdaily_cli.errors import ConfigError, MapdailyError
from mapdaily_cli.model import Week


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def refused(folder: Path, toml: str) -> str:
    """The one-line message load_config refuses ``toml`` (as mapdaily.toml) with."""
    (folder / "mapdaily.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(folder)
    message = raised.value.message
    assert raised.value.exit_code == 2 and message.startswith("mapdaily.toml: ") and "\n" not in message
    return message


def tree(repo: Path) -> dict[str, bytes]:
    """Every file of the work tree (links as their target text) and the commit count."""
    files = {
        str(p.relative_to(repo)): os.readlink(p).encode() if p.is_symlink() else p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if ".git" not in p.relative_to(repo).parts and (p.is_symlink() or p.is_file())
    }
    return {**files, "commits": git(repo, "rev-list", "--count", "HEAD").encode()}


# --- archive_page --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("{iso_week}/../../README.md", "leaves archive_dir"),
        ("{iso_year}/../{label}.md", "leaves archive_dir"),
        ("{start:..}/{start:..}/README.md", "leaves archive_dir"),  # a field that expands to ..
        ("/{label}.md", "leaves the repository"),
        ("{iso_year}\\\\{label}.md", "backslash"),
        ("{start:%Y/%m/%d}.md", "gives '2018/12/31' for week 2019-W01, which holds a folder separator"),
        (
            "{iso_week:/>2}-{iso_year}.md",
            "{iso_week:/>2} gives '/1' for week 2019-W01, which holds a folder separator",
        ),
        ("{start:%Y\\\\%m}-{label}.md", "a folder separator"),
        ("{label}/.git/x.md", "inside .git"),
        ("{label}/.GIT/x.md", "inside .git"),
        ("{label}//x.md", "has an empty or '' name"),
        ("{label}/./x.md", "has an empty or '.' name"),
        ("{label}\\u0000.md", "control character"),
        ("{label}\\n.md", "control character"),
        ("{label}.md.", "ends with a dot or a space"),
        ("{label:>300}.md", "bytes (file systems allow 255)"),
        ("{label:.0}", "is empty"),
        ("{iso_week}.md", "gives weeks 2019-W01 and 2020-W01 the same page"),
        ("{start:%m}/{label:.4}.md", "gives every week the same page"),
    ],
)
def test_a_pattern_that_could_leave_its_folder_is_refused_on_loading(
    tmp_path: Path, pattern: str, says: str
) -> None:
    message = refused(tmp_path, f'archive_page = "{pattern}"\n')
    assert "archive_page" in message and says in message, message


def test_a_pattern_landing_on_a_configured_file_is_refused_on_loading(tmp_path: Path) -> None:
    message = refused(tmp_path, 'archive_dir = "docs"\nreadme = "docs/2020W41.md"\n')
    assert "gives '2020W41.md' for week 2020-W41, which is the readme file" in message
    message = refused(
        tmp_path, 'archive_dir = "docs"\narchive_page = "{label}/i.md"\ndata = "DOCS/2019-W01"\n'
    )
    assert "is the data file" in message


def test_every_expansion_is_checked_again_when_it_is_made(tmp_path: Path) -> None:
    # A week far from the ones tried on loading: its page would be the README.
    config = make_config(tmp_path, {"readme": "archived_papers/2031W05.md"})
    assert config.week_page(Week(date(2031, 1, 20))) == "archived_papers/2031W04.md"
    with pytest.raises(ConfigError, match=r"2031W05.md' for week 2031-W05, which is the readme file"):
        config.week_page(Week(date(2031, 1, 27)))
    # Settings built without make_config are held to the same rules.
    for pattern in ("{iso_week}/../../README.md", "/tmp/{label}.md", "{label}/.git/x", "{label}\\x.md"):
        with pytest.raises(ConfigError, match="archive_page"):
            Config(root=tmp_path, archive_page=pattern).week_page(Week(date(2024, 10, 7)))


def test_patterns_with_folders_are_still_fine(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"archive_page": "{iso_year}/{start:%m}/{label}.md"})
    assert config.week_page(Week(date(2024, 10, 7))) == "archived_papers/2024/10/2024-W41.md"


def test_rotate_never_writes_a_week_page_over_the_readme(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    (repo / "mapdaily.toml").write_text('archive_page = "{iso_week}/../../README.md"\n', encoding="utf-8")
    (repo / "archived_papers" / "42").mkdir(parents=True)
    git(repo, "add", "mapdaily.toml")
    git(repo, "commit", "-qm", "layout")
    before = tree(repo)
    for force in ([], ["--discard-hand-edits"]):
        code, out, err = run_cli(repo, "rotate", "--date", "2024-10-21", *force)
        assert code == 2 and "archive_page" in err and "leaves archive_dir" in err, err + out
        assert len(err.strip().splitlines()) == 1
    assert tree(repo) == before


# --- path settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('data = ""', "data = '' is empty"),
        ('templates = ""', "templates = '' is empty"),
        ('data = "papers.yaml\\u0000x"', "control character"),
        ('readme = "README\\nmd"', "control character"),
        ('data = "data\\\\papers.yaml"', "backslash"),
        ('readme = "C:/README.md"', "leaves the repository"),
        ('archive_index = "//server/share/x.md"', "leaves the repository"),
        ('readme = "."', "names a folder, not a file"),
        ('data = ".."', "leaves the repository"),
        ('data = "..."', "ends with a dot or a space"),
        ('archive_dir = "..."', "ends with a dot or a space"),
        ('readme = "README.md "', "ends with a dot or a space"),
        ('archive_index = "docs/"', "names a folder, not a file"),
        ('archive_index = "docs/."', "names a folder, not a file"),
        ('data = "docs/.."', "names a folder, not a file"),
        ('archive_dir = "."', "is the repository itself"),
        ('archive_dir = "a/.."', "is the repository itself"),
        ('readme = ".GIT/README.md"', "inside .git"),
        ('data = "docs/.Git/papers.yaml"', "inside .git"),
        ('archive_dir = "GIT~1"', "inside .git"),
        ('templates = ".git."', "inside .git"),
        ('archive_dir = "{}"'.format("a" * 256), "bytes (file systems allow 255)"),
        ('data = "readme.md"', "data and readme are the same file"),
        ('archive_dir = "papers.yaml/weeks"', "inside data = 'papers.yaml'"),
        ('readme = "x.md"\narchive_index = "x.md/index.md"', "inside readme = 'x.md'"),
    ],
)
def test_a_bad_path_setting_is_refused(tmp_path: Path, line: str, says: str) -> None:
    message = refused(tmp_path, line + "\n")
    assert says in message, message


def test_a_folder_where_a_file_is_expected_is_refused(tmp_path: Path) -> None:
    (tmp_path / "archived_papers").mkdir()
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    assert "data = 'archived_papers' is a folder; name a file" in refused(
        tmp_path, 'data = "archived_papers"\n'
    )
    message = refused(tmp_path, 'data = "notes.txt/papers.yaml"\n')
    assert "goes through notes.txt, which is a file" in message


def test_path_settings_are_normalised(tmp_path: Path) -> None:
    config = make_config(
        tmp_path, {"readme": "./docs/../README.md", "archive_dir": "a//b/", "data": "d/./p.yaml"}
    )
    assert (config.readme, config.archive_dir, config.data) == ("README.md", "a/b", "d/p.yaml")
    assert config.week_page(Week(date(2024, 10, 7))) == "a/b/2024W41.md"


@pytest.mark.parametrize("line", ['data = "papers.yaml\\u0000x"', 'data = ""', 'readme = "docs/"'])
def test_a_bad_path_is_a_configuration_error_on_the_command_line(repo: Path, line: str) -> None:
    (repo / "mapdaily.toml").write_text(line + "\n", encoding="utf-8")
    for args in (["check"], ["add", "--title", "X"], ["list"]):
        code, _, err = run_cli(repo, *args)
        assert code == 2 and "mapdaily.toml: " in err and "internal error" not in err, err
        assert len(err.strip().splitlines()) == 1, err


# --- symbolic links ----------------------------------------------------------------------------------


def archived(repo: Path) -> Path:
    """A digest whose week 2024-W42 is archived (its page committed); returns that page."""
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    ok(repo, "rotate", "--date", "2024-10-21")
    page = repo / "archived_papers" / "2024W42.md"
    assert page.is_file()
    return page


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def test_a_week_page_linked_outside_is_never_read_or_written(repo: Path, tmp_path: Path) -> None:
    page = archived(repo)
    outside = tmp_path / "outside.md"
    secret = page.read_text(encoding="utf-8").replace("| A |", "| SECRET |")
    outside.write_text(secret, encoding="utf-8")
    page.unlink()
    page.symlink_to(outside)
    commit_all(repo, "link the page")
    before = tree(repo)
    for args in (
        ["add", "--title", "B", "--date", "2024-10-16"],
        ["add", "--title", "B", "--date", "2024-10-16", "--force", "--discard-hand-edits"],
        ["render"],
        ["render", "--discard-hand-edits"],
        ["check"],
    ):
        code, out, err = run_cli(repo, *args)
        assert code == 1, (args, out, err)
        assert f"archived_papers/2024W42.md is a symbolic link to {outside}, outside the repository" in err
        assert "replace it with a regular file" in err and "SECRET" not in out + err, (args, out, err)
    assert outside.read_text(encoding="utf-8") == secret
    assert tree(repo) == before


def test_rotate_never_creates_a_week_page_through_a_link_outside(repo: Path, tmp_path: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    outside = tmp_path / "elsewhere.md"
    (repo / "archived_papers").mkdir()
    (repo / "archived_papers" / "2024W42.md").symlink_to(outside)  # dangling: rotate would create it
    commit_all(repo, "a link")
    before = tree(repo)
    code, out, err = run_cli(repo, "rotate", "--date", "2024-10-21")
    assert code == 1 and "is a symbolic link to" in err and "outside the repository" in err, out + err
    assert not outside.exists() and tree(repo) == before


def test_an_archive_folder_linked_outside_is_refused(repo: Path, tmp_path: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / "archived_papers").symlink_to(outside, target_is_directory=True)
    commit_all(repo, "a linked folder")
    code, out, err = run_cli(repo, "rotate", "--date", "2024-10-21")
    assert code == 1, out + err
    assert f"is in archived_papers, which is a symbolic link to {outside}, outside the repository" in err
    assert "replace it with a regular folder" in err
    assert list(outside.iterdir()) == []


def test_a_link_into_git_or_onto_another_generated_file_is_refused(repo: Path) -> None:
    page = archived(repo)
    page.unlink()
    page.symlink_to(Path("..") / "README.md")
    commit_all(repo, "page onto the readme")
    code, _, err = run_cli(repo, "render")
    assert code == 1 and "is a symbolic link to README.md, the readme file" in err, err
    page.unlink()
    page.symlink_to(Path("..") / ".git" / "description")
    description = (repo / ".git" / "description").read_bytes()
    code, _, err = run_cli(repo, "render", "--discard-hand-edits")
    assert code == 1 and "is a symbolic link into .git" in err, err
    assert (repo / ".git" / "description").read_bytes() == description


def test_papers_yaml_linked_inside_the_repository_stays_a_link(repo: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    (repo / "data").mkdir()
    (repo / "papers.yaml").rename(repo / "data" / "papers.yaml")
    (repo / "papers.yaml").symlink_to(Path("data") / "papers.yaml")
    commit_all(repo, "keep the data in a folder")
    ok(repo, "add", "--title", "B")
    ok(repo, "rotate", "--date", "2024-10-21")
    ok(repo, "render")
    assert (repo / "papers.yaml").is_symlink()
    assert os.readlink(repo / "papers.yaml") == str(Path("data") / "papers.yaml")
    text = (repo / "data" / "papers.yaml").read_text(encoding="utf-8")
    assert "title: B" in text and "date: 2024-10-21" in text
    ok(repo, "check")
    assert git(repo, "status", "--porcelain") == ""
    assert "data/papers.yaml" in git(repo, "show", "--name-only", "--format=", "HEAD~1")
    assert load_config(repo).data_path == (repo / "data" / "papers.yaml").resolve()


def test_an_archive_folder_linked_inside_the_repository_keeps_its_pages(repo: Path) -> None:
    archived(repo)
    (repo / "docs").mkdir()
    (repo / "archived_papers").rename(repo / "docs" / "archive")
    (repo / "archived_papers").symlink_to(Path("docs") / "archive", target_is_directory=True)
    commit_all(repo, "keep the archive in docs")
    before = tree(repo)
    assert "removed" not in ok(repo, "render")
    ok(repo, "check")
    ok(repo, "add", "--title", "B", "--date", "2024-10-16")
    assert "| B |" in (repo / "docs" / "archive" / "2024W42.md").read_text(encoding="utf-8")
    assert (repo / "archived_papers").is_symlink() and git(repo, "status", "--porcelain") == ""
    ok(repo, "check")
    assert tree(repo).keys() == before.keys()


def test_a_templates_folder_linked_outside_is_refused(repo: Path, tmp_path: Path) -> None:
    ok(repo, "add", "--title", "A", "--date", "2024-10-15")
    outside = tmp_path / "templates"
    outside.mkdir()
    (repo / "templates").symlink_to(outside, target_is_directory=True)
    (repo / "mapdaily.toml").write_text('templates = "templates"\n', encoding="utf-8")
    code, _, err = run_cli(repo, "render")
    assert code == 1 and f"templates is a symbolic link to {outside}, outside the repository" in err, err
    assert "replace it with a regular folder" in err


def test_a_path_through_a_link_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    config = make_config(tmp_path, {"readme": "loop.md"})
    with pytest.raises(MapdailyError, match="loop.md: cannot follow its symbolic links"):
        config.path("loop.md")

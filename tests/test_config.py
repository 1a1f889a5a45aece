"""config.py: defaults, where settings are read from, and what is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mapdaily_cli.config import DEFAULT_HEADERS, Config, find_root, load_config, make_config
from mapdaily_cli.errors import ConfigError
from mapdaily_cli.model import Week


def test_defaults_reproduce_the_seed_layout(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.source == "defaults"
    assert (config.data, config.readme, config.archive_index) == (
        "papers.yaml",
        "README.md",
        "archived_papers.md",
    )
    assert config.columns == ("title", "affiliation", "comment")
    assert [config.headers[c] for c in config.columns] == ["Paper", "Affiliation", "Comments"]
    assert config.today_heading.format(date="15/10/2024") == "🔥 Paper Today: 15/10/2024"
    assert config.week_heading == "🛠️ Papers This Week "
    assert date(2024, 10, 15).strftime(config.date_format) == "15/10/2024"
    assert config.week_start == "monday" and config.first_weekday == 0
    assert config.timezone is None and config.templates is None
    assert config.data_path == tmp_path.resolve() / "papers.yaml"
    assert config == make_config(tmp_path.resolve(), {})


def test_mapdaily_toml_is_read(tmp_path: Path) -> None:
    (tmp_path / "mapdaily.toml").write_text(
        'columns = ["title", "comment"]\nweek_start = "Sunday"\ntimezone = "Asia/Shanghai"\n'
        '[headers]\ncomment = "Notes"\n',
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mapdaily]\ncolumns = ["title", "url"]\n', encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert config.source == "mapdaily.toml"
    assert config.columns == ("title", "comment")
    assert config.week_start == "sunday" and config.first_weekday == 6
    assert config.timezone == "Asia/Shanghai"
    assert config.headers == {**DEFAULT_HEADERS, "comment": "Notes"}


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mapdaily]\narchive_dir = "archive"\narchive-index = "archive.md"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.source == "pyproject.toml [tool.mapdaily]"
    assert (config.archive_dir, config.archive_index) == ("archive", "archive.md")
    assert find_root(tmp_path / "deeper" / "still") == tmp_path.resolve()


def test_pyproject_without_the_table_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(tmp_path).columns == Config(root=tmp_path).columns


def test_mapdaily_toml_may_hold_the_tool_table(tmp_path: Path) -> None:
    (tmp_path / "mapdaily.toml").write_text('[tool.mapdaily]\nreadme = "docs/README.md"\n', encoding="utf-8")
    assert load_config(tmp_path).readme == "docs/README.md"


def test_find_root_stops_at_the_digest(tmp_path: Path) -> None:
    (tmp_path / "papers.yaml").write_text("", encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root(tmp_path / "a" / "b") == tmp_path.resolve()


def _refused(tmp_path: Path, toml: str) -> str:
    (tmp_path / "mapdaily.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert raised.value.exit_code == 2
    message = raised.value.message
    assert message.startswith("mapdaily.toml")
    return message


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = _refused(tmp_path, 'colums = ["title"]\n')
    assert "unknown key 'colums'" in message and "columns" in message


def test_unknown_key_in_pyproject_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mapdaily]\nweekstart = "monday"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml \[tool.mapdaily\]: unknown key 'weekstart'"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    "line",
    [
        'data = "../papers.yaml"',
        'readme = "/etc/README.md"',
        'archive_dir = "../../elsewhere"',
        'archive_index = "docs/../../x.md"',
        'templates = "/usr/share/templates"',
        'archive_page = "../../{iso_year}W{iso_week:02d}.md"',
        'archive_page = "/tmp/{label}.md"',
    ],
)
def test_a_path_leaving_the_repository_is_refused(tmp_path: Path, line: str) -> None:
    message = _refused(tmp_path, line + "\n")
    assert "leaves the repository" in message or "leaves archive_dir" in message


def test_a_path_inside_the_repository_is_fine(tmp_path: Path) -> None:
    (tmp_path / "mapdaily.toml").write_text(
        'readme = "docs/../README.md"\narchive_dir = "a/b"\n', encoding="utf-8"
    )
    assert load_config(tmp_path).archive_dir == "a/b"


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('week_start = "mon"', "week_start must be a weekday name"),
        ("week_start = 1", "week_start must be a weekday name"),
        ('timezone = "Mars/Olympus_Mons"', "is not a known time zone"),
        ('timezone = "../etc/passwd"', "is not a known time zone"),
        ('timezone = ""', "is not a known time zone"),
        ('columns = ["title", "authorz"]', "columns names 'authorz', which is no field"),
        ("columns = []", "columns must be a list of fields"),
        ('columns = "title"', "columns must be a list of fields"),
        ('columns = ["title", "title"]', "columns must be a list of fields"),
        ('columns = ["comment"]', 'columns must include "title"'),
        ("[headers]\nauthorz = 'Authors'", "headers names 'authorz', which is no field"),
        ("headers = 'Paper'", "headers must map fields"),
        ("readme = 5", "readme must be text"),
        (
            'archive_page = "{iso_year}W{nope}.md"',
            "archive_page '{iso_year}W{nope}.md' is not a valid pattern",
        ),
        ('archive_page = "{start.nope}.md"', "is not a valid pattern"),
        ('today_heading = "Today: {day}"', "today_heading 'Today: {day}' is not a valid pattern"),
        ('archive_heading = "Week {"', "archive_heading 'Week {' is not a valid pattern"),
        ('week-start = "sunday"\nweek_start = "monday"', "set twice"),
        ("columns = [", "fix the TOML syntax"),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, line: str, says: str) -> None:
    assert says in _refused(tmp_path, line + "\n")


def test_dashed_keys_are_the_same_keys(tmp_path: Path) -> None:
    (tmp_path / "mapdaily.toml").write_text(
        'week-start = "sunday"\ndate-format = "%Y-%m-%d"\n', encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert (config.week_start, config.date_format) == ("sunday", "%Y-%m-%d")


@pytest.mark.parametrize(
    ("pattern", "page"),
    [
        ("{iso_year}W{iso_week:02d}.md", "archived_papers/2024W41.md"),
        ("{label}.md", "archived_papers/2024-W41.md"),
        ("{iso_year}/{start}.md", "archived_papers/2024/2024-10-07.md"),
        ("week-{end}.md", "archived_papers/week-2024-10-13.md"),
    ],
)
def test_week_page_pattern(tmp_path: Path, pattern: str, page: str) -> None:
    config = make_config(tmp_path, {"archive_page": pattern})
    assert config.week_page(Week(date(2024, 10, 7))) == page


def test_week_page_uses_the_iso_week_and_year(tmp_path: Path) -> None:
    config = make_config(tmp_path, {"archive_dir": "weeks"})
    assert config.week_page(Week(date(2024, 12, 30))) == "weeks/2025W01.md"
    assert config.week_page(Week(date(2020, 12, 28))) == "weeks/2020W53.md"
    sunday = make_config(tmp_path, {"week_start": "sunday"})
    assert sunday.week_page(Week(date(2024, 10, 6))) == "archived_papers/2024W41.md"

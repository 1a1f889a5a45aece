"""The configuration: a frozen Config, its defaults (which reproduce the seed) and where it is read from."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from mapdaily_cli.errors import ConfigError
from mapdaily_cli.model import FIELDS, WEEKDAYS, Week

DEFAULT_HEADERS = {
    "title": "Paper",
    "url": "Link",
    "affiliation": "Affiliation",
    "comment": "Comments",
}


@dataclass(frozen=True)
class Config:
    """Every setting mapdaily reads; paths are relative to ``root``."""

    root: Path
    data: str = "papers.yaml"
    readme: str = "README.md"
    archive_dir: str = "archived_papers"
    archive_page: str = "{iso_year}W{iso_week:02d}.md"
    archive_index: str = "archived_papers.md"
    columns: tuple[str, ...] = ("title", "affiliation", "comment")
    headers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADERS))
    today_heading: str = "🔥 Paper Today: {date}"
    week_heading: str = "🛠️ Papers This Week "
    archive_heading: str = "📚 Papers of {week} ({start} – {end})"
    date_format: str = "%d/%m/%Y"
    week_start: str = "monday"
    timezone: str | None = None
    templates: str | None = None
    #: Where the configuration came from, for messages.
    source: str = "defaults"

    @property
    def first_weekday(self) -> int:
        return WEEKDAYS.index(self.week_start)

    def path(self, relative: str) -> Path:
        return self.root / relative

    @property
    def data_path(self) -> Path:
        return self.root / self.data

    def week_page(self, week: Week) -> str:
        """The archive page of ``week``, relative to the root, with forward slashes."""
        year, number = week.iso
        name = self.archive_page.format(
            iso_year=year, iso_week=number, start=week.start, end=week.end, label=week.label
        )
        return str(PurePosixPath(self.archive_dir) / name)


_KEYS = {f.name for f in fields(Config)} - {"root", "source"}
_PATH_KEYS = ("data", "readme", "archive_dir", "archive_index", "templates")


def find_root(start: Path) -> Path:
    """The digest's root: the nearest folder up from ``start`` holding mapdaily.toml, a pyproject.toml
    with [tool.mapdaily], papers.yaml, or .git; ``start`` itself when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "mapdaily.toml").is_file() or (folder / "papers.yaml").is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.mapdaily]" in pyproject.read_text(encoding="utf-8"):
            return folder
        if (folder / ".git").exists():
            return folder
    return start


def load_config(root: Path, read: Callable[[str], str | None] | None = None) -> Config:
    """Read ``mapdaily.toml`` or ``[tool.mapdaily]`` of pyproject.toml under ``root``; defaults
    otherwise. ``read`` gives a file's text by name (None when absent); by default, from disk."""
    root = root.resolve()

    def from_disk(name: str) -> str | None:
        path = root / name
        if not path.is_file():
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{name}: cannot read it ({e})") from None

    read = read or from_disk
    table: dict[str, Any] = {}
    source = "defaults"
    own = read("mapdaily.toml")
    pyproject = read("pyproject.toml") if own is None else None
    if own is not None:
        table = _parse_toml("mapdaily.toml", own)
        source = "mapdaily.toml"
        tool = table.get("tool")
        if isinstance(tool, dict) and "mapdaily" in tool:
            table = tool["mapdaily"]
            source = "mapdaily.toml [tool.mapdaily]"
    elif pyproject is not None:
        tool = _parse_toml("pyproject.toml", pyproject).get("tool", {})
        table = tool.get("mapdaily", {}) if isinstance(tool, dict) else {}
        source = "pyproject.toml [tool.mapdaily]"
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: must be a table of settings (key = value lines)")
    return make_config(root, table, source)


def _parse_toml(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{name}: {e}; fix the TOML syntax") from None


def make_config(root: Path, table: dict[str, Any], source: str = "defaults") -> Config:
    """Validate a configuration table and build the Config; every problem is a ConfigError."""
    values = {key: _value(source, key, value) for key, value in _named(source, table).items()}
    config = Config(root=root, source=source, **values)
    _check_files(config)
    _check_archive_page(config)
    _check_pattern(source, "today_heading", config.today_heading, date="15/10/2024")
    week = {"week": "2024-W41", "start": "07/10/2024", "end": "13/10/2024"}
    _check_pattern(source, "archive_heading", config.archive_heading, **week)
    return config


def _named(where: str, table: dict[str, Any]) -> dict[str, Any]:
    """The table with every key in its ``_`` spelling; unknown keys and keys set twice refused."""
    # week-start and week_start are the same key (TOML users write either).
    named = {key.replace("-", "_"): key for key in table}
    unknown = sorted(key for normal, key in named.items() if normal not in _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known keys are {', '.join(sorted(_KEYS))}")
    if len(named) < len(table):
        twice = sorted(k for k in table if k.replace("-", "_") in named and named[k.replace("-", "_")] != k)
        raise ConfigError(f"{where}: {twice[0]!r} is set twice (with - and with _); keep one")
    return {key.replace("-", "_"): value for key, value in table.items()}


def _columns(where: str, value: Any) -> tuple[str, ...]:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v in FIELDS for v in value)
        or len(set(value)) != len(value)
    ):
        raise ConfigError(
            f"{where}: columns must be a list of fields from {', '.join(FIELDS)}"
            f' (e.g. ["title", "comment"]), not {value!r}'
        )
    if "title" not in value:
        raise ConfigError(f'{where}: columns must include "title"')
    return tuple(value)


def _headers(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(k in FIELDS and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(
            f'{where}: headers must map fields ({", ".join(FIELDS)}) to text, e.g. {{ comment = "Comments" }}'
        )
    return {**DEFAULT_HEADERS, **value}


def _week_start(where: str, value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in WEEKDAYS:
        raise ConfigError(f'{where}: week_start must be a weekday name such as "monday"')
    return value.lower()


def _timezone(where: str, value: Any) -> Any:
    if value is not None:
        _check_timezone(where, value)
    return value


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "columns": _columns,
    "headers": _headers,
    "week_start": _week_start,
    "timezone": _timezone,
}


def _value(where: str, key: str, value: Any) -> Any:
    """One setting, checked and converted; text settings are taken as they are."""
    if key in _CONVERTERS:
        return _CONVERTERS[key](where, value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be text, not {value!r}")
    return value


def _check_files(config: Config) -> None:
    """The path settings inside the repository, apart from each other."""
    where, root = config.source, config.root
    for key in _PATH_KEYS:
        value = getattr(config, key)
        if value is not None:
            _check_inside(root, where, key, value)
    files = {k: (root / getattr(config, k)).resolve() for k in ("data", "readme", "archive_index")}
    for a, b in (("data", "readme"), ("data", "archive_index"), ("readme", "archive_index")):
        if files[a] == files[b]:
            raise ConfigError(f"{where}: {a} and {b} are the same file; give each its own")
    if config.templates is not None and not (root / config.templates).is_dir():
        raise ConfigError(
            f"{where}: templates = {config.templates!r} is not a folder; create it or remove the key"
        )


def _check_archive_page(config: Config) -> None:
    """archive_page must expand, give two weeks two pages, and stay inside the repository."""
    where, root = config.source, config.root
    sample = Week(date(2024, 10, 7))
    try:
        page = config.week_page(sample)
        if page == config.week_page(Week(date(2024, 10, 14))):
            raise ConfigError(
                f"{where}: archive_page {config.archive_page!r} gives every week the same page;"
                " use {iso_year} and {iso_week} (or {start}) in it"
            )
    except (KeyError, ValueError, IndexError, AttributeError, TypeError) as e:
        raise ConfigError(
            f"{where}: archive_page {config.archive_page!r} is not a valid pattern ({e});"
            " it may use {iso_year}, {iso_week}, {start}, {end}, {label}"
        ) from None
    _check_inside(root, where, "archive_page", page)


def _check_pattern(where: str, key: str, pattern: str, **fields: str) -> None:
    """A heading pattern is formatted at render time: refuse now what would fail then."""
    try:
        pattern.format(**fields)
    except (KeyError, ValueError, IndexError, AttributeError, TypeError) as e:
        names = ", ".join("{" + name + "}" for name in fields)
        raise ConfigError(
            f"{where}: {key} {pattern!r} is not a valid pattern ({type(e).__name__}: {e}); it may use"
            f" {names}, and literal braces are written {{{{ and }}}}"
        ) from None


def _check_timezone(where: str, value: Any) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{where}: timezone {value!r} is not a known time zone; use a name like "Asia/Shanghai"'
        ) from None


def _check_inside(root: Path, where: str, key: str, value: str) -> None:
    path = Path(value)
    if path.is_absolute() or not (root / path).resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"{where}: {key} = {value!r} leaves the repository; give a path inside it")
    if (root / path).resolve().relative_to(root.resolve()).parts[:1] == (".git",):
        raise ConfigError(f"{where}: {key} = {value!r} is inside .git; give a path in the work tree")

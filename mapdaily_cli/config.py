"""The configuration: a frozen Config, its defaults (which reproduce the seed) and where it is read from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import partial
from pathlib import Path, PurePosixPath
from string import Formatter
from typing import Any

from mapdaily_cli.config_checks import clean_path, is_git, outside_message, page_problem, resolved_path
from mapdaily_cli.errors import ConfigError, MapdailyError
from mapdaily_cli.model import FIELDS, WEEKDAYS, Week, week_of

DEFAULT_HEADERS = dict(zip(FIELDS, ("Paper", "Link", "Affiliation", "Comments", "Authors"), strict=True))


@dataclass(frozen=True)
class Config:
    """Every setting mapdaily reads; paths are relative to ``root``."""

    root: Path
    data: str = "papers.yaml"
    readme: str = "README.md"
    archive_dir: str = "archived_papers"
    archive_page: str = "{iso_year}W{iso_week:02d}.md"
    archive_index: str = "archived_papers.md"
    #: Paper fields of the digest's own (``reviewer``): allowed in papers.yaml, shown where
    #: ``columns`` names them; any other unknown field is an error.
    extra_fields: tuple[str, ...] = ()
    columns: tuple[str, ...] = ("title", "affiliation", "comment")
    headers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADERS))
    today_heading: str = "🔥 Paper Today: {date}"
    #: The one row of today's table while today has no paper ("" keeps the table header-only).
    empty_today: str = "No papers yet today"
    week_heading: str = "🛠️ Papers This Week "
    archive_heading: str = "📚 Papers of {week} ({start} – {end})"
    date_format: str = "%d/%m/%Y"
    week_start: str = "monday"
    timezone: str | None = None
    templates: str | None = None
    arxiv_api: str = "https://export.arxiv.org/api/query"
    inbox_api: str = "https://huggingface.co/api/daily_papers"
    contact: str | None = None
    search_page: str | None = "search.html"
    feed: str | None = "feed.xml"
    feed_days: int = 14
    site_url: str | None = None
    source: str = "defaults"

    @property
    def first_weekday(self) -> int:
        return WEEKDAYS.index(self.week_start)

    def path(self, relative: str) -> Path:
        """Where ``relative`` is on disk: a link leading out of the repository, into .git or onto
        another file mapdaily writes is refused; an in-repository file link gives its target."""
        root = self.root.resolve()
        lexical = root / relative
        try:
            resolved = lexical.resolve()
        except (OSError, RuntimeError) as e:
            raise MapdailyError(
                f"{relative}: cannot follow its symbolic links ({e}); replace the link with a regular file"
            ) from None
        if resolved == lexical:
            return lexical
        if not resolved.is_relative_to(root):
            raise MapdailyError(outside_message(root, relative, resolved))
        inside = resolved.relative_to(root)
        if inside.parts[:1] and is_git(inside.parts[0]):
            raise MapdailyError(
                f"{relative} is a symbolic link into .git ({resolved}); replace it with a regular file"
            )
        for key in _FILE_KEYS:
            other = getattr(self, key)
            if other != relative and resolved == resolved_path(root / other):
                raise MapdailyError(
                    f"{relative} is a symbolic link to {other}, the {key} file, and writing one would"
                    " overwrite the other; replace the link with a regular file"
                )
        return resolved if lexical.is_symlink() and not resolved.is_dir() else lexical

    @property
    def data_path(self) -> Path:
        return self.path(self.data)

    def week_page(self, week: Week) -> str:
        """The archive page of ``week``, relative to the root, with forward slashes. An expansion
        of ``archive_page`` that would leave ``archive_dir`` or land on another file mapdaily
        writes (or in .git) is a ConfigError."""
        year, number = week.iso
        name = self.archive_page.format(
            iso_year=year, iso_week=number, start=week.start, end=week.end, label=week.label
        )
        page = f"{self.archive_dir}/{name}"
        problem = page_problem(name)
        if problem is None:
            taken = page.casefold()
            for key in _FILE_KEYS:
                other = getattr(self, key).casefold()
                if taken == other or taken.startswith(other + "/"):
                    problem = f"is the {key} file {getattr(self, key)!r}"
        if problem is not None:
            raise ConfigError(
                f"{self.source}: archive_page {self.archive_page!r} gives {name!r} for week {week.label},"
                f" which {problem}; {_PAGE_FIX}"
            )
        return page


_KEYS = {f.name for f in fields(Config)} - {"root", "source"}
_FILE_KEYS = ("data", "readme", "archive_index")
_PATH_KEYS = (*_FILE_KEYS, "archive_dir", "templates")
_PAGE_FIX = (
    "archive_page names a file inside archive_dir (/ may separate folders there, no .. or leading /),"
    ' e.g. "{iso_year}W{iso_week:02d}.md"'
)


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
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{name}: {e}; fix the TOML syntax") from None


def make_config(root: Path, table: dict[str, Any], source: str = "defaults") -> Config:
    """Validate a configuration table and build the Config; every problem is a ConfigError."""
    values = {key: _value(source, key, value) for key, value in _named(source, table).items()}
    _check_fields(source, values)
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
    good = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    if not good or len(set(value)) != len(value):
        raise ConfigError(
            f"{where}: columns must be a list of fields from {', '.join(FIELDS)}"
            f' (e.g. ["title", "comment"]), not {value!r}'
        )
    if "title" not in value:
        raise ConfigError(f'{where}: columns must include "title"')
    return tuple(value)


def _headers(where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(
            f'{where}: headers must map fields ({", ".join(FIELDS)}) to text, e.g. {{ comment = "Comments" }}'
        )
    return {**DEFAULT_HEADERS, **value}


#: Lower-case names YAML 1.1 reads as a boolean or null, not as a key of text.
_YAML_WORDS = frozenset({"yes", "no", "true", "false", "on", "off", "null"})


def _extra_fields(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v, re.A) for v in value
    ):
        raise ConfigError(
            f"{where}: extra_fields must be a list of field names in lower case letters, digits and _"
            f' (e.g. ["reviewer"]), not {value!r}'
        )
    words = [v for v in value if v in _YAML_WORDS]
    if words:
        raise ConfigError(
            f"{where}: extra_fields: {words[0]!r} reads as {'null' if words[0] == 'null' else 'a boolean'}"
            " in YAML, so no paper could hold it; name the field otherwise"
        )
    taken = [v for v in value if v in FIELDS]
    if taken or len(set(value)) != len(value):
        which = f"{taken[0]!r} is a built-in field" if taken else "a field is named twice"
        raise ConfigError(f"{where}: extra_fields: {which}; list each field of your own once")
    return tuple(value)


def _check_fields(where: str, values: dict[str, Any]) -> None:
    """The columns and headers name only fields a paper may have: the built-in and the declared."""
    known = (*FIELDS, *values.get("extra_fields", ()))
    for key in ("columns", "headers"):
        unknown = [name for name in values.get(key, ()) if name not in known]
        if unknown:
            raise ConfigError(
                f"{where}: {key} names {unknown[0]!r}, which is no field; use fields from"
                f" {', '.join(known)} (declare your own with extra_fields)"
            )
    headers = values.get("headers", DEFAULT_HEADERS)
    values["headers"] = {**{name: name.replace("_", " ").title() for name in known}, **headers}


def _week_start(where: str, value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in WEEKDAYS:
        raise ConfigError(f'{where}: week_start must be a weekday name such as "monday"')
    return value.lower()


def _timezone(where: str, value: Any) -> Any:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        problem = f'{where}: timezone {value!r} is not a known time zone; use a name like "Asia/Shanghai"'
        raise ConfigError(problem) from None
    return value


def _site(key: str, where: str, value: Any) -> Any:
    """search_page and feed: a file (false for none); feed_days: 1 to 3660; site_url: an http(s) url."""
    if key in ("search_page", "feed") and (value is False or isinstance(value, str)):
        return None if value is False else clean_path(where, key, value, False, getattr(Config, key))
    url = key == "site_url" and isinstance(value, str) and value.startswith(("https://", "http://"))
    if url or (key == "feed_days" and type(value) is int and 0 < value <= 3660):
        return value
    raise ConfigError(f"{where}: {key} = {value!r} is not valid; {_site.__doc__}")


_CONVERTERS: dict[str, Callable[[str, Any], Any]] = {
    "columns": _columns,
    "extra_fields": _extra_fields,
    "headers": _headers,
    "week_start": _week_start,
    "timezone": _timezone,
    **{key: partial(_site, key) for key in ("search_page", "feed", "feed_days", "site_url")},
}


def _value(where: str, key: str, value: Any) -> Any:
    """One setting, checked and converted; text settings are taken as they are, paths cleaned."""
    if key in _CONVERTERS:
        return _CONVERTERS[key](where, value)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be text, not {value!r}")
    if key in _PATH_KEYS:
        return clean_path(where, key, value, key in _FILE_KEYS, getattr(Config, key, None) or "templates")
    if key.endswith("_api") and not re.fullmatch(r"https?://[^\s/?#]+\S*", value, re.I | re.A):
        raise ConfigError(f"{where}: {key} must be an http(s) url, e.g. {getattr(Config, key)!r}")
    if key == "contact" and not re.fullmatch(r"[ -~]+", value, re.A):
        raise ConfigError(f"{where}: contact must be one line of ASCII (an email or a url), not {value!r}")
    return value


def _check_files(config: Config) -> None:
    """The path settings against each other and against what is on disk."""
    where, root = config.source, config.root
    paths = {key: getattr(config, key) for key in _PATH_KEYS if getattr(config, key) is not None}
    for a, b in (("data", "readme"), ("data", "archive_index"), ("readme", "archive_index")):
        one, two = paths[a], paths[b]
        if one.casefold() == two.casefold() or resolved_path(root / one) == resolved_path(root / two):
            raise ConfigError(f"{where}: {a} and {b} are the same file; give each its own")
    for key, rel in paths.items():
        for file in _FILE_KEYS:
            if key != file and (rel.casefold() + "/").startswith(paths[file].casefold() + "/"):
                raise ConfigError(f"{where}: {key} = {rel!r} is inside {file} = {paths[file]!r}; move one")
        try:
            _check_on_disk(where, root, key, rel)
        except OSError as e:
            raise ConfigError(f"{where}: {key} = {rel!r}: cannot look at it ({e.strerror})") from None


def _check_on_disk(where: str, root: Path, key: str, rel: str) -> None:
    # A missing or blocked archive folder is the writer's to report ("nothing was changed").
    if key == "templates" and not (root / rel).is_dir():
        raise ConfigError(f"{where}: templates = {rel!r} is not a folder; create it or remove the key")
    if key not in _FILE_KEYS:
        return
    for parent in list(PurePosixPath(rel).parents)[:-1]:
        if (root / parent).exists() and not (root / parent).is_dir():
            raise ConfigError(f"{where}: {key} = {rel!r} goes through {parent}, which is a file; move it")
    if (root / rel).is_dir():
        raise ConfigError(f"{where}: {key} = {rel!r} is a folder; name a file, e.g. {getattr(Config, key)!r}")


#: Weeks every archive_page pattern is tried on when loading: three years, the long ISO year 2020 among them.
_SAMPLE_START, _SAMPLE_WEEKS = date(2019, 1, 1), 3 * 53


def _check_archive_page(config: Config) -> None:
    """Expand archive_page for many weeks now: a pattern that fails, puts a folder separator into a
    field, leaves archive_dir or gives two weeks one page is refused before anything is written."""
    where, pattern = config.source, config.archive_page
    first = week_of(_SAMPLE_START, config.first_weekday)
    weeks = [Week(first.start + timedelta(weeks=i)) for i in range(_SAMPLE_WEEKS)]
    try:
        fields = [_field_text(parsed) for parsed in Formatter().parse(pattern) if parsed[1] is not None]
        spilt = next(
            ((f, w) for w in weeks[:60] for f in fields if any(c in "/\\" for c in _expand(f, w))), None
        )
        if spilt is not None:
            raise ConfigError(
                f"{where}: archive_page {pattern!r}: {spilt[0]} gives {_expand(*spilt)!r} for week"
                f" {spilt[1].label}, which holds a folder separator; write any / between the fields"
            )
        pages = [config.week_page(week) for week in weeks]
    except (KeyError, ValueError, IndexError, AttributeError, TypeError) as e:
        raise ConfigError(
            f"{where}: archive_page {pattern!r} is not a valid pattern ({e});"
            " it may use {iso_year}, {iso_week}, {start}, {end}, {label}"
        ) from None
    seen: dict[str, Week] = {}
    for page, week in zip(pages, weeks, strict=True):
        if page in seen:
            # Next to each other, two weeks sharing a page mean most weeks do.
            near = seen[page].start + timedelta(weeks=1) == week.start
            which = "every week" if near else f"weeks {seen[page].label} and {week.label}"
            raise ConfigError(
                f"{where}: archive_page {pattern!r} gives {which} the same page;"
                " use {iso_year} and {iso_week} (or {start}) in it"
            )
        seen[page] = week


def _field_text(parsed: tuple[str, str | None, str | None, str | None]) -> str:
    _, name, spec, conversion = parsed
    return "{" + (name or "") + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def _expand(field_text: str, week: Week) -> str:
    year, number = week.iso
    return field_text.format(iso_year=year, iso_week=number, start=week.start, end=week.end, label=week.label)


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

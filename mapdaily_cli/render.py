"""Markdown from days: Jinja2 templates and the marker regions of generated files (pure; what a
field becomes in a table cell is ``cells``)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mapdaily_cli.cells import cell as cell
from mapdaily_cli.cells import comment_cell as comment_cell
from mapdaily_cli.cells import is_linkable as is_linkable
from mapdaily_cli.cells import link_target as link_target
from mapdaily_cli.cells import liquid_inert as liquid_inert
from mapdaily_cli.cells import title_cell as title_cell
from mapdaily_cli.errors import DataError
from mapdaily_cli.model import Day, Paper, Week, fold_space

if TYPE_CHECKING:
    import jinja2

    from mapdaily_cli.config import Config

START = "<!-- mapdaily:start -->"
END = "<!-- mapdaily:end -->"
_TEMPLATES = Path(__file__).parent / "templates"


def chart_path(config: Config) -> str:
    """The chart of papers per closed week that the archive index shows."""
    return f"{config.archive_dir}/weeks.svg"


def _relative(rel: str, folder: PurePosixPath) -> str:
    return quote(os.path.relpath(rel, str(folder) or "."), safe="/._-~")


# --- marker regions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Regioned:
    """A generated file cut at its markers: ``before + START + region + end marker + after``. The end
    marker carries a checksum of the region mapdaily wrote (``checksum``, None on a marker written
    before checksums were kept), so that whether the region was touched since is read off the file."""

    before: str
    region: str
    after: str
    #: The start marker line's ending (a file kept with CRLF endings keeps them outside the region).
    eol: str = "\n"
    checksum: str | None = None

    @property
    def untouched(self) -> bool | None:
        """Whether the region is the text mapdaily last wrote there; None when its marker keeps no
        checksum (an older file): then only the data can tell."""
        return None if self.checksum is None else self.checksum == region_checksum(self.region)

    def with_region(self, region: str) -> str:
        # An older marker keeps its form while its region stays the same: nothing to rewrite.
        end = END if self.checksum is None and region == self.region else end_marker(region)
        return f"{self.before}{START}{self.eol}{region}{end}{self.after}"


def region_checksum(region: str) -> str:
    """The checksum an end marker keeps of ``region`` (line endings do not count)."""
    import hashlib

    return hashlib.sha256(region.replace("\r\n", "\n").encode("utf-8")).hexdigest()[:16]


def end_marker(region: str) -> str:
    """The end marker line after ``region``, with its checksum."""
    return f"<!-- mapdaily:end checksum={region_checksum(region)} -->"


_MARKER_LINE = re.compile(
    r"^[ \t]*<!--[ \t]*mapdaily:(start|end)(?:[ \t]+checksum=([0-9a-f]{1,64}))?[ \t]*-->[ \t]*(?=\r?$)",
    re.MULTILINE,
)


def marker_lines(text: str) -> list[re.Match[str]]:
    """The marker lines of ``text``, in order: those of the lines holding ``mapdaily:`` (a marker
    line starts at its line's start and ends at its end, so each line holds at most one), as
    ``_MARKER_LINE.finditer`` finds them without trying every line of a long page."""
    marks = []
    at = text.find("mapdaily:")
    while at >= 0:
        m = _MARKER_LINE.match(text, text.rfind("\n", 0, at) + 1)
        if m is not None:
            marks.append(m)
        end = text.find("\n", at)
        at = -1 if end < 0 else text.find("mapdaily:", end)
    return marks


def split_regions(text: str, path: str) -> Regioned:
    """Cut ``text`` at its one pair of marker lines; a DataError says what is wrong with them."""
    marks = marker_lines(text)
    kinds = [m[1] for m in marks]
    if kinds != ["start", "end"]:
        if not marks:
            problem = "has no mapdaily markers"
        elif kinds.count("start") != 1 or kinds.count("end") != 1:
            problem = "must hold exactly one start and one end marker"
        else:
            problem = "has its end marker before its start marker"
        line = text.count("\n", 0, marks[0].start()) + 1 if marks else 1
        raise DataError(
            f"{path}:{line}: {problem}; put the generated section between lines"
            f" '{START}' and '{END}' (or run `mapdaily import {path}` on a hand-kept page)"
        )
    start, end = marks
    eol = "\r\n" if text.startswith("\r\n", start.end()) else "\n"
    region_start = start.end() + len(eol) if text.startswith(eol, start.end()) else start.end()
    region = text[region_start : end.start()]
    return Regioned(text[: start.start()], region, text[end.end() :], eol, end[2])


def region_line(regioned: Regioned) -> int:
    """The file line on which the region starts (1-based)."""
    return regioned.before.count("\n") + 2


def _framed(region: str) -> str:
    """A region that renders the same whatever the user keeps around it: it opens with an empty
    line, which ends any HTML block (``<div>``, ``<hr/>``) that a line right above the start marker
    opens and would otherwise swallow the region's first block into, and it ends with one, so that
    its last block (a table row, a paragraph) is closed before the end marker. An empty region stays
    empty."""
    body = region.strip("\n")
    return f"\n{body}\n\n" if body else ""


def _column_cell(column: str) -> Callable[[Paper], str]:
    """How a table's ``column`` shows a paper: its linked title, its comment, or the text of the
    field."""
    if column == "title":
        return title_cell
    if column == "comment":
        return lambda paper: comment_cell(paper.comment)
    return lambda paper: cell(paper.value_of(column))


# --- templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayView:
    """What a template sees of a day."""

    date: Any
    date_text: str
    papers: tuple[Paper, ...]


class Renderer:
    """Renders the generated regions and skeletons of one configuration."""

    def __init__(self, config: Config, compiled: Path | None = None) -> None:
        self.config = config
        #: A folder to keep the templates compiled in (Jinja2's bytecode cache), None for none.
        self.compiled = compiled
        self.headers = [cell(config.headers[c]) for c in config.columns]
        self._header_lines = (
            "| " + " | ".join(self.headers) + " |\n" + "|" + ":-------------|" * len(self.headers)
        )

    @cached_property
    def env(self) -> jinja2.Environment:
        import jinja2

        loaders: list[jinja2.BaseLoader] = []
        if self.config.templates:
            loaders.append(jinja2.FileSystemLoader(str(self.config.path(self.config.templates))))
        loaders.append(jinja2.FileSystemLoader(str(_TEMPLATES)))
        cache = None
        if self.compiled is not None:
            try:
                self.compiled.mkdir(exist_ok=True)
                cache = jinja2.FileSystemBytecodeCache(str(self.compiled))
            except OSError:  # no cache: the templates are compiled again, that is all
                cache = None
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            bytecode_cache=cache,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["cell"] = cell
        env.filters["title_cell"] = title_cell
        env.filters["comment_cell"] = comment_cell
        env.globals["table"] = self.table
        env.globals["today_table"] = self.today_table
        return env

    def _render(self, name: str, **context: Any) -> str:
        import jinja2

        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateError as e:
            where = getattr(e, "filename", None) or name
            line = getattr(e, "lineno", None)
            raise DataError(f"template {where}{f':{line}' if line else ''}: {e}; fix the template") from None

    def _region(self, name: str, **context: Any) -> str:
        return _framed(self._render(name, **context))

    def date_text(self, d: Any) -> str:
        return liquid_inert(str(d.strftime(self.config.date_format)))

    def view(self, day: Day) -> DayView:
        return DayView(day.date, self.date_text(day.date), day.papers)

    def table(self, day: DayView | Day, placeholder: str = "") -> str:
        """A GFM table of the day's papers in the configured columns (no trailing newline); a day
        without papers has one row holding ``placeholder`` (none when it is empty)."""
        rows = [self._header_lines]
        columns = self.config.columns
        cells = self._cells
        rows += ["| " + " | ".join([f(paper) for f in cells]) + " |" for paper in day.papers]
        if not day.papers and fold_space(placeholder):
            rows.append(
                "| " + " | ".join([liquid_inert(cell(placeholder)), *[""] * (len(columns) - 1)]) + " |"
            )
        return "\n".join(rows)

    @cached_property
    def _cells(self) -> list[Callable[[Paper], str]]:
        """How each configured column shows a paper."""
        return [_column_cell(c) for c in self.config.columns]

    def today_table(self, day: DayView | Day) -> str:
        """Today's table: with the ``empty_today`` row while it has no paper, so that the page has a
        table to type into."""
        return self.table(day, self.config.empty_today)

    def readme_region(self, today: Day, earlier: Sequence[Day]) -> str:
        """The README's generated region: today's table and the rest of the week, newest first."""
        # Inert after formatting: the setting's text and the date may meet at a "{" and a "%".
        heading = liquid_inert(self.config.today_heading.format(date=self.date_text(today.date)))
        return self._region(
            "readme.md.j2",
            today=self.view(today),
            today_heading=heading,
            week_heading=liquid_inert(self.config.week_heading),
            # A day without papers has nothing to show in the week (only today keeps a table).
            earlier=[self.view(d) for d in earlier if d.papers],
        )

    def week_region(self, week: Week, days: Sequence[Day]) -> str:
        """An archive page's generated region: the week's days, newest first."""
        heading = liquid_inert(
            self.config.archive_heading.format(
                week=week.label, start=self.date_text(week.start), end=self.date_text(week.end)
            )
        )
        return self._region(
            "week.md.j2",
            week=week,
            heading=heading,
            days=[self.view(d) for d in days if d.papers],
        )

    def index_region(self, weeks: Iterable[tuple[Week, int]]) -> str:
        """The archive index's region: every week page, newest first, grouped by ISO year."""
        index_dir = PurePosixPath(self.config.archive_index).parent
        years: dict[int, list[dict[str, Any]]] = {}
        for week, count in weeks:
            page = self.config.week_page(week)
            years.setdefault(week.iso[0], []).append(
                {
                    "label": week.label,
                    "link": quote(os.path.relpath(page, index_dir or "."), safe="/._-~"),
                    "start": self.date_text(week.start),
                    "end": self.date_text(week.end),
                    "papers": count,
                }
            )
        search = self.config.search_page
        links = {
            "chart": _relative(chart_path(self.config), index_dir) if years else None,
            "search": _relative(search, index_dir) if search else None,
        }
        return self._region("index.md.j2", years=list(years.items()), **links)

    def skeleton(self, kind: str, path: str) -> str:
        """The text of a generated file that does not exist yet: the default header and footer
        around empty markers."""
        index_link = os.path.relpath(self.config.archive_index, str(PurePosixPath(path).parent) or ".")
        archive_link = os.path.relpath(
            self.config.archive_index, str(PurePosixPath(self.config.readme).parent) or "."
        )
        here = str(PurePosixPath(path).parent) or "."

        def link(target: str | None) -> str:
            return quote(os.path.relpath(target, here), safe="/._-~") if target else ""

        readme_link = os.path.relpath(self.config.readme, str(PurePosixPath(path).parent) or ".")
        return self._render(
            f"{kind}_skeleton.md.j2",
            readme_link=quote(readme_link, safe="/._-~"),
            start=START,
            end=END,
            index_link=quote(index_link, safe="/._-~"),
            archive_link=quote(archive_link, safe="/._-~"),
            site_links="".join(
                f" [{label}]({link(target)})."
                for label, target in (
                    ("Search every paper", self.config.search_page),
                    ("Feed", self.config.feed),
                )
                if target
            ),
        )

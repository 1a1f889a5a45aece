"""The rule that tells a hand edit from stale text: a region whose end marker's checksum matches it
is untouched (stale at worst, never a hand edit); a region holding git conflict markers is
regenerated; otherwise (a changed region, or an older marker without a checksum) it is edited by hand
only when no data that mapdaily rendered it from (before this command, or at the last commit of the
file) gives it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from mapdaily_cli import gitops
from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.plan import Target
from mapdaily_cli.config import Config
from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import Day, Paper, fold_space, week_of
from mapdaily_cli.render import Regioned, Renderer, region_checksum, region_line, split_regions
from mapdaily_cli.store import Stream


def hand_edit(target: Target, on_disk: Regioned, old_region: Callable[[], str]) -> str | None:
    """The diff of a hand edit in ``on_disk``'s region (None when there is none): the region is
    not the text mapdaily wrote there (its checksum), holds no conflict markers, and is neither what
    the data held before this command renders (``old_region``) nor what the data and settings of
    the file's last commit render. An empty pair of markers holds nothing to lose."""
    if not on_disk.region.strip() or on_disk.untouched or has_conflicts(on_disk.region):
        return None
    old = old_region()
    if on_disk.region == old or on_disk.region == committed_region(target):
        return None
    if on_disk.untouched is None and (
        _lines(on_disk.region) == _lines(old) or _same_rows(target, on_disk.region, old)
    ):
        return None  # written by an older mapdaily (no checksum yet): the same rows in an older layout
    return unified(
        target.rel,
        old,
        on_disk.region,
        region_line(on_disk),
        ("as papers.yaml renders it", "as edited by hand"),
    )


def rows_shown(text: str, rel: str, placeholder: str) -> list[Day]:
    """The days a region shows as table rows (the importer's reading of the page); the placeholder
    row of an empty today is no paper."""
    from mapdaily_cli.importer import parse_page

    empty = fold_space(placeholder)

    def is_placeholder(p: Paper) -> bool:
        return bool(empty) and fold_space(p.title) == empty and not (p.url or p.affiliation or p.comment)

    days = parse_page(text, rel).days
    return [Day(d.date, tuple(p for p in d.papers if not is_placeholder(p))) for d in days]


def _lines(text: str) -> list[str]:
    """``text``'s lines, blank lines and trailing spaces aside (what an older layout may differ in)."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _same_rows(target: Target, region: str, rendered: str) -> bool:
    """Whether a page's region shows exactly the papers ``rendered`` shows, on the same days (layout
    aside: an older mapdaily also showed days without papers)."""
    if target.kind not in ("readme", "week"):
        return False
    placeholder = target.config.empty_today

    def shown(text: str) -> list[Day]:
        return [d for d in rows_shown(text, target.rel, placeholder) if d.papers]

    try:
        found = shown(region)
    except MapdailyError:
        return False
    return bool(found) and found == shown(rendered) and not _prose(region, rendered)


#: A line that is markup and dates alone (an older layout's block of a day): no one's prose.
_MARKUP = re.compile(r"(?:<[^<>]*>|[\d/.\-\s])*")  # one character or tag a step: linear


def _prose(region: str, rendered: str) -> list[str]:
    """The lines of ``region`` outside its table rows that ``rendered`` does not have and that hold
    more than markup and dates: text someone typed between the tables (a note), which regenerating
    would lose."""
    known = set(_lines(rendered))
    return [
        line
        for line in _lines(region)
        if not line.lstrip().startswith("|") and line not in known and not _MARKUP.fullmatch(line)
    ]


def committed_region(target: Target) -> str | None:
    """What the data and settings of the last commit that changed ``target``'s file render for it.
    mapdaily commits a generated file together with the data it renders, so a region equal to that
    is stale (the data or the layout changed since, by hand or by a pull), not edited by hand."""
    from mapdaily_cli.config import load_config

    config = target.config
    root = config.root
    commit = gitops.last_commit_of(root, config.path(target.rel))
    if commit is None:
        return None
    data = gitops.text_at(root, commit, config.data_path)
    if data is None:
        return None
    try:
        then: Config = load_config(root, lambda name: gitops.text_at(root, commit, root / name))
        stream = Stream(then.data_path, f"{commit[:8]}:{then.data}", data, extra_fields=then.extra_fields)
        week = target.week
        if week is not None:
            # The week this page was for under that commit's settings (its first weekday may differ).
            week = week_of(week.start + timedelta(days=3), then.first_weekday)
            if then.week_page(week) != target.rel:
                return None
        return Target(then, target.kind, target.rel, week).region(Renderer(then), stream)
    except MapdailyError:
        return None


_CONFLICT_LINE = re.compile(r"^(<<<<<<<|=======|>>>>>>>|\|\|\|\|\|\|\|)(?: |\r?$)", re.MULTILINE)


def has_conflicts(text: str) -> bool:
    """Whether ``text`` holds a line git writes around a merge conflict."""
    return bool(_CONFLICT_LINE.search(text))


def split_generated(text: str, rel: str) -> Regioned:
    """A generated file cut at its markers. A file git left conflicted (a merge, rebase or
    cherry-pick that text-merged it) is read as its own side wherever a conflict touches the
    generated region or its markers: that region is regenerated from the data anyway. A conflict
    wholly outside the region is the user's text: MapdailyError, naming its line."""
    if not has_conflicts(text):
        return split_regions(text, rel)
    out: list[str] = []
    inside = False  # between the markers, on our side
    side = ""  # "" outside a conflict; "ours", "base", "theirs" within one
    hunk: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        mark = _CONFLICT_LINE.match(line)
        if mark and mark[1] == "<<<<<<<":
            side, hunk, start = "ours", [], number
            continue
        if mark and side and mark[1] in ("|||||||", "======="):
            side = "base" if mark[1] == "|||||||" else "theirs"
            continue
        if mark and side and mark[1] == ">>>>>>>":
            touches = inside or any("mapdaily:" in h for h in hunk)
            if not touches:
                raise MapdailyError(
                    f"{rel}:{start}: a git conflict outside the generated region; resolve it by"
                    " hand (keep the text you want, remove the markers), then run the command again"
                )
            side = ""
            continue
        if side in ("base", "theirs"):
            hunk.append(line)
            continue
        if side == "ours":
            hunk.append(line)
        if "mapdaily:start" in line:
            inside = True
        elif "mapdaily:end" in line:
            inside = False
        out.append(line)
    regioned = split_regions("".join(out), rel)
    # A region git could not merge is regenerated from the (conflict-free) data, never taken for a
    # hand edit: it is read as untouched.
    checksum = region_checksum(regioned.region)
    return Regioned(regioned.before, regioned.region, regioned.after, regioned.eol, checksum)

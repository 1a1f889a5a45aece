"""The rule that tells a hand edit from stale text: a region is edited by hand only when no data
that mapdaily rendered it from (before this command, or at the last commit of the file) gives it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from mapdaily_cli import gitops
from mapdaily_cli.api.diff import unified
from mapdaily_cli.api.plan import Target
from mapdaily_cli.config import Config
from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import week_of
from mapdaily_cli.render import Regioned, Renderer, region_line
from mapdaily_cli.store import Stream


def hand_edit(target: Target, on_disk: Regioned, old_region: Callable[[], str]) -> str | None:
    """The diff of a hand edit in ``on_disk``'s region (None when there is none): the region is
    neither what the data held before this command renders (``old_region``) nor what the data and
    settings of the file's last commit render. An empty pair of markers holds nothing to lose."""
    if not on_disk.region.strip():
        return None
    old = old_region()
    if on_disk.region == old or on_disk.region == committed_region(target):
        return None
    return unified(
        target.rel,
        old,
        on_disk.region,
        region_line(on_disk),
        ("as papers.yaml renders it", "as edited by hand"),
    )


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

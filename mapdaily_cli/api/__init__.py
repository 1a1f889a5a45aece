"""Use cases: config -> store -> render -> gitops. Every command of the CLI is one call here.

The rooms: ``plan`` (what the data renders to), ``transaction`` (the one path every write takes),
``handedits`` (a hand edit or stale text), ``check``, ``select`` (finding papers), ``papers``
(add/edit/remove/move), ``lookup`` (papers from arXiv: add by id, ``check --online``, the
inbox), ``days`` (render/rotate/archive/list), ``importing``, ``setup`` (init),
``push`` (push with catch-up), ``stats``, ``sync`` (adopt hand edits, regenerate), ``merging``
(merge by day: the git driver, git-setup, resolve), ``intake`` (papers proposed through the issue form).

Each name is imported from its room when first used, so a command loads only the rooms it needs
(``add`` never loads check, merging or the site)."""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mapdaily_cli.api.check import check
    from mapdaily_cli.api.days import archive, list_days, render, rotate
    from mapdaily_cli.api.hooks import after_git
    from mapdaily_cli.api.importing import import_digest
    from mapdaily_cli.api.intake import proposal, read_event
    from mapdaily_cli.api.lookup import Fetched, InboxItem, check_online, fetch_papers, inbox
    from mapdaily_cli.api.merging import git_setup, merge_file, resolve
    from mapdaily_cli.api.papers import (
        add_paper,
        add_papers,
        day_for,
        edit_paper,
        move_paper,
        paper_yaml,
        parse_paper_yaml,
        refuse_duplicate,
        remove_day,
        remove_paper,
        typed_url,
    )
    from mapdaily_cli.api.push import run
    from mapdaily_cli.api.result import Options, Result
    from mapdaily_cli.api.select import Found, day_records, matched_fields, paper_record, search, show
    from mapdaily_cli.api.setup import init_digest
    from mapdaily_cli.api.stats import Stats, stats
    from mapdaily_cli.api.sync import sync

#: The room (module of this package) each public name lives in.
_ROOMS = {
    "add_paper": "papers",
    "add_papers": "papers",
    "after_git": "hooks",
    "archive": "days",
    "check": "check",
    "check_online": "lookup",
    "day_for": "papers",
    "day_records": "select",
    "edit_paper": "papers",
    "fetch_papers": "lookup",
    "Fetched": "lookup",
    "Found": "select",
    "git_setup": "merging",
    "import_digest": "importing",
    "inbox": "lookup",
    "InboxItem": "lookup",
    "init_digest": "setup",
    "list_days": "days",
    "matched_fields": "select",
    "merge_file": "merging",
    "move_paper": "papers",
    "Options": "result",
    "paper_record": "select",
    "paper_yaml": "papers",
    "parse_paper_yaml": "papers",
    "proposal": "intake",
    "read_event": "intake",
    "refuse_duplicate": "papers",
    "remove_day": "papers",
    "remove_paper": "papers",
    "render": "days",
    "resolve": "merging",
    "Result": "result",
    "rotate": "days",
    "run": "push",
    "search": "select",
    "show": "select",
    "Stats": "stats",
    "stats": "stats",
    "sync": "sync",
    "typed_url": "papers",
}

__all__ = [
    "Fetched",
    "Found",
    "InboxItem",
    "Options",
    "Result",
    "Stats",
    "add_paper",
    "add_papers",
    "after_git",
    "archive",
    "check",
    "check_online",
    "day_for",
    "day_records",
    "edit_paper",
    "fetch_papers",
    "git_setup",
    "import_digest",
    "inbox",
    "init_digest",
    "list_days",
    "matched_fields",
    "merge_file",
    "move_paper",
    "paper_record",
    "paper_yaml",
    "proposal",
    "parse_paper_yaml",
    "refuse_duplicate",
    "read_event",
    "remove_day",
    "remove_paper",
    "render",
    "resolve",
    "rotate",
    "run",
    "search",
    "show",
    "stats",
    "typed_url",
    "sync",
]


def __getattr__(name: str) -> Any:
    """Import the room that defines ``name`` on first use (PEP 562)."""
    room = _ROOMS.get(name)
    if room is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{room}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """This package: importing a room sets it on the package as an attribute, which would hide the
    function of the same name (``check``, ``stats``, ``sync``); the function is kept instead, as
    ``api.check`` always meant (the room stays in ``sys.modules``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _ROOMS.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""Use cases: config -> store -> render -> gitops. Every command of the CLI is one call here.

The rooms: ``plan`` (what the data renders to), ``transaction`` (the one path every write takes),
``handedits`` (a hand edit or stale text), ``check``, ``select`` (finding papers), ``papers``
(add/edit/remove/move), ``days`` (render/rotate/archive/list), ``importing``, ``setup`` (init),
``push`` (push with catch-up), ``sync`` (adopt hand edits, regenerate), ``merging`` (merge by
day: the git driver, git-setup, resolve), ``intake`` (papers proposed through the issue form)."""

from mapdaily_cli.api.check import check
from mapdaily_cli.api.days import archive, list_days, render, rotate
from mapdaily_cli.api.importing import import_digest
from mapdaily_cli.api.intake import proposal, read_event
from mapdaily_cli.api.merging import git_setup, merge_file, resolve
from mapdaily_cli.api.papers import (
    add_paper,
    edit_paper,
    move_paper,
    paper_yaml,
    parse_paper_yaml,
    remove_paper,
)
from mapdaily_cli.api.push import run
from mapdaily_cli.api.result import Options, Result
from mapdaily_cli.api.select import Found, paper_record, search, show
from mapdaily_cli.api.setup import init_digest
from mapdaily_cli.api.sync import sync

__all__ = [
    "Found",
    "Options",
    "Result",
    "add_paper",
    "archive",
    "check",
    "edit_paper",
    "git_setup",
    "import_digest",
    "init_digest",
    "list_days",
    "merge_file",
    "move_paper",
    "paper_record",
    "paper_yaml",
    "proposal",
    "parse_paper_yaml",
    "read_event",
    "remove_paper",
    "render",
    "resolve",
    "rotate",
    "run",
    "search",
    "show",
    "sync",
]

"""The command line: one Typer app, its commands grouped by use case.

- ``app``      the app, its global options, the configuration it resolves, the exit codes
- ``params``   the options several commands share, and the parsing of their values
- ``present``  what is shown: results, diffs, tables, JSON, errors
- ``prompts``  asking the user: prompts at a terminal, $EDITOR, standard input
- ``papers``   add, edit, remove, move
- ``days``     rotate, archive, render, check, list, show, search
- ``setup``    init, import
- ``stats``    stats
- ``team``     sync, git-setup, merge-driver, hook, resolve, intake

Only this package imports typer and rich; everything heavy (rich, the api, ruamel, git, jinja2) is
imported inside the commands that need it, so that ``mapdaily --help`` starts as fast as typer does.
"""

from mapdaily_cli.cli.app import app, main

# Importing the command modules registers their commands on the app, in the order --help lists them.
# isort: off
from mapdaily_cli.cli import papers, days, setup, stats, team
# isort: on

__all__ = ["app", "main", "days", "papers", "setup", "stats", "team"]

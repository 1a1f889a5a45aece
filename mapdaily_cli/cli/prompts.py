"""Asking the user: prompts at a terminal, text written in $VISUAL/$EDITOR, standard input.

Ctrl-C or Ctrl-D at any of them raises KeyboardInterrupt, which the app reports as an interruption."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.errors import MapdailyError, UsageError


def stdin_is_tty() -> bool:
    """Whether standard input is a terminal (so that the user can be asked)."""
    return sys.stdin.isatty()


def ask(label: str, *, required: bool = False) -> str:
    """The answer typed at the prompt ``label``; an empty answer is "" unless ``required``."""
    try:
        if required:
            return str(typer.prompt(label))
        return str(typer.prompt(label, default="", show_default=False))
    except typer.Abort:  # typer's word for Ctrl-C or Ctrl-D at a prompt
        raise KeyboardInterrupt from None


def read_stdin() -> str:
    """All of standard input (``-`` as an option's value)."""
    return sys.stdin.read()


def edit_text(text: str, suffix: str = ".md") -> str:
    """Open ``text`` in $VISUAL/$EDITOR (vi at a terminal when neither is set) and return what was saved."""
    import os
    import shlex
    import subprocess
    import tempfile

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if not stdin_is_tty():
            raise UsageError("no $EDITOR is set and this is not a terminal; pass the text as an option")
        editor = "vi"
    fd, name = tempfile.mkstemp(prefix="mapdaily-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            code = subprocess.call([*shlex.split(editor), str(path)])
        except OSError as e:
            raise UsageError(f"cannot start the editor {editor!r}: {e.strerror}; set $EDITOR") from None
        if code != 0:
            raise UsageError(f"the editor {editor!r} exited with status {code}; nothing was changed")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def edit_until_valid(header: str, text: str, validate: Callable[[str], Any]) -> str:
    """Open ``header + text`` in the editor until ``validate`` accepts what was saved (at a terminal;
    elsewhere its error ends the command) and return it without the header line."""
    while True:
        edited = edit_text(header + text, suffix=".yaml")
        body = "".join(line for line in edited.splitlines(keepends=True) if line != header)
        if not body.strip():
            raise UsageError("empty paper; nothing was changed")
        try:
            validate(edited)  # the header is a YAML comment: line numbers match the editor's
            return body
        except MapdailyError as e:
            if not stdin_is_tty():
                raise
            present.retrying(e.message, "opening the editor again")
            text = body

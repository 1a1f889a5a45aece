"""Asking the user: prompts at a terminal, text written in $VISUAL/$EDITOR, standard input.

Ctrl-C or Ctrl-D at any of them raises KeyboardInterrupt, which the app reports as an interruption."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.errors import InputError, MapdailyError, UsageError

T = TypeVar("T")


def stdin_is_tty() -> bool:
    """Whether standard input is a terminal (so that the user can be asked)."""
    return sys.stdin.isatty()


def ask(label: str, *, required: bool = False) -> str:
    """The answer typed at the prompt ``label``; an empty answer is "" unless ``required`` (then
    the prompt asks again, as for an answer of spaces only)."""
    while True:
        try:
            answer = str(typer.prompt(label, default="", show_default=False))
        except typer.Abort:  # typer's word for Ctrl-C or Ctrl-D at a prompt
            raise KeyboardInterrupt from None
        if answer.strip() or not required:
            return answer
        present.retrying(f"the {label.lower()} is required", "type it")


def ask_valid(label: str, accept: Callable[[str], T]) -> T:
    """The answer typed at ``label`` as ``accept`` makes it; a MapdailyError it raises is shown and
    the prompt asks again, so that nothing typed so far is lost."""
    while True:
        answer = ask(label)
        try:
            return accept(answer)
        except MapdailyError as e:
            present.retrying(e.message, "type it again (empty for none)")


#: The instruction lines of a comment opened in the editor start so; they are never saved.
NOTE = "<!-- mapdaily:"


def edit_comment(about: str, text: str = "") -> str:
    """A comment written in the editor, on a file that first says which paper it is for
    (``about``: its title and day); those instruction lines are removed from what was saved."""
    notes = (
        f"{NOTE} comment on {about} -->\n"
        f"{NOTE} write it below, save and close; lines like these are not saved -->\n"
    )
    edited = edit_text(notes + text)
    kept = [line for line in edited.splitlines(keepends=True) if not _is_note(line)]
    return "".join(kept).strip()


def _is_note(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(NOTE) and stripped.endswith("-->")


def confirm(question: str) -> bool:
    """Whether the user answers yes to ``question`` (yes unless they type no)."""
    try:
        return bool(typer.confirm(question, default=True))
    except typer.Abort:
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
    """Open ``header + text`` in the editor until ``validate`` accepts what was saved and return it
    without the header line. When it does not, at a terminal the user is asked before the editor
    opens again (on what they wrote), and a file that comes back unchanged ends the command;
    elsewhere the error ends it at once."""
    while True:
        opened = header + text
        edited = edit_text(opened, suffix=".yaml")
        body = "".join(line for line in edited.splitlines(keepends=True) if line != header)
        if not body.strip():
            raise UsageError("empty paper; nothing was changed")
        try:
            validate(edited)  # the header is a YAML comment: line numbers match the editor's
            return body
        except MapdailyError as e:
            if not stdin_is_tty():
                raise
            if edited == opened:
                raise InputError(f"{e.message}; the file came back unchanged, nothing was changed") from None
            present.retrying(e.message, "nothing is saved yet")
            if not confirm("Open the editor again to fix it?"):
                raise InputError(f"{e.message}; nothing was changed") from None
            text = body

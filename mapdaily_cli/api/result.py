"""What a command is asked (the shared flags) and what it did (for the CLI to show), and every
commit message mapdaily writes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """What a command did, for the CLI to show."""

    summary: str
    written: list[str] = field(default_factory=list)
    commit: str | None = None
    diff: str = ""
    notes: list[str] = field(default_factory=list)
    changed: bool = True


@dataclass(frozen=True)
class Options:
    """The flags every changing command shares."""

    commit: bool = True
    dry_run: bool = False
    #: Overwrite generated regions even where they were edited by hand.
    discard_hand_edits: bool = False
    push: bool = False


def commit_message(kind: str, *parts: str) -> str:
    """Every commit message mapdaily writes, in one place."""
    return f"{kind}: {' '.join(p for p in parts if p)}"


def short(title: str, limit: int = 72) -> str:
    """A title folded to one line and cut to ``limit`` characters, for messages."""
    from mapdaily_cli.model import fold_space

    title = fold_space(title)
    return title if len(title) <= limit else title[: limit - 1] + "…"


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"

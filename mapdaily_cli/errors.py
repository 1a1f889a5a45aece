"""The errors mapdaily raises: one message each, saying what, where and how to fix."""

from __future__ import annotations


class MapdailyError(Exception):
    """A failure the user can act on; ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: Extra text shown after the one-line message (a diff, a list of candidates).
        self.detail = detail


class DataError(MapdailyError):
    """papers.yaml is unreadable or breaks the store's rules."""


class InputError(MapdailyError):
    """A value given on the command line was rejected (bad date, unknown paper)."""


class HandEditError(MapdailyError):
    """A generated region was edited by hand; overwriting it would lose the edit."""


class CheckFailed(MapdailyError):
    """``mapdaily check`` found generated files that differ from the data."""


class GitError(MapdailyError):
    """A git operation failed (no repository, push rejected, ...)."""


class NotARepository(GitError):
    """A committing command was run outside a git repository; a usage error."""

    exit_code = 2


class ConfigError(MapdailyError):
    """The configuration is invalid; a usage error."""

    exit_code = 2


class Interrupted(MapdailyError):
    """The user interrupted a command after part of it was done (the message says which part)."""

    exit_code = 130


class UsageError(MapdailyError):
    """The command was called wrongly."""

    exit_code = 2

"""The configuration's paths checked by their text: names git or a file system would refuse, paths
that leave the repository, and where a symbolic link leads."""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath, PureWindowsPath

from mapdaily_cli.errors import ConfigError

#: Names git itself refuses to check out on Windows or macOS in place of .git.
_GIT_NAMES = (".git", "git~1")


def is_git(name: str) -> bool:
    # Windows drops trailing dots and spaces, and names compare without case there and on macOS.
    return name.rstrip(". ").casefold() in _GIT_NAMES


def _text_problem(value: str) -> str | None:
    """What is wrong with a path's text as a whole, if anything (phrased to follow the path)."""
    if not value:
        return "is empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds a control character"
    if "\\" in value:
        return "holds a backslash (separate folders with /)"
    if value.startswith("/") or PureWindowsPath(value).drive:
        return "leaves the repository (it is an absolute path)"
    return None


def _segment_problem(name: str) -> str | None:
    """What is wrong with one file or folder name of a path, if anything."""
    if is_git(name):
        return "is inside .git"
    if name[-1] in ". ":
        return f"has the name {name!r}, which ends with a dot or a space (Windows drops them)"
    if len(name.encode("utf-8")) > 255:
        return f"has a name of {len(name.encode('utf-8'))} bytes (file systems allow 255)"
    return None


def page_problem(name: str) -> str | None:
    """What keeps an expansion of archive_page from being a file inside archive_dir, if anything."""
    problem = _text_problem(name)
    if problem is not None:
        return problem
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            return (
                "leaves archive_dir (a .. segment)"
                if segment == ".."
                else f"has an empty or {segment!r} name"
            )
        problem = _segment_problem(segment)
        if problem is not None:
            return problem
    return None


def clean_path(where: str, key: str, value: str, is_file: bool, example: str) -> str:
    """A path setting checked by its text and normalised: ``docs/../README.md`` is ``README.md``."""
    problem = _text_problem(value)
    normal = posixpath.normpath(value) if problem is None else "."
    if problem is None and (normal == ".." or normal.startswith("../")):
        problem = "leaves the repository"
    if problem is None and normal != ".":
        problem = next(filter(None, map(_segment_problem, normal.split("/"))), None)
    if problem is None and is_file and (normal == "." or value.split("/")[-1] in ("", ".", "..")):
        problem = "names a folder, not a file"
    if problem is None and key == "archive_dir" and normal == ".":
        problem = "is the repository itself; the week pages need a folder of their own"
    if problem is not None:
        raise ConfigError(
            f"{where}: {key} = {value!r} {problem}; give a path in the work tree, e.g. {example!r}"
        )
    return normal


def resolved_path(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def outside_message(root: Path, relative: str, resolved: Path) -> str:
    """Which link of ``relative`` (itself or one of its folders) leads out of the repository."""
    parts = PurePosixPath(relative).parts
    for i in range(len(parts)):
        link = root.joinpath(*parts[: i + 1])
        if link.is_symlink() and not resolved_path(link).is_relative_to(root):
            where = "" if i == len(parts) - 1 else f" is in {'/'.join(parts[: i + 1])}, which"
            kind = "file" if i == len(parts) - 1 and not link.is_dir() else "folder"
            return (
                f"{relative}{where} is a symbolic link to {resolved_path(link)}, outside the repository;"
                f" replace it with a regular {kind}"
            )
    return f"{relative} leads through symbolic links to {resolved}, outside the repository; replace them"

"""Writing files all or nothing (temporary files, then renames, with backups to roll back), the
leftovers of a killed write, and the digest's lock."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from mapdaily_cli.errors import MapdailyError

#: Names of the files :func:`write_all` makes on the way; a run killed half-way can leave them,
#: and the next one removes them (:func:`remove_leftovers`).
TEMP_PREFIX = ".mapdaily-tmp."
BACKUP_PREFIX = "mapdaily-old."

Content = str | bytes | list[bytes | memoryview]


def remove_leftovers(folders: Iterable[Path], scratch: Path | None) -> None:
    """Delete what a killed :func:`write_all` left: temporary files in ``folders``, backups in
    ``scratch``. Called with the lock held, so no other run is using them."""
    for folder in folders:
        for leftover in folder.glob(f"{TEMP_PREFIX}*.tmp"):
            leftover.unlink(missing_ok=True)
    if scratch is not None:
        for leftover in scratch.glob(f"{TEMP_PREFIX}*.tmp"):
            leftover.unlink(missing_ok=True)
        for leftover in scratch.glob(f"{BACKUP_PREFIX}*"):
            leftover.unlink(missing_ok=True)
        for leftover in scratch.glob("mapdaily-scan.json.*.tmp"):
            leftover.unlink(missing_ok=True)


def write_all(files: Mapping[Path, Content], journal: Path | None = None) -> None:
    """Write every file or none: temporary files first, then renames.

    If a rename fails, the files already replaced get their old content back (from hard links made
    before the renames, so nothing is read back). ``journal`` names the files while they are being
    replaced, so a run killed half-way can be recognised by the next.
    """
    temps = _write_temporaries(files, journal.parent if journal is not None else None)
    backups: dict[Path, Path | bytes | None] = {}
    done: list[Path] = []
    current: Path | None = journal
    try:
        if journal is not None:
            journal.write_text("\n".join(str(p) for p in files) + "\n", encoding="utf-8")
        for path, tmp in temps.items():
            current = path
            backups[path] = _backup(path, journal.parent if journal is not None else path.parent)
            done.append(path)  # before the rename: put back even if it is the rename that is stopped
            tmp.move_to(path)
    except OSError as e:
        _put_back(done, backups, journal)
        raise MapdailyError(f"cannot replace {current}: {e.strerror}; nothing was changed") from None
    except BaseException:  # Ctrl-C half-way through the renames: as it was, as the user is told
        _put_back(done, backups, journal)
        raise
    finally:
        for tmp in temps.values():
            tmp.discard()
        for kept in backups.values():
            if isinstance(kept, Path):
                kept.unlink(missing_ok=True)
    if journal is not None:
        journal.unlink(missing_ok=True)


def _put_back(done: list[Path], backups: dict[Path, Path | bytes | None], journal: Path | None) -> None:
    """The files replaced so far get their old content back: everything is as it was."""
    for path in done:
        with contextlib.suppress(OSError):
            _restore(path, backups.get(path))
    if journal is not None:
        journal.unlink(missing_ok=True)  # nothing to recover


class _Temporary:
    """A file's new content, flushed to disk before any rename. Where the system allows it, an
    anonymous file (O_TMPFILE) that gets a name only for the instant before its rename, so a kill
    leaves nothing behind; else a named temporary file (removed by the next run if killed)."""

    def __init__(self, folder: Path, name: str, mode: int) -> None:
        self.folder, self.name = folder, name
        self.fd: int | None = None
        self.path: Path | None = None
        flag = getattr(os, "O_TMPFILE", 0)
        if flag and Path("/proc/self/fd").is_dir():
            with contextlib.suppress(OSError):
                self.fd = os.open(folder, flag | os.O_WRONLY, 0o600)
        if self.fd is None:
            import tempfile  # only where anonymous files cannot be made

            self.fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=".tmp", dir=folder)
            self.path = Path(tmp_name)
        os.fchmod(self.fd, mode)

    def write(self, content: Content) -> None:
        assert self.fd is not None
        parts = (
            content
            if isinstance(content, list)
            else [content.encode("utf-8") if isinstance(content, str) else content]
        )
        for part in parts:
            view = memoryview(part)
            while view:
                view = view[os.write(self.fd, view) :]
        os.fsync(self.fd)

    def move_to(self, target: Path) -> None:
        """Put the content in place of ``target`` (one rename)."""
        if self.path is None:
            self.path = self.folder / f"{TEMP_PREFIX}{self.name}.{os.getpid()}.tmp"
            self.path.unlink(missing_ok=True)
            proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
            try:  # linkat with AT_SYMLINK_FOLLOW: gives the anonymous file its name
                os.link(str(self.fd), self.path, src_dir_fd=proc, follow_symlinks=True)
            finally:
                os.close(proc)
        os.replace(self.path, target)
        self.path = None

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def _write_temporaries(files: Mapping[Path, Content], scratch: Path | None) -> dict[Path, _Temporary]:
    """The new content of each target in a temporary file with the target's permissions; on
    failure none is left, nor any folder made for them. They are made in ``scratch`` (the git
    folder, out of the work tree) when it is on the target's file system, else beside the target."""
    temps: dict[Path, _Temporary] = {}
    made_dirs: list[Path] = []
    current: Path | None = None
    try:
        for path, content in files.items():
            current = path
            folder = path.parent
            missing = [p for p in (folder, *folder.parents) if not p.exists()]
            for d in reversed(missing):
                d.mkdir()
                made_dirs.append(d)
            where = scratch if scratch is not None and _same_device(scratch, folder) else folder
            mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
            temps[path] = _Temporary(where, path.name, mode)
            temps[path].write(content)
    except OSError as e:
        for tmp in temps.values():
            tmp.discard()
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise MapdailyError(
            f"cannot write {current}: {e.strerror}; nothing was changed (check that folder, its"
            " permissions and the free space on its disk)"
        ) from None
    return temps


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def _backup(path: Path, folder: Path) -> Path | bytes | None:
    """The old content of ``path``: a hard link to it (in ``folder``, beside the journal, out of
    the work tree), its bytes where links fail, None if it does not exist."""
    if not path.exists():
        return None
    link = folder / f"{BACKUP_PREFIX}{os.getpid()}.{abs(hash(str(path)))}.{path.name}"
    try:
        link.unlink(missing_ok=True)
        os.link(path, link)
        return link
    except OSError:
        return path.read_bytes()


def _restore(path: Path, backup: Path | bytes | None) -> None:
    if backup is None:
        path.unlink()
    elif isinstance(backup, Path):
        os.replace(backup, path)
    else:
        path.write_bytes(backup)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = 60) -> Iterator[None]:
    """Hold the digest's lock: one changing command at a time; a dead holder never blocks (the
    kernel drops a lock with its process). On POSIX an flock(2) of the lock file, taken directly:
    filelock takes the very same lock there but costs ~10 ms of imports; it serves other systems."""
    if os.name != "posix":
        with _file_lock(lock_path, timeout):
            yield
        return
    import fcntl
    import time

    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise MapdailyError(
            f"cannot open the lock file {lock_path}: {e.strerror}; make it a file this user can write"
            " (or remove it when no mapdaily command is running)"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _held(lock_path, timeout) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _file_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    from filelock import FileLock, Timeout

    try:
        with FileLock(str(lock_path), timeout=timeout):
            yield
    except Timeout:
        raise _held(lock_path, timeout) from None
    except OSError as e:
        raise MapdailyError(f"cannot take the lock file {lock_path}: {e.strerror}") from None


def _held(lock_path: Path, timeout: float) -> MapdailyError:
    return MapdailyError(
        f"another mapdaily command has held {lock_path} for {timeout:.0f}s; wait for it to finish"
    )

"""Reading a page from disk: a regular file, of a bounded size, in UTF-8."""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from mapdaily_cli.errors import InputError

#: The largest page read: a digest page is a few hundred kilobytes; anything this big is another file.
MAX_PAGE_BYTES = 64 * 1024 * 1024

_OPEN_FLAGS = (
    os.O_RDONLY
    # Should a FIFO take the place of the file after the check, opening it must not wait for a writer.
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_page(path: Path, shown: str) -> str:
    """The text of the page at ``path`` (``shown`` names it in errors), its newlines read as
    ``Path.read_text`` reads them and a UTF-8 byte order mark dropped.

    Raises InputError, one line naming the page, when it is not a regular file (a folder, a FIFO, a
    device: nothing is opened that could block or never end), is over ``MAX_PAGE_BYTES``, cannot be
    read, or is not UTF-8.
    """
    data = _read_bytes(path, shown)
    return _decode(data, shown).replace("\r\n", "\n").replace("\r", "\n")


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        # Checked before opening (opening a FIFO or a device can block or act), and again after.
        _check(os.stat(path), shown)
        with open(os.open(path, _OPEN_FLAGS), "rb") as f:
            _check(os.fstat(f.fileno()), shown)
            data = f.read(MAX_PAGE_BYTES + 1)
            if len(data) > MAX_PAGE_BYTES:  # grown since
                _check(os.fstat(f.fileno()), shown, len(data))
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file; give the path of a digest page") from None
    except OSError as e:
        raise InputError(f"{shown}: cannot read it ({e.strerror or e})") from None
    return data


def _check(status: os.stat_result, shown: str, read: int = 0) -> None:
    """Refuse what is not a regular file, or is over the limit (``read`` bytes of it were read)."""
    if not stat.S_ISREG(status.st_mode):
        raise InputError(f"{shown}: is {_kind(status.st_mode)}, not a page; give the path of a markdown file")
    size = max(status.st_size, read)
    if size > MAX_PAGE_BYTES:
        raise InputError(
            f"{shown}: is {size:,} bytes, over the {MAX_PAGE_BYTES // (1024 * 1024)} MiB a digest page may"
            " hold; is it the right file? (split a page that big into smaller ones)"
        )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decode(data: bytes, shown: str) -> str:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise InputError(f"{shown}: is {name} text, not UTF-8; save it as UTF-8")
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        line = body.count(b"\n", 0, e.start) + 1
        column = e.start - (body.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(
            f"{shown}:{line}:{column}: not UTF-8 text (byte 0x{body[e.start]:02x}); save the file as UTF-8"
        ) from None

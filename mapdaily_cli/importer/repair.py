"""Repairs of hand-kept text: UTF-8 that was read as Mac Roman and saved again (``üî•`` for 🔥), and
table rows typed the way people type them (cells split by a full-width ``｜``, a row broken over
two lines)."""

from __future__ import annotations

import re
import unicodedata

from mapdaily_cli.importer.tables import split_row

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")

# Typographic marks whose Mac Roman bytes are also UTF-8 lead bytes: a mark followed by one accented
# letter ("“Über”", "l’été", "—à") would decode to a single Cyrillic, Armenian or Latin Extended letter.
_PUNCTUATION_LEADS = frozenset("«»…\u00a0–—“”‘’‹›")


def repair_text(text: str) -> tuple[str, int]:
    """Undo UTF-8 that was read as Mac Roman and saved again as UTF-8 (``üî•`` for 🔥).

    Each maximal run of non-ASCII characters is replaced by ``run.encode("mac_roman").decode("utf-8")``
    only when that round trip succeeds exactly and the result holds no control character. A run that is
    more likely correct text than a double encoding is left alone too: two characters opening with
    typographic punctuation (``“Ä`` in "“Ära”", ``’é`` in "l’été"), or one that would decode to a
    combining mark with nothing to combine with. Returns the text and the number of runs repaired.
    """
    repaired = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal repaired
        fixed = _repaired_run(match, text)
        if fixed is None:
            return match.group()
        repaired += 1
        return fixed

    return _NON_ASCII_RUN.sub(fix, text), repaired


def _repaired_run(match: re.Match[str], text: str) -> str | None:
    """The repair of one run of non-ASCII characters of ``text``; None when it is left as it is."""
    run = match.group()
    if len(run) == 2 and run[0] in _PUNCTUATION_LEADS:
        return None
    try:
        fixed = run.encode("mac_roman").decode("utf-8")
    except UnicodeError:
        return None
    if any(unicodedata.category(c) == "Cc" for c in fixed):
        return None
    if unicodedata.category(fixed[0]).startswith("M"):
        before = text[match.start() - 1] if match.start() else ""
        if not before.isalnum():
            return None
    return fixed


#: The full-width vertical line an input method types for ``|`` (U+FF5C).
FULL_WIDTH_BAR = "\uff5c"
_BARS = ("|", FULL_WIDTH_BAR)


def _closed(text: str) -> bool:
    """Whether a row's line ends with a bar (an escaped ``\\|`` is text, not a bar)."""
    text = text.rstrip()
    return text.endswith(_BARS) and not text.endswith("\\|")


def joined_row(row: str, line: str, columns: int) -> str | None:
    """``row`` and ``line`` as one row, when ``line`` (which markdown reads as a row of its own,
    under ``row``, in a table of ``columns`` columns) is the rest of ``row`` broken over two lines:
    ``row`` lacks its closing bar, ``line`` its opening one, and the two read as one line have no
    more cells than the table. None otherwise: a line opening with a bar is a row, and so is one
    holding cells enough to be one."""
    if _closed(row) or line.lstrip().startswith(_BARS):
        return None
    joined = f"{row.rstrip()} {line.strip()}"
    return joined if len(split_row(joined)) <= columns else None


def full_width_row(text: str, columns: int) -> str | None:
    """A row whose cells are split by full-width bars, with ``|`` for each: only a row with fewer
    ``|`` cells than the table's ``columns`` that has exactly ``columns`` cells so. None for every
    other row: a full-width bar in a row of the table's cells is text of its cell."""
    if FULL_WIDTH_BAR not in text or len(split_row(text)) >= columns:
        return None
    fixed = text.replace(FULL_WIDTH_BAR, "|")
    return fixed if len(split_row(fixed)) == columns else None

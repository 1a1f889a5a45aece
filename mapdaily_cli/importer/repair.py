"""Undoing UTF-8 that was read as Mac Roman and saved again (``üî•`` for 🔥)."""

from __future__ import annotations

import re
import unicodedata

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

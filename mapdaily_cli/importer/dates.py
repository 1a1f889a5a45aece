"""The dates of a page: DD/MM/YYYY (or ISO) in headings and summaries, and how they are shown."""

from __future__ import annotations

import re
from datetime import date

DMY = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)")
ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

#: A heading that opens the digest without naming a day: "Paper Today", "Papers This Week".
DIGEST_HEADING = re.compile(r"papers?\b.*\b(today|this\s+week)\b", re.IGNORECASE)


class BadDate(ValueError):
    """A date that cannot be (31/02/2024); its text is the message."""


def find_date(text: str) -> date | None:
    """The first DD/MM/YYYY (or ISO) date in ``text``; None if there is none; BadDate if impossible."""
    m = DMY.search(text)
    if m:
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        m = ISO.search(text)
        if not m:
            return None
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDate(m.group().strip()) from None


def count_dates(text: str) -> int:
    """How many dates ``text`` names: a heading naming two ("14/10/2024 – 20/10/2024") is a week's."""
    return len(DMY.findall(text)) + len(ISO.findall(text))


def show(day: date) -> str:
    """A date as pages write it: 15/10/2024."""
    return f"{day:%d/%m/%Y}"

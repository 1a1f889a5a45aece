"""`stats`: what the history holds, week by week and month by month, for the command line to show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mapdaily_cli.api.plan import open_stream
from mapdaily_cli.config import Config
from mapdaily_cli.model import fold_space, week_of

#: How many affiliations and comments the tables list.
TOP = 10


@dataclass
class Stats:
    """Counts over the days from ``since`` (or the first) to today, newest first where ordered."""

    since: date | None
    days: int = 0
    papers: int = 0
    #: (week label, papers) of every week with a day, newest first.
    weeks: list[tuple[str, int]] = field(default_factory=list)
    #: (YYYY-MM, papers), newest first.
    months: list[tuple[str, int]] = field(default_factory=list)
    #: (affiliation, papers), most first (ties by name).
    affiliations: list[tuple[str, int]] = field(default_factory=list)
    #: (characters, date, title) of the longest comments, longest first.
    longest: list[tuple[int, date, str]] = field(default_factory=list)
    #: Days in the file that hold no paper, newest first.
    empty_days: list[date] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "days": self.days,
            "papers": self.papers,
            "weeks": [{"week": w, "papers": n} for w, n in self.weeks],
            "months": [{"month": m, "papers": n} for m, n in self.months],
            "affiliations": [{"affiliation": a, "papers": n} for a, n in self.affiliations],
            "longest_comments": [
                {"characters": n, "date": d.isoformat(), "title": t} for n, d, t in self.longest
            ],
            "days_without_papers": [d.isoformat() for d in self.empty_days],
        }


def stats(config: Config, since: date | None = None) -> Stats:
    """Papers per week and month, top affiliations, longest comments and empty days, from ``since``
    on (one read-only walk over the days)."""
    stream = open_stream(config)
    out = Stats(since)
    weeks: dict[str, int] = {}
    months: dict[str, int] = {}
    affiliations: Counter[str] = Counter()
    comments: list[tuple[int, date, str]] = []
    for i, when in stream.walk():
        if since is not None and when < since:
            break
        day = stream.day(i)
        out.days += 1
        out.papers += len(day.papers)
        label = week_of(when, config.first_weekday).label
        weeks[label] = weeks.get(label, 0) + len(day.papers)
        months[f"{when:%Y-%m}"] = months.get(f"{when:%Y-%m}", 0) + len(day.papers)
        if not day.papers:
            out.empty_days.append(when)
        for paper in day.papers:
            if paper.affiliation:
                affiliations[fold_space(paper.affiliation)] += 1
            if paper.comment:
                comments.append((len(fold_space(paper.comment)), when, fold_space(paper.title)))
    out.weeks = list(weeks.items())
    out.months = list(months.items())
    out.affiliations = sorted(affiliations.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    out.longest = sorted(comments, key=lambda c: (-c[0], -c[1].toordinal(), c[2]))[:TOP]
    return out

"""Changing papers: add, edit (fields or the whole mapping from an editor), remove, move."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from mapdaily_cli.api.plan import affected_targets, current_week, open_stream, week_days
from mapdaily_cli.api.result import Options, Result, commit_message, short
from mapdaily_cli.api.select import find_duplicates, select
from mapdaily_cli.api.transaction import transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import DataError, InputError
from mapdaily_cli.model import Paper, arxiv_ref, same_paper, validate_url, week_of
from mapdaily_cli.store import Stream, load_round_trip, paper_message


def check_paper(
    fields: Mapping[str, Any], where: str = "--", extra_fields: Sequence[str] | None = None
) -> None:
    """Refuse a paper given on the command line or in the editor (``where`` prefixes field names;
    ``extra_fields``: the fields the settings declare)."""
    found = paper_message(
        fields, lambda key: f"{where}{key}", f"the title is empty; give {where}title", extra_fields
    )
    if found is not None:
        raise InputError(found[1])
    url = fields.get("url")
    if url:
        bad = validate_url(url)
        if bad:
            raise InputError(f"{where}url: {bad}; give the paper's https://arxiv.org/abs/... link")


def typed_url(text: str) -> str:
    """A link typed at a prompt, made whole: ``arxiv.org/abs/2410.06205`` gets its ``https://``;
    InputError saying what is wrong when it is still no link."""
    url = text.strip()
    if url and "://" not in url:
        if re.match(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/|$)", url, re.I):
            url = "https://" + url
        elif ref := arxiv_ref(url):  # a bare arXiv id: its abs page
            url = ref.url
    bad = validate_url(url) if url else None
    if bad:
        raise InputError(f"{bad}; type the paper's link, e.g. https://arxiv.org/abs/2410.08391")
    return url


def refuse_duplicate(config: Config, paper: Paper) -> None:
    """Refuse ``paper`` when the digest holds it already (a read-only look, for a prompt to ask
    before the curator writes the comment; `add` looks again under the lock)."""
    if config.data_path.exists():
        _refuse_duplicate(open_stream(config), paper, False)


def day_for(config: Config, when: date | None, today: date) -> date:
    """The day a paper added now goes to: ``when``, else the digest's today (its first day)."""
    if when is not None or not config.data_path.exists():
        return when or today
    stream = open_stream(config)
    return stream.date_at(0) if len(stream) else today


def not_after_today(stream: Stream, when: date) -> None:
    """Refuse a day later than the digest's today: it would become today without a rotate."""
    if len(stream) and when > stream.date_at(0):
        first = stream.date_at(0).isoformat()
        raise InputError(
            f"--date {when.isoformat()} is after the digest's today ({first}, the first day in"
            f" papers.yaml); open that day with `mapdaily rotate --date {when.isoformat()}` first"
        )


def add_paper(
    config: Config,
    paper: Paper,
    when: date | None,
    today: date,
    options: Options,
    allow_duplicate: bool = False,
) -> Result:
    """Append ``paper`` to the first day (today) or to ``when``; refuse a duplicate unless
    ``allow_duplicate``."""
    return add_papers(config, [paper], when, today, options, allow_duplicate)


def add_papers(
    config: Config,
    papers: Sequence[Paper],
    when: date | None,
    today: date,
    options: Options,
    allow_duplicate: bool = False,
) -> Result:
    """Append ``papers``, in order, to the first day (today) or to ``when``, in one commit; refuse a
    duplicate (of the history or of another paper given) unless ``allow_duplicate``."""
    if not papers:
        raise InputError("no paper to add; give an arXiv id or --title")
    for paper in papers:
        check_paper(paper.to_mapping(), extra_fields=config.extra_fields)
    if not allow_duplicate:
        _refuse_repeats(papers)
    with transaction(config, options, creates=True) as change:
        stream = change.stream
        if when is None:
            when = stream.date_at(0) if len(stream) else today
        not_after_today(stream, when)
        if not allow_duplicate:
            for paper in papers:
                _refuse_duplicate(stream, paper, len(papers) > 1)
        index = stream.ensure_day(when)
        stream.append_papers(index, list(papers))
        change.regenerate(affected_targets(config, change.old, stream, [when]))
        n = len(stream.day(index).papers)
        day = when.isoformat()
        if len(papers) == 1:
            title = short(papers[0].title)
            return change.commit(commit_message("add", title, f"({day})"), f"added {day}#{n}: {title}")
        first = n - len(papers) + 1
        titles = "; ".join(short(p.title, 40) for p in papers)
        return change.commit(
            commit_message("add", f"{len(papers)} papers", f"({day})"),
            f"added {day}#{first}-#{n}: {titles}",
        )


def _refuse_duplicate(stream: Stream, paper: Paper, name_it: bool) -> None:
    dupes = find_duplicates(stream, paper)
    if dupes:
        d = dupes[0]
        which = f"{short(paper.title)}: " if name_it else ""
        raise InputError(
            f"{which}already in the digest on {d.date.isoformat()} as {d.ref} ({short(d.paper.title)});"
            " pass --force to add it anyway"
        )


def _refuse_repeats(papers: Sequence[Paper]) -> None:
    for i, paper in enumerate(papers):
        for other in papers[:i]:
            if same_paper(paper, other):
                raise InputError(
                    f"{short(paper.title)} is given twice; give each paper once (or pass --force)"
                )


def paper_yaml(config: Config, selector: str) -> tuple[str, str, Paper]:
    """The selected paper as a YAML mapping (for an editor), its reference and its fields."""
    stream = open_stream(config)
    found = select(stream, selector, config.date_format)
    return stream.paper_text(found.index, found.position), found.ref, found.paper


def parse_paper_yaml(text: str, extra_fields: Sequence[str] | None = None) -> dict[str, Any]:
    """Validate an edited paper mapping (``extra_fields``: the fields the settings declare, any other
    unknown field refused); InputError with line and column when it is not one."""
    try:
        data = load_round_trip(text, "", 1)
    except DataError as e:
        raise InputError(e.message) from None
    if not isinstance(data, dict):
        raise InputError("the paper must be a mapping with at least 'title:'")
    check_paper(dict(data), where="", extra_fields=extra_fields)
    return dict(data)


def edit_paper(
    config: Config,
    selector: str,
    changes: dict[str, str | None] | None,
    options: Options,
    replacement: str | None = None,
    expect: Paper | None = None,
) -> Result:
    """Change fields of one paper (``changes``: None or "" removes an optional field), or replace
    the whole mapping with the edited YAML ``replacement`` (unknown keys kept as written).
    ``expect`` is the paper as it was shown for editing: if it has changed since, nothing is saved."""
    with transaction(config, options) as change:
        stream = change.stream
        found = select(stream, selector, config.date_format)
        if expect is not None and found.paper != expect:
            raise InputError(
                f"{found.ref} changed while it was being edited (another command ran); nothing was"
                " saved: run the edit again"
            )
        if replacement is not None:
            parse_paper_yaml(replacement, config.extra_fields)
            changed = stream.replace_paper(found.index, found.position, replacement)
        else:
            merged = {**found.paper.to_mapping(), **(changes or {})}
            check_paper(
                {k: v for k, v in merged.items() if v or k == "title"}, extra_fields=config.extra_fields
            )
            changed = stream.set_fields(found.index, found.position, changes or {})
        new = stream.day(found.index).papers[found.position]
        if not changed or (new == found.paper and replacement is None):
            return Result(f"{found.ref} unchanged", changed=False)
        change.regenerate(affected_targets(config, change.old, stream, [found.date]))
        return change.commit(
            commit_message("edit", short(new.title), f"({found.date.isoformat()})"),
            f"edited {found.ref}: {short(new.title)}",
        )


def remove_paper(config: Config, selector: str, options: Options) -> Result:
    """Delete one paper from its day."""
    with transaction(config, options) as change:
        stream = change.stream
        found = select(stream, selector, config.date_format)
        stream.remove_paper(found.index, found.position)
        change.regenerate(affected_targets(config, change.old, stream, [found.date]))
        return change.commit(
            commit_message("remove", short(found.paper.title), f"({found.date.isoformat()})"),
            f"removed {found.ref}: {short(found.paper.title)}",
        )


def remove_day(config: Config, when: date, options: Options, with_papers: bool = False) -> Result:
    """Delete day ``when`` from the digest: an empty day (a rotate to a wrong date, a day kept by
    hand), or with ``with_papers`` a day and its papers. The only day is kept: the digest needs a
    today."""
    with transaction(config, options) as change:
        stream = change.stream
        index, exists = stream.position_of(when)
        if not exists:
            raise InputError(f"no day {when.isoformat()} in {config.data}; nothing to remove")
        if len(stream) == 1:
            raise InputError(
                f"{when.isoformat()} is the digest's only day; it stays (`rotate` opens the next one)"
            )
        week = week_of(when, config.first_weekday)
        current = current_week(stream, config)
        if current is not None and week < current and len(week_days(stream, config, week)) == 1:
            raise InputError(
                f"{when.isoformat()} is the one day of the archived week {week.label}; it stays, so"
                f" that {config.week_page(week)} keeps a week"
            )
        papers = stream.day(index).papers
        if papers and not with_papers:
            n = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
            raise InputError(
                f"{when.isoformat()} holds {n}; move them first (`mapdaily move`), or pass --with-papers"
                " to remove the day and its papers"
            )
        stream.delete_day(index)
        change.regenerate(affected_targets(config, change.old, stream, [when]))
        held = f" and its {len(papers)} paper{'s' if len(papers) != 1 else ''}" if papers else ""
        return change.commit(
            commit_message("remove", f"day {when.isoformat()}"), f"removed {when.isoformat()}{held}"
        )


def move_paper(config: Config, selector: str, when: date, options: Options) -> Result:
    """Move one paper to another day (created in its place if needed), keeping its keys and comments."""
    with transaction(config, options) as change:
        stream = change.stream
        found = select(stream, selector, config.date_format)
        if found.date == when:
            return Result(f"{found.ref} is already on {when.isoformat()}", changed=False)
        not_after_today(stream, when)
        stream.move_paper(found.index, found.position, when)
        change.regenerate(affected_targets(config, change.old, stream, [found.date, when]))
        return change.commit(
            commit_message(
                "move", short(found.paper.title), f"({found.date.isoformat()} -> {when.isoformat()})"
            ),
            f"moved {found.ref} to {when.isoformat()}: {short(found.paper.title)}",
        )

"""Changing and looking at days: render, rotate (open a new day), archive, list."""

from __future__ import annotations

from datetime import date

from mapdaily_cli.api.plan import (
    affected_targets,
    closed_weeks,
    current_week,
    index_target,
    open_stream,
    plan_all,
    stray_pages,
    week_days,
    week_target,
)
from mapdaily_cli.api.result import Options, Result, commit_message
from mapdaily_cli.api.transaction import transaction
from mapdaily_cli.config import Config
from mapdaily_cli.errors import InputError
from mapdaily_cli.model import Day, Week


def render(config: Config, options: Options) -> Result:
    """Regenerate every generated region from the data; write only files whose text changed."""
    plain = Options(commit=False, dry_run=options.dry_run, discard_hand_edits=options.discard_hand_edits)
    with transaction(config, plain) as change:
        planned = plan_all(config, change.stream, change.renderer)
        change.plan(planned)
        stale = stray_pages(config, {p.target.rel for p in planned})
        n = len(change.files)
        summary = f"{n} file{'s' if n != 1 else ''} regenerated" if n else "everything is up to date"
        if stale:
            summary += (
                f"; removed {len(stale)} page{'s' if len(stale) != 1 else ''} of no week: {', '.join(stale)}"
            )
        result = change.commit("render", summary)
        if stale and not options.dry_run:
            for rel in stale:
                config.path(rel).unlink(missing_ok=True)
            result.changed = True
        return result


def rotate(config: Config, when: date, options: Options) -> Result:
    """Open a new, empty day ``when``; the previous days move into "This Week", and a week that
    closes goes to the archive. An empty previous day is dropped rather than kept as an empty table."""
    with transaction(config, options, creates=True) as change:
        stream = change.stream
        if len(stream):
            first = stream.day(0)
            if when == first.date:
                return Result(f"{when.isoformat()} is already open; nothing to do", changed=False)
            if when < first.date:
                raise InputError(
                    f"cannot rotate to {when.isoformat()}: the digest is already at {first.date.isoformat()}"
                    " (rotate only moves forward)"
                )
            if not first.papers and stream.is_plain_empty(0):
                stream.delete_day(0)
        stream.insert_day(0, when)
        targets = affected_targets(config, change.old, stream, [])
        change.regenerate(targets)
        weeks = [t.week.label for t in targets if t.week is not None]
        archived = f", archive {', '.join(weeks)}" if weeks else ""
        return change.commit(
            commit_message("rotate", when.isoformat() + archived),
            f"opened {when.isoformat()}" + (f"; archived {', '.join(weeks)}" if weeks else ""),
        )


def archive(config: Config, week: Week | None, options: Options) -> Result:
    """Write the archive page of every closed week (or of ``week``) and the index."""
    with transaction(config, options) as change:
        stream = change.stream
        current = current_week(stream, config)
        if week is not None:
            if current is None or week >= current:
                raise InputError(
                    f"week {week.label} is not closed yet; only weeks before the current one are archived"
                )
            if not week_days(stream, config, week):
                raise InputError(f"no days of week {week.label} in {config.data}; nothing to archive")
            weeks = [week]
        else:
            weeks = [w for w, _ in closed_weeks(stream, config)]
        change.regenerate([week_target(config, w) for w in weeks] + ([index_target(config)] if weeks else []))
        written = [config.week_page(w) for w in weeks if config.week_page(w) in change.files]
        if not change.files:
            return Result("the archive is up to date; nothing to do", changed=False)
        labels = [w.label for w in weeks if config.week_page(w) in written] or ["index"]
        return change.commit(commit_message("archive", ", ".join(labels)), f"archived {', '.join(labels)}")


def list_days(config: Config, when: date | None, week: Week | None) -> list[Day]:
    """The days of ``when``, of ``week``, or (by default) of the current week, newest first."""
    stream = open_stream(config)
    if when is not None:
        index, exists = stream.position_of(when)
        if not exists:
            raise InputError(f"no day {when.isoformat()} in the digest")
        return [stream.day(index)]
    if week is None:
        week = current_week(stream, config)
        if week is None:
            return []
    return week_days(stream, config, week)

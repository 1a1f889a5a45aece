"""Merging and regenerating touch only what differs, and mean what touching everything meant: the
merge driver against the merge of every parsed day (the algorithm it replaced, kept here as the
oracle), and one page found and rendered on its own against the plan of every page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from conftest import papers_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapdaily_cli.api import merging
from mapdaily_cli.api.merging import Merged, _merge_day, merge_data
from mapdaily_cli.api.plan import all_targets, plan_all, target_for
from mapdaily_cli.config import Config
from mapdaily_cli.model import Day
from mapdaily_cli.render import Renderer
from mapdaily_cli.store import Stream

CONFIG = Config(root=Path("/nonexistent/digest"))
START = date(2024, 10, 15)


def _every_day_merged(config: Config, base: str, ours: str, theirs: str) -> Merged:
    """The merge as it was: every day of the three versions parsed, every day merged."""
    streams = [
        Stream(config.data_path, f"papers.yaml ({s})", t)
        for s, t in (("base", base), ("ours", ours), ("theirs", theirs))
    ]
    base_days, _, their_days = ({d.date: d for d in s.days()} for s in streams)
    merged = Merged(streams[1])
    out = merged.stream
    mine = {d.date: d for d in out.days()}
    for when in sorted(set(their_days) | set(mine), reverse=True):
        before = base_days.get(when, Day(when))
        if when not in their_days:
            if when in base_days and mine[when] == before:
                index = out.index_of(when)
                assert index is not None
                out.delete_day(index)
            elif when in base_days:
                _merge_day(merged, streams[2], before, mine[when], Day(when))
            continue
        if when not in mine and when in base_days and their_days[when] == before:
            continue
        _merge_day(merged, streams[2], before, mine.get(when, Day(when)), their_days[when])
    return merged


def _paper(n: int, comment: str = "") -> dict[str, Any]:
    return {
        "title": f"Paper {n}",
        "url": f"https://arxiv.org/abs/2410.{n:05d}",
        "comment": comment or f"c{n}.",
    }


def _history(days: int) -> list[tuple[date, list[dict[str, Any]]]]:
    return [(START - timedelta(days=i), [_paper(i * 10 + k) for k in range(i % 3 + 1)]) for i in range(days)]


# One edit of a side: what curators, the bot and the web editor do to the data.
edits = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 9), st.integers(500, 520)),
    st.tuples(st.just("comment"), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("remove"), st.integers(0, 9), st.integers(0, 2)),
    st.tuples(st.just("new day"), st.integers(1, 2), st.integers(600, 610)),
    st.tuples(st.just("drop day"), st.integers(0, 9), st.just(0)),
)


def _edited(
    days: list[tuple[date, list[dict[str, Any]]]], changes: list[tuple[str, int, int]], side: str
) -> str:
    out = [(when, [dict(p) for p in papers]) for when, papers in days]
    for kind, at, n in changes:
        if kind == "new day":
            out.insert(0, (out[0][0] + timedelta(days=at), [_paper(n)]))
            continue
        if not out:
            continue
        when, papers = out[at % len(out)]
        if kind == "add":
            papers.append(_paper(n))
        elif kind == "comment" and papers:
            papers[n % len(papers)]["comment"] = f"changed by {side}."
        elif kind == "remove" and papers:
            papers.pop(n % len(papers))
        elif kind == "drop day" and len(out) > 1:
            out.remove((when, papers))
    return papers_yaml(out)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 12), st.lists(edits, max_size=4), st.lists(edits, max_size=4))
def test_merging_the_days_theirs_changed_is_merging_every_day(
    days: int, ours: list[Any], theirs: list[Any]
) -> None:
    history = _history(days)
    base = papers_yaml(history)
    texts = (base, _edited(history, ours, "ours"), _edited(history, theirs, "theirs"))
    expected = _every_day_merged(CONFIG, *texts)
    got = merge_data(CONFIG, *texts)
    assert got.stream.to_bytes() == expected.stream.to_bytes()
    assert (got.conflicts, got.added) == (expected.conflicts, expected.added)
    as_bytes = merge_data(CONFIG, *(t.encode("utf-8") for t in texts))  # what the driver reads
    assert as_bytes.stream.to_bytes() == expected.stream.to_bytes()


def test_a_day_neither_side_touched_is_not_parsed(monkeypatch: Any) -> None:
    history = _history(40)
    base = papers_yaml(history)
    ours = _edited(history, [("add", 0, 501)], "ours")
    theirs = _edited(history, [("comment", 30, 0)], "theirs")
    parsed: list[date] = []
    real = Stream.day

    def counted(self: Stream, index: int) -> Day:
        day = real(self, index)
        parsed.append(day.date)
        return day

    monkeypatch.setattr(Stream, "day", counted)
    merged = merge_data(CONFIG, base, ours, theirs)
    assert not merged.conflicts
    assert set(parsed) == {history[30][0]}  # the day theirs changed, in the three versions
    assert "changed by theirs." in merged.stream.text() and "Paper 501" in merged.stream.text()
    assert merging.merge_data is merge_data


CONFIGS = [
    CONFIG,
    replace(CONFIG, week_start="sunday"),
    replace(CONFIG, search_page=None),
    replace(CONFIG, feed=None, search_page=None),
]


def test_one_page_found_and_rendered_alone_is_the_plan_of_every_page() -> None:
    for config in CONFIGS:
        for days in (0, 1, 3, 9, 40):
            stream = Stream(config.data_path, "papers.yaml", papers_yaml(_history(days)))
            renderer = Renderer(config)
            planned = plan_all(config, stream, renderer)
            targets = all_targets(config, stream)
            assert [t.rel for t in targets] == [p.target.rel for p in planned]
            for item in planned:
                found = target_for(config, stream, item.target.rel)
                assert found is not None and found.kind == item.target.kind
                assert found.region(renderer, stream) == item.region, (config, days, item.target.rel)
            assert target_for(config, stream, "archived_papers/1999W01.md") is None


def test_the_drivers_of_one_merge_merge_the_data_once(tmp_path: Path) -> None:
    # git runs a driver per file both sides changed; each needs the merged data, which the first
    # keeps in the git folder under the three versions' blob ids.
    from mapdaily_cli.api.merging import _merged, forget_merged

    (tmp_path / ".git").mkdir()
    config = Config(root=tmp_path)
    history = _history(5)
    texts = [
        papers_yaml(history),
        _edited(history, [("add", 0, 501)], "ours"),
        _edited(history, [("add", 0, 502)], "theirs"),
    ]
    versions = [t.encode("utf-8") for t in texts]
    calls: list[int] = []

    def given() -> tuple[bytes, bytes, bytes]:
        calls.append(1)
        return versions[0], versions[1], versions[2]

    first = _merged(config, "b\no\nt", given)
    again = _merged(config, "b\no\nt", given)
    assert len(calls) == 1 and again.stream.to_bytes() == first.stream.to_bytes()
    assert b"Paper 501" in first.stream.to_bytes() and b"Paper 502" in first.stream.to_bytes()
    _merged(config, "b\no\nother", given)  # other versions: merged anew
    assert len(calls) == 2
    _merged(config, None, given)  # versions without ids: nothing kept, nothing read
    assert len(calls) == 3
    forget_merged(config)
    assert not (tmp_path / ".git" / "mapdaily-merged").exists()

"""The plan of every page of a long history, made across processes, is the plan one process makes:
the same files, in the same order, with the same regions, whatever the slices (months and weeks cut
between two of them included), and a bad day still fails with its own error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import papers_yaml

from mapdaily_cli.api import forks
from mapdaily_cli.api.plan import plan_all
from mapdaily_cli.config import Config
from mapdaily_cli.errors import DataError
from mapdaily_cli.render import Renderer
from mapdaily_cli.store import Stream

CONFIG = Config(root=Path("/nonexistent/digest"))


def _stream(config: Config, days: int, broken: int | None = None) -> Stream:
    history = [
        (
            date(2024, 10, 15) - timedelta(days=i),
            [{"title": f"Paper {i}.{k}", "comment": f"c {i}"} for k in range(i % 3)],
        )
        for i in range(days)
    ]
    text = papers_yaml(history)
    if broken is not None:  # a field no paper has, in day ``broken``
        assert f"comment: c {broken}\n" in text
        text = text.replace(f"comment: c {broken}\n", f"comment: c {broken}\n  bogus: 1\n", 1)
    return Stream(config.data_path, "papers.yaml", text, extra_fields=())


@pytest.mark.parametrize("jobs", [2, 3, 4])
@pytest.mark.parametrize(
    "config", [CONFIG, replace(CONFIG, week_start="sunday"), replace(CONFIG, search_page=None, feed=None)]
)
def test_the_plan_across_processes_is_the_plan_of_one(
    monkeypatch: pytest.MonkeyPatch, config: Config, jobs: int
) -> None:
    monkeypatch.setattr(forks, "PARALLEL_FROM", 10)
    stream = _stream(config, 130)
    one = plan_all(config, stream, Renderer(config), jobs=1)
    assert forks.parallel_slices(stream, config, 1, jobs)  # the case is the one meant
    many = plan_all(config, _stream(config, 130), Renderer(config), jobs=jobs)
    assert [p.target.rel for p in many] == [p.target.rel for p in one]
    assert [p.region for p in many] == [p.region for p in one]


def test_a_bad_day_in_another_process_fails_with_its_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forks, "PARALLEL_FROM", 10)
    for broken in (4, 121):  # in this process's slice, in a child's
        with pytest.raises(DataError, match="bogus"):
            plan_all(CONFIG, _stream(CONFIG, 130, broken), Renderer(CONFIG), jobs=2)

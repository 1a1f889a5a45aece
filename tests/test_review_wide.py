"""The edges of the work spread across processes and of the merged data the drivers share: a Ctrl-C
while the children are being forked leaves none behind, a slice that fails with an error that is
no MapdailyError fails as it would in one process, and a kept copy of the merged data that is not
the whole of what was kept is merged again rather than taken for the merge."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import papers_yaml, run_cli, write_papers

from mapdaily_cli.api import forks
from mapdaily_cli.api.merging import _merged
from mapdaily_cli.api.plan import plan_all
from mapdaily_cli.config import Config
from mapdaily_cli.render import Renderer
from mapdaily_cli.store import Stream


@pytest.fixture
def forked() -> Iterator[list[int]]:
    """The pids of the children forked during the test; any still alive at its end is killed."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _alive(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False  # reaped already
    return done == 0


def test_ctrl_c_while_forking_leaves_no_child_behind(
    monkeypatch: pytest.MonkeyPatch, forked: list[int]
) -> None:
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
            if len(forked) == 1:
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, just after the first child is made
        return pid

    monkeypatch.setattr(forks.os, "fork", fork)

    def work(lo: int, hi: int) -> int:
        if lo:
            time.sleep(20)  # a child still working
        return lo

    with pytest.raises(KeyboardInterrupt):
        forks.in_forks(work, [(0, 1), (1, 2), (2, 3)], int)
    assert forked
    assert not any(_alive(pid) for pid in forked)


def test_a_failure_that_is_no_mapdaily_error_in_a_child_is_the_one_of_one_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A template of the user's that breaks on old weeks only: the bug line one process shows, not
    # "run the command again" (which only fails again).
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "week.md.j2").write_text(
        '{% if week.start.year < 2024 %}{{ "x".join(5) }}{% endif %}old week\n', encoding="utf-8"
    )
    config = Config(root=tmp_path, templates="templates")
    history = [
        (date(2024, 10, 15) - timedelta(days=i), [{"title": f"Paper {i}", "comment": "c"}])
        for i in range(400)
    ]
    text = papers_yaml(history)
    monkeypatch.setattr(forks, "PARALLEL_FROM", 10)
    with pytest.raises(TypeError) as one:
        plan_all(config, Stream(config.data_path, "papers.yaml", text), Renderer(config), jobs=1)
    stream = Stream(config.data_path, "papers.yaml", text)
    assert len(forks.parallel_slices(stream, config, 1, 2)) == 2
    with pytest.raises(TypeError) as many:
        plan_all(config, stream, Renderer(config), jobs=2)
    assert str(many.value) == str(one.value)


def _three(days: int) -> tuple[bytes, bytes, bytes]:
    history = [
        (date(2024, 10, 15) - timedelta(days=i), [{"title": f"Paper {i}", "comment": "c"}])
        for i in range(days)
    ]
    base = papers_yaml(history)
    ours = papers_yaml([(history[0][0], [*history[0][1], {"title": "From Ann"}]), *history[1:]])
    theirs = papers_yaml([(history[0][0], [*history[0][1], {"title": "From Bob"}]), *history[1:]])
    return base.encode(), ours.encode(), theirs.encode()


@pytest.mark.parametrize("damage", ["truncated", "edited"])
def test_a_damaged_copy_of_the_merged_data_is_merged_again(tmp_path: Path, damage: str) -> None:
    # The papers.yaml driver writes what it finds kept as the merge: a copy cut short (at a
    # document's end, so that it still reads) would drop the oldest days from the merge, silently.
    (tmp_path / ".git").mkdir()
    config = Config(root=tmp_path)
    versions = _three(30)
    calls: list[int] = []

    def given() -> tuple[bytes, bytes, bytes]:
        calls.append(1)
        return versions

    first = _merged(config, "b\no\nt", given).stream.to_bytes()
    kept = tmp_path / ".git" / "mapdaily-merged"
    said = kept.read_bytes()
    if damage == "truncated":
        kept.write_bytes(said[: said.rindex(b"\n---\n") + 1])
    else:
        kept.write_bytes(said.replace(b"Paper 29", b"Paper 92"))
    again = _merged(config, "b\no\nt", given).stream.to_bytes()
    assert again == first
    assert len(calls) == 2
    # and one that is whole is still shared
    assert _merged(config, "b\no\nt", given).stream.to_bytes() == first and len(calls) == 2


def test_one_match_left_out_of_a_search_is_one_match(repo: Path) -> None:
    days = [(date(2024, 10, 15) - timedelta(days=i), [{"title": f"Diffusion {i}"}]) for i in range(51)]
    write_papers(repo, days)
    code, out, err = run_cli(repo, "search", "diffusion")
    assert code == 0 and "51 matches, the newest 50 shown" in out
    assert "1 older match not shown" in err


def test_ctrl_c_half_way_through_the_renames_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A render of ten years renames hundreds of pages; Ctrl-C among them is "nothing was changed".
    from mapdaily_cli.store import files

    paths = [tmp_path / f"page{i}.md" for i in range(4)]
    for path in paths[:3]:
        path.write_text("old\n", encoding="utf-8")
    real = files._Temporary.move_to
    moved: list[Path] = []

    def move_to(self: files._Temporary, target: Path) -> None:
        if len(moved) == 2:
            raise KeyboardInterrupt
        real(self, target)
        moved.append(target)

    monkeypatch.setattr(files._Temporary, "move_to", move_to)
    journal = tmp_path / "journal"
    with pytest.raises(KeyboardInterrupt):
        files.write_all({path: "new\n" for path in paths}, journal)
    assert [p.read_text(encoding="utf-8") for p in paths[:3]] == ["old\n"] * 3
    assert not paths[3].exists() and not journal.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths[:3]]

"""`stats`: counts per week and month, top affiliations, longest comments and empty days, as JSON for
scripts and as tables with a bar chart at the terminal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conftest import run_cli, write_papers

from mapdaily_cli import api
from mapdaily_cli.config import load_config


def _digest(folder: Path) -> Path:
    write_papers(
        folder,
        [
            (date(2024, 10, 15), [{"title": "A", "affiliation": "Lab  X", "comment": "short"}]),
            (date(2024, 10, 14), []),
            (
                date(2024, 10, 8),
                [{"title": "B", "affiliation": "Lab X"}, {"title": "C", "comment": "x" * 90}],
            ),
            (date(2024, 9, 30), [{"title": "[bold]D[/bold]", "affiliation": "Other", "comment": "y" * 50}]),
        ],
    )
    return folder


def test_stats_counts_the_history(tmp_path: Path) -> None:
    found = api.stats(load_config(_digest(tmp_path)))
    assert (found.days, found.papers) == (4, 4)
    assert found.weeks == [("2024-W42", 1), ("2024-W41", 2), ("2024-W40", 1)]
    assert found.months == [("2024-10", 3), ("2024-09", 1)]
    assert found.affiliations == [("Lab X", 2), ("Other", 1)]
    assert [(n, t) for n, _, t in found.longest] == [(90, "C"), (50, "[bold]D[/bold]"), (5, "A")]
    assert found.empty_days == [date(2024, 10, 14)]
    since = api.stats(load_config(tmp_path), date(2024, 10, 8))
    assert since.papers == 3 and since.months == [("2024-10", 3)]


def test_the_command_prints_json_and_tables(repo: Path) -> None:
    _digest(repo)
    code, out, _ = run_cli(repo, "stats", "--json", "--since", "2024-10-01")
    assert code == 0
    data = json.loads(out)
    assert data["papers"] == 3 and data["days_without_papers"] == ["2024-10-14"]
    assert data["weeks"][0] == {"week": "2024-W42", "papers": 1}
    code, out, _ = run_cli(repo, "stats")
    assert code == 0
    assert "4 papers on 4 days" in out and "2024-W41" in out and "█" * 40 in out
    assert "[bold]D[/bold]" in out  # titles are shown as written, not read as markup
    code, _, err = run_cli(repo, "stats", "--since", "soon")
    assert code == run_cli(repo, "list", "--date", "soon")[0] != 0 and "--since" in err  # as --date

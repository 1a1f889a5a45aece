"""The `stats` command: what the history holds, as tables and a bar chart of the weeks (or JSON)."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from mapdaily_cli.cli import present
from mapdaily_cli.cli.app import command, config
from mapdaily_cli.cli.params import Json, parse_date

if TYPE_CHECKING:
    from mapdaily_cli import api

#: Weeks in the bar chart, and the width of its longest bar.
CHART_WEEKS, BAR = 26, 40


@command()
def stats(
    since: Annotated[
        Optional[str], typer.Option("--since", metavar="YYYY-MM-DD", help="Only days from this date on.")
    ] = None,
    json_: Json = False,
) -> None:
    """Papers per week and month, top affiliations, longest comments, days without papers."""
    from mapdaily_cli import api

    found = api.stats(config(), parse_date(since, "--since"))
    if json_:
        present.print_json(found.to_json())
        return
    show(found)


def show(found: "api.Stats") -> None:
    """The tables and the chart on stdout."""
    from rich.table import Table

    out = present.console(stderr=False)
    out.print(
        f"{found.papers} papers on {found.days} days" + (f" since {found.since}" if found.since else "")
    )
    most = max((n for _, n in found.weeks[:CHART_WEEKS]), default=0) or 1
    chart = Table(title=f"Papers per week (the last {CHART_WEEKS})", show_header=False, box=None)
    for label, n in found.weeks[:CHART_WEEKS]:
        chart.add_row(label, "█" * round(BAR * n / most) or ("▏" if n else ""), str(n))
    out.print(chart)
    months = Table("month", "papers", title="Papers per month")
    for month, n in found.months:
        months.add_row(month, str(n))
    out.print(months)
    top = Table("affiliation", "papers", title="Top affiliations")
    for name, n in found.affiliations:
        top.add_row(present.escape(name), str(n))
    out.print(top)
    longest = Table("characters", "date", "title", title="Longest comments")
    for n, when, title in found.longest:
        longest.add_row(str(n), when.isoformat(), present.escape(title))
    out.print(longest)
    empty = ", ".join(d.isoformat() for d in found.empty_days) or "none"
    out.print(f"Days without papers: {empty}")

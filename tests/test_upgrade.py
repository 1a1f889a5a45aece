"""A digest whose pages an older mapdaily wrote (end markers without a checksum, an older layout) is
stale, not hand-edited, as long as its rows are the data's; a changed row under such a marker is
still a hand edit."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import git, run_cli


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def older_layout(repo: Path, change: str = "") -> None:
    """Rewrite the README as an older mapdaily wrote it: no checksum, no framing lines, and commit."""
    readme = repo / "README.md"
    text = re.sub(
        r"<!-- mapdaily:end checksum=[0-9a-f]+ -->", "<!-- mapdaily:end -->", readme.read_text("utf-8")
    )
    text = text.replace("<!-- mapdaily:start -->\n\n", "<!-- mapdaily:start -->\n")
    if change:
        text = text.replace("| Alpha | - | - |", change)
    readme.write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "pages as an older mapdaily wrote them")


def test_a_page_an_older_mapdaily_wrote_is_stale_not_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    older_layout(repo)
    ok(repo, "add", "--title", "Beta")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "| Alpha | - | - |" in readme and "| Beta | - | - |" in readme and "checksum=" in readme
    ok(repo, "check")


def test_a_changed_row_under_an_old_marker_is_still_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    older_layout(repo, change="| Alpha | - | Typed on GitHub. |")
    code, out, err = run_cli(repo, "add", "--title", "Beta")
    assert code == 1 and "edited by hand" in err and "Typed on GitHub." in out


EMPTY_DAY = """<details>
<summary> <b>{day}</b> </summary>

<table class="center">

| Paper | Affiliation | Comments |
|:-------------|:-------------|:-------------|

</table>

</details>

"""


def older_week_pages(repo: Path, empty_day: str) -> None:
    """Rewrite every generated page as an older mapdaily wrote it (it also showed days without
    papers, and laid blank lines out differently), without checksums, and commit."""
    for path in [repo / "README.md", repo / "archived_papers.md", *(repo / "archived_papers").glob("*.md")]:
        text = re.sub(
            r"<!-- mapdaily:end checksum=[0-9a-f]+ -->", "<!-- mapdaily:end -->", path.read_text("utf-8")
        )
        text = text.replace("<!-- mapdaily:start -->\n\n", "<!-- mapdaily:start -->\n")
        if path.parent.name == "archived_papers":
            text = text.replace("<details>\n", EMPTY_DAY.format(day=empty_day) + "<details>\n", 1)
        path.write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "pages as an older mapdaily wrote them")


def test_week_pages_an_older_mapdaily_wrote_with_empty_days_are_stale(repo: Path) -> None:
    """The layout of the digests mapdaily wrote before: an empty weekend day still had its block on
    the week page, and the index had one blank line less. Taking them over is not a hand edit."""
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-07")
    ok(repo, "rotate", "--date", "2024-10-09")
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-09")
    ok(repo, "rotate", "--date", "2024-10-13")  # a day without papers
    ok(repo, "rotate", "--date", "2024-10-14")
    week = next((repo / "archived_papers").glob("*.md"))
    assert "| Alpha | - | - |" in week.read_text(encoding="utf-8")
    older_week_pages(repo, "13/10/2024")
    assert "<b>13/10/2024</b>" in week.read_text(encoding="utf-8")
    said = ok(repo, "render")
    assert "edited by hand" not in said
    assert "<b>13/10/2024</b>" not in week.read_text(encoding="utf-8")
    ok(repo, "check")


def test_a_changed_row_on_an_older_week_page_is_still_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-07")
    ok(repo, "rotate", "--date", "2024-10-14")
    older_week_pages(repo, "13/10/2024")
    week = next((repo / "archived_papers").glob("*.md"))
    week.write_text(week.read_text("utf-8").replace("| Alpha | - | - |", "| Alpha | - | Typed. |"), "utf-8")
    git(repo, "commit", "-qam", "typed on GitHub")
    code, out, err = run_cli(repo, "render")
    assert code == 1 and "edited by hand" in err and "Typed." in out

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

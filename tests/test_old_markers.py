"""What counts as stale under an end marker an older mapdaily wrote (no checksum): the same lines
apart from blank lines and trailing spaces, or the same rows with no text typed between them."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import git, run_cli


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def older(repo: Path, edit: tuple[str, str] = ("", "")) -> str:
    """The README as an older mapdaily wrote it (no checksum), with ``edit`` made by hand; committed."""
    readme = repo / "README.md"
    text = re.sub(
        r"<!-- mapdaily:end checksum=[0-9a-f]+ -->", "<!-- mapdaily:end -->", readme.read_text("utf-8")
    )
    text = text.replace("<!-- mapdaily:start -->\n\n", "<!-- mapdaily:start -->\n")
    if edit[0]:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    readme.write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", "the pages as an older mapdaily wrote them, then edited by hand")
    return text


# a line of prose typed into the region under an old marker (a note between the
# table and the week's heading) changes neither the table's rows nor anything but "lines": _lines
# differs, but _same_rows compares rows only, so the region is called stale and the next command
# regenerates it: the typed note is gone, with no diff and no refusal. Under a checksummed marker the
# same edit is refused as a hand edit.
def test_a_note_typed_under_an_old_marker_is_a_hand_edit_not_stale(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    note = "Note: the reading group meets on Friday.\n"
    older(repo, ("| Alpha | - | - |\n", f"| Alpha | - | - |\n\n{note}"))
    code, out, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert note in readme or (code == 1 and "edited by hand" in err), "the typed note was dropped"


def test_the_same_note_under_a_checksummed_marker_is_refused(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8").replace(
        "| Alpha | - | - |\n", "| Alpha | - | - |\n\nNote: x.\n"
    )
    readme.write_text(text, encoding="utf-8")
    code, _, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert code == 1 and "edited by hand" in err


def test_blank_lines_inside_the_table_under_an_old_marker_are_stale(repo: Path) -> None:
    """Judged right: a blank line between two rows ends the table (GitHub shows the rows after it as
    a paragraph of bars), and blank lines or trailing spaces carry nothing a reader wrote; a comment
    cell cannot hold a blank line (a row is one line). Regenerating repairs the table, and no text
    is lost."""
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    ok(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    older(repo, ("| Alpha | - | - |\n", "| Alpha | - | - |   \n\n\n"))
    ok(repo, "render")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "| Alpha | - | - |\n| Beta | - | - |\n" in readme and "checksum=" in readme
    ok(repo, "check")


def test_a_changed_comment_cell_under_an_old_marker_is_still_a_hand_edit(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15", "--comment", "Short.")
    older(repo, ("| Alpha | - | Short. |\n", "| Alpha | - | Short.  Longer, typed on GitHub. |\n\n"))
    code, out, err = run_cli(repo, "render")
    assert code == 1 and "edited by hand" in err and "typed on GitHub" in out

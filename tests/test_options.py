"""Each option means one thing: accepting a duplicate, discarding hand edits and replacing files at
`init` are three options, and only the one whose name says so discards a hand edit."""

from __future__ import annotations

from pathlib import Path

from conftest import git, run_cli


def ok(repo: Path, *args: str) -> str:
    code, out, err = run_cli(repo, *args)
    assert code == 0, err + out
    return out + err


def hand_edited(repo: Path) -> str:
    """A digest whose README was edited by hand inside its region; returns the edited text."""
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8").replace("| Alpha | - | - |", "| Alpha | - | Typed on GitHub. |")
    assert "Typed on GitHub." in text
    readme.write_text(text, encoding="utf-8")
    return text


def test_add_force_accepts_a_duplicate_but_never_discards_a_hand_edit(repo: Path) -> None:
    text = hand_edited(repo)
    before = git(repo, "log", "--format=%s")
    code, out, err = run_cli(repo, "add", "--title", "Alpha", "--force")
    assert code == 1 and "edited by hand" in err and "Typed on GitHub." in out
    # The refusal names the one option that discards, and nothing changed.
    assert "--discard-hand-edits" in err and "--force" not in err
    assert (repo / "README.md").read_text(encoding="utf-8") == text
    assert git(repo, "log", "--format=%s") == before
    assert "Alpha" in (repo / "papers.yaml").read_text(encoding="utf-8")
    assert (repo / "papers.yaml").read_text(encoding="utf-8").count("Alpha") == 1


def test_discard_hand_edits_discards_them(repo: Path) -> None:
    hand_edited(repo)
    ok(repo, "add", "--title", "Alpha", "--force", "--discard-hand-edits")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "Typed on GitHub." not in readme and readme.count("| Alpha |") == 2
    assert git(repo, "status", "--porcelain") == ""
    ok(repo, "check")


def test_discard_alone_does_not_accept_a_duplicate(repo: Path) -> None:
    hand_edited(repo)
    code, _, err = run_cli(repo, "add", "--title", "Alpha", "--discard-hand-edits")
    assert code == 1 and "already in the digest" in err


def test_render_refuses_a_hand_edit_unless_told_to_discard(repo: Path) -> None:
    text = hand_edited(repo)
    code, _, err = run_cli(repo, "render")
    assert code == 1 and "--discard-hand-edits" in err
    assert (repo / "README.md").read_text(encoding="utf-8") == text
    ok(repo, "render", "--discard-hand-edits")
    assert "Typed on GitHub." not in (repo / "README.md").read_text(encoding="utf-8")


def test_force_is_no_option_of_the_other_commands(repo: Path) -> None:
    ok(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    for args in (("render",), ("rotate", "--date", "2024-10-16"), ("remove", "Alpha"), ("init",)):
        code, _, err = run_cli(repo, *args, "--force")
        assert code == 2 and "--force" in err, args


def test_init_replace_is_its_own_option(repo: Path) -> None:
    ok(repo, "init")
    (repo / "README.md").write_text("# mine\n", encoding="utf-8")
    out = ok(repo, "init", "--week-start", "sunday")
    assert "--replace" in out
    ok(repo, "init", "--week-start", "sunday", "--replace")
    assert "mine" not in (repo / "README.md").read_text(encoding="utf-8")

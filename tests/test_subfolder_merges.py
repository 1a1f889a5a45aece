"""A digest kept in a folder of a larger repository (a lab's website, a monorepo): git runs the
merge drivers from the repository's top and names the file from there, so the driver finds the
digest from the file's own folder; two clones adding on the same day pull without a conflict."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import git, write_papers
from test_team import DAYS, clone, data, ok


def test_two_clones_of_a_digest_in_a_folder_add_on_the_same_day_and_pull(
    tmp_path: Path, isolated_git: Path
) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    ann = clone(remote, tmp_path / "ann")
    (ann / "site").mkdir()
    (ann / "site" / "index.html").write_text("<p>the lab</p>\n", encoding="utf-8")
    digest = ann / "digest"
    digest.mkdir()
    write_papers(digest, DAYS)
    (digest / "mapdaily.toml").write_text("", encoding="utf-8")
    ok(digest, "render")
    ok(digest, "git-setup")
    git(ann, "add", "-A")
    git(ann, "commit", "--quiet", "-m", "start")
    git(ann, "push", "--quiet", "-u", "origin", "main")
    bob = clone(remote, tmp_path / "bob")
    ok(bob / "digest", "git-setup")
    ok(ann / "digest", "add", "--title", "From Ann", "--comment", "ann")
    git(ann, "push", "--quiet")
    ok(bob / "digest", "add", "--title", "From Bob", "--comment", "bob")
    pulled = subprocess.run(
        ["git", "pull", "--no-edit"], cwd=bob, capture_output=True, text=True, check=False
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    titles = [p["title"] for p in data(bob / "digest")[0]["papers"]]
    assert titles == ["Alpha Paper", "Beta Paper", "From Bob", "From Ann"]
    ok(bob / "digest", "check")
    assert git(bob, "status", "--porcelain") == ""

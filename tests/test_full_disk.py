"""A full disk (or any failing write) names the file, changes nothing and leaves nothing behind."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli.store import files as store_files
from mapdaily_cli.store import scan


def state(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and "objects" not in p.parts
    }


def full(*_: object, **__: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_no_space_while_writing_names_the_file_and_changes_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(repo, "add", "--title", "A", "--date", "2024-10-15")[0] == 0
    before = state(repo)
    monkeypatch.setattr(store_files.os, "write", full)
    code, _, err = run_cli(repo, "add", "--title", "B")
    assert code == 1 and err.count("\n") == 1
    assert f"cannot write {repo / 'papers.yaml'}: No space left on device; nothing was changed" in err
    monkeypatch.undo()
    after = state(repo)
    assert {k: v for k, v in after.items() if "mapdaily-scan" not in k} == {
        k: v for k, v in before.items() if "mapdaily-scan" not in k
    }
    assert not [p for p in repo.rglob("*.tmp")]


def test_a_failing_rename_names_the_file_and_rolls_back(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli(repo, "add", "--title", "A", "--date", "2024-10-15")[0] == 0
    before = (repo / "papers.yaml").read_bytes(), (repo / "README.md").read_bytes()
    real = os.replace
    calls = []

    def second_fails(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(store_files.os, "replace", second_fails)
    code, _, err = run_cli(repo, "add", "--title", "B")
    monkeypatch.undo()
    assert code == 1 and "cannot replace" in err and "None" not in err and "nothing was changed" in err
    assert str(calls[1]) in err
    assert ((repo / "papers.yaml").read_bytes(), (repo / "README.md").read_bytes()) == before
    assert not [p for p in repo.rglob("*.tmp")] and not (repo / ".git" / "mapdaily.journal").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_a_scan_cache_that_cannot_be_written_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = scan.ScanCache(tmp_path / "mapdaily-scan.json")
    monkeypatch.setattr(scan.os, "replace", full)
    cache.remember(b"date: 2024-10-15\n", [])
    assert list(tmp_path.iterdir()) == []


def test_leftover_scan_cache_temporaries_are_removed(repo: Path) -> None:
    assert run_cli(repo, "add", "--title", "A", "--date", "2024-10-15")[0] == 0
    stray = repo / ".git" / "mapdaily-scan.json.12345.tmp"
    stray.write_text("[]", encoding="utf-8")
    assert run_cli(repo, "add", "--title", "B")[0] == 0
    assert not stray.exists()

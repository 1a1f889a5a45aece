"""Regenerate the golden files under tests/golden, then review the change with `git diff tests/golden`.

    python tests/regen_golden.py            # every case
    python tests/regen_golden.py weeks      # only the named cases

A case is a folder holding its inputs (papers.yaml and, optionally, mapdaily.toml); every other file
in it (the .md files, archive pages included) is what `mapdaily render` writes from those inputs in
an empty folder. The `seed` case is different: it is this repository's own papers.yaml and README.md,
and seed-repaired.md, the seed README of 15/10/2024 with its double encoding undone (the seed is
read from $MAPDAILY_SEED, default tests/fixtures/import/seed-README.md, a byte-for-byte copy).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
REPO = HERE.parent
INPUTS = ("papers.yaml", "mapdaily.toml")
#: Written the same whatever the data (the vendored search library): compared with the package's
#: copy by the golden test, not kept once more in every case.
LIBRARY = "search/minisearch.js"
SEED_SOURCE = Path(os.environ.get("MAPDAILY_SEED", HERE / "fixtures" / "import" / "seed-README.md"))


def cases() -> list[str]:
    """Every rendered case (all but the seed)."""
    return sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name != "seed")


def expected_files(case_dir: Path) -> dict[str, str]:
    """The expected output of a case: every file but its inputs, by path relative to the case."""
    return {
        p.relative_to(case_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(case_dir.rglob("*"))
        if p.is_file() and p.name not in INPUTS and p.relative_to(case_dir).as_posix() != LIBRARY
    }


def render_case(case_dir: Path, work: Path) -> dict[str, str]:
    """Copy the case's inputs into the empty folder ``work``, run the render, return what it wrote."""
    from mapdaily_cli import api
    from mapdaily_cli.config import load_config

    for name in INPUTS:
        if (case_dir / name).exists():
            shutil.copyfile(case_dir / name, work / name)
    result = api.render(load_config(work), api.Options(commit=False))
    return {rel: (work / rel).read_text(encoding="utf-8") for rel in sorted(result.written) if rel != LIBRARY}


def repair_double_encoding(text: str) -> str:
    """Undo UTF-8 read as Mac Roman: each run of non-ASCII characters that encodes back; text that
    is already right is left alone."""

    def fix(m: re.Match[str]) -> str:
        run = m.group()
        try:
            return run.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return run

    return re.sub(r"[^\x00-\x7f]+", fix, text)


def regen_seed() -> None:
    folder = GOLDEN / "seed"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("papers.yaml", "README.md", "archived_papers.md", "feed.xml", "search.html"):
        shutil.copyfile(REPO / name, folder / name)
    shutil.rmtree(folder / "search", ignore_errors=True)
    shutil.copytree(REPO / "search", folder / "search")
    if SEED_SOURCE.exists():
        text = SEED_SOURCE.read_text(encoding="utf-8")
        (folder / "seed-repaired.md").write_text(repair_double_encoding(text), encoding="utf-8", newline="")
    else:
        print(f"{SEED_SOURCE} not found; seed-repaired.md left as it is", file=sys.stderr)


def regen_case(name: str) -> None:
    case_dir = GOLDEN / name
    with tempfile.TemporaryDirectory() as tmp:
        written = render_case(case_dir, Path(tmp))
    for rel in expected_files(case_dir):
        (case_dir / rel).unlink()
    for folder in sorted((p for p in case_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    for rel, text in written.items():
        target = case_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")


def main(argv: list[str]) -> None:
    names = argv or ["seed", *cases()]
    for name in names:
        if name == "seed":
            regen_seed()
        elif (GOLDEN / name).is_dir():
            regen_case(name)
        else:
            raise SystemExit(f"no golden case {name!r} in {GOLDEN}")
        print(f"regenerated {name}")


if __name__ == "__main__":
    main(sys.argv[1:])

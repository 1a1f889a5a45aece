"""`init`: make a repository a digest (data, settings, README with markers, CI files), through the
same transaction as every other command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from mapdaily_cli.api.merging import attribute_lines, git_setup
from mapdaily_cli.api.plan import index_target, read_generated, readme_target
from mapdaily_cli.api.result import Options, Result
from mapdaily_cli.api.transaction import Transaction, transaction
from mapdaily_cli.config import Config, load_config, make_config
from mapdaily_cli.errors import InputError
from mapdaily_cli.render import END, START
from mapdaily_cli.store import Stream

CI_FILES = {
    "check.yml": ".github/workflows/check.yml",
    "rotate.yml": ".github/workflows/rotate.yml",
    "sync.yml": ".github/workflows/sync.yml",
    "intake.yml": ".github/workflows/intake.yml",
    "add-paper.yml": ".github/ISSUE_TEMPLATE/add-paper.yml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
}

DATA_HEADER = "# The digest's data: one YAML document per day, newest first (the first is today).\n"


def init_digest(
    root: Path,
    settings: dict[str, Any],
    today: date,
    ci: str | None,
    options: Options,
    replace: bool = False,
    install: str | None = None,
    runner: str | None = None,
    pages: bool = False,
) -> Result:
    """Make ``root`` a digest: papers.yaml with one empty day, configuration where it differs from
    the defaults, README.md from the skeleton (or markers around an existing README's end), and
    with ``ci="github"`` the workflows and a pre-commit configuration. Existing files are kept
    unless ``replace``; a README holding hand-kept tables is left for `mapdaily import`. The
    workflows install ``install`` (a pip requirement; the CLI pins the running version); with
    ``runner`` (the command that runs mapdaily), the clone is set up for the merge drivers too."""
    if ci not in (None, "github"):
        raise InputError(f"--ci {ci!r} is not supported; the one choice is 'github'")
    settings = _differing(root, settings)
    config = make_config(root, settings, "the init options") if settings else load_config(root)
    notes: list[str] = []
    kept: list[str] = []
    with transaction(config, options, creates=True) as change:
        if not config.data_path.exists() or replace:
            text = f"{DATA_HEADER}date: {today.isoformat()}\npapers: []\n"
            change.stream = Stream.fresh(config.data_path, config.data, text, config.extra_fields)
        else:
            kept.append(config.data)
        files = {"mapdaily.toml": _toml(settings)} if settings else {}
        if ci:
            files.update(_ci_files(install or "mapdaily"))
        if runner is not None:
            files[".gitattributes"] = "".join(f"{line}\n" for line in attribute_lines(config))
        if pages:
            files["_config.yml"] = _pages_config(config)
            notes.append(PAGES_NOTE)
        for rel, text in files.items():
            if config.path(rel).exists() and not replace:
                kept.append(rel)
            else:
                change.put(rel, text)
        _readme(config, change, replace, kept, notes)
        if kept:
            notes.append(f"kept existing {', '.join(kept)} (--replace replaces them)")
        result = change.commit("init: mapdaily digest", "initialised the digest")
    if runner is not None and options.commit and not options.dry_run:
        git_setup(config, runner)
    if not result.changed and not options.dry_run:
        result.summary = "already a mapdaily digest; nothing to do"
    result.notes = notes + result.notes
    return result


def _readme(config: Config, change: Transaction, replace: bool, kept: list[str], notes: list[str]) -> None:
    """Plan the README: the skeleton, or markers added at the end of a README that holds no digest;
    a digest's README (with markers) is left to `render`, one with hand-kept tables to `import`."""
    from mapdaily_cli.importer import parse_page

    readme = read_generated(config, config.readme)
    if readme is None or replace:
        base = change.renderer.skeleton("readme", config.readme)
    elif START in readme:
        kept.append(config.readme)
        return
    else:
        page = parse_page(readme, config.readme)
        if page.days:
            notes.append(
                f"{config.readme} holds hand-kept tables ({len(page.days)} days); run"
                f" `mapdaily import {config.readme}` to move them into {config.data}"
            )
            return
        base = readme + ("" if readme.endswith("\n") else "\n") + f"\n{START}\n{END}\n"
    change.base_text[config.readme] = base
    # The index too: the README links to it from the first day.
    change.regenerate([readme_target(config), index_target(config)])


def _differing(root: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """Only the settings that differ from the defaults are written down."""
    defaults = make_config(root, {})
    return {
        k: v for k, v in settings.items() if getattr(defaults, k) != (tuple(v) if isinstance(v, list) else v)
    }


PAGES_NOTE = (
    "to publish the digest, turn on GitHub Pages for this repository: Settings > Pages > Build and"
    " deployment > Deploy from a branch, the default branch and / (root)"
)


def _pages_config(config: Config) -> str:
    """A Jekyll configuration for GitHub Pages: GitHub's markdown, the generated folders published."""
    folders = [config.archive_dir] + (
        [str(Path(config.search_page).with_suffix(""))] if config.search_page else []
    )
    return (
        "# GitHub Pages builds the digest's pages with Jekyll; mapdaily generates them.\n"
        "markdown: GFM\n"
        f"include: [{', '.join(json.dumps(f) for f in folders)}]\n"
    )


#: How the templates name the mapdaily a workflow installs; `init` puts the pinned source there.
INSTALL_PLACEHOLDER = '"mapdaily==0.0.0"'


def _ci_files(install: str) -> dict[str, str]:
    from importlib.resources import files as package_files

    if not install.strip() or any(c in install for c in "\"'\n$`\\"):
        raise InputError(
            f"--install {install!r}: give a pip requirement, e.g. mapdaily==0.1.0 or"
            " git+https://github.com/OWNER/REPO@v0.1.0"
        )
    folder = package_files("mapdaily_cli") / "templates" / "ci"
    return {
        rel: (folder / name).read_text(encoding="utf-8").replace(INSTALL_PLACEHOLDER, f'"{install}"')
        for name, rel in CI_FILES.items()
    }


def _toml(settings: dict[str, Any]) -> str:
    lines = ["# mapdaily settings; every other key keeps its default."]
    for key, value in settings.items():
        if isinstance(value, (list, tuple)):
            lines.append(f"{key} = [{', '.join(json.dumps(v) for v in value)}]")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"

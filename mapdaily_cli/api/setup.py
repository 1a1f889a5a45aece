"""`init`: make a repository a digest (data, settings, README with markers, CI files), through the
same transaction as every other command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

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
) -> Result:
    """Make ``root`` a digest: papers.yaml with one empty day, configuration where it differs from
    the defaults, README.md from the skeleton (or markers around an existing README's end), and
    with ``ci="github"`` the workflows and a pre-commit configuration. Existing files are kept
    unless ``replace``; a README holding hand-kept tables is left for `mapdaily import`."""
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
            files.update(_ci_files())
        for rel, text in files.items():
            if config.path(rel).exists() and not replace:
                kept.append(rel)
            else:
                change.put(rel, text)
        _readme(config, change, replace, kept, notes)
        if kept:
            notes.append(f"kept existing {', '.join(kept)} (--replace replaces them)")
        result = change.commit("init: mapdaily digest", "initialised the digest")
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


def _ci_files() -> dict[str, str]:
    from importlib.resources import files as package_files

    folder = package_files("mapdaily_cli") / "templates" / "ci"
    return {rel: (folder / name).read_text(encoding="utf-8") for name, rel in CI_FILES.items()}


def _toml(settings: dict[str, Any]) -> str:
    lines = ["# mapdaily settings; every other key keeps its default."]
    for key, value in settings.items():
        if isinstance(value, (list, tuple)):
            lines.append(f"{key} = [{', '.join(json.dumps(v) for v in value)}]")
        else:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"

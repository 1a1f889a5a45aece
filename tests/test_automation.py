"""The automation around a digest: this repository's GitHub workflows, its pre-commit hook, and the
CI templates that mapdaily writes into other digests, checked with the real tools."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEMPLATES = ROOT / "mapdaily_cli" / "templates" / "ci"
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
NAMES = ("check", "rotate", "sync", "intake")
WORKFLOWS = {name: ROOT / ".github" / "workflows" / f"{name}.yml" for name in NAMES}
TEMPLATE_WORKFLOWS = {name: TEMPLATES / f"{name}.yml" for name in NAMES}
PRE_COMMIT_TEMPLATE = TEMPLATES / "pre-commit-config.yaml"

# How each kind of workflow installs mapdaily: this repository from its own source, a digest from the
# package registry.
INSTALL = {"repo": "python -m pip install .", "template": 'python -m pip install "mapdaily==0.0.0"'}
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898283+github-actions[bot]@users.noreply.github.com"

PAPERS = """\
date: 2024-10-15
papers:
- title: Editing Massive Concepts in Text-to-Image Diffusion Models
  url: https://arxiv.org/abs/2403.13807
  affiliation: HKU, THU
  comment: Scalable concept editing; the benchmark is the contribution.
---
date: 2024-10-14
papers:
- title: KV Prediction For Improved Time to First Token
  affiliation: Apple
  comment: A small model predicts the KV cache of a larger one.
"""


# --- helpers --------------------------------------------------------------------------------------


def _require(module: str, package: str) -> None:
    """Fail, never skip, when a tool these tests drive is missing from the environment."""
    assert importlib.util.find_spec(module) is not None, (
        f"{package} is not installed in {sys.prefix}; install the test extra: pip install '.[test]'"
    )


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must succeed; its whole output in the failure message otherwise."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{result.args} exited {result.returncode}:\n{output}"
    return output


def _git(repo: Path, env: dict[str, str], *args: str) -> str:
    return _ok(_run(["git", *args], repo, env))


def _git_init(repo: Path, env: dict[str, str]) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, env, "init", "--quiet", "--initial-branch=main")
    _git(repo, env, "config", "user.name", "Test Curator")
    _git(repo, env, "config", "user.email", "curator@example.com")
    _git(repo, env, "config", "commit.gpgsign", "false")


def _commit_all(repo: Path, env: dict[str, str], message: str) -> None:
    _git(repo, env, "add", "--all")
    _git(repo, env, "commit", "--quiet", "-m", message)


def _mapdaily() -> Path:
    found = shutil.which("mapdaily", path=str(BIN))
    assert found, f"no mapdaily executable next to {sys.executable}; install the project: pip install ."
    return Path(found)


def _pre_commit(*args: str | Path) -> list[str | Path]:
    _require("pre_commit", "pre-commit")
    return [sys.executable, "-m", "pre_commit", *args]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean true.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    assert isinstance(on, dict), f"unexpected triggers: {on!r}"
    return on


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    jobs = workflow["jobs"]
    assert len(jobs) == 1, f"expected one job, found {sorted(jobs)}"
    (job,) = jobs.values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _index(steps: list[dict[str, Any]], text: str) -> int:
    """The position of the first step whose `run` script holds ``text`` as a whole line."""
    for i, step in enumerate(steps):
        if text in [line.strip() for line in str(step.get("run", "")).splitlines()]:
            return i
    raise AssertionError(f"no step runs {text!r}")


def _hook(config: dict[str, Any]) -> dict[str, Any]:
    hooks = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "mapdaily-check"]
    assert len(hooks) == 1, f"expected one mapdaily-check hook, found {len(hooks)}"
    hook: dict[str, Any] = hooks[0]
    return hook


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment with its own HOME, an empty global git config, no system git config, its own
    pre-commit store, and this interpreter's scripts first on PATH (a `language: system` hook finds
    mapdaily there). Shared by the session so pip's cache under HOME is reused between hook builds."""
    base = tmp_path_factory.mktemp("automation-home")
    home = base / "home"
    home.mkdir()
    gitconfig = base / "gitconfig"
    gitconfig.write_text("", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    return {
        **clean,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "PRE_COMMIT_HOME": str(base / "pre-commit"),
        "PATH": os.pathsep.join([str(BIN), clean.get("PATH", "")]),
    }


@pytest.fixture(scope="session")
def project_copy(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """This project's working tree (tracked and new, not ignored, files) committed into a fresh git
    repository, because `pre-commit try-repo` installs a hook repository from its commits."""
    listed = _git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    copy = tmp_path_factory.mktemp("project") / "mapdaily"
    _git_init(copy, env)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out, as it will be
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    assert (copy / ".pre-commit-hooks.yaml").is_file()
    _commit_all(copy, env, "snapshot of the working tree")
    return copy


@pytest.fixture
def digest(tmp_path: Path, env: dict[str, str]) -> Path:
    """A scratch digest: a git repository with papers.yaml and the README that `mapdaily render`
    makes from it, committed."""
    repo = tmp_path / "digest"
    _git_init(repo, env)
    (repo / "papers.yaml").write_text(PAPERS, encoding="utf-8")
    _ok(_run([_mapdaily(), "render"], repo, env))
    assert "<!-- mapdaily:start -->" in (repo / "README.md").read_text(encoding="utf-8")
    _commit_all(repo, env, "a digest")
    _ok(_run([_mapdaily(), "check"], repo, env))
    return repo


def _hand_edit(repo: Path, env: dict[str, str]) -> None:
    """Change a comment inside the README's generated region and stage it, as a curator might."""
    readme = repo / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index("<!-- mapdaily:start -->"), text.index("<!-- mapdaily:end")
    old = "A small model predicts the KV cache of a larger one."
    assert start < text.index(old) < end
    readme.write_text(text.replace(old, "Edited by hand, not in papers.yaml."), encoding="utf-8")
    _git(repo, env, "add", "README.md")


# --- workflows ------------------------------------------------------------------------------------

ALL_WORKFLOWS = [
    pytest.param(path, id=f"{kind}-{name}")
    for kind, files in (("repo", WORKFLOWS), ("template", TEMPLATE_WORKFLOWS))
    for name, path in files.items()
]


@pytest.mark.parametrize("path", ALL_WORKFLOWS)
def test_workflow_validates_against_the_github_workflow_schema(path: Path, env: dict[str, str]) -> None:
    _validates(path, env)


def _validates(path: Path, env: dict[str, str]) -> None:
    _require("check_jsonschema", "check-jsonschema")
    result = _run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", path],
        ROOT,
        env,
    )
    assert "ok -- validation done" in _ok(result)


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path, env: dict[str, str]) -> None:
    _require("check_jsonschema", "check-jsonschema")
    broken = tmp_path / "broken.yml"
    no_runs_on = "on: push\njobs:\n  check:\n    steps:\n      - run: mapdaily check\n"
    broken.write_text(no_runs_on, encoding="utf-8")
    result = _run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", broken],
        tmp_path,
        env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "runs-on" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("kind", "path"), [("repo", WORKFLOWS["check"]), ("template", TEMPLATE_WORKFLOWS["check"])]
)
def test_check_workflow_installs_and_checks_on_every_push_and_pull_request(kind: str, path: Path) -> None:
    workflow = _load(path)
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    steps = _steps(workflow)
    assert steps[0]["uses"].startswith("actions/checkout@")
    setup = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    major, minor = (int(n) for n in str(setup["with"]["python-version"]).split(".")[:2])
    assert (major, minor) >= (3, 11)
    assert _index(steps, INSTALL[kind]) < _index(steps, "mapdaily check")


@pytest.mark.parametrize(
    ("kind", "path"), [("repo", WORKFLOWS["rotate"]), ("template", TEMPLATE_WORKFLOWS["rotate"])]
)
def test_rotate_workflow_rotates_each_morning_as_the_bot_and_pushes(kind: str, path: Path) -> None:
    workflow = _load(path)
    triggers = _triggers(workflow)
    assert "workflow_dispatch" in triggers
    (schedule,) = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*"), "rotate must run every day"
    assert int(hour) < 6, "rotate must run early in the morning, UTC"
    assert workflow["permissions"] == {"contents": "write"}
    assert workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False, "a running rotation is never cut short"

    steps = _steps(workflow)
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0
    assert checkout.get("with", {}).get("persist-credentials", True) is True, "the push needs the token"
    identity = steps[_index(steps, f'git config user.name "{BOT_NAME}"')]["run"]
    assert f'git config user.email "{BOT_EMAIL}"' in identity
    rotate = _index(steps, 'mapdaily rotate --push ${DATE:+--date "$DATE"}')
    assert _index(steps, f'git config user.name "{BOT_NAME}"') < rotate
    assert _index(steps, INSTALL[kind]) < rotate
    # The optional date reaches the shell through the environment, never pasted into the script.
    assert steps[rotate]["env"] == {"DATE": "${{ inputs.date }}"}
    assert "date" in triggers["workflow_dispatch"]["inputs"]


@pytest.mark.parametrize("name", NAMES)
def test_templates_differ_from_this_repository_only_in_where_mapdaily_comes_from(name: str) -> None:
    ours = WORKFLOWS[name].read_text(encoding="utf-8")
    template = TEMPLATE_WORKFLOWS[name].read_text(encoding="utf-8")
    assert ours.count(INSTALL["repo"]) == 1
    assert template == ours.replace(INSTALL["repo"], INSTALL["template"])


# --- pre-commit -----------------------------------------------------------------------------------


def test_hook_manifest_is_valid_and_runs_the_check_once(env: dict[str, str]) -> None:
    _ok(_run(_pre_commit("validate-manifest", HOOKS_FILE), ROOT, env))
    manifest = _load(HOOKS_FILE)
    assert [h["id"] for h in manifest] == ["mapdaily-check"]
    (hook,) = manifest
    assert hook["entry"] == "mapdaily check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False


@pytest.mark.parametrize(
    "name",
    [
        "papers.yaml",
        "README.md",
        "archived_papers.md",
        "archived_papers/2024W41.md",
        "mapdaily.toml",
        "pyproject.toml",
        "templates/readme.md.j2",
    ],
)
def test_hook_runs_when_the_data_a_page_or_the_configuration_changes(name: str) -> None:
    assert re.search(_load(HOOKS_FILE)[0]["files"], name)


@pytest.mark.parametrize(
    "name",
    ["mapdaily_cli/cli.py", "notes.txt", "papers.yaml.bak", ".github/workflows/check.yml", "setup.cfg"],
)
def test_hook_stays_quiet_for_other_files(name: str) -> None:
    assert not re.search(_load(HOOKS_FILE)[0]["files"], name)


def test_pre_commit_template_is_valid_and_matches_the_hook(env: dict[str, str]) -> None:
    _ok(_run(_pre_commit("validate-config", PRE_COMMIT_TEMPLATE), ROOT, env))
    (offered,) = _load(HOOKS_FILE)
    config = _load(PRE_COMMIT_TEMPLATE)
    hook = _hook(config)
    assert [r["repo"] for r in config["repos"]] == ["local"]
    assert hook["language"] == "system"
    assert hook["entry"] == offered["entry"]
    assert hook["pass_filenames"] is False
    assert hook["files"] == offered["files"]


def test_pre_commit_template_passes_a_clean_digest_and_stops_a_hand_edit(
    digest: Path, env: dict[str, str]
) -> None:
    shutil.copy2(PRE_COMMIT_TEMPLATE, digest / ".pre-commit-config.yaml")
    _commit_all(digest, env, "pre-commit")
    run = _pre_commit("run", "--all-files", "--color=never")

    passed = _ok(_run(run, digest, env))
    assert re.search(r"^mapdaily check\.+Passed$", passed, re.M), passed

    _hand_edit(digest, env)
    failed = _run(run, digest, env)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert re.search(r"^mapdaily check\.+Failed$", output, re.M), output
    assert "+| KV Prediction For Improved Time to First Token | Apple | A small model predicts" in output


def test_try_repo_passes_a_clean_digest(project_copy: Path, digest: Path, env: dict[str, str]) -> None:
    result = _run(
        _pre_commit("try-repo", project_copy, "mapdaily-check", "--all-files", "--color=never"),
        digest,
        env,
        timeout=300,
    )
    output = _ok(result)
    # A hook whose files matched nothing is "Skipped" and exits 0 too: insist that it ran.
    assert re.search(r"^mapdaily check\.+Passed$", output, re.M), output


def test_try_repo_fails_after_a_hand_edit_in_the_generated_region(
    project_copy: Path, digest: Path, env: dict[str, str]
) -> None:
    _hand_edit(digest, env)
    result = _run(
        _pre_commit("try-repo", project_copy, "mapdaily-check", "--all-files", "--color=never"),
        digest,
        env,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(r"^mapdaily check\.+Failed$", output, re.M), output
    assert "-| KV Prediction For Improved Time to First Token | Apple | Edited by hand" in output
    assert "+| KV Prediction For Improved Time to First Token | Apple | A small model predicts" in output
    # The check wrote nothing: the hand edit is still there for the curator to move into the data.
    assert "Edited by hand" in (digest / "README.md").read_text(encoding="utf-8")


def test_the_test_workflow_runs_the_suite_on_every_supported_python(env: dict[str, str]) -> None:
    path = ROOT / ".github" / "workflows" / "tests.yml"
    _validates(path, env)
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    job = workflow["jobs"]["tests"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    runs = " ".join(step.get("run", "") for step in _steps(workflow))
    assert "pip install '.[test]'" in runs and "pytest" in runs


def test_the_quick_start_is_two_commands_that_need_no_network() -> None:
    # CI runs every line of the block: an install and check, and the tests; nothing that reaches out.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^#+ *Quick ?start\s*\n+```[^\n]*\n(.*?)^```", text, re.M | re.S | re.I)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert lines == ["pip install . && mapdaily check", "pip install '.[test]' && pytest"]

"""`mapdaily add` at a real (pseudo-)terminal: prompts for what is missing, $EDITOR for the comment;
Ctrl-C or Ctrl-D at any prompt is an interruption that changes nothing."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from conftest import git

CTRL_C, CTRL_D = b"\x03", b"\x04"
PROMPTS = [
    (b"Title:", b"A Title Typed at the Prompt\r"),
    (b"URL:", b"https://arxiv.org/abs/2410.12345\r"),
    (b"Affiliation:", b"Lab\r"),
    (b"$EDITOR):", b"\r"),
]


def _reading(pid: int) -> None:
    """Wait until the process ``pid`` sleeps, that is waits for the answer to the prompt it just
    showed (on Linux; elsewhere return at once). A Ctrl-C typed just before the interpreter starts
    to read is noticed only after the read returns, so the prompt would wait on."""
    stat = Path(f"/proc/{pid}/stat")
    while stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "R":
        time.sleep(0.01)


def _converse(
    args: Sequence[str], answers: list[tuple[bytes, bytes]], env: Mapping[str, str]
) -> tuple[int, str]:
    """Run ``mapdaily args`` on a new terminal, typing each answer when its prompt shows; return
    the exit code and everything the terminal showed (without colours). The answers that were typed
    are popped."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: mapdaily on the terminal
        os.execve(sys.executable, [sys.executable, "-m", "mapdaily_cli", *args], dict(env))
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not select.select([fd], [], [], 1)[0]:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if answers and seen.rstrip().endswith(answers[0][0]):
            _reading(pid)
            os.write(fd, answers.pop(0)[1])
    else:
        os.kill(pid, signal.SIGKILL)  # a test that fails, not one that hangs
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), re.sub(r"\x1b\[[0-9;]*m", "", seen.decode(errors="replace"))


def _env(editor: str) -> dict[str, str]:
    return {**os.environ, "EDITOR": editor, "PYTHONPATH": str(Path(__file__).parents[1])}


def test_add_prompts_at_a_terminal(repo: Path) -> None:
    env = _env(f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write('From the editor.')\"")
    answers = list(PROMPTS)
    code, seen = _converse(["-C", str(repo), "add", "--date", "2024-10-15"], answers, env)
    assert code == 0, seen
    assert answers == []
    assert "added 2024-10-15#1: A Title Typed at the Prompt" in seen
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == (
        "date: 2024-10-15\npapers:\n- title: A Title Typed at the Prompt\n"
        "  url: https://arxiv.org/abs/2410.12345\n  affiliation: Lab\n  comment: From the editor.\n"
    )


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("at", range(len(PROMPTS)), ids=["title", "url", "affiliation", "comment"])
def test_an_interrupted_prompt_changes_nothing(repo: Path, key: bytes, at: int) -> None:
    answers = [*PROMPTS[:at], (PROMPTS[at][0], key)]
    code, seen = _converse(["-C", str(repo), "add", "--date", "2024-10-15"], answers, _env("false"))
    assert answers == []
    assert code == 130, seen
    assert "interrupted; nothing was changed" in seen
    assert "error" not in seen
    assert sorted(p.name for p in repo.iterdir()) == [".git"]
    assert git(repo, "status", "--porcelain", "--ignored") == ""


def test_an_interrupted_editor_changes_nothing(repo: Path) -> None:
    # The editor is interrupted as Ctrl-C at the terminal interrupts every process in its foreground.
    editor = f'{sys.executable} -c "import os, signal; os.kill(os.getppid(), signal.SIGINT)"'
    answers = [(b"Title:", b"A Title\r"), (b"URL:", b"\r"), (b"Affiliation:", b"\r"), (b"$EDITOR):", b"\r")]
    code, seen = _converse(["-C", str(repo), "add", "--date", "2024-10-15"], answers, _env(editor))
    assert code == 130, seen
    assert "interrupted; nothing was changed" in seen
    assert sorted(p.name for p in repo.iterdir()) == [".git"]


def _recording_editor(tmp_path: Path, write: str) -> tuple[str, Path]:
    """An editor that appends what it was opened on to a log, then writes ``write`` (Python
    code run with ``p``, the file's path, and ``t``, its text)."""
    log = tmp_path / "opened.log"
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
        f"open({str(log)!r}, 'a', encoding='utf-8').write(t + '\\x00')\n{write}\n",
        encoding="utf-8",
    )
    return f"{sys.executable} {script}", log


def test_each_answer_is_checked_as_it_is_typed(repo: Path, tmp_path: Path) -> None:
    editor, log = _recording_editor(tmp_path, "open(p, 'a', encoding='utf-8').write('Typed.')")
    answers = [
        (b"Title:", b"   \r"),
        (b"Title:", b"A Title\r"),
        (b"URL:", b"not a link\r"),
        (b"URL:", b"arxiv.org/abs/2410.06205\r"),
        (b"Affiliation:", b"\r"),
        (b"$EDITOR):", b"\r"),
    ]
    code, seen = _converse(["-C", str(repo), "add", "--date", "2024-10-15"], answers, _env(editor))
    assert code == 0, seen
    assert answers == []
    assert "the title is required" in seen and "'not a link' is not an http(s) url" in seen
    data = (repo / "papers.yaml").read_text(encoding="utf-8")
    assert "  url: https://arxiv.org/abs/2410.06205\n  comment: Typed.\n" in data
    opened = log.read_text(encoding="utf-8")
    assert "comment on A Title (2024-10-15)" in opened  # the editor says which paper it is for
    assert "mapdaily" not in data


def test_a_duplicate_is_refused_before_the_comment_is_written(repo: Path, tmp_path: Path) -> None:
    from conftest import run_cli

    assert (
        run_cli(
            repo,
            "add",
            "--title",
            "Known",
            "--url",
            "https://arxiv.org/abs/2410.06205",
            "--date",
            "2024-10-15",
        )[0]
        == 0
    )
    editor, log = _recording_editor(tmp_path, "")
    answers = [(b"Title:", b"Another Title\r"), (b"URL:", b"https://arxiv.org/pdf/2410.06205v2\r")]
    code, seen = _converse(["-C", str(repo), "add"], answers, _env(editor))
    assert code == 1, seen
    assert answers == []
    assert "already in the digest" in seen
    assert "Affiliation:" not in seen and not log.exists()


def test_edit_asks_before_reopening_and_stops_on_an_unchanged_file(repo: Path, tmp_path: Path) -> None:
    from conftest import run_cli

    assert run_cli(repo, "add", "--title", "Known", "--date", "2024-10-15")[0] == 0
    before = (repo / "papers.yaml").read_text(encoding="utf-8")
    # The first time the editor writes YAML that is no mapping; after that it exits at once.
    editor, log = _recording_editor(
        tmp_path, "if t.count('\\x00') == 0 and 'Known' in t: open(p, 'w').write('title: [oops\\n')"
    )
    answers = [(b"again to fix it? [Y/n]:", b"\r")]
    code, seen = _converse(["-C", str(repo), "edit", "Known"], answers, _env(editor))
    assert code == 1, seen
    assert answers == []
    assert "came back unchanged" in seen
    assert log.read_text(encoding="utf-8").count("\x00") == 2  # opened twice, not in a loop
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == before


def test_edit_stops_when_told_not_to_reopen(repo: Path, tmp_path: Path) -> None:
    from conftest import run_cli

    assert run_cli(repo, "add", "--title", "Known", "--date", "2024-10-15")[0] == 0
    editor, log = _recording_editor(tmp_path, "open(p, 'w').write('title: [oops\\n')")
    answers = [(b"again to fix it? [Y/n]:", b"n\r")]
    code, seen = _converse(["-C", str(repo), "edit", "Known"], answers, _env(editor))
    assert code == 1, seen
    assert answers == [] and "nothing was changed" in seen
    assert log.read_text(encoding="utf-8").count("\x00") == 1

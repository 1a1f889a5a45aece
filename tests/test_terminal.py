"""`mapdaily add` at a real (pseudo-)terminal: prompts for what is missing, $EDITOR for the comment."""

from __future__ import annotations

import os
import pty
import sys
import time
from pathlib import Path


def test_add_prompts_at_a_terminal(repo: Path) -> None:
    env = {
        **os.environ,
        "EDITOR": f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write('From the editor.')\"",
        "PYTHONPATH": str(Path(__file__).parents[1]),
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: mapdaily on the terminal
        os.execve(
            sys.executable,
            [sys.executable, "-m", "mapdaily_cli", "-C", str(repo), "add", "--date", "2024-10-15"],
            env,
        )
    answers = [
        (b"Title:", b"A Title Typed at the Prompt\r"),
        (b"URL:", b"https://arxiv.org/abs/2410.12345\r"),
        (b"Affiliation:", b"Lab\r"),
        (b"$EDITOR):", b"\r"),
    ]
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if answers and seen.rstrip().endswith(answers[0][0]):
            os.write(fd, answers.pop(0)[1])
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert answers == []
    assert b"added 2024-10-15#1: A Title Typed at the Prompt" in seen
    assert (repo / "papers.yaml").read_text(encoding="utf-8") == (
        "date: 2024-10-15\npapers:\n- title: A Title Typed at the Prompt\n"
        "  url: https://arxiv.org/abs/2410.12345\n  affiliation: Lab\n  comment: From the editor.\n"
    )

"""The store's fast paths: a date read off the file's bytes against a parse, papers appended
as lines against the round trip, and the flock(2) lock against killed, interrupted and unusable
holders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import git, run_cli

from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import Paper
from mapdaily_cli.store import Stream, edits
from mapdaily_cli.store.chunks import split

NEWER = b"---\ndate: 2024-10-16\npapers: []\n"


def _quick_and_parsed(doc: bytes) -> tuple[object, object]:
    raw = NEWER + b"---\n" + doc
    _, chunks = split(raw, "papers.yaml")
    quick = chunks[-1].quick_date()
    try:
        stream = Stream(Path("p"), "p", raw, extra_fields=[])
        parsed: object = stream.day(len(stream) - 1).date
    except MapdailyError:
        parsed = None
    return quick, parsed


# A blank line holding only a CR (a Windows line end left in an LF file) or a NEL/LS character is a
# line break to YAML, so the indented line after it continues the date's scalar ('2024-10-15\n
# continued', refused by a parse): no date is read off such a document's bytes.
@pytest.mark.parametrize(
    "doc",
    [
        b"date: 2024-10-15\n\r\n  continued\npapers: []\n",
        b"date: 2024-10-15\n\r  continued\npapers: []\n",
        b"date: 2024-10-15\n\xc2\x85  continued\npapers: []\n",
        b"date: 2024-10-15\n\xe2\x80\xa8  continued\npapers: []\n",
    ],
    ids=["CRLF-blank", "CR-blank", "NEL", "LS"],
)
def test_a_date_the_parse_refuses_is_not_read_off_the_bytes(doc: bytes) -> None:
    quick, parsed = _quick_and_parsed(doc)
    assert parsed is None  # the parse refuses the document
    assert quick is None, f"quick_date read {quick} off a document the parse refuses"


def test_a_second_date_key_is_found_by_the_parse_that_reads_the_day() -> None:
    """The quick date is the one its first ``date:`` line gives: what else the document holds is for
    the parse that reads it, which refuses a second ``date:`` (looking for one would read every
    document's bytes on every walk)."""
    quick, parsed = _quick_and_parsed(b"date: 2024-10-15\npapers: []\ndate: 2024-10-17\n")
    assert quick == date(2024, 10, 15) and parsed is None


@pytest.mark.parametrize(
    "doc",
    [
        b"date: 2024-10-15",  # the file's end, no line end
        b"date: 2024-10-15\n",  # the file's end: nothing after the date line
        b"date: 2024-10-15\r\npapers: []\r\n",
        b"date: 2024-10-15\n\t\n  continued\npapers: []\n",
        b"date: 2024-10-15\n\n  continued\npapers: []\n",
        b"\xef\xbb\xbfdate: 2024-10-15\npapers: []\n",
        b"--- {date: 2024-10-15, papers: []}\n",
        b"--- !!map\ndate: 2024-10-15\npapers: []\n",
        b"# caf\xe9 (Latin-1)\ndate: 2024-10-15\npapers: []\n",
        b"date:\t2024-10-15\npapers: []\n",
        b"date: 2024-10-15\n...\n",
        b"# caf\xc3\xa9\ndate: 2024-10-15\npapers: []\n",
    ],
)
def test_a_date_read_off_the_bytes_is_never_another_date(doc: bytes) -> None:
    """Never a different date than the parse's (a document that is not UTF-8 is dated, but no
    longer refused on the walk: the parse, which every reading of it does, still refuses it)."""
    quick, parsed = _quick_and_parsed(doc)
    assert quick is None or quick == parsed or (parsed is None and b"\xe9 " in doc)


OLDER = "---\ndate: 2024-10-14\npapers:\n- title: Older\n"
NEW = [Paper("Gamma", "https://arxiv.org/abs/2410.00001", "MIT, CMU", "Clear, and short.")]


def _both(doc: str, new: list[Paper]) -> tuple[bytes, bytes, bool]:
    """(fast bytes, round-trip bytes, whether the fast path wrote them)."""
    fast = Stream(Path("papers.yaml"), "papers.yaml", doc + OLDER, extra_fields=["tags"])
    slowed: list[int] = []
    edit = fast._edit
    fast._edit = lambda i, change: (slowed.append(i), edit(i, change))[1]  # type: ignore[method-assign]
    fast.append_papers(0, new)
    slow = Stream(Path("papers.yaml"), "papers.yaml", doc + OLDER, extra_fields=["tags"])
    slow._edit(0, lambda d: edits.append(d, new))
    return fast.to_bytes(), slow.to_bytes(), not slowed


@pytest.mark.parametrize(
    "doc",
    [
        "date: 2024-10-15\npapers:\n- title: Alpha\n  comment: |+\n    kept\n\n\n",
        "date: 2024-10-15\npapers:\n- title: Alpha\n  comment: |+\n    kept\n    \n",
        "date: 2024-10-15\npapers:\n- title: Alpha\n...\n",
        "date: 2024-10-15\npapers: [ ]\n# nothing yet\n",
        "date: 2024-10-15\npapers:\n- title: Alpha\n# - title: a draft, commented out\n",
        "--- # a day\ndate: 2024-10-15\npapers:\n- title: Alpha  # a note\n",
        "date: 2024-10-15\npapers:\n- title: Alpha\nnotes:\n- a list after the papers\n",
    ],
)
def test_appended_papers_mean_what_the_round_trip_means(doc: str) -> None:
    fast, slow, _ = _both(doc, NEW)
    try:
        slow_days = list(Stream(Path("p"), "p", slow, extra_fields=["tags"]).days())
    except MapdailyError:
        return  # the round trip cannot write it either
    assert list(Stream(Path("p"), "p", fast, extra_fields=["tags"]).days()) == slow_days
    assert fast.endswith(OLDER.encode())


@pytest.mark.parametrize(
    "value",
    ["Plain", "a, b; c", "x#y", "[not] a {flow}", "émigré 😀 ünïcode", "a" * 999, "word " * 150 + "end"],
)
def test_a_day_as_mapdaily_writes_it_gets_the_round_trips_bytes(value: str) -> None:
    doc = "date: 2024-10-15\npapers:\n- title: Alpha\n  comment: |-\n    two\n    lines\n"
    fast, slow, _ = _both(doc, [Paper("T", comment=value, affiliation=value)])
    assert fast == slow


# ---------------------------------------------------------------------------------------------------
# The lock


def _digest(repo: Path) -> None:
    code, out, err = run_cli(repo, "add", "--title", "Alpha", "--date", "2024-10-15")
    assert code == 0, err + out


HOLDER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from mapdaily_cli.store.files import locked\n"
    "with locked(Path(sys.argv[1])):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(600)\n"
)


def _hold(lock: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_killed_holder_leaves_no_lock_behind(repo: Path) -> None:
    _digest(repo)
    holder = _hold(repo / ".git" / "mapdaily.lock")
    holder.kill()
    holder.wait()
    code, out, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert code == 0, err + out


def _waits_on(pid: int, lock: Path) -> bool:
    """Whether process ``pid`` has ``lock`` open (it opens it right before its wait loop)."""
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(lock) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_ctrl_c_while_waiting_for_the_lock_is_one_line_and_changes_nothing(repo: Path) -> None:
    _digest(repo)
    lock = (repo / ".git" / "mapdaily.lock").resolve()
    before = (repo / "papers.yaml").read_bytes()
    holder = _hold(lock)
    try:
        waiter = subprocess.Popen(
            [sys.executable, "-m", "mapdaily_cli", "-C", str(repo), "add", "--title", "Beta"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(600):  # a bound, not a timed assertion: it waits on the lock within seconds
            if _waits_on(waiter.pid, lock) or waiter.poll() is not None:
                break
            time.sleep(0.05)
        waiter.send_signal(signal.SIGINT)
        _, err = waiter.communicate()
    finally:
        holder.kill()
        holder.wait()
    assert waiter.returncode == 130, err
    assert err.strip().splitlines() == ["interrupted; nothing was changed"]
    assert (repo / "papers.yaml").read_bytes() == before


# A lock path that cannot be opened (here a folder; on a read-only .git, or a lock file another user
# left, it is EACCES/EROFS the same way) is one line saying what to fix, not an internal error.
def test_a_lock_path_that_cannot_be_opened_is_a_one_line_error_not_a_bug(repo: Path) -> None:
    _digest(repo)
    lock = repo / ".git" / "mapdaily.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    code, out, err = run_cli(repo, "add", "--title", "Beta", "--date", "2024-10-15")
    assert code == 1, (code, err)
    assert "internal error" not in err and "mapdaily.lock" in err
    assert git(repo, "status", "--porcelain") == ""


def test_a_field_named_as_a_yaml_word_is_refused_in_the_settings(repo: Path) -> None:
    """``on``, ``yes``, ``null`` ... read back as a boolean or null: such a field could never be stored."""
    (repo / "mapdaily.toml").write_text('extra_fields = ["on"]\n', encoding="utf-8")
    code, _, err = run_cli(repo, "check")
    assert code == 2 and "'on' reads as a boolean in YAML" in err and len(err.strip().splitlines()) == 1


def test_a_value_that_was_not_utf8_on_the_command_line_is_refused_by_name(repo: Path) -> None:
    _digest(repo)
    code, _, err = run_cli(repo, "add", "--title", "Caf\udce9", "--date", "2024-10-15")
    assert code == 1 and "title" in err and "not UTF-8" in err and "papers.yaml:" not in err

"""The fast paths of the daily commands mean exactly what the slow ones do: papers appended as lines
read back as the round trip would have them (and are the very bytes it writes, for a day as mapdaily
writes it), a date read off the file's bytes is the parsed one, and `add` loads only what it needs."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import copy_seed
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import Paper
from mapdaily_cli.store import Stream
from mapdaily_cli.store.chunks import split

ROOT = Path(__file__).parents[1]

#: Field values: any text, and text made of the characters that decide how YAML writes a scalar.
text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
    | st.text(st.sampled_from("aZ09 :#-,.'\"[]{}!&*|>%@`?~=/\\"), min_size=1, max_size=12)
    | st.sampled_from(["yes", "No", "null", "~", "1.5", "0o17", "2024-10-15", "12:30", "0x1F", ".inf"])
).filter(str.strip)
optional = st.none() | text
papers = st.lists(
    st.builds(lambda t, u, a, c: Paper(t.strip(), u, a, c), text, optional, optional, optional),
    min_size=1,
    max_size=3,
)

#: Day documents as people and tools write them: mapdaily's own layout first, then the others the
#: fast path must either handle or hand to the round trip.
LAYOUTS = [
    "date: 2024-10-15\npapers:\n- title: Alpha\n  url: https://arxiv.org/abs/2410.00001\n",
    "date: 2024-10-15\npapers: []\n",
    "date: 2024-10-15\npapers:\n- title: Alpha\n\n\n",
    "date: 2024-10-15\npapers:\n- title: Alpha\n# a closing comment\n",
    "date: 2024-10-15\npapers:\n  - title: Alpha\n    comment: indented list\n",
    "date: 2024-10-15\npapers: [{title: Alpha}]\n",
    "date: 2024-10-15\npapers:\n- title: Alpha\n  comment: |+\n    kept\n\n",
    "date: 2024-10-15\npapers:\n- title: Alpha\n  tags: |\n    two\n    lines\n",
    "papers:\n- title: Alpha\ndate: 2024-10-15\n",
    "date: 2024-10-15\r\npapers:\r\n- title: Alpha\r\n",
    "date: 2024-10-15\npapers:\n- title: Alpha\n  comment: >-\n    folded\n    text\n",
    '---\ndate: "2024-10-15"\npapers:\n- {title: Alpha}\n',
]
OLDER = "---\ndate: 2024-10-14\npapers:\n- title: Older\n"


def _stream(doc: str) -> Stream:
    return Stream(Path("papers.yaml"), "papers.yaml", doc + OLDER, extra_fields=["tags"])


def _slow(doc: str, new: list[Paper]) -> Stream:
    """The same append through the round trip alone."""
    stream = _stream(doc)
    stream._edit(0, lambda d: __import__("mapdaily_cli.store.edits", fromlist=["append"]).append(d, new))
    return stream


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(LAYOUTS), new=papers)
def test_appended_papers_read_back_as_the_round_trip_has_them(layout: str, new: list[Paper]) -> None:
    fast, slow = _stream(layout), _slow(layout, new)
    before = fast.day(0)
    fast.append_papers(0, new)
    again = Stream(Path("p"), "p", fast.to_bytes(), extra_fields=["tags"])
    assert [d.date for d in again.days()] == [date(2024, 10, 15), date(2024, 10, 14)]
    assert again.day(0) == slow.day(0)
    assert fast.day(0).papers == before.papers + tuple(new)
    assert fast.to_bytes().endswith(OLDER.encode())  # the other days untouched


@settings(max_examples=300, deadline=None)
@given(new=papers)
@example(new=[Paper("0o17"), Paper("12e3", "2024-10-15", "yes", "a: b")])
@example(new=[Paper("Plain Title", "https://arxiv.org/abs/2410.00001", "MIT, CMU", "Good, and clear.")])
def test_a_day_as_mapdaily_writes_it_gets_the_bytes_the_round_trip_writes(new: list[Paper]) -> None:
    for layout in LAYOUTS[:2]:
        fast = _stream(layout)
        fast.append_papers(0, new)
        assert fast.to_bytes() == _slow(layout, new).to_bytes()


def test_the_last_day_without_a_line_end_gets_one() -> None:
    stream = Stream(Path("p"), "p", "date: 2024-10-15\npapers:\n- title: Alpha", extra_fields=[])
    stream.append_papers(0, [Paper("Beta")])
    assert stream.to_bytes() == b"date: 2024-10-15\npapers:\n- title: Alpha\n- title: Beta\n"


def test_a_layout_it_cannot_append_to_is_left_to_the_round_trip() -> None:
    """A flow list, Windows line ends, papers not the last key: the text is not appended to."""
    from mapdaily_cli.store.append import appended

    for layout in (LAYOUTS[5], LAYOUTS[9]):
        assert appended(layout, "- title: Beta\n") is None
    # Appending after `date:` would put the list entry in the wrong place: reading it back says so.
    stream = _stream(LAYOUTS[8])
    stream.append_papers(0, [Paper("Beta")])
    assert [p.title for p in stream.day(0).papers] == ["Alpha", "Beta"]


@settings(max_examples=80, deadline=None)
@given(
    comment=st.sampled_from(["", "# a comment\n", "   \n", "#\n# two\n"]),
    quote=st.sampled_from(["", "'", '"']),
    after=st.sampled_from(["", "  ", " # note"]),
    marker=st.sampled_from(["", "---\n", "--- # day\n"]),
    rest=st.sampled_from(["papers: []\n", "  continued\npapers: []\n", "papers:\n- title: A\n"]),
)
def test_a_date_read_off_the_bytes_is_the_parsed_date(
    comment: str, quote: str, after: str, marker: str, rest: str
) -> None:
    doc = f"{marker}{comment}date: {quote}2024-10-15{quote}{after}\n{rest}"
    raw = ("---\ndate: 2024-10-16\npapers: []\n" + ("" if marker else "---\n") + doc).encode()
    _, chunks = split(raw, "papers.yaml")
    quick = chunks[-1].quick_date()
    try:
        stream = Stream(Path("p"), "p", raw, extra_fields=[])
        parsed = stream.day(len(stream) - 1).date
    except MapdailyError:
        parsed = None
    if quick is not None:  # None means "parse to know", which is always right
        assert quick == parsed == date(2024, 10, 15)


@pytest.mark.parametrize("commit", [False, True])
def test_add_loads_only_what_it_needs(tmp_path: Path, commit: bool) -> None:
    """No pydantic (typer's coercion), no Rich (not at a terminal), no GitPython, no filelock, no
    importer, no check, merging or site search room: `add` stays close to the interpreter's floor."""
    repo = copy_seed(tmp_path)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    for key, value in (("user.name", "C"), ("user.email", "c@example.com"), ("commit.gpgsign", "false")):
        subprocess.run(["git", "config", key, value], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "seed"], cwd=repo, check=True)
    unwanted = ("pydantic", "rich", "git", "filelock", "markdown_it", "mapdaily_cli.importer")
    unwanted += ("mapdaily_cli.api.check", "mapdaily_cli.api.merging", "mapdaily_cli.api.sync")
    args = ["add", "--title", "A Paper About Floors", "--url", "https://arxiv.org/abs/2410.99999"]
    args += ["--comment", "short"] + ([] if commit else ["--no-commit"])
    probe = (
        "import atexit, sys\n"
        f"unwanted = {unwanted!r}\n"
        "atexit.register(lambda: print(sorted({m for m in sys.modules if m.startswith(unwanted)"
        " and (m in unwanted or m.split('.')[0] in unwanted and not m.startswith('mapdaily_cli'))}),"
        " file=sys.stderr))\n"
        "from mapdaily_cli.cli import main\n"
        f"sys.argv = ['mapdaily', *{args!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=repo)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


@settings(max_examples=400, deadline=None)
@given(value=text | st.sampled_from(["", "~", "<<", "=", "Yes", "ON", "nULL", "y", "Off", "!", "&a", "*"]))
def test_text_told_by_its_first_character_is_what_pyyaml_resolves(value: str) -> None:
    from mapdaily_cli.store.yamlio import reads_as_text

    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    assert reads_as_text(value) == (tag == "tag:yaml.org,2002:str")


def test_templates_compiled_once_render_the_same(git_repo: Path) -> None:
    """The compiled templates kept in the git folder render exactly what compiling them anew does;
    a dry run keeps none; a template changed in the digest's own folder is compiled again."""
    from conftest import run_cli

    def ok(*args: str) -> str:
        code, out, err = run_cli(git_repo, *args)
        assert code == 0, err + out
        return out

    ok("init")
    import shutil

    shutil.rmtree(git_repo / ".git" / "mapdaily-templates")
    ok("add", "--title", "First Paper", "--date", "2024-10-14", "--dry-run")
    assert not (git_repo / ".git" / "mapdaily-templates").exists()
    ok("add", "--title", "First Paper", "--date", "2024-10-14")
    kept = sorted((git_repo / ".git" / "mapdaily-templates").iterdir())
    assert kept
    first = (git_repo / "README.md").read_text(encoding="utf-8")
    (git_repo / "README.md").write_text(first.replace("First Paper", "Stale"), encoding="utf-8")
    ok("render", "--discard-hand-edits")
    assert (git_repo / "README.md").read_text(encoding="utf-8") == first
    for path in kept:
        path.write_bytes(b"not bytecode")  # a damaged cache is compiled anew, not trusted
    ok("render", "--discard-hand-edits")
    assert (git_repo / "README.md").read_text(encoding="utf-8") == first
    ok("check")


def test_the_paper_counts_kept_in_the_scan_cache_are_the_files(git_repo: Path) -> None:
    """Whatever the commands did, the counts the scan cache keeps for a version of papers.yaml are
    what a parse of that version gives, and the index made from them is the one a full parse makes."""
    import json
    import zlib

    from conftest import run_cli

    def ok(*args: str) -> None:
        code, out, err = run_cli(git_repo, *args)
        assert code == 0, err + out

    ok("add", "--title", "First Paper", "--date", "2024-10-07")
    for day, title in (("2024-10-08", "Second"), ("2024-10-14", "Third"), ("2024-10-15", "Fourth")):
        ok("rotate", "--date", day)
        ok("add", "--title", f"{title} Paper", "--date", day)
    ok("rotate", "--date", "2024-10-21")  # a Monday: a week closes, the index counts every week
    ok("remove", "2024-10-14#1")
    ok("rotate", "--date", "2024-10-28")
    data = (git_repo / "papers.yaml").read_bytes()
    entries = json.loads((git_repo / ".git" / "mapdaily-scan.json").read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["key"] == [len(data), zlib.crc32(data)])
    stream = Stream(Path("p"), "p", data, extra_fields=[])
    parsed = [len(stream.day(i).papers) for i in range(len(stream))]
    known = [(n, c) for n, c in zip(parsed, entry["counts"], strict=True) if c is not None]
    assert all(n == c for n, c in known)
    assert any(n is not None for n in entry["counts"])
    ok("check")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=80), st.data())
def test_the_key_of_a_file_written_as_new_documents_and_the_rest_is_its_crc(
    raw: bytes, head: bytes, data: st.DataObject
) -> None:
    # The scan cache's key of papers.yaml as written (new documents, then the untouched rest of the
    # bytes read) follows from the CRC of the bytes read, without reading the rest again.
    import zlib

    from mapdaily_cli.store.scan import ScanCache

    start = data.draw(st.integers(0, len(raw)))
    expected = [len(head) + len(raw) - start, zlib.crc32(head + raw[start:])]
    cache = ScanCache(Path("/nonexistent/mapdaily-scan.json"))
    assert cache._key((head, raw, start)) == expected  # nothing known of raw: read
    cache._key(raw)
    assert cache._key((head, raw, start)) == expected  # from raw's CRC


@pytest.mark.parametrize("raw", [b"", b"\n\n", b"# a header comment only\n", b"\xef\xbb\xbf", b"%YAML 1.2\n"])
def test_a_stream_without_documents_splits_into_none(raw: bytes) -> None:
    preamble, chunks = split(raw, "papers.yaml")
    assert (preamble, chunks) == (raw, [])


def test_a_command_line_makes_only_the_command_it_runs() -> None:
    # Typer reads every command's signature to make the app's group (~6 ms on every command line);
    # the group makes a command when it is asked for, and still lists them all in their order.
    import typer.main

    from mapdaily_cli.cli import app

    group = typer.main.get_command(app)
    commands = group.commands
    assert getattr(commands, "made", None) == {}
    ctx = group.make_context("mapdaily", ["render"], resilient_parsing=True)
    assert group.get_command(ctx, "render") is not None and group.get_command(ctx, "nope") is None
    assert list(getattr(commands, "made", {})) == ["render"]
    assert list(commands)[:3] == ["add", "edit", "remove"] and len(commands) == len(list(commands))

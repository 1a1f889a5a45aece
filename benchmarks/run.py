"""The seven performance goals of mapdaily, each a ratio of two medians measured in one run.

Run it with the project's interpreter, from anywhere:

    .venv/bin/python benchmarks/run.py                          # build or reuse the digests, measure all
    .venv/bin/python benchmarks/run.py --only rotate,check      # just these (see GOALS and EXTRAS)
    .venv/bin/python benchmarks/run.py --repeats 11 --budget 0  # more runs, steadier medians
    .venv/bin/python benchmarks/run.py --fresh                  # rebuild the digests
    .venv/bin/python benchmarks/run.py --strict                 # exit 1 when a goal is missed

Two digest repositories are generated deterministically (seeded) under ``--dir``: ``ten-year``
(``--days`` days) and ``one-week`` (``--small-days`` days), both ending on ``--end``. Each is rendered
once with ``mapdaily render``, committed, and must pass ``mapdaily check``. They are kept, and
reused by later runs with the same parameters; every measurement that changes one resets it to the
recorded commit after each run, untimed.

Every measurement runs real subprocesses: one unmeasured run of each side first (it warms the
caches, gives the peak memory, the child's maximum resident set size as GNU time reports it, and
is checked to be the intended case), then the two sides alternately in ABBA order; the table
shows medians and their ratio against the goal, PASS or FAIL. benchmarks/README.md says what
each line measures and why.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FORMAT_VERSION = 3  # bump when the generated data changes shape, so kept digests are rebuilt

# --- vocabulary -----------------------------------------------------------------------------------


def _choices(text: str) -> tuple[str, ...]:
    """Items separated by ``|`` (line breaks are separators too)."""
    return tuple(item.strip() for item in text.replace("\n", " ").split("|") if item.strip())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


ADJECTIVES = _choices(
    """
    Scalable | Efficient | Robust | Sparse | Adaptive | Contrastive | Hierarchical | Causal |
    Multimodal | Self-Supervised | Federated | Differentiable | Interpretable | Generalizable |
    Lightweight | Unified | Latent | Continual | Zero-Shot | Few-Shot | Long-Context |
    Retrieval-Augmented | Compositional | Probabilistic | Equivariant | Diffusion-Based |
    Token-Level | Curriculum-Guided | Preference-Aligned | Quantized | Distilled | Recurrent |
    Multilingual | Open-Vocabulary | Streaming | Instruction-Tuned | Reward-Free | Verifiable |
    Agentic | Test-Time
    """
)
NOUNS = _choices(
    """
    Transformers | Language Models | Diffusion Models | Agents | Reward Models | Mixture-of-Experts |
    Vision Encoders | Tokenizers | Graph Networks | World Models | Speech Models | Code Models |
    State Space Models | Retrievers | Planners | Policies | Embeddings | Attention Heads | KV Caches |
    Benchmarks | Video Generators | Vision-Language Models | Autoencoders | Chain-of-Thought Prompts |
    Preference Datasets | Neural Solvers | Verifiers | Critics
    """
)
TASKS = _choices(
    """
    for Mathematical Reasoning | for Video Generation | in Low-Resource Languages |
    for Protein Design | under Distribution Shift | for Code Repair | for Long-Horizon Planning |
    in Open-Ended Dialogue | for Text-to-Image Editing | at Inference Time | for Theorem Proving |
    with Noisy Labels | for Speech Translation | on Edge Devices | for Tabular Data |
    for Scientific Discovery | without Human Feedback | in Multi-Agent Games |
    for Document Understanding | at Scale | for Molecule Generation | in Robotic Manipulation |
    for Music Generation | across Modalities | for Time Series Forecasting | in Medical Imaging |
    with Limited Memory | for Symbolic Music
    """
)
PROPERTIES = _choices(
    """
    Limits | Geometry | Scaling Laws | Failure Modes | Calibration | Robustness | Emergence |
    Sample Complexity | Memorization | Inductive Biases | Training Dynamics | Faithfulness
    """
)
VERBS = _choices(
    """
    Reason | Plan | Generalize | Memorize | Understand Time | Count | Know What They Know
    """
)
ROLES = _choices(
    """
    Zero-Shot Planners | Implicit Optimizers | Lossless Compressors | Weak Verifiers | Good Critics
    """
)
PLACES = _choices(
    """
    Tsinghua University | Peking University | Shanghai AI Lab | Google DeepMind | Google Research |
    Meta AI | Microsoft Research | Apple | NVIDIA | OpenAI | Anthropic | Stanford University | MIT |
    UC Berkeley | Carnegie Mellon University | University of Oxford | University of Cambridge |
    ETH Zürich | EPFL | HKU | HKUST | CUHK | NTU Singapore | National University of Singapore |
    KAIST | Seoul National University | University of Tokyo | Mila | University of Toronto |
    Allen Institute for AI | Hugging Face | Alibaba Group | ByteDance | Tencent AI Lab | Baidu |
    Kuaishou Technology | Zhejiang University | Fudan University | Shanghai Jiao Tong University |
    Nanjing University | University of Washington | Princeton University | New York University |
    Max Planck Institute for Intelligent Systems | University of Edinburgh | Sorbonne Université |
    Technion | Weizmann Institute of Science | IIT Bombay | University of Illinois Urbana-Champaign |
    Georgia Institute of Technology | University of Michigan | Harvard University | Yale University |
    Columbia University | Cornell University | Salesforce Research | Amazon | IBM Research |
    Samsung AI Center | Huawei Noah's Ark Lab | M-A-P
    """
)
BENCHMARKS = _choices(
    """
    MMLU | GSM8K | MATH | HumanEval | LiveCodeBench | AIME | HotpotQA | ARC-Challenge | SWE-bench |
    MT-Bench | ImageNet | COCO | OmniBench | BIG-Bench Hard | GPQA | Needle-in-a-Haystack
    """
)
SENTENCES = _lines(
    """
    The paper proposes {adj} {noun} {task}, and the motivation is clear.
    The writing is solid and the experiments cover {bench} and {bench2}.
    It is unclear whether the gains on {bench} survive a stronger baseline.
    The ablations are convincing, although the compute budget is not reported.
    Worth reading for anyone working on {lnoun} {task}.
    The authors release code and data, which is a valuable contribution in itself.
    Figures {n}-{m} are particularly interesting: they suggest that {lnoun} learn {lprop} early in training.
    The main claim is that {ladj} {lnoun} scale better than dense baselines; the results only partly agree.
    This reads like a careful engineering report rather than a research paper, and that is fine.
    There is room for a more rigorous treatment of {lprop}; the theory section is thin.
    A similar idea appeared last year, so a more thorough survey of related work would help.
    The benchmark is small ({n}00 examples) but cleanly built, and it could become a standard check.
    Results on {bench} are strong, but the comparison uses different decoding settings.
    The qualitative examples are cherry-picked; a human study would make the case stronger.
    Recommended reading, especially the appendix on {lprop}.
    The method is simple: train {ladj} {lnoun}, then distil them into a smaller student.
    It's disappointing that the evaluation stops at {bench}; {bench2} would have been more telling.
    Interesting observation: performance drops by {n}% when the prompt order is shuffled.
    The dataset seems expensive to build, and its licence is unclear.
    This could serve as a scalable fluid-intelligence benchmark.
    The authors argue that {lnoun} are {lrole}, an intriguing but speculative claim.
    Mark for further investigation: the link between {lprop} and data quality deserves a follow-up.
    """
)
# A few comments carry text that means something to markdown or HTML, as real comments sometimes do.
ODD_BITS = _lines(
    r"""
    They report pass@k with `k = 10` | `k = 100` in one table.
    The prompt template starts with <details> and ends with </table>, which is an odd choice.
    See [the appendix](#appendix) and *especially* the __second__ ablation.
    The loss is $\mathcal{L} = \sum_i x_i$, nothing new.
    Results: 3 < 5 & 7 > 2 :sparkles: ~not bad~.
    Code: https://github.com/example/repo#readme (under review).
    C++ kernels # not Python ones: that is where the speed-up comes from.
    A key point: "quality over quantity" — again.
    """
)

MONTH_BASE = 10000  # arXiv ids of a month count up from here (five digits)

# --- generating a digest --------------------------------------------------------------------------


class Generator:
    """Deterministic papers: unique titles, unique arXiv urls, affiliations, comments of varied length."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.titles: set[str] = set()
        self.next_id: dict[tuple[int, int], int] = {}

    def acronym(self) -> str:
        r = self.rng
        letters = "".join(r.choice("ABCDEFGHIKLMNOPRSTUVWXYZ") for _ in range(r.randint(3, 6)))
        return (
            letters if r.random() < 0.7 else letters.capitalize() + r.choice(("", "-2", "++", "-R1", "Bench"))
        )

    def title(self) -> str:
        r = self.rng
        for attempt in range(50):
            adj, noun, task = r.choice(ADJECTIVES), r.choice(NOUNS), r.choice(TASKS)
            kind = r.random()
            if kind < 0.35:
                text = f"{self.acronym()}: {adj} {noun} {task}"
            elif kind < 0.55:
                text = f"{adj} {noun} {task}"
            elif kind < 0.65:
                text = f"Towards {adj} {noun} {task}"
            elif kind < 0.75:
                text = f"On the {r.choice(PROPERTIES)} of {adj} {noun}"
            elif kind < 0.85:
                text = f"Do {noun} Really {r.choice(VERBS)}? Evidence from {r.choice(BENCHMARKS)}"
            elif kind < 0.93:
                text = f"{noun} Are {r.choice(ROLES)} {task}"
            else:
                text = f"{r.choice(PROPERTIES)} of {adj} {noun}: A Study {task}"
            if attempt > 10:
                text = f"{self.acronym()}-{attempt}: {text}"
            key = " ".join(text.split()).casefold()
            if key not in self.titles:
                self.titles.add(key)
                return text
        raise RuntimeError("could not make a unique title")

    def url(self, day: date) -> str:
        month = (day.year % 100, day.month)
        n = self.next_id.get(month, MONTH_BASE + self.rng.randint(0, 500))
        self.next_id[month] = n + self.rng.randint(1, 40)
        return f"https://arxiv.org/abs/{month[0]:02d}{month[1]:02d}.{n:05d}"

    def affiliation(self) -> str | None:
        r = self.rng
        if r.random() < 0.05:
            return None
        return ", ".join(r.sample(PLACES, r.choice((1, 1, 1, 2, 2, 3))))

    def comment(self) -> str:
        r = self.rng
        # Mostly a few hundred characters, a long tail up to a few thousand.
        target = min(4000, max(180, int(r.lognormvariate(5.97, 0.62))))
        parts: list[str] = []
        size = 0
        while size < target:
            if r.random() < 0.02:
                s = r.choice(ODD_BITS)
            else:
                b1, b2 = r.sample(BENCHMARKS, 2)
                n = r.randint(2, 14)
                s = r.choice(SENTENCES).format(
                    adj=r.choice(ADJECTIVES).lower(),
                    noun=r.choice(NOUNS).lower(),
                    task=r.choice(TASKS),
                    ladj=r.choice(ADJECTIVES).lower(),
                    lnoun=r.choice(NOUNS).lower(),
                    lprop=r.choice(PROPERTIES).lower(),
                    lrole=r.choice(ROLES).lower(),
                    bench=b1,
                    bench2=b2,
                    n=n,
                    m=n + r.randint(1, 4),
                )
            parts.append(s)
            size += len(s) + 1
        return " ".join(parts)

    def count(self, day: date) -> int:
        r = self.rng
        if day.weekday() >= 5:
            return r.randint(0, 3)
        return max(8, min(28, round(r.gauss(18, 3))))


_PLAIN = re.compile(r"[A-Za-z](?:[^\n]*[^\s:])?")
_YAML11_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null"}


def scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when unambiguous, else a JSON (= YAML) double-quoted string."""
    if _PLAIN.fullmatch(text) and ": " not in text and " #" not in text and text.lower() not in _YAML11_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def store_text(days: int, end: date, seed: int) -> tuple[str, int]:
    """papers.yaml for ``days`` days ending on ``end``, newest first, and its number of papers."""
    gen = Generator(seed)
    start = end - timedelta(days=days - 1)
    # Generate oldest first (ids grow with time), emit newest first.
    documents: list[str] = []
    total = 0
    for i in range(days):
        day = start + timedelta(days=i)
        lines = [f"date: {day.isoformat()}\n"]
        n = gen.count(day)
        if n == 0:
            lines.append("papers: []\n")
        else:
            lines.append("papers:\n")
        for _ in range(n):
            lines.append(f"- title: {scalar(gen.title())}\n")
            lines.append(f"  url: {gen.url(day)}\n")
            affiliation = gen.affiliation()
            if affiliation:
                lines.append(f"  affiliation: {scalar(affiliation)}\n")
            lines.append(f"  comment: {scalar(gen.comment())}\n")
        total += n
        documents.append("".join(lines))
    documents.reverse()
    header = (
        "# The digest's data: one YAML document per day, newest first (the first is today).\n"
        "# Change it with `mapdaily add`, `mapdaily edit` and `mapdaily rotate`; after a hand edit,"
        " run `mapdaily render`.\n"
    )
    return header + "---\n".join(documents), total


# --- running children -----------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    max_rss_kb: int
    returncode: int
    stdout: str
    stderr: str


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # PYTHONDONTWRITEBYTECODE would make every run compile the modules changed since their last
    # cached bytecode (an installed package has its bytecode written at install time).
    dropped = (
        "MAPDAILY_DEBUG",
        "PYTHONPROFILEIMPORTTIME",
        "PYTHONDEVMODE",
        "PYTHONTRACEMALLOC",
        "PYTHONDONTWRITEBYTECODE",
    )
    for key in dropped:
        env.pop(key, None)
    env.update(
        {
            "NO_COLOR": "1",
            "TERM": "dumb",
            "COLUMNS": "100",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
        }
    )
    return env


GNU_TIME = "/usr/bin/time"


def run(cmd: Sequence[str], cwd: Path, memory: bool = False, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion: wall time, exit code, output and, with ``memory``, its peak RSS.

    The peak comes from GNU time when it is installed (its ``%M``). Otherwise it is the child's own
    ``ru_maxrss`` from ``os.wait4``, an upper bound: exec starts the count from the RSS of the
    process that spawned the child, here this script. ``env`` is added to the child's environment.
    """
    use_time = memory and os.access(GNU_TIME, os.X_OK)
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile() as peak,
    ):
        argv = [GNU_TIME, "-f", "%M", "-o", peak.name, *cmd] if use_time else list(cmd)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env={**child_env(), **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        max_rss_kb = int(usage.ru_maxrss)  # kilobytes on Linux
        if use_time:
            lines = Path(peak.name).read_text(encoding="utf-8").split()
            if lines and lines[-1].isdigit():
                max_rss_kb = int(lines[-1])
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            max_rss_kb,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


# --- the two repositories -------------------------------------------------------------------------


@dataclass
class Repo:
    name: str
    path: Path
    days: int
    papers: int
    size: int
    pages: int
    commit: str = ""  # the commit every measurement returns the repository to


def checked(cmd: Sequence[str], cwd: Path, memory: bool = False, env: dict[str, str] | None = None) -> Run:
    result = run(cmd, cwd, memory, env)
    if result.returncode != 0:
        raise SystemExit(
            f"failed ({result.returncode}) in {cwd}: {' '.join(cmd)}\n{result.stdout}{result.stderr}"
        )
    return result


def git(path: Path, *args: str) -> str:
    return checked(["git", *args], path).stdout


def build_repo(path: Path, days: int, end: date, seed: int, mapdaily: str) -> Repo:
    """Generate, render, commit and check one digest repository at ``path``."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    t0 = time.perf_counter()
    text, papers = store_text(days, end, seed)
    data = text.encode("utf-8")
    (path / "papers.yaml").write_bytes(data)
    t1 = time.perf_counter()
    git(path, "init", "-q", "-b", "main")
    for key, value in (
        ("user.name", "Digest Curator"),
        ("user.email", "curator@example.org"),
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("gc.auto", "0"),
    ):
        git(path, "config", key, value)
    checked([mapdaily, "render"], path)
    t2 = time.perf_counter()
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", f"digest of {days} days")
    t3 = time.perf_counter()
    checked([mapdaily, "check"], path)
    pages = len(list((path / "archived_papers").glob("*.md")))
    print(
        f"  built {path.name}: {papers} papers, {len(data) / 1e6:.1f} MB, {pages} week pages"
        f" (data {t1 - t0:.1f}s, render {t2 - t1:.1f}s, commit {t3 - t2:.1f}s)",
        flush=True,
    )
    return Repo(path.name, path, days, papers, len(data), pages, git(path, "rev-parse", "HEAD").strip())


#: What a browser loads on opening the search page: the page and these files of its data folder.
OPENING = re.compile(r"^(minisearch|index|\d{4}-\d{2})\.js$")


def site_sizes(path: Path, python: str) -> str:
    """The sizes of the reader's side of a rendered digest, each file gzip-compressed on its own as
    a web server sends it, and the time to build it all from papers.yaml (in a fresh process)."""
    import gzip

    def packed(files: list[Path]) -> tuple[int, int]:
        return sum(f.stat().st_size for f in files), sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)

    data = sorted((path / "search").glob("*.js"))
    opening = packed([path / "search.html", *(f for f in data if OPENING.match(f.name))])
    notes = packed([f for f in data if f.name.endswith(".notes.js")])
    feed = packed([path / "feed.xml"])
    chart = packed([path / "archived_papers" / "weeks.svg"])
    code = (
        "import time\nfrom pathlib import Path\nfrom mapdaily_cli.config import load_config\n"
        "from mapdaily_cli.api.plan import open_stream, plan_site\nc = load_config(Path('.'))\n"
        "s = open_stream(c)\nt = time.perf_counter()\nplan_site(c, s)\nprint(time.perf_counter() - t)\n"
    )
    took = float(checked([python, "-c", code], path).stdout.strip())
    mb = 1e6
    return (
        f"search page on opening: {opening[0] / mb:.2f} MB, {opening[1] / mb:.2f} MB gzip (goal 1.5 MB gzip);"
        f" comments, loaded when a search needs them: {notes[0] / mb:.2f} MB, {notes[1] / mb:.2f} MB gzip"
        f" in {sum(1 for f in data if f.name.endswith('.notes.js'))} files; feed {feed[0] / 1e3:.0f} kB;"
        f" chart {chart[0] / 1e3:.0f} kB ({chart[1] / 1e3:.0f} kB gzip); building all of it (every day"
        f" parsed) {took:.1f}s"
    )


def reset(repo: Repo) -> None:
    """Back to the recorded commit: ``git reset --hard`` and no untracked files (never timed)."""
    git(repo.path, "reset", "-q", "--hard", repo.commit or "HEAD")
    git(repo.path, "clean", "-q", "-fd")


def forget_commits(repo: Repo) -> None:
    """Drop the objects of commits made and reset away (the committing add makes a 33 MB blob each)."""
    git(repo.path, "reflog", "expire", "--expire-unreachable=now", "--all")
    git(repo.path, "prune", "--expire=now")


def changed_paths(repo: Repo) -> list[str]:
    """The paths ``git status`` reports as changed or new (every untracked file listed)."""
    out = git(repo.path, "status", "--porcelain", "--untracked-files=all")
    return [line[3:] for line in out.splitlines() if line.strip()]


def refresh(repo: Repo, mapdaily: str) -> bool:
    """Render a kept digest again when the current mapdaily renders it differently; True if it did."""
    if run([mapdaily, "check"], repo.path).returncode == 0:
        return False
    # The pages are the benchmark's own, written by an earlier mapdaily: nothing of a user's to keep.
    checked([mapdaily, "render", "--discard-hand-edits"], repo.path)
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "render with the current mapdaily")
    checked([mapdaily, "check"], repo.path)
    repo.commit = git(repo.path, "rev-parse", "HEAD").strip()
    print(f"  {repo.name}: pages rendered again by the current mapdaily", flush=True)
    return True


def reuse(root: Path, wanted: dict[str, object], args: argparse.Namespace, mapdaily: str) -> list[Repo]:
    """The kept digests when ``params.json`` matches ``wanted`` (and both still exist), else []."""
    stamp = root / "params.json"
    if args.fresh or not stamp.is_file():
        return []
    try:
        saved = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        return []
    paths = [(root / "ten-year", args.days), (root / "one-week", args.small_days)]
    if saved.get("params") != wanted or not all((p / ".git").is_dir() for p, _ in paths):
        return []
    print(f"reusing the digests in {root} (--fresh rebuilds them)", flush=True)
    repos = []
    for p, days in paths:
        info = saved["repos"][p.name]
        repo = Repo(p.name, p, days, info["papers"], info["size"], info["pages"], info.get("commit", ""))
        reset(repo)  # an interrupted run may have left changes or a commit behind
        repo.commit = git(p, "rev-parse", "HEAD").strip()
        refresh(repo, mapdaily)
        repos.append(repo)
    return repos


def prepare(args: argparse.Namespace, mapdaily: str) -> tuple[Repo, Repo]:
    """The ten-year and one-week repositories: reused when their parameters match, else built."""
    root: Path = args.dir
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / "params.json"
    wanted: dict[str, object] = {
        "format": FORMAT_VERSION,
        "days": args.days,
        "small_days": args.small_days,
        "end": args.end.isoformat(),
        "seed": args.seed,
    }
    repos = reuse(root, wanted, args, mapdaily)
    if not repos:
        print(f"building the digests in {root} ...", flush=True)
        stamp.unlink(missing_ok=True)
        repos = [
            build_repo(root / "ten-year", args.days, args.end, args.seed, mapdaily),
            build_repo(root / "one-week", args.small_days, args.end, args.seed + 1, mapdaily),
        ]
    info = {r.name: {"papers": r.papers, "size": r.size, "pages": r.pages, "commit": r.commit} for r in repos}
    stamp.write_text(json.dumps({"params": wanted, "repos": info}, indent=2) + "\n", encoding="utf-8")
    return repos[0], repos[1]


# --- measuring ------------------------------------------------------------------------------------

Command = tuple[list[str], Path]


@dataclass
class Side:
    """One side of a comparison: ``command(i)`` is the i-th run (0 is the unmeasured warm-up);
    ``before`` and ``after`` run around every run, untimed; ``verify`` looks at the warm-up run
    (before ``after``) and says what is wrong with it, if anything."""

    label: str
    command: Callable[[int], Command]
    before: Callable[[], None] | None = None
    after: Callable[[], None] | None = None
    verify: Callable[[Run], str | None] | None = None

    def once(self, i: int, memory: bool = False) -> tuple[Run, str | None]:
        if self.before is not None:
            self.before()
        try:
            result = checked(*self.command(i), memory=memory)
            problem = self.verify(result) if self.verify is not None and i == 0 else None
        finally:
            if self.after is not None:
                self.after()
        return result, problem


def fixed(label: str, cmd: list[str], cwd: Path, **hooks: Any) -> Side:
    """A side that runs the same command every time."""
    return Side(label, lambda i: (cmd, cwd), **hooks)


@dataclass
class Row:
    """One comparison: the left side is mapdaily, the right side what it is measured against."""

    goal_no: str
    name: str
    left: str
    right: str
    goal: float
    left_runs: list[Run] = field(default_factory=list)
    right_runs: list[Run] = field(default_factory=list)
    left_peak_kb: int = 0
    right_peak_kb: int = 0
    skipped: str = ""  # why the line was not measured (a missing tool)
    error: str = ""  # why the measurement is not valid (it did not measure the intended case)

    @property
    def left_median(self) -> float:
        return statistics.median(r.seconds for r in self.left_runs)

    @property
    def right_median(self) -> float:
        return statistics.median(r.seconds for r in self.right_runs)

    @property
    def ratio(self) -> float:
        return self.left_median / self.right_median

    @property
    def result(self) -> str:
        if self.error:
            return "ERROR"
        if self.skipped or not self.left_runs:
            return "SKIP"
        return "PASS" if self.ratio <= self.goal else "FAIL"


def compare(row: Row, left: Side, right: Side, repeats: int, budget: float, at_least: int = 3) -> Row:
    """One unmeasured run of each side (it warms the caches, gives the peak memory and is verified),
    then the two sides alternately in ABBA order, ``repeats`` runs each. Stops early, after
    ``at_least`` pairs, once ``budget`` seconds have gone."""
    warm = [left.once(0, memory=True), right.once(0, memory=True)]
    problems = [f"{side.label}: {p}" for side, (_, p) in zip((left, right), warm, strict=True) if p]
    if problems:
        row.error = "; ".join(problems)
        return row
    row.left_peak_kb, row.right_peak_kb = warm[0][0].max_rss_kb, warm[1][0].max_rss_kb
    started = time.perf_counter()
    for i in range(1, repeats + 1):
        if i > at_least and time.perf_counter() - started > budget:
            break
        pair = [(left, row.left_runs), (right, row.right_runs)]
        for side, runs in pair if i % 2 == 1 else reversed(pair):
            runs.append(side.once(i)[0])
    return row


@dataclass
class Bench:
    """What every measurement needs: the options, the executables and the two digests."""

    args: argparse.Namespace
    mapdaily: str
    python: str
    big: Repo
    small: Repo
    papers: list[tuple[str, str, str]]  # new papers, in neither digest; one per run

    @property
    def budget(self) -> float:
        return float(self.args.budget) if self.args.budget > 0 else float("inf")

    def add(self, repo: Repo, commit: bool = False) -> Side:
        """``mapdaily add`` of the i-th new paper to ``repo``, which is reset after every run."""

        def command(i: int) -> Command:
            title, url, comment = self.papers[i]
            flags = [] if commit else ["--no-commit"]
            return [
                self.mapdaily,
                "add",
                *flags,
                "--title",
                title,
                "--url",
                url,
                "--comment",
                comment,
            ], repo.path

        what = "committing add" if commit else "add --no-commit"
        return Side(f"{what} on {repo.name}", command, after=lambda: reset(repo))

    def typer(self) -> Side:
        return fixed("python -c 'import typer'", [self.python, "-c", "import typer"], self.small.path)


# --- the seven goals ------------------------------------------------------------------------------


def goal_add_floor(b: Bench) -> Row:
    """1. add on the one-week store against the interpreter's floor for a Typer CLI."""
    row = Row("1", "add-floor", f"add --no-commit on {b.small.name}", "python -c 'import typer'", 2.5)
    return compare(row, b.add(b.small), b.typer(), b.args.repeats, b.budget)


def goal_add(b: Bench) -> Row:
    """2a. add --no-commit after ten years against after one week."""
    row = Row("2a", "add", f"add --no-commit on {b.big.name}", f"the same on {b.small.name}", 1.25)
    return compare(row, b.add(b.big), b.add(b.small), b.args.repeats, b.budget)


def goal_add_commit(b: Bench) -> Row:
    """2b. a committing add after ten years against after one week (git hashes the whole file)."""
    row = Row("2b", "add-commit", f"committing add on {b.big.name}", f"the same on {b.small.name}", 1.5)
    sides = [b.add(b.big, commit=True), b.add(b.small, commit=True)]
    for side, repo in zip(sides, (b.big, b.small), strict=True):
        side.verify = lambda _, repo=repo: (
            None if git(repo.path, "rev-parse", "HEAD").strip() != repo.commit else "made no commit"
        )
    try:
        return compare(row, sides[0], sides[1], b.args.repeats, b.budget)
    finally:
        forget_commits(b.big)
        forget_commits(b.small)


WEEK_PAGE = re.compile(r"^archived_papers/\d{4}W\d{2}\.md$")


def rotate_dates(end: date) -> tuple[date, date | None]:
    """The Monday after ``end`` (its week closes) and the next day of ``end``'s own week, if any."""
    monday = end + timedelta(days=7 - end.weekday())
    weekday = end + timedelta(days=1)
    return monday, (weekday if weekday < monday else None)


def rotate_side(b: Bench, when: date, closes: bool) -> Side:
    """``mapdaily rotate --no-commit --date WHEN`` on the ten-year digest, verified to archive the
    closing week (``closes``) or to archive none."""
    week = b.args.end.isocalendar()
    page = f"archived_papers/{week.year}W{week.week:02d}.md"

    def verify(_: Run) -> str | None:
        pages = [p for p in changed_paths(b.big) if WEEK_PAGE.match(p)]
        if closes and page not in pages:
            return f"rotate to {when} did not write {page} (changed week pages: {pages or 'none'})"
        if not closes and pages:
            return f"rotate to {when} moved a week: {', '.join(pages)}"
        return None

    cmd = [b.mapdaily, "rotate", "--no-commit", "--date", when.isoformat()]
    kind = "a Monday" if closes else "a weekday"
    return fixed(f"rotate to {kind} ({when})", cmd, b.big.path, after=lambda: reset(b.big), verify=verify)


def goal_rotate(b: Bench) -> Row:
    """3. rotate on the Monday that closes a week against rotate on a weekday, ten-year digest."""
    monday, weekday = rotate_dates(b.args.end)
    row = Row("3", "rotate", f"rotate to {monday} ({b.big.name})", f"rotate to {weekday}", 2.0)
    if weekday is None:
        row.skipped = f"--end {b.args.end} is the last day of its week: no weekday to rotate to"
        return row
    left, right = rotate_side(b, monday, closes=True), rotate_side(b, weekday, closes=False)
    return compare(row, left, right, b.args.repeats, b.budget)


C_PARSE = (
    "import yaml\n"
    "with open('papers.yaml', encoding='utf-8') as f:\n"
    "    text = f.read()\n"
    "list(yaml.load_all(text, Loader=yaml.CSafeLoader))\n"
)


def goal_check(b: Bench) -> Row:
    """4. a full check of the ten-year digest against one C-loader parse of its data."""
    row = Row("4", "check", f"check on {b.big.name}", "yaml.load_all (CSafeLoader)", 1.25)
    check = fixed(row.left, [b.mapdaily, "check"], b.big.path)
    parse = fixed(row.right, [b.python, "-c", C_PARSE], b.big.path)
    return compare(row, check, parse, b.args.repeats, b.budget)


def hand_kept_page(rows: int, seed: int) -> str:
    """A hand-kept digest page of ``rows`` rows: days of 20 papers under dated <summary> blocks,
    a paper in ten repeated on a later day (as the real digest does)."""
    gen = Generator(seed)
    out = ["# Daily Paper\n"]
    day = date(2024, 10, 15)
    for n in range(rows):
        if n % 20 == 0:
            day -= timedelta(days=1)
            out.append(
                f"\n<details><summary><b>{day:%d/%m/%Y}</b></summary>\n\n| Paper | Comments |\n| --- | --- |"
            )
        title = f"Repeated paper {n // 10}" if n % 10 == 0 else gen.title()
        out.append(f"| {title} | {gen.comment()} |")
        if n % 20 == 19:
            out.append("\n</details>")
    return "\n".join(out) + "\n"


def goal_import(b: Bench) -> Row:
    """5. `mapdaily import --no-commit` of a 16k-row page against a 1k-row page, each into a new
    digest (what the previous run wrote is removed first, inside the timed command)."""
    sides = []
    for rows in (16_000, 1_000):
        folder = Path(b.args.dir) / f"import-{rows}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        git(folder, "init", "-q", "-b", "main")
        (folder / "page.md").write_text(hand_kept_page(rows, rows), encoding="utf-8")
        clean = "rm -f papers.yaml README.md feed.xml search.html; rm -rf archived_papers search"
        script = f"{clean}; {b.mapdaily} import --no-commit page.md"
        sides.append(fixed(f"import of {rows // 1000}k rows", ["sh", "-c", script], folder))
    row = Row("5", "import", sides[0].label, sides[1].label, 20.0)
    return compare(row, sides[0], sides[1], b.args.repeats, b.budget)


def all_contributors(root: Path) -> Path | str:
    """The ``all-contributors`` executable, installed once with npm under ``root/npm`` and reused;
    or why it is not there (no npm, a failed install)."""
    prefix = root / "npm"
    exe = prefix / "node_modules" / ".bin" / "all-contributors"
    if exe.exists():
        return exe
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found"
    print(f"installing all-contributors-cli with npm into {prefix} ...", flush=True)
    cmd = [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "all-contributors-cli"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=child_env())
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"npm install all-contributors-cli failed: {e}"
    if proc.returncode != 0 or not exe.exists():
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"npm install all-contributors-cli failed ({proc.returncode}): {last}"
    return exe


CONTRIBUTORS = 19
AC_README = (
    "# A project\n\n## Contributors\n\n"
    "<!-- ALL-CONTRIBUTORS-LIST:START - Do not remove or modify this section -->\n"
    "<!-- prettier-ignore-start -->\n<!-- markdownlint-disable -->\n"
    "<!-- markdownlint-restore -->\n<!-- prettier-ignore-end -->\n\n"
    "<!-- ALL-CONTRIBUTORS-LIST:END -->\n"
)


def contributors_repo(folder: Path) -> None:
    """A git repository with a ``.all-contributorsrc`` of 19 contributors and a README whose list
    between the markers is still empty."""
    kinds = ["code", "doc", "review", "ideas", "test", "bug", "content"]
    people = [
        {
            "login": f"curator{n}",
            "name": f"Curator Number {n}",
            "avatar_url": f"https://avatars.example.org/u/{1000 + n}?v=4",
            "profile": f"https://example.org/curator{n}",
            "contributions": kinds[: 1 + n % 4],
        }
        for n in range(CONTRIBUTORS)
    ]
    config = {
        "projectName": "digest",
        "projectOwner": "example",
        "repoType": "github",
        "repoHost": "https://github.com",
        "files": ["README.md"],
        "imageSize": 100,
        "commit": False,
        "commitConvention": "none",
        "contributorsPerLine": 7,
        "contributors": people,
    }
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    git(folder, "init", "-q", "-b", "main")
    (folder / ".all-contributorsrc").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (folder / "README.md").write_text(AC_README, encoding="utf-8")


def hand_edit(repo: Repo, paper: tuple[str, str, str]) -> None:
    """A paper typed into today's document of papers.yaml, as a curator does before `mapdaily render`."""
    path = repo.path / "papers.yaml"
    title, url, comment = paper
    entry = f"- title: {scalar(title)}\n  url: {url}\n  comment: {scalar(comment)}\n"
    text, n = re.subn(
        r"^papers:(?: \[\])?\n",
        lambda _: "papers:\n" + entry,
        path.read_text(encoding="utf-8"),
        count=1,
        flags=re.M,
    )
    if n != 1:
        raise SystemExit(f"no papers: line in {path}")
    path.write_text(text, encoding="utf-8")


def goal_render(b: Bench) -> Row:
    """6. `mapdaily render` on the one-week digest after a hand edit of papers.yaml, against
    `all-contributors generate` filling an empty list of 19 contributors: both have pages to write."""
    row = Row("6", "render", f"render on {b.small.name}", f"all-contributors generate ({CONTRIBUTORS})", 0.6)
    exe = all_contributors(Path(b.args.dir))
    if isinstance(exe, str):
        row.skipped = exe
        return row
    folder = Path(b.args.dir) / "all-contributors"
    contributors_repo(folder)
    readme = folder / "README.md"

    def generated(_: Run) -> str | None:
        cells = readme.read_text(encoding="utf-8").count("<td ")
        return None if cells >= CONTRIBUTORS else f"README.md holds {cells} contributors, not {CONTRIBUTORS}"

    def rendered(_: Run) -> str | None:
        return None if "README.md" in changed_paths(b.small) else "render did not rewrite README.md"

    stale = lambda: readme.write_text(AC_README, encoding="utf-8")  # noqa: E731
    ac = fixed(row.right, [str(exe), "generate"], folder, before=stale, verify=generated)
    render = fixed(
        row.left,
        [b.mapdaily, "render"],
        b.small.path,
        before=lambda: hand_edit(b.small, b.papers[0]),
        after=lambda: reset(b.small),
        verify=rendered,
    )
    return compare(row, render, ac, b.args.repeats, b.budget)


def goal_help(b: Bench) -> Row:
    """7. start-up: --help against importing Typer alone."""
    row = Row("7", "help", "mapdaily --help", "python -c 'import typer'", 1.5)
    help_ = fixed(row.left, [b.mapdaily, "--help"], b.small.path)
    return compare(row, help_, b.typer(), b.args.help_repeats, b.budget)


#: The measurements by name (for --only), in the order they run.
GOALS: dict[str, Callable[[Bench], Row]] = {
    "add-floor": goal_add_floor,
    "add": goal_add,
    "add-commit": goal_add_commit,
    "rotate": goal_rotate,
    "check": goal_check,
    "import": goal_import,
    "render": goal_render,
    "help": goal_help,
}
#: What else a run reports (also for --only): the site's sizes, the add path's import times, and
#: what a merge of two curators' adds costs after ten years.
EXTRAS = ("site", "imports", "merge", "pages")


# --- the team's side: a merge of two curators' adds of the same day ---------------------------------

THEIRS = "mapdaily-bench-theirs"


def merge_side(b: Bench, repo: Repo) -> Side:
    """``git merge`` of another clone's add of today into this one's own add, with mapdaily's merge
    drivers and hooks (what `mapdaily git-setup` configures): papers.yaml merged by day, the pages
    both sides changed rendered from the merged data, the stale ones regenerated by the hook."""
    first = b.args.repeats + 2

    def add(i: int) -> None:
        title, url, comment = b.papers[i]
        checked([b.mapdaily, "add", "--title", title, "--url", url, "--comment", comment], repo.path)

    def command(i: int) -> Command:
        reset(repo)
        git(repo.path, "checkout", "-q", "-B", THEIRS)
        add(first + 2 * i)
        git(repo.path, "checkout", "-q", "main")
        add(first + 2 * i + 1)
        return ["git", "merge", "--no-edit", THEIRS], repo.path

    def verify(run: Run) -> str | None:
        if "regenerated" not in run.stdout + run.stderr and "Merge made" not in run.stdout:
            return "the merge did not go through mapdaily's driver"
        done = run_check(b, repo)
        return None if done is None else f"check fails after the merge: {done}"

    def after() -> None:
        reset(repo)
        git(repo.path, "branch", "-q", "-D", THEIRS)

    return Side(f"merge on {repo.name}", command, after=after, verify=verify)


def every_page(b: Bench) -> str:
    """What the commands that look at every page cost after ten years, nothing being stale (no goal):
    render, sync (what the bot runs after every push) and check, medians of three runs each."""
    said = []
    for args in (["render"], ["sync", "--no-commit"], ["archive", "--no-commit"], ["check"]):
        runs = []
        for _ in range(3):
            runs.append(checked([b.mapdaily, *args], b.big.path).seconds)
            reset(b.big)
        said.append(f"{args[0]} {statistics.median(runs):.2f} s")
    return f"every page of {b.big.name}, nothing stale: {', '.join(said)} (medians of 3)"


def run_check(b: Bench, repo: Repo) -> str | None:
    done = run([b.mapdaily, "check"], repo.path)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]


def team_merge(b: Bench) -> str:
    """The merge of two curators' adds of the same day, ten-year against one-week (no goal: the
    design's promise of a flat cost, for the team's side)."""
    row = Row("-", "merge", f"merge on {b.big.name}", f"merge on {b.small.name}", float("inf"))
    for repo in (b.big, b.small):
        _merge_setup(b, repo)
    try:
        compare(row, merge_side(b, b.big), merge_side(b, b.small), min(b.args.repeats, 5), b.budget)
    finally:
        for repo in (b.big, b.small):
            _merge_teardown(repo)
            forget_commits(repo)
    if row.error:
        return f"merge: ERROR {row.error}"
    return (
        f"merge of two curators' adds of the same day (git merge with mapdaily's drivers and hooks):"
        f" {row.left_median:.3f} s on {b.big.name}, {row.right_median:.3f} s on {b.small.name}"
        f" ({row.ratio:.2f}x; medians of {len(row.left_runs)})"
    )


def _merge_setup(b: Bench, repo: Repo) -> None:
    """`mapdaily git-setup`, its attributes kept in .git/info (the work tree stays the commit's)."""
    checked([b.mapdaily, "git-setup"], repo.path)
    attributes = repo.path / ".gitattributes"
    info = repo.path / ".git" / "info"
    info.mkdir(exist_ok=True)
    (info / "attributes").write_text(attributes.read_text(encoding="utf-8"), encoding="utf-8")
    attributes.unlink()


def _merge_teardown(repo: Repo) -> None:
    """Undo :func:`_merge_setup`: no driver, no hook, no attributes left for the other measurements."""
    for section in ("merge.mapdaily", "merge.mapdaily-generated"):
        run(["git", "config", "--remove-section", section], repo.path)
    for name in ("post-merge", "post-rewrite", "post-commit", "../info/attributes"):
        (repo.path / ".git" / "hooks" / name).unlink(missing_ok=True)


# --- where add's time goes ------------------------------------------------------------------------

IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)\s*$")


def import_table(stderr: str, top: int = 12) -> str:
    """``-X importtime`` output grouped by top-level package: the self times summed, the number of
    modules, and the package's heaviest import by cumulative time (which includes what it imports)."""
    groups: dict[str, list[tuple[int, int, str]]] = {}
    for line in stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if m:
            name = m[4]
            groups.setdefault(name.split(".")[0], []).append((int(m[1]), int(m[2]), name))
    total = sum(s for mods in groups.values() for s, _, _ in mods)
    ranked = sorted(groups.items(), key=lambda kv: -sum(s for s, _, _ in kv[1]))
    lines = [f"{'package':<22} {'self ms':>8} {'modules':>8}  heaviest import (cumulative ms)"]
    for pkg, mods in ranked[:top]:
        own = sum(s for s, _, _ in mods)
        heavy = max(mods, key=lambda m: m[1])
        lines.append(f"{pkg:<22} {own / 1000:>8.1f} {len(mods):>8}  {heavy[2]} ({heavy[1] / 1000:.1f})")
    rest = ranked[top:]
    if rest:
        own = sum(s for _, mods in rest for s, _, _ in mods)
        count = sum(len(mods) for _, mods in rest)
        lines.append(f"{f'({len(rest)} others)':<22} {own / 1000:>8.1f} {count:>8}")
    lines.append(f"{'all imports':<22} {total / 1000:>8.1f} {sum(len(m) for m in groups.values()):>8}")
    return "\n".join(lines)


def add_imports(b: Bench) -> str:
    """The import-time table of one `add --no-commit` on the one-week digest (after a warm-up run)."""
    side = b.add(b.small)
    side.once(0)
    cmd, cwd = side.command(1)
    try:
        result = checked(cmd, cwd, env={"PYTHONPROFILEIMPORTTIME": "1"})
    finally:
        reset(b.small)
    return (
        f"where the time of add --no-commit on {b.small.name} goes ({result.seconds:.3f}s in all;"
        f" python -X importtime, by top-level package):\n" + import_table(result.stderr)
    )


# --- the report -----------------------------------------------------------------------------------


def existing_titles(path: Path) -> set[str]:
    """The normalised titles of a papers.yaml written by this script (one ``- title:`` line each)."""
    out = set()
    for m in re.finditer(r"^- title: (.*)$", path.read_text(encoding="utf-8"), re.MULTILINE):
        raw = m[1]
        text = json.loads(raw) if raw.startswith('"') else raw
        out.add(" ".join(text.split()).casefold())
    return out


def new_papers(n: int, end: date, taken: set[str], seed: int) -> list[tuple[str, str, str]]:
    """``n`` papers (title, url, comment) that are in neither digest, shaped like the generated ones."""
    gen = Generator(seed)
    gen.titles = set(taken)
    month = end.replace(day=1) + timedelta(days=40)  # ids of a month after the last day: never taken
    gen.next_id[(month.year % 100, month.month)] = 90000
    return [(gen.title(), gen.url(month), gen.comment()) for _ in range(n)]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, CPU {model}, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()} ({sys.executable})"
    )


def load() -> str:
    try:
        averages = os.getloadavg()
    except OSError:
        return "load average unknown"
    text = "load average " + " ".join(f"{x:.2f}" for x in averages)
    return text + (" (a busy machine: the figures are noisy)" if averages[0] > 0.5 else "")


def table(rows: Sequence[Row]) -> str:
    """Every goal on one line: both medians, their ratio, the goal and the verdict."""
    wl = max([len("left"), *(len(r.left) for r in rows)])
    wr = max([len("right"), *(len(r.right) for r in rows)])
    header = (
        f"{'#':<3} {'left':<{wl}} {'median s':>9}  {'right':<{wr}} {'median s':>9}"
        f"  {'ratio':>6}  {'goal':>7}  result"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        goal = "<= " + format(row.goal, "g")
        start = f"{row.goal_no:<3} {row.left:<{wl}} "
        if row.result in ("SKIP", "ERROR"):
            why = row.skipped or row.error or "no runs"
            lines.append(
                f"{start}{'-':>9}  {row.right:<{wr}} {'-':>9}  {'-':>6}  {goal:>7}  {row.result}: {why}"
            )
            continue
        lines.append(
            f"{start}{row.left_median:>9.3f}  {row.right:<{wr}} {row.right_median:>9.3f}"
            f"  {row.ratio:>6.2f}  {goal:>7}  {row.result}"
        )
    return "\n".join(lines)


def memory_line(rows: dict[str, Row], big: Repo, small: Repo) -> str | None:
    """The peak memory of check and add, from their warm-up runs (when they were measured)."""
    how = "GNU time %M" if os.access(GNU_TIME, os.X_OK) else "os.wait4 ru_maxrss, an upper bound"
    parts = []
    check, add = rows.get("check"), rows.get("add")
    if check is not None and check.left_peak_kb:
        parts.append(
            f"check on {big.name} {check.left_peak_kb / 1024:.0f} MB"
            f" (yaml.load_all of the same file {check.right_peak_kb / 1024:.0f} MB)"
        )
    if add is not None and add.left_peak_kb:
        parts.append(
            f"add on {big.name} {add.left_peak_kb / 1024:.0f} MB,"
            f" on {small.name} {add.right_peak_kb / 1024:.0f} MB"
        )
    return f"peak memory (max RSS, {how}): " + "; ".join(parts) if parts else None


def report(b: Bench, rows: dict[str, Row], notes: dict[str, str], started: float) -> None:
    print()
    print(f"machine: {machine()}; {load()}")
    print(
        f"digests: {b.big.name} {b.big.papers} papers / {b.big.size / 1e6:.1f} MB / {b.big.pages} week pages;"
        f" {b.small.name} {b.small.papers} papers"
    )
    print(table(list(rows.values())))
    lines = [notes.get("site"), notes.get("merge"), notes.get("pages"), memory_line(rows, b.big, b.small)]
    lines.append(notes.get("imports"))
    for line in lines:
        if line:
            print(line)
    print("every run, in seconds:")
    for name, row in rows.items():
        left = " ".join(f"{r.seconds:.3f}" for r in row.left_runs)
        right = " ".join(f"{r.seconds:.3f}" for r in row.right_runs)
        print(f"  {name}: left {left or '-'} | right {right or '-'}")
    print(f"digests kept in {b.args.dir}; total time {time.perf_counter() - started:.0f}s")


# --- the command line -----------------------------------------------------------------------------


def options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Timing goals of mapdaily on a generated ten-year digest (see benchmarks/README.md)."
    )
    add = parser.add_argument
    add(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mapdaily-bench",
        help="where the digests (and the npm tool) are built and kept (default: %(default)s)",
    )
    add("--days", type=int, default=3650, help="days of the large digest (default: %(default)s)")
    add("--small-days", type=int, default=7, help="days of the small digest (default: %(default)s)")
    add(
        "--end",
        type=date.fromisoformat,
        default=date(2024, 10, 15),
        help="the last day (today) of both digests (default: %(default)s)",
    )
    add("--seed", type=int, default=20241015, help="random seed (default: %(default)s)")
    add("--repeats", type=int, default=7, help="measured runs per side, but --help (default: %(default)s)")
    add(
        "--help-repeats",
        type=int,
        default=21,
        help="measured runs per side for --help (default: %(default)s)",
    )
    add(
        "--budget",
        type=float,
        default=60,
        help="seconds per measurement after which no new pair of runs starts, once 3 are"
        " done (default: %(default)s; 0 = always all repeats)",
    )
    add(
        "--only",
        type=lambda text: [n.strip() for n in text.split(",") if n.strip()],
        default=None,
        metavar="NAMES",
        help=f"comma-separated measurements to run, of: {', '.join([*GOALS, *EXTRAS])} (default: all)",
    )
    add("--fresh", action="store_true", help="rebuild the digests even if matching ones exist")
    add("--strict", action="store_true", help="exit 1 when a goal is missed (or could not be measured)")
    add("--mapdaily", default=None, help="the mapdaily executable (default: the one beside this interpreter)")
    args = parser.parse_args(argv)
    if args.days < 14 or args.small_days < 1 or args.repeats < 1 or args.help_repeats < 1:
        parser.error("--days must be at least 14; --small-days, --repeats and --help-repeats at least 1")
    unknown = [n for n in args.only or [] if n not in GOALS and n not in EXTRAS]
    if unknown or args.only == []:
        parser.error(
            f"--only takes names of {', '.join([*GOALS, *EXTRAS])}; not {', '.join(unknown) or 'none'}"
        )
    args.mapdaily = args.mapdaily or str(Path(sys.executable).with_name("mapdaily"))
    if not Path(args.mapdaily).exists():
        args.mapdaily = shutil.which("mapdaily") or parser.error(
            "no mapdaily executable found; pass --mapdaily"
        )
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = options(argv)
    wanted = args.only or [*GOALS, *EXTRAS]
    print(f"machine: {machine()}")
    print(f"mapdaily: {args.mapdaily}; {load()}", flush=True)
    started = time.perf_counter()
    big, small = prepare(args, args.mapdaily)
    print(
        f"digests: {big.name} = {big.days} days, {big.papers} papers, {big.size / 1e6:.1f} MB of papers.yaml,"
        f" {big.pages} week pages; {small.name} = {small.days} days, {small.papers} papers,"
        f" {small.size / 1e3:.0f} kB",
        flush=True,
    )
    taken = existing_titles(big.path / "papers.yaml") | existing_titles(small.path / "papers.yaml")
    # One per run of the adds, then two per run of the merge.
    papers = new_papers(3 * (args.repeats + 2), args.end, taken, args.seed + 7)
    b = Bench(args, args.mapdaily, sys.executable, big, small, papers)
    rows: dict[str, Row] = {}
    notes: dict[str, str] = {}
    try:
        if "site" in wanted:
            notes["site"] = site_sizes(big.path, b.python)
            print(notes["site"], flush=True)
        if "imports" in wanted:
            notes["imports"] = add_imports(b)
        if "merge" in wanted:
            print("measuring merge ...", flush=True)
            notes["merge"] = team_merge(b)
            print(notes["merge"], flush=True)
        if "pages" in wanted:
            notes["pages"] = every_page(b)
            print(notes["pages"], flush=True)
        for name, measure in GOALS.items():
            if name in wanted:
                print(f"measuring {name} ...", flush=True)
                rows[name] = measure(b)
    finally:
        reset(big)
        reset(small)
    report(b, rows, notes, started)
    if args.strict and any(row.result in ("FAIL", "ERROR") for row in rows.values()):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Timing goals of mapdaily: a ten-year digest against a one-week one, and start-up time.

Run it with the project's interpreter, from anywhere:

    .venv/bin/python benchmarks/run.py                          # build or reuse the digests, measure
    .venv/bin/python benchmarks/run.py --repeats 11 --budget 0  # more runs, steadier medians
    .venv/bin/python benchmarks/run.py --fresh                  # rebuild the digests
    .venv/bin/python benchmarks/run.py --strict                 # exit 1 when a goal is missed

Two digest repositories are generated deterministically (seeded) under ``--dir``: ``ten-year``
(``--days`` days) and ``one-week`` (``--small-days`` days), both ending on ``--end``. Each is rendered
once with ``mapdaily render``, committed, and must pass ``mapdaily check``. They are kept, and
reused by later runs with the same parameters (the working trees are reset to their commit before
and after measuring).

Every measurement runs real subprocesses: one unmeasured run of each side first (it warms the
caches and gives the peak memory, the child's maximum resident set size as GNU time reports it),
then the two sides alternately; the table shows medians and their ratio against the goal.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

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
    for key in ("MAPDAILY_DEBUG", "PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC"):
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


def run(cmd: Sequence[str], cwd: Path, memory: bool = False) -> Run:
    """Run ``cmd`` to completion: wall time, exit code, output and, with ``memory``, its peak RSS.

    The peak comes from GNU time when it is installed (its ``%M``). Otherwise it is the child's own
    ``ru_maxrss`` from ``os.wait4``, an upper bound: exec starts the count from the RSS of the
    process that spawned the child, here this script.
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
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=child_env()
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
    checked(["git", "init", "-q", "-b", "main"], path)
    for key, value in (
        ("user.name", "Digest Curator"),
        ("user.email", "curator@example.org"),
        ("commit.gpgsign", "false"),
        ("core.autocrlf", "false"),
        ("gc.auto", "0"),
    ):
        checked(["git", "config", key, value], path)
    checked([mapdaily, "render"], path)
    t2 = time.perf_counter()
    checked(["git", "add", "-A"], path)
    checked(["git", "commit", "-q", "-m", f"digest of {days} days"], path)
    t3 = time.perf_counter()
    checked([mapdaily, "check"], path)
    pages = len(list((path / "archived_papers").glob("*.md")))
    print(
        f"  built {path.name}: {papers} papers, {len(data) / 1e6:.1f} MB, {pages} week pages"
        f" (data {t1 - t0:.1f}s, render {t2 - t1:.1f}s, commit {t3 - t2:.1f}s)",
        flush=True,
    )
    return Repo(path.name, path, days, papers, len(data), pages)


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


def reset(repo: Path) -> None:
    """Back to the committed state (the add measurements change the working tree)."""
    checked(["git", "checkout", "-q", "--", "."], repo)
    checked(["git", "clean", "-q", "-fd"], repo)


def prepare(args: argparse.Namespace, mapdaily: str) -> tuple[Repo, Repo]:
    """The ten-year and one-week repositories: reused when their parameters match, else built."""
    root: Path = args.dir
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / "params.json"
    wanted = {
        "format": FORMAT_VERSION,
        "days": args.days,
        "small_days": args.small_days,
        "end": args.end.isoformat(),
        "seed": args.seed,
    }
    big_path, small_path = root / "ten-year", root / "one-week"
    if not args.fresh and stamp.is_file():
        try:
            saved = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            saved = {}
        if saved.get("params") == wanted and all((p / ".git").is_dir() for p in (big_path, small_path)):
            repos = []
            for p, days in ((big_path, args.days), (small_path, args.small_days)):
                reset(p)
                info = saved["repos"][p.name]
                repos.append(Repo(p.name, p, days, info["papers"], info["size"], info["pages"]))
            print(f"reusing the digests in {root} (--fresh rebuilds them)", flush=True)
            for r in repos:
                if run([mapdaily, "check"], r.path).returncode != 0:
                    # Pages rendered by an earlier mapdaily: render them again with this one.
                    checked([mapdaily, "render"], r.path)
                    checked(["git", "add", "-A"], r.path)
                    checked(["git", "commit", "-q", "-m", "render with the current mapdaily"], r.path)
                    checked([mapdaily, "check"], r.path)
                    print(f"  {r.name}: pages rendered again by the current mapdaily", flush=True)
            return repos[0], repos[1]
    print(f"building the digests in {root} ...", flush=True)
    stamp.unlink(missing_ok=True)
    big = build_repo(big_path, args.days, args.end, args.seed, mapdaily)
    small = build_repo(small_path, args.small_days, args.end, args.seed + 1, mapdaily)
    stamp.write_text(
        json.dumps(
            {
                "params": wanted,
                "repos": {
                    r.name: {"papers": r.papers, "size": r.size, "pages": r.pages} for r in (big, small)
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return big, small


# --- measuring ------------------------------------------------------------------------------------

Command = tuple[list[str], Path]


@dataclass
class Row:
    """One comparison: the left side is mapdaily, the right side what it is measured against."""

    name: str
    left: str
    right: str
    goal: float
    left_runs: list[Run] = field(default_factory=list)
    right_runs: list[Run] = field(default_factory=list)
    left_peak_kb: int = 0
    right_peak_kb: int = 0

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
    def passed(self) -> bool:
        return self.ratio <= self.goal


def checked(cmd: list[str], cwd: Path, memory: bool = False) -> Run:
    result = run(cmd, cwd, memory)
    if result.returncode != 0:
        raise SystemExit(
            f"failed ({result.returncode}) in {cwd}: {' '.join(cmd)}\n{result.stdout}{result.stderr}"
        )
    return result


def compare(
    row: Row,
    left: Sequence[Command],
    right: Sequence[Command],
    warmup: tuple[Command, Command],
    budget: float,
    at_least: int = 3,
) -> Row:
    """One unmeasured run of each side (it warms the caches and gives the peak memory), then
    ``left[i]`` and ``right[i]`` alternately in ABBA order. Stops early, after ``at_least`` pairs,
    once ``budget`` seconds have gone."""
    row.left_peak_kb = checked(*warmup[0], memory=True).max_rss_kb
    row.right_peak_kb = checked(*warmup[1], memory=True).max_rss_kb
    started = time.perf_counter()
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        if i >= at_least and time.perf_counter() - started > budget:
            break
        pair = [(a, row.left_runs), (b, row.right_runs)]
        for (cmd, cwd), runs in pair if i % 2 == 0 else reversed(pair):
            runs.append(checked(cmd, cwd))
    return row


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
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def table(rows: Sequence[Row]) -> str:
    header = (
        f"{'measurement':<17} {'left':<27} {'median s':>9}  {'right':<27} {'median s':>9}"
        f"  {'ratio':>6}  {'goal':>6}  result"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.name:<17} {row.left:<27} {row.left_median:>9.3f}  {row.right:<27} {row.right_median:>9.3f}"
            f"  {row.ratio:>6.2f}  {'<= ' + format(row.goal, 'g'):>6}  {'PASS' if row.passed else 'FAIL'}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Timing goals of mapdaily on a generated ten-year digest (see benchmarks/README.md)."
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "mapdaily-bench",
        help="where the digests are built and kept (default: %(default)s)",
    )
    parser.add_argument(
        "--days", type=int, default=3650, help="days of the large digest (default: %(default)s)"
    )
    parser.add_argument(
        "--small-days", type=int, default=7, help="days of the small digest (default: %(default)s)"
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=date(2024, 10, 15),
        help="the last day (today) of both digests (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=20241015, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="measured runs per side for add and check (default: %(default)s)",
    )
    parser.add_argument(
        "--help-repeats",
        type=int,
        default=21,
        help="measured runs per side for the start-up comparison (default: %(default)s)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=60,
        help="seconds per measurement after which no new pair of runs starts, once 3 are"
        " done (default: %(default)s; 0 = always all repeats)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="rebuild the digests even if matching ones exist"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--mapdaily", default=None, help="the mapdaily executable (default: the one beside this interpreter)"
    )
    args = parser.parse_args(argv)
    if args.days < 14 or args.small_days < 1 or args.repeats < 1 or args.help_repeats < 1:
        parser.error("--days must be at least 14; --small-days, --repeats and --help-repeats at least 1")
    budget = args.budget if args.budget > 0 else float("inf")

    mapdaily = args.mapdaily or str(Path(sys.executable).with_name("mapdaily"))
    if not Path(mapdaily).exists():
        mapdaily = shutil.which("mapdaily") or parser.error("no mapdaily executable found; pass --mapdaily")
    python = sys.executable

    print(f"machine: {machine()}")
    print(f"mapdaily: {mapdaily}; {load()}", flush=True)
    started = time.perf_counter()
    big, small = prepare(args, mapdaily)
    print(
        f"digests: {big.name} = {big.days} days, {big.papers} papers, {big.size / 1e6:.1f} MB of papers.yaml,"
        f" {big.pages} week pages; {small.name} = {small.days} days, {small.papers} papers,"
        f" {small.size / 1e3:.0f} kB",
        flush=True,
    )
    site = site_sizes(big.path, python)
    print(site, flush=True)
    rows: list[Row] = []
    try:
        # 1. add: the same new papers go to both digests, one per run, never committed.
        taken = existing_titles(big.path / "papers.yaml") | existing_titles(small.path / "papers.yaml")
        papers = new_papers(args.repeats + 1, args.end, taken, args.seed + 7)

        def add(paper: tuple[str, str, str], repo: Repo) -> Command:
            title, url, comment = paper
            return [
                mapdaily,
                "add",
                "--no-commit",
                "--title",
                title,
                "--url",
                url,
                "--comment",
                comment,
            ], repo.path

        print("measuring add ...", flush=True)
        rows.append(
            compare(
                Row("add --no-commit", f"add on {big.name}", f"add on {small.name}", 1.5),
                [add(p, big) for p in papers[1:]],
                [add(p, small) for p in papers[1:]],
                warmup=(add(papers[0], big), add(papers[0], small)),
                budget=budget,
            )
        )
        reset(big.path)
        reset(small.path)

        # 2. check of the large digest against one C-loader parse of its data, start-up included.
        print("measuring check ...", flush=True)
        parse = [
            python,
            "-c",
            "import yaml\n"
            "with open('papers.yaml', encoding='utf-8') as f:\n"
            "    text = f.read()\n"
            "list(yaml.load_all(text, Loader=yaml.CSafeLoader))\n",
        ]
        check = ([mapdaily, "check"], big.path)
        load_all = (parse, big.path)
        rows.append(
            compare(
                Row("check", f"check on {big.name}", "yaml.load_all (CSafeLoader)", 2.0),
                [check] * args.repeats,
                [load_all] * args.repeats,
                warmup=(check, load_all),
                budget=budget,
            )
        )

        # 3. start-up: --help against importing Typer alone.
        print("measuring --help ...", flush=True)
        help_ = ([mapdaily, "--help"], small.path)
        typer = ([python, "-c", "import typer"], small.path)
        rows.append(
            compare(
                Row("--help", "mapdaily --help", "python -c 'import typer'", 1.5),
                [help_] * args.help_repeats,
                [typer] * args.help_repeats,
                warmup=(help_, typer),
                budget=budget,
            )
        )
    finally:
        reset(big.path)
        reset(small.path)

    add_row, check_row, _ = rows
    how = "GNU time %M" if os.access(GNU_TIME, os.X_OK) else "os.wait4 ru_maxrss, an upper bound"
    print()
    print(f"machine: {machine()}; {load()}")
    print(
        f"digests: {big.name} {big.papers} papers / {big.size / 1e6:.1f} MB / {big.pages} week pages;"
        f" {small.name} {small.papers} papers"
    )
    print(table(rows))
    print(site)
    print(
        f"peak memory (max RSS, {how}): check on {big.name} {check_row.left_peak_kb / 1024:.0f} MB"
        f" (yaml.load_all of the same file {check_row.right_peak_kb / 1024:.0f} MB);"
        f" add on {big.name} {add_row.left_peak_kb / 1024:.0f} MB,"
        f" on {small.name} {add_row.right_peak_kb / 1024:.0f} MB"
    )
    print("every run, in seconds:")
    for row in rows:
        left = " ".join(f"{r.seconds:.3f}" for r in row.left_runs)
        right = " ".join(f"{r.seconds:.3f}" for r in row.right_runs)
        print(f"  {row.name}: left {left} | right {right}")
    print(f"digests kept in {args.dir}; total time {time.perf_counter() - started:.0f}s")
    if args.strict and not all(row.passed for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

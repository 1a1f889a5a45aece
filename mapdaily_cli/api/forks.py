"""A long history across the cores: its documents cut into slices of whole weeks, the first worked
on in this process and each other one in a forked child (which inherits the stream: nothing large
is pickled on the way there), its answer back through a pipe. `check` and the plan of every page
(`render`, `sync`, `archive`) use it."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from mapdaily_cli.config import Config
from mapdaily_cli.errors import MapdailyError
from mapdaily_cli.model import week_of
from mapdaily_cli.store import Stream

T = TypeVar("T")

#: Below this many documents of closed weeks, one process does them all.
PARALLEL_FROM = 400
#: The first slice's size against the others': its process also does what the slices hand back
#: (the index, the feed, the months the slices share), while each of the others copies the memory
#: it writes to and pickles its answer (about as long, measured on ten years).
MAIN_SHARE = 1.0


@contextmanager
def no_collection() -> Iterator[None]:
    """No cyclic garbage collection while the history is held: the days make no cycles, and a
    collector walking hundreds of thousands of objects again and again would cost more than the
    parse itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parallel_slices(stream: Stream, config: Config, start: int, jobs: int | None) -> list[tuple[int, int]]:
    """The slices to work on in ``jobs`` processes (default: one per CPU, four at most), each cut at a
    week boundary from document ``start`` on; [] when one process should do it all (a short
    history, one CPU, no fork)."""
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs < 2 or len(stream) - start <= PARALLEL_FROM or not hasattr(os, "fork"):
        return []
    slices = _slices(stream, config, start, jobs)
    return slices if len(slices) > 1 else []


def _slices(stream: Stream, config: Config, start: int, parts: int) -> list[tuple[int, int]]:
    """Cut all documents into about ``parts`` runs of similar size, the first from document 0 (today's
    week is worked on here), each cut at a week boundary from document ``start`` on."""
    n = len(stream)
    sizes = [_size(stream, i) for i in range(n)]
    left = float(sum(sizes))
    target = left / parts * MAIN_SHARE  # this process also does what the slices hand back
    cuts = [0]
    acc = float(sum(sizes[:start]))
    week = None
    for i, when in stream.walk(start):
        w = week_of(when, config.first_weekday)
        if acc >= target and w != week and len(cuts) < parts:
            cuts.append(i)
            left -= acc
            target, acc = left / (parts - len(cuts) + 1), 0.0
        acc += sizes[i]
        week = w
    cuts.append(n)
    return list(zip(cuts, cuts[1:], strict=False))


def _size(stream: Stream, index: int) -> int:
    """How many bytes document ``index`` holds (from its place in the file while it is as read)."""
    chunk = stream.chunks[index]
    if chunk.pristine and chunk.offset is not None and chunk.end is not None:
        return chunk.end - chunk.offset
    return stream.size_of(index)


def in_forks(work: Callable[[int, int], T], slices: list[tuple[int, int]], kind: type) -> list[T]:
    """``work(lo, hi)`` of each slice, in order: the first here, each other one in a forked child
    whose answer must be a ``kind``; the error of the first slice that failed is raised here (an
    error that is no MapdailyError too, as one process would raise it)."""
    children: list[tuple[int, int]] = []
    results: list[object] = []
    try:
        try:
            for lo, hi in slices[1:]:
                _fork(work, lo, hi, children)
            results.append(work(*slices[0]))
        except MapdailyError as e:
            results.append(e)
        results += [_answer(pid, read, kind) for pid, read in children]
    except BaseException:  # an interruption: the children stop at once, without a word
        for pid, _ in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        raise
    finally:
        for pid, read in children:
            with contextlib.suppress(OSError):
                os.close(read)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    out: list[T] = []
    for result in results:
        if isinstance(result, Exception):
            raise result
        out.append(result)  # type: ignore[arg-type]  # a ``kind``: checked by _answer
    return out


def _fork(work: Callable[[int, int], object], lo: int, hi: int, children: list[tuple[int, int]]) -> None:
    """Work on a slice in a forked child that writes its answer (or its error), pickled, to a pipe
    and exits; the child's pid and the pipe's end to read go into ``children`` before a Ctrl-C can
    land here (it waits while the child is made), so that no child is left working on its own."""
    read, write = os.pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
        if pid:
            children.append((pid, read))
            os.close(write)
            return
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the child: Ctrl-C is the parent's to handle
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    _child(work, lo, hi, read, write)


def _child(work: Callable[[int, int], object], lo: int, hi: int, read: int, write: int) -> None:
    """The forked child: never returns."""
    code = 1
    try:
        os.close(read)
        result: object
        try:
            result = work(lo, hi)
        except Exception as e:  # raised in the parent, as one process would raise it
            result = e
        try:
            answer = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # an error that does not pickle: said as it reads
            answer = pickle.dumps(RuntimeError(f"{type(result).__name__}: {result} ({e})"))
        with os.fdopen(write, "wb") as out:
            out.write(answer)
        code = 0
    finally:
        os._exit(code)


def _answer(pid: int, read: int, kind: type) -> object:
    """What the child ``pid`` wrote to ``read``."""
    chunks = []
    while True:
        chunk = os.read(read, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        answer = pickle.loads(b"".join(chunks))
    except Exception:  # cut short, or an error that does not unpickle
        answer = None
    if not isinstance(answer, (kind, Exception)):
        return MapdailyError(
            "a process working on part of the history ended without an answer; run the command again"
        )
    return answer

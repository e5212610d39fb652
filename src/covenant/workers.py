"""Build documents in worker processes, so a crash, a hang or a memory blow-up costs only the file being read."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
from collections import deque
from collections.abc import Callable, Generator
from concurrent import futures
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from covenant.errors import BadInputError, CovenantError
from covenant.model import Document

# A State Department page takes about 15 ms and a 1,500-page PDF about a minute; a file still being read after
# five minutes is stuck (a pathological PDF, a parser loop), and the batch should not wait for it.
DEFAULT_TIMEOUT = 300.0
# What one worker may allocate beyond what it holds when it starts: the largest report accepted (200 MB of
# text) needs well under 2 GB; a decompression bomb or a runaway parser stops here, not at the machine's limit.
DEFAULT_MEMORY_MB = 3072
# Address space a worker takes on its first file whatever the file: numpy's thread buffers and the language
# model (about 210 MB, measured), loaded there rather than in the parent, where they would cost every run
# 0.6 s that web pages declaring their language never need. The ceiling is counted on top of it.
READER_ALLOWANCE_MB = 320
# Jobs handed to the pool ahead of the one whose result is awaited: enough to keep every worker busy, few
# enough that finished documents waiting their turn do not pile up in memory.
AHEAD_PER_WORKER = 4

_SIGNALS = {
    signal.SIGKILL: "SIGKILL: killed, most often by the system when memory ran out",
    signal.SIGSEGV: "SIGSEGV: a native library crashed",
    signal.SIGABRT: "SIGABRT: a native library gave up, often when memory ran out",
    signal.SIGBUS: "SIGBUS: a native library crashed",
    signal.SIGTERM: "SIGTERM: stopped from outside",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits: seconds a file may take, megabytes a worker may allocate (None: no limit)."""

    timeout: float | None = DEFAULT_TIMEOUT
    memory_mb: int | None = DEFAULT_MEMORY_MB


OUT_OF_MEMORY = "ran out of memory while reading it (the per-file memory ceiling, --max-memory, was reached)"
Job = tuple[str, dict[str, str | None]]  # (path, metadata overrides)


def build(job: Job) -> Document | BadInputError:
    """Read one file into a Document; every failure comes back as the file's BadInputError, never raised."""
    from covenant.pipeline import build_document

    path, overrides = job
    try:
        return build_document(Path(path), overrides)
    except BadInputError as exc:
        return exc
    except MemoryError:
        return BadInputError(path, OUT_OF_MEMORY)
    except RecursionError:
        return BadInputError(path, "nested too deeply to read (recursion limit reached)")
    except (CovenantError, ValueError, OSError) as exc:
        return BadInputError(path, f"could not be read ({type(exc).__name__}: {exc})")
    except Exception as exc:  # a reader's own bug must not end the batch: the file is skipped and named
        if _caused_by_memory(exc):  # a C extension reports a failed allocation as SystemError
            return BadInputError(path, OUT_OF_MEMORY)
        return BadInputError(path, f"the reader failed on it ({type(exc).__name__}: {exc})")


def _caused_by_memory(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def warm_up() -> None:
    """Load the readers once in the parent, before the workers are forked, so each worker starts with them."""
    import covenant.ingest.html
    import covenant.ingest.pdf
    import covenant.ingest.pdf_layout
    import covenant.ingest.text
    import covenant.pipeline  # noqa: F401


def _start_worker(memory_mb: int | None, progress: Connection | None = None) -> None:
    # The parent decides what Ctrl-C means (stop the batch, keep what is stored); workers just end with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if progress is not None:
        import covenant.ingest.ocr

        # Never blocking, never locked: a worker killed while reporting cannot stop the others, and a full pipe
        # (a parent busy storing) drops a progress line rather than holding up the reading.
        os.set_blocking(progress.fileno(), False)
        covenant.ingest.ocr.progress = functools.partial(_send_progress, progress)
    if memory_mb is not None:
        import resource

        ceiling = _address_space() + (memory_mb + READER_ALLOWANCE_MB) * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _send_progress(pipe: Connection, path: str, page: int, pages: int) -> None:
    # one write of a few dozen bytes: atomic on a pipe (under PIPE_BUF), so workers need no lock to share it
    with contextlib.suppress(BlockingIOError, OSError, ValueError):  # a courtesy: the file is read all the same
        pipe.send((path, page, pages))


def _address_space() -> int:
    """The process's current virtual size in bytes (Linux /proc), 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run(
    jobs: list[Job],
    workers: int,
    limits: Limits,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Generator[Document | BadInputError, None, None]:
    """Each job's Document or BadInputError, in job order, built in `workers` processes.

    A worker that dies (a segfault, the OOM killer), a file over its time limit, a worker over its memory
    ceiling, an error that cannot be pickled: each becomes that file's BadInputError and the batch goes on.
    `on_progress(path, page, pages)` hears of each page read by OCR while its file is being read (a pipe from
    the workers, read between short waits for the result).
    """
    if not jobs:
        return
    import multiprocessing

    from pebble import ProcessExpired, ProcessPool

    warm_up()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False) if on_progress is not None else (None, None)
    pool = ProcessPool(
        max_workers=max(1, min(workers, len(jobs))),
        initializer=_start_worker,
        initargs=(limits.memory_mb, writer),
        context=context,
    )
    pending: deque[tuple[Job, object]] = deque()
    queue = iter(jobs)
    ahead = max(1, workers) * AHEAD_PER_WORKER
    try:
        while True:
            while len(pending) < ahead:
                job = next(queue, None)
                if job is None:
                    break
                pending.append((job, pool.schedule(build, args=(job,), timeout=limits.timeout)))
            if not pending:
                break
            job, future = pending.popleft()
            path = job[0]
            try:
                if reader is not None and on_progress is not None:
                    _wait_reporting(future, reader, on_progress)
                result = future.result()  # type: ignore[attr-defined]
            except FutureTimeout:
                result = BadInputError(
                    path, f"reading took longer than the limit of {limits.timeout:g} s and was stopped (--timeout)"
                )
            except ProcessExpired as exc:
                result = BadInputError(path, _crash_reason(exc.exitcode))
            except MemoryError:
                result = BadInputError(path, "ran out of memory while reading it")
            except Exception as exc:  # the result could not travel back (pickling): still one line for this file
                result = BadInputError(path, f"the reader failed on it ({type(exc).__name__}: {exc})")
            yield result if isinstance(result, Document | BadInputError) else BadInputError(path, "no result")
    finally:
        # Normal end: workers are idle and leave at once. Ctrl-C or an error in the caller: stop them now.
        if pending:
            pool.stop()
        else:
            pool.close()
        pool.join()
        for end in (reader, writer):
            if end is not None:
                end.close()


def _wait_reporting(future: Any, reader: Connection, on_progress: Callable[[str, int, int], None]) -> None:
    """Wait for a file's result, passing on the workers' progress lines as they come (at most 0.2 s late)."""
    while True:
        done = futures.wait([future], timeout=0.2).done
        while reader.poll(0):
            try:
                path, page, pages = reader.recv()
            except (EOFError, OSError, ValueError, TypeError):
                return  # a line cut short: progress stops, the result still comes
            on_progress(path, page, pages)
        if done:
            return


def _crash_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            what = _SIGNALS.get(signal.Signals(-exitcode), signal.Signals(-exitcode).name)
        except ValueError:
            what = f"signal {-exitcode}"
        return f"the reader crashed on it ({what}); the rest of the batch went on"
    return f"the reader crashed on it (its process ended with code {exitcode}); the rest of the batch went on"

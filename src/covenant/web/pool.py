"""Read-only `Library` objects for the web views, each bound to one worker thread and reopened when the library changes.

SQLite connections (and so `Library`) belong to the thread that opened them. Opening a Library costs 0.3 ms and a
BM25 search on a fresh one 1.7 ms more (the full-text index is opened), but a semantic or hybrid search on a fresh
one loads the embedding model, about 1 s. So the views run on a small pool of threads, each keeping its own Library
and with it the loaded model, and a Library is reopened when the database or its index folder has changed since
(another process ingested or indexed): a long-lived one would not see those changes.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from covenant.library import Library

T = TypeVar("T")
Stamp = tuple[tuple[str, int, int], ...]


class LibraryPool:
    """Runs functions of a Library on `workers` threads, each with a read-only Library of its own."""

    def __init__(self, path: Path, workers: int = 2) -> None:
        self.path = path
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="covenant-library")
        self._local = threading.local()
        self.opened = 0  # how many Libraries were opened (a reopen after a change counts): for tests and stats

    async def run(self, work: Callable[[Library], T]) -> T:
        """`work(library)` on a pool thread; its exceptions reach the caller."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, work)

    def close(self) -> None:
        # Each thread's Library goes with its thread; a connection may be finalised from any thread.
        self._executor.shutdown(wait=True)

    def _call(self, work: Callable[[Library], T]) -> T:
        return work(self._library())

    def _library(self) -> Library:
        stamp = self._stamp()
        held: tuple[Stamp, Library] | None = getattr(self._local, "held", None)
        if held is not None:
            if held[0] == stamp:
                return held[1]
            self._local.held = None
            held[1].close()
        library = Library(self.path, read_only=True)
        self._local.held = (stamp, library)
        self.opened += 1
        return library

    def _stamp(self) -> Stamp:
        """Size and modification time of the database, its write-ahead log and the index folder's files: any
        write by another process (ingest, index, remove) changes one of them. About 20 stat calls."""
        base = str(self.path)
        paths = [base, base + "-wal"]
        index = base + ".index"
        try:
            with os.scandir(index) as entries:
                paths += sorted(e.path for e in entries if not e.name.startswith(".tantivy-"))
        except OSError:
            pass
        found = []
        for name in paths:
            try:
                st = os.stat(name)
            except OSError:
                continue
            found.append((name, st.st_size, st.st_mtime_ns))
        return tuple(found)


class LibraryWriter:
    """The app's one writable Library, on one thread of its own: tags, notes and logins are written there one at a
    time (a single-thread executor queues them, so no two writes of the app meet on the connection), while the
    readers' Libraries see each write through the pool's reopen-on-change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="covenant-writer")
        self._library: Library | None = None

    async def run(self, work: Callable[[Library], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, work)

    def run_now(self, work: Callable[[Library], T]) -> T:
        """`work(library)` on the writer's thread, waited for (outside the event loop: at start-up)."""
        return self._executor.submit(self._call, work).result()

    def close(self) -> None:
        self._executor.submit(self._close).result()
        self._executor.shutdown(wait=True)

    def _call(self, work: Callable[[Library], T]) -> T:
        if self._library is None:
            self._library = Library(self.path, create=False)
        return work(self._library)

    def _close(self) -> None:
        if self._library is not None:
            self._library.close()
            self._library = None

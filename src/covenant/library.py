"""The Python API: ingest files into a library, list and show reports, export. The CLI is a thin layer on it."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from covenant.errors import BadInputError, CovenantError, StoreError
from covenant.model import Document, IngestEvent
from covenant.store.base import Store

REPORT_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml", ".pdf"})
SIDECAR_SUFFIX = ".covenant.json"


@dataclass(slots=True)
class IngestSummary:
    events: list[IngestEvent] = field(default_factory=list)
    ignored: int = 0  # files in folders that are not report files (by extension)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(e.status for e in self.events))

    def to_dict(self) -> dict[str, object]:
        return {"counts": self.counts, "ignored": self.ignored, "events": [e.to_dict() for e in self.events]}


def report_files(paths: Iterable[str | Path]) -> tuple[list[Path], int]:
    """Files to ingest: explicit files as given, folders walked for report files; also the count ignored."""
    found: list[Path] = []
    ignored = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                        continue
                    file = Path(dirpath) / name
                    if file.suffix.lower() in REPORT_SUFFIXES:
                        found.append(file)
                    else:
                        ignored += 1
        else:
            found.append(path)
    return found, ignored


def load_sidecar(path: Path) -> dict[str, str | None]:
    """Metadata a user wrote beside a report (`<file>.covenant.json`) to override what is detected."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(str(sidecar), f"metadata sidecar is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise BadInputError(str(sidecar), "metadata sidecar must hold one JSON object")
    return {str(k): (None if v is None else str(v)) for k, v in data.items()}


def _build(job: tuple[str, dict[str, str | None]]) -> Document | BadInputError:
    from covenant.pipeline import build_document

    path, overrides = job
    try:
        return build_document(Path(path), overrides)
    except BadInputError as exc:
        return exc
    except (CovenantError, ValueError, OSError, MemoryError, RecursionError) as exc:
        return BadInputError(path, f"could not be read ({type(exc).__name__}: {exc})")


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    *,
    overrides: dict[str, str | None] | None = None,
    strict: bool = False,
    workers: int | None = None,
    on_event: Callable[[IngestEvent], None] | None = None,
) -> IngestSummary:
    """Ingest files and folders into the store; one transaction per report, the batch goes on past bad files."""
    files, ignored = report_files(paths)
    summary = IngestSummary(ignored=ignored)

    def record(event: IngestEvent, stored: bool = False) -> None:
        if not stored:
            store.log(event)
        summary.events.append(event)
        if on_event is not None:
            on_event(event)
        if strict and event.status == "skipped":
            raise BadInputError(event.path, event.reason or "skipped")

    jobs: list[tuple[str, dict[str, str | None], str | None]] = []
    queued: dict[str, str] = {}  # report id -> path of the first file in this batch with that content
    duplicates: list[tuple[str, str, Path]] = []
    keys: dict[str, Path] = {}
    for file in files:
        key = str(file.resolve()) if file.exists() else str(file)
        keys[key] = file
        try:
            data = file.read_bytes()
        except OSError as exc:
            record(IngestEvent(str(file), "skipped", f"cannot be read ({exc.strerror or exc})"))
            continue
        report_id = hashlib.sha256(data).hexdigest()[:16]
        previous = store.report_id_for_path(key)
        if store.has_report(report_id):
            if previous != report_id:
                store.link_path(key, report_id)
            record(IngestEvent(str(file), "unchanged", None, report_id))
            continue
        if report_id in queued:
            duplicates.append((key, report_id, file))
            continue
        queued[report_id] = key
        try:
            meta = dict(load_sidecar(file))
        except BadInputError as exc:
            record(IngestEvent(str(file), "skipped", exc.reason))
            continue
        meta.update(overrides or {})
        jobs.append((key, meta, previous))

    shown_as = {key: str(file) for key, file in keys.items()}
    for (key, _meta, previous), result in zip(jobs, _run(jobs, workers), strict=True):
        shown = shown_as.get(key, key)
        if isinstance(result, BadInputError):
            record(IngestEvent(shown, "skipped", result.reason))
            continue
        status = "replaced" if previous else "added"
        event = IngestEvent(shown, status, None, result.report.id, passages=len(result.passages))
        try:
            store.save_document(result, key, event, previous)
        except StoreError as exc:
            record(IngestEvent(shown, "skipped", str(exc)))
            continue
        record(event, stored=True)
    for key, report_id, file in duplicates:
        if store.has_report(report_id):
            store.link_path(key, report_id)
            record(IngestEvent(str(file), "unchanged", f"same content as {queued[report_id]}", report_id))
        else:
            record(IngestEvent(str(file), "skipped", f"same content as {queued[report_id]}, which was skipped"))
    return summary


def _run(
    jobs: list[tuple[str, dict[str, str | None], str | None]], workers: int | None
) -> Iterator[Document | BadInputError]:
    """Build documents, in worker processes when the batch is big enough to pay for them."""
    work = [(key, meta) for key, meta, _ in jobs]
    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if count <= 1 or len(work) < 8:
        for job in work:
            yield _build(job)
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield from pool.map(_build, work, chunksize=4)

"""Ingest a batch of files into a store: find them, skip what is unchanged, build in workers, one transaction each."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from covenant.errors import BadInputError, StoreError
from covenant.ingest import MAX_FILE_BYTES
from covenant.model import Document, IngestEvent
from covenant.store.base import Store
from covenant.workers import Job, Limits, run

REPORT_SUFFIXES = frozenset(
    {
        ".txt",
        ".text",
        ".html",
        ".htm",
        ".xhtml",
        ".pdf",
        ".docx",
        ".doc",
        ".odt",
        ".rtf",
        ".png",
        ".jpg",
        ".jpeg",
        ".tif",
        ".tiff",
    }
)
SIDECAR_SUFFIX = ".covenant.json"
# Why a file met in a folder is left out, by its extension (a file named explicitly is read by content).
_NOT_READ: dict[str, str] = {}


@dataclass(slots=True)
class IngestSummary:
    """What an ingest did with every file: events added, replaced, unchanged, skipped (with the reason) and
    ignored (files in folders that are not report files, with the reason)."""

    events: list[IngestEvent] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # paths given that do not exist
    interrupted: bool = False  # stopped by Ctrl-C: what is in `events` was done, the rest was not tried

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(e.status for e in self.events))

    @property
    def ignored(self) -> list[str]:
        return [e.path for e in self.events if e.status == "ignored"]

    def to_dict(self) -> dict[str, object]:
        return {
            "counts": self.counts,
            "missing": self.missing,
            "interrupted": self.interrupted,
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(slots=True)
class FoundFiles:
    files: list[Path] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is left out)
    missing: list[str] = field(default_factory=list)


def report_files(paths: Iterable[str | Path]) -> FoundFiles:
    """Files to ingest: explicit files as given, folders walked for report files (by extension).

    Special files met in a folder (FIFOs, sockets, devices) are left out: opening a FIFO waits for a writer
    for ever. Named explicitly, they reach the reader, which refuses them with a reason.
    """
    found = FoundFiles()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                        continue
                    file = Path(dirpath) / name
                    why = _left_out(file)
                    if why is None:
                        found.files.append(file)
                    else:
                        found.ignored.append((str(file), why))
        elif path.exists() or path.is_symlink():
            found.files.append(path)
        else:
            found.missing.append(str(path))
    return found


def _left_out(path: Path) -> str | None:
    """Why a file met in a folder is not a report to read, or None when it is one."""
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        kinds = "Covenant reads .txt, .html, .pdf, .docx, .doc, .odt, .rtf and scans (.png, .jpg, .tif)"
        return _NOT_READ.get(suffix) or f"not a report file ({suffix or 'no extension'}; {kinds})"
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # let the reader say why it cannot be read
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO)" if stat.S_ISFIFO(mode) else "not a regular file"
    return None


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


def content_id(path: Path) -> str:
    """The report id a file would get: the start of its SHA-256, read in chunks (memory stays flat).

    Raises BadInputError for what cannot be hashed: not a regular file, too large, unreadable.
    """
    name = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise BadInputError(name, f"cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise BadInputError(name, f"not a regular file ({kind})")
    if info.st_size > MAX_FILE_BYTES:
        raise BadInputError(
            name, f"too large ({info.st_size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)"
        )
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    except OSError as exc:
        raise BadInputError(name, f"cannot be read ({exc.strerror or exc})") from exc


def ingest_files(
    paths: Iterable[str | Path],
    store: Store,
    *,
    overrides: dict[str, str | None] | None = None,
    strict: bool = False,
    workers: int | None = None,
    limits: Limits | None = None,
    on_event: Callable[[IngestEvent], None] | None = None,
) -> IngestSummary:
    """Ingest files and folders into the store; one transaction per report, the batch goes on past bad files.

    `on_event` hears of every file's outcome as it is logged, and also, while a scan is read by OCR, of each
    page read: events with status "reading" and reason "OCR page 12/300", which are neither logged nor kept in
    the summary.

    Ctrl-C stops the batch: what was stored stays (each report whole), `interrupted` is set, and running the
    same batch again finishes the rest.
    """
    found = report_files(paths)
    summary = IngestSummary(missing=found.missing)

    def record(event: IngestEvent, stored: bool = False) -> None:
        if not stored:
            store.log(event)
        summary.events.append(event)
        if on_event is not None:
            on_event(event)
        if strict and event.status == "skipped":
            raise BadInputError(event.path, event.reason or "skipped")

    for path, why in found.ignored:
        record(IngestEvent(path, "ignored", why))
    try:
        _ingest(found.files, store, overrides or {}, workers, limits or Limits(), record, on_event)
    except KeyboardInterrupt:
        summary.interrupted = True
    return summary


def _ingest(
    files: list[Path],
    store: Store,
    overrides: dict[str, str | None],
    workers: int | None,
    limits: Limits,
    record: Callable[..., None],
    on_progress: Callable[[IngestEvent], None] | None = None,
) -> None:
    jobs: list[tuple[Job, str | None]] = []
    queued: dict[str, str] = {}  # report id -> path of the first file in this batch with that content
    duplicates: list[tuple[str, str, Path]] = []
    shown_as: dict[str, str] = {}
    for file in files:
        key = str(file.resolve()) if file.exists() else str(file)
        shown_as[key] = str(file)
        try:
            report_id = content_id(file)
        except BadInputError as exc:
            record(IngestEvent(str(file), "skipped", exc.reason))
            continue
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
        meta.update(overrides)
        jobs.append(((key, meta), previous))

    count = workers if workers is not None else min(2, os.cpu_count() or 1)

    reading: Callable[[str, int, int], None] | None = None
    if on_progress is not None:
        tell = on_progress

        def reading(key: str, page: int, pages: int) -> None:
            # a page of a long scan read by OCR: shown, never stored or counted ("reading" events)
            tell(IngestEvent(shown_as.get(key, key), "reading", f"OCR page {page}/{pages}"))

    results = run([job for job, _ in jobs], count, limits, reading)
    try:
        for ((key, _meta), previous), result in zip(jobs, results, strict=True):
            shown = shown_as.get(key, key)
            if isinstance(result, BadInputError):
                record(IngestEvent(shown, "skipped", result.reason))
                continue
            _store(store, result, key, shown, previous, record)
    finally:
        results.close()  # stops the workers at once when the loop ends early (Ctrl-C, --strict)
    for key, report_id, file in duplicates:
        if store.has_report(report_id):
            store.link_path(key, report_id)
            record(IngestEvent(str(file), "unchanged", f"same content as {queued[report_id]}", report_id))
        else:
            record(IngestEvent(str(file), "skipped", f"same content as {queued[report_id]}, which was skipped"))


def _store(
    store: Store, doc: Document, key: str, shown: str, previous: str | None, record: Callable[..., None]
) -> None:
    if store.has_report(doc.report.id):  # another ingest of the same library stored it meanwhile
        store.link_path(key, doc.report.id)
        record(IngestEvent(shown, "unchanged", None, doc.report.id))
        return
    status = "replaced" if previous else "added"
    event = IngestEvent(shown, status, None, doc.report.id, passages=len(doc.passages))
    try:
        store.save_document(doc, key, event, previous)
    except StoreError as exc:
        record(IngestEvent(shown, "skipped", str(exc).removeprefix(f"{key}: ")))  # the line names the file once
        return
    record(event, stored=True)

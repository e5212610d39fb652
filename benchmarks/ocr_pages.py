"""Scans read by OCR: pages two at a time (`PageReader`, as shipped) against one page at a time.

A lone scan: an image-only copy of pages of the UPR report on Slovenia (../shared/corpus/external, 200 dpi) is read
through `build_document`, as `covenant ingest` or a web upload reads one file, with `PAGE_THREADS` pages at a time
and, as the peer in the same run, with one; runs interleaved, the median kept. Checks that both give the same text.
A batch of scans: four image-only copies of four pages each, ingested into a new library with two workers, each
worker reading `PAGE_THREADS` pages at a time (so up to four Tesseract processes on two cores) against one.
Writes benchmarks/results/ocr-pages.json and .md. Run: `.venv/bin/python benchmarks/ocr_pages.py [--pages 8]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pypdfium2 as pdfium

import covenant.ingest.ocr as ocr
from covenant.library import Library
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "corpus" / "external" / "un_hrc_2010_upr_slovenia.pdf"
RESULTS = ROOT / "benchmarks" / "results"
DPI = 200
_T = TypeVar("_T")


BATCH_SCANS, BATCH_PAGES, BATCH_WORKERS = 4, 4, 2


def image_only_copy(pages: int, target: Path, first: int = 1) -> Path:
    """The report's pages first+1..first+pages rendered to grey images, one image a page, as a scanner would give
    them."""
    pdf = pdfium.PdfDocument(str(SOURCE))
    images = [pdf[i].render(scale=DPI / 72).to_pil().convert("L") for i in range(first, first + pages)]
    images[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return target


def with_page_threads(threads: int, action: Callable[[], _T]) -> tuple[float, _T]:
    """Seconds `action` takes with `threads` pages read at a time (ingest's forked workers inherit the setting)."""
    original = ocr.PageReader.__init__.__defaults__
    ocr.PageReader.__init__.__defaults__ = (None, threads)  # (language, threads)
    try:
        started = time.perf_counter()
        found = action()
        return time.perf_counter() - started, found
    finally:
        ocr.PageReader.__init__.__defaults__ = original


def read(scan: Path, threads: int) -> tuple[float, str]:
    return with_page_threads(threads, lambda: build_document(scan).clean_text)


def ingest_batch(scans: Path, db: Path, threads: int) -> float:
    def ingest() -> int:
        with Library(db, create=True) as lib:
            return lib.ingest([scans], workers=BATCH_WORKERS).counts.get("added", 0)

    seconds, added = with_page_threads(threads, ingest)
    if added != BATCH_SCANS:
        raise SystemExit(f"the batch added {added} scans of {BATCH_SCANS}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], ocr.PAGE_THREADS: []}
    batch: dict[int, list[float]] = {1: [], ocr.PAGE_THREADS: []}
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        scan = image_only_copy(args.pages, Path(folder) / "scan.pdf")
        scans = Path(folder) / "scans"
        scans.mkdir()
        for k in range(BATCH_SCANS):  # distinct pages: a library keeps one copy of identical files
            image_only_copy(BATCH_PAGES, scans / f"scan{k}.pdf", first=1 + BATCH_PAGES * k)
        for run in range(args.repeat):
            for threads in times:
                seconds, texts[threads] = read(scan, threads)
                times[threads].append(seconds)
                batch[threads].append(ingest_batch(scans, Path(folder) / f"batch-{run}-{threads}.db", threads))
    one, shipped = statistics.median(times[1]), statistics.median(times[ocr.PAGE_THREADS])
    batch_one, batch_shipped = statistics.median(batch[1]), statistics.median(batch[ocr.PAGE_THREADS])
    result = {
        "when": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "pages": args.pages,
        "page_threads": ocr.PAGE_THREADS,
        "seconds": {"one_page_at_a_time": times[1], "shipped": times[ocr.PAGE_THREADS]},
        "median_seconds": {"one_page_at_a_time": round(one, 1), "shipped": round(shipped, 1)},
        "speedup": round(one / shipped, 2),
        "same_text": texts[1] == texts[ocr.PAGE_THREADS],
        "batch": {
            "scans": BATCH_SCANS,
            "pages_each": BATCH_PAGES,
            "workers": BATCH_WORKERS,
            "seconds": {"one_page_at_a_time": batch[1], "shipped": batch[ocr.PAGE_THREADS]},
            "median_seconds": {"one_page_at_a_time": round(batch_one, 1), "shipped": round(batch_shipped, 1)},
            "speedup": round(batch_one / batch_shipped, 2),
        },
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ocr-pages.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# A lone scan of {args.pages} pages read by OCR ({result['when']}, {result['machine']})",
        "",
        "| pages at a time | median seconds | seconds a page | runs |",
        "|---|---|---|---|",
        f"| 1 (peer) | {one:.1f} | {one / args.pages:.2f} | {', '.join(f'{t:.1f}' for t in times[1])} |",
        f"| {ocr.PAGE_THREADS} (shipped) | {shipped:.1f} | {shipped / args.pages:.2f} | "
        f"{', '.join(f'{t:.1f}' for t in times[ocr.PAGE_THREADS])} |",
        "",
        f"Speed-up {result['speedup']}x; the same text both ways: {result['same_text']}.",
        "",
        f"## A batch of {BATCH_SCANS} scans of {BATCH_PAGES} pages, {BATCH_WORKERS} workers (`Library.ingest`)",
        "",
        "| pages at a time in each worker | median seconds | seconds a page | runs |",
        "|---|---|---|---|",
        f"| 1 (peer) | {batch_one:.1f} | {batch_one / (BATCH_SCANS * BATCH_PAGES):.2f} | "
        f"{', '.join(f'{t:.1f}' for t in batch[1])} |",
        f"| {ocr.PAGE_THREADS} (shipped) | {batch_shipped:.1f} | "
        f"{batch_shipped / (BATCH_SCANS * BATCH_PAGES):.2f} | "
        f"{', '.join(f'{t:.1f}' for t in batch[ocr.PAGE_THREADS])} |",
        "",
        f"Ratio {result['batch']['speedup']}x (one page at a time over the shipped {ocr.PAGE_THREADS}): with a "
        f"worker per core, {ocr.PAGE_THREADS} pages per worker "
        + ("cost no more than one." if batch_shipped <= batch_one * 1.05 else "cost more than one."),
    ]
    (RESULTS / "ocr-pages.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

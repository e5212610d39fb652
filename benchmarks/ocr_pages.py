"""A lone scan read by OCR: pages two at a time (`PageReader`, as shipped) against one page at a time.

An image-only copy of pages of the UPR report on Slovenia (../shared/corpus/external, 200 dpi) is read through
`build_document`, as `covenant ingest` or a web upload reads one file, with `PAGE_THREADS` pages at a time and,
as the peer in the same run, with one; runs interleaved, the median kept. Checks that both give the same text.
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
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium

import covenant.ingest.ocr as ocr
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "corpus" / "external" / "un_hrc_2010_upr_slovenia.pdf"
RESULTS = ROOT / "benchmarks" / "results"
DPI = 200


def image_only_copy(pages: int, target: Path) -> Path:
    """The report's pages 2..pages+1 rendered to grey images, one image a page, as a scanner would give them."""
    pdf = pdfium.PdfDocument(str(SOURCE))
    images = [pdf[i].render(scale=DPI / 72).to_pil().convert("L") for i in range(1, 1 + pages)]
    images[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return target


def read(scan: Path, threads: int) -> tuple[float, str]:
    original = ocr.PageReader.__init__.__defaults__
    ocr.PageReader.__init__.__defaults__ = (None, threads)  # (language, threads)
    try:
        started = time.perf_counter()
        text = build_document(scan).clean_text
        return time.perf_counter() - started, text
    finally:
        ocr.PageReader.__init__.__defaults__ = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], ocr.PAGE_THREADS: []}
    texts: dict[int, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        scan = image_only_copy(args.pages, Path(folder) / "scan.pdf")
        for _ in range(args.repeat):
            for threads in times:
                seconds, texts[threads] = read(scan, threads)
                times[threads].append(seconds)
    one, shipped = statistics.median(times[1]), statistics.median(times[ocr.PAGE_THREADS])
    result = {
        "when": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "pages": args.pages,
        "page_threads": ocr.PAGE_THREADS,
        "seconds": {"one_page_at_a_time": times[1], "shipped": times[ocr.PAGE_THREADS]},
        "median_seconds": {"one_page_at_a_time": round(one, 1), "shipped": round(shipped, 1)},
        "speedup": round(one / shipped, 2),
        "same_text": texts[1] == texts[ocr.PAGE_THREADS],
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
    ]
    (RESULTS / "ocr-pages.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Ingest throughput on the State Department pages, beside a bare lxml parse-and-walk of the same pages.

usage: python benchmarks/ingest.py [--corpus DIR] [--limit N] [--workers N] [--out benchmarks/results]

Both are measured in the same run on the same files (first read from disk once, so the page cache is warm
for both). The peer parses each page with lxml.html and walks the body keeping (heading path, paragraph
text), the least any ingest must do; Covenant reads, cleans, structures, segments and stores each page in
SQLite (no embeddings). Results go to <out>/ingest.json and <out>/ingest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import ingest  # noqa: E402
from covenant.store.sqlite import SQLiteStore  # noqa: E402

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def lxml_walk(paths: list[Path]) -> int:
    """The peer: parse and walk, keeping (heading path, text) for every paragraph of the report body."""
    import lxml.html

    kept = 0
    for path in paths:
        root = lxml.html.fromstring(path.read_bytes())
        body = root.find(".//section[@class='report__main']")
        if body is None:
            body = root
        heading: list[str] = []
        for el in body.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag in HEADINGS:
                heading = [*heading[:1], el.text_content().strip()]
            elif tag == "p":
                text = " ".join(el.text_content().split())
                if text:
                    kept += 1
                    _ = (tuple(heading), text)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept-html")
    parser.add_argument("--limit", type=int, default=0, help="Only the first N pages (0 = all).")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"{args.corpus}: no such folder (the State Department pages live in ../shared/corpus)")
    paths = sorted(args.corpus.glob("*/*.html"))
    if args.limit:
        paths = paths[: args.limit]
    size = sum(p.stat().st_size for p in paths)
    for p in paths:
        p.read_bytes()

    t0 = time.perf_counter()
    paragraphs = lxml_walk(paths)
    peer_s = time.perf_counter() - t0

    runs = {}
    for workers in sorted({1, args.workers}):
        with tempfile.TemporaryDirectory() as tmp:
            store = SQLiteStore(Path(tmp) / "bench.db")
            t0 = time.perf_counter()
            summary = ingest(paths, store, workers=workers)
            seconds = time.perf_counter() - t0
            stats = store.stats()
            store.close()
            db_bytes = sum(f.stat().st_size for f in Path(tmp).iterdir())
        runs[f"workers={workers}"] = {
            "seconds": round(seconds, 2),
            "pages_per_s": round(len(paths) / seconds, 1),
            "mb_per_s": round(size / 1e6 / seconds, 2),
            "ratio_to_peer": round(seconds / peer_s, 2),
            "statuses": summary.counts,
            "passages": stats["passages"],
            "sections": stats["sections"],
            "db_mb": round(db_bytes / 1e6, 1),
        }
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "pages": len(paths),
        "mb": round(size / 1e6, 1),
        "peer_lxml_walk": {
            "seconds": round(peer_s, 2),
            "pages_per_s": round(len(paths) / peer_s, 1),
            "paragraphs": paragraphs,
        },
        "covenant": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Ingest benchmark ({result['when']})",
        "",
        f"{len(paths)} State Department pages, {result['mb']} MB, {os.cpu_count()} CPUs.",
        "",
        "| what | seconds | pages/s | MB/s | time vs lxml walk |",
        "|---|---|---|---|---|",
        f"| lxml parse + walk (peer, 1 process) | {peer_s:.1f} | {len(paths) / peer_s:.0f} | "
        f"{size / 1e6 / peer_s:.1f} | 1.0x |",
    ]
    for name, run in runs.items():
        lines.append(
            f"| Covenant ingest, {name} | {run['seconds']} | {run['pages_per_s']:.0f} | {run['mb_per_s']} | "
            f"{run['ratio_to_peer']}x |"
        )
    (args.out / "ingest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

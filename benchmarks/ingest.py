"""Ingest throughput on the State Department pages: `covenant ingest` beside a bare lxml parse-and-walk.

usage: python benchmarks/ingest.py [--corpus DIR] [--every N] [--limit N] [--repeat N] [--out benchmarks/results]

One run measures, on the same pages (every 4th page of the corpus, sorted by path: 290 of 1,160):
- the peer, in this process: lxml.html parses each page and walks the report body keeping (heading path,
  paragraph text) for every paragraph, the least any ingest must do;
- the real CLI, `covenant --db <empty temp library> ingest --workers N <pages>`, as a subprocess, with 1 and
  with 2 workers: read, clean, structure, segment, detect metadata and store in SQLite (no embeddings),
  including the CLI's own start-up, which is also timed alone (`covenant --version`, and an ingest of one page:
  what every run costs whatever its size).
The pages are read once first, so the page cache is warm for all. Each measurement is repeated (--repeat,
interleaved, so that a slow spell of a shared machine hits all of them alike) and the median is reported.
Results go to <out>/ingest.json and <out>/ingest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# (workers, with the full-text index update at the end): the target is on ingest alone; the third is for reference.
CONFIGS = ((1, False), (2, False), (2, True))


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


def covenant_command() -> list[str]:
    """The installed `covenant` script beside this Python, else the module run by this Python."""
    script = Path(sys.executable).with_name("covenant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "covenant.cli"]


def run_cli(paths: list[Path], workers: int, index: bool = False) -> dict[str, object]:
    """Time `covenant ingest` on an empty library (by default without the full-text index update at its end,
    which is search's work, not ingest's); also what it stored."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        flag = "--index" if index else "--no-index"
        command = [*covenant_command(), "--db", str(db), "ingest", "--workers", str(workers), flag, *map(str, paths)]
        t0 = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            sys.exit(f"covenant ingest failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        counts = {status: int(n) for n, status in re.findall(r"(\d+) (added|replaced|unchanged|skipped)", done.stdout)}
        with sqlite3.connect(db) as con:
            passages = con.execute("SELECT count(*) FROM passages").fetchone()[0]
            sections = con.execute("SELECT count(*) FROM sections").fetchone()[0]
        con.close()
        db_bytes = sum(f.stat().st_size for f in Path(tmp).iterdir() if f.is_file())
    return {"seconds": seconds, "statuses": counts, "passages": passages, "sections": sections, "db_bytes": db_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept-html")
    parser.add_argument("--every", type=int, default=4, help="Take every Nth page, sorted by path (default 4).")
    parser.add_argument("--limit", type=int, default=0, help="Then only the first N of those pages (0 = all).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each measurement; the median is kept.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"{args.corpus}: no such folder (the State Department pages live in ../shared/corpus)")
    paths = sorted(args.corpus.glob("*/*.html"))[:: max(1, args.every)]
    if args.limit:
        paths = paths[: args.limit]
    size = sum(p.stat().st_size for p in paths)
    for p in paths:
        p.read_bytes()

    peer_times: list[float] = []
    startup_times: list[float] = []
    one_page_times: list[float] = []  # what a run costs whatever its size: start-up, imports, the pool
    cli_runs: dict[tuple[int, bool], list[dict[str, object]]] = {config: [] for config in CONFIGS}
    paragraphs = 0
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        paragraphs = lxml_walk(paths)
        peer_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([*covenant_command(), "--version"], capture_output=True, check=True)
        startup_times.append(time.perf_counter() - t0)
        for workers, index in CONFIGS:
            cli_runs[(workers, index)].append(run_cli(paths, workers, index))
        one_page_times.append(float(str(run_cli(paths[:1], 2)["seconds"])))
    peer_s = statistics.median(peer_times)
    startup_s = statistics.median(startup_times)
    one_page_s = statistics.median(one_page_times)

    runs = {}
    for (workers, index), measured in cli_runs.items():
        times = [float(str(r["seconds"])) for r in measured]
        seconds = statistics.median(times)
        last = measured[-1]
        runs[f"workers={workers}" + (",index" if index else "")] = {
            "seconds": round(seconds, 2),
            "all_seconds": [round(t, 2) for t in times],
            "pages_per_s": round(len(paths) / seconds, 1),
            "mb_per_s": round(size / 1e6 / seconds, 2),
            "ratio_to_peer": round(seconds / peer_s, 2),
            "statuses": last["statuses"],
            "passages": last["passages"],
            "sections": last["sections"],
            "db_mb": round(int(str(last["db_bytes"])) / 1e6, 1),
        }
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "pages": len(paths),
        "every": args.every,
        "mb": round(size / 1e6, 1),
        "repeat": args.repeat,
        "peer_lxml_walk": {
            "seconds": round(peer_s, 2),
            "all_seconds": [round(t, 2) for t in peer_times],
            "pages_per_s": round(len(paths) / peer_s, 1),
            "paragraphs": paragraphs,
        },
        "cli_startup_seconds": round(startup_s, 2),
        "cli_one_page_seconds": round(one_page_s, 2),
        "covenant_cli": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ingest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Ingest benchmark ({result['when']})",
        "",
        f"{len(paths)} State Department pages (every {args.every}th, sorted), {result['mb']} MB, "
        f"{os.cpu_count()} CPUs; median of {args.repeat} interleaved runs.",
        "",
        "| what | seconds | pages/s | MB/s | time vs lxml walk |",
        "|---|---|---|---|---|",
        f"| lxml parse + walk (peer, 1 process) | {peer_s:.2f} | {len(paths) / peer_s:.0f} | "
        f"{size / 1e6 / peer_s:.1f} | 1.0x |",
    ]
    for name, run in runs.items():
        workers, _, index = name.partition(",")
        flags = f"--workers {workers.split('=')[1]} " + ("--index" if index else "--no-index")
        what = "then the full-text index" if index else "CLI, empty library"
        lines.append(
            f"| `covenant ingest {flags}` ({what}) | {run['seconds']:.2f} | "
            f"{run['pages_per_s']:.0f} | {run['mb_per_s']} | {run['ratio_to_peer']}x |"
        )
    lines += [
        "",
        f"The CLI times include its start-up: `covenant --version` takes {startup_s:.2f} s, and "
        f"`covenant ingest --workers 2` of one page {one_page_s:.2f} s (imports, readers loaded, the pool). "
        f"Stored: {runs['workers=1']['passages']} passages, {runs['workers=1']['sections']} sections, "
        f"statuses {runs['workers=1']['statuses']}.",
    ]
    (args.out / "ingest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

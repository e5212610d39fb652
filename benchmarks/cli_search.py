"""What a user waits for: a whole `covenant search` call per mode, beside the same search inside one process.

usage: python benchmarks/cli_search.py [--corpus DIR ...] [--every N] [--repeat N] [--out benchmarks/results]

A library is built once (the reference reports and every Nth State Department page), indexed with vectors, then
each mode is timed as a command (start-up, opening the library, loading the embedding model where the mode
needs it, the search, printing) and as `Library.search` in a process that has everything loaded. The peer is a
bare `python -c pass`: the floor of any command. Results go to <out>/cli-search.json and cli-search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import Library  # noqa: E402

QUERIES = ("pretrial detention", "closure of an independent newspaper", "torture in police custody")
MODES = ("bm25", "semantic", "hybrid")


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = ROOT.parent / "shared" / "corpus"
    parser.add_argument("--kazakhstan", type=Path, default=shared / "kazakhstan")
    parser.add_argument("--state-dept", type=Path, default=shared / "state-dept-html")
    parser.add_argument("--every", type=int, default=40, help="Every Nth State Department page (default 40).")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    files = sorted(args.kazakhstan.glob("*.txt")) + sorted(args.state_dept.glob("*/*.html"))[:: args.every]
    if not files:
        sys.exit("no reports found: the corpus lives in ../shared/corpus")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Library(db) as lib:
            lib.ingest(files)
            lib.index()
            passages = sum(lib.passage_counts().values())
            in_process: dict[str, list[float]] = {mode: [] for mode in MODES}
            for mode in MODES:
                lib.search(QUERIES[0], mode=mode)  # the model loaded once, as in a long-lived process
                for _ in range(args.repeat):
                    for query in QUERIES:
                        started = time.perf_counter()
                        lib.search(query, mode=mode)
                        in_process[mode].append(time.perf_counter() - started)
        command = [sys.executable, "-m", "covenant.cli", "--db", str(db), "search"]
        whole: dict[str, list[float]] = {mode: [] for mode in MODES}
        floor: list[float] = []
        for _ in range(args.repeat):
            floor.append(timed([sys.executable, "-c", "pass"]))
            for mode in MODES:
                for query in QUERIES:
                    whole[mode].append(timed([*command, query, "--mode", mode, "--limit", "10"]))

    def ms(values: list[float]) -> dict[str, float]:
        return {
            "median_ms": round(statistics.median(values) * 1000, 1),
            "min_ms": round(min(values) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "reports": len(files),
        "passages": passages,
        "repeat": args.repeat,
        "python_startup": ms(floor),
        "command": {mode: ms(values) for mode, values in whole.items()},
        "in_process": {mode: ms(values) for mode, values in in_process.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cli-search.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# A whole `covenant search` call ({result['when']})",
        "",
        f"{len(files)} reports, {passages} passages, indexed with the default model; {len(QUERIES)} queries x "
        f"{args.repeat} runs per mode; {os.cpu_count()} CPUs.",
        "",
        "| mode | whole command, median (min-max) ms | in one process, median ms |",
        "|---|---|---|",
    ]
    for mode in MODES:
        c, p = result["command"][mode], result["in_process"][mode]
        lines.append(f"| {mode} | {c['median_ms']} ({c['min_ms']}-{c['max_ms']}) | {p['median_ms']} |")
    lines += [
        "",
        f"Peer: `python -c pass` takes {result['python_startup']['median_ms']} ms. The command's extra time over "
        "the in-process search is start-up and, for semantic and hybrid, loading the embedding model (bm25 "
        "never loads it).",
    ]
    (args.out / "cli-search.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

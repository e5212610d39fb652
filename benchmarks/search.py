"""Search speed on the State Department passages: Covenant's BM25 beside raw tantivy and bm25s, in one run.

usage: python benchmarks/search.py [--corpus DIR] [--limit N] [--scale K] [--queries 300] [--out benchmarks/results]

Builds (or reuses) a library of the pages in benchmarks/.work/, indexes it, and times top-10 queries:
- covenant-rank: Covenant's full-text index (tantivy, en_stem, OR, stopwords dropped), ids only;
- covenant-search: the whole `covenant search --mode bm25` call: ranking, facets over every match,
  passages from SQLite, highlights and citations;
- raw tantivy: a bare index of the same texts queried the same way;
- bm25s (numpy backend), when installed.
`--scale K` repeats the passages K times with new ids (K=6 gives about a million). Results go to
<out>/search.json and <out>/search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import ingest  # noqa: E402
from covenant.search.engine import SearchEngine  # noqa: E402
from covenant.search.fulltext import STOPWORDS, FullTextIndex, prepare_query  # noqa: E402
from covenant.search.sync import indexed_passages  # noqa: E402
from covenant.store.sqlite import SQLiteStore  # noqa: E402

WORD = re.compile(r"[A-Za-z]{3,}")


def make_queries(texts: list[str], n: int, seed: int = 7) -> list[str]:
    """Realistic 3-6 word queries: runs of content words taken from random passages."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < n:
        words = [w for w in WORD.findall(rng.choice(texts)) if w.lower() not in STOPWORDS]
        size = rng.randint(3, 6)
        if len(words) > size:
            start = rng.randrange(len(words) - size)
            queries.append(" ".join(words[start : start + size]).lower())
    return queries


def timed(fn, queries: list[str]) -> dict[str, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * len(times)) - 1], 2)}


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept-html")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--semantic", action="store_true", help="Also embed every passage and time semantic/hybrid.")
    args = parser.parse_args()
    import tantivy

    work = ROOT / "benchmarks" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"search-{args.limit or 'all'}.db"
    store = SQLiteStore(db)
    paths = sorted(args.corpus.glob("*/*.html"))[: args.limit or None]
    t0 = time.perf_counter()
    ingest(paths, store)
    ingest_s = time.perf_counter() - t0
    reports = store.reports()
    docs = []
    for r in reports:
        docs.extend(indexed_passages(r, store.sections(r.id), store.passages(r.id)))
    texts = [d.text for d in docs]
    result: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "pages": len(reports),
        "passages": len(docs) * args.scale,
        "scale": args.scale,
        "ingest_s_if_not_reused": round(ingest_s, 1),
    }
    queries = make_queries(texts, args.queries)

    with tempfile.TemporaryDirectory() as tmp:
        # Covenant's index, scaled by repeating passages under new ids.
        index = FullTextIndex(Path(tmp) / "covenant")
        t0 = time.perf_counter()
        for k in range(args.scale):
            batch: dict[str, list] = {}
            for d in docs:
                copy = replace(d, passage_id=f"{d.passage_id}~{k}", report_id=f"{d.report_id}~{k}") if k else d
                batch.setdefault(copy.report_id, []).append(copy)
            index.update(batch, [])
        covenant_build = time.perf_counter() - t0

        # Raw tantivy on the same texts.
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
        raw_dir = Path(tmp) / "raw"
        raw_dir.mkdir()
        raw = tantivy.Index(sb.build(), path=str(raw_dir))
        t0 = time.perf_counter()
        writer = raw.writer(heap_size=256_000_000, num_threads=1)
        for k in range(args.scale):
            for d in docs:
                writer.add_document(tantivy.Document(id=f"{d.passage_id}~{k}", text=d.text))
        writer.commit()
        del writer
        raw.reload()
        raw_build = time.perf_counter() - t0
        raw_searcher = raw.searcher()

        def raw_query(q: str) -> list[str]:
            parsed = raw.parse_query(prepare_query(q), ["text"])
            hits = raw_searcher.search(parsed, 10).hits
            return [raw_searcher.doc(a)["id"][0] for _s, a in hits]

        engine = SearchEngine(store, db)
        engine._fulltext = index  # the scaled index (same schema Covenant keeps beside the library)
        result["index"] = {
            "covenant_build_s": round(covenant_build, 1),
            "covenant_mb": dir_mb(Path(tmp) / "covenant"),
            "raw_tantivy_build_s": round(raw_build, 1),
            "raw_tantivy_mb": dir_mb(raw_dir),
        }
        latency = {
            "raw tantivy": timed(raw_query, queries),
            "covenant-rank": timed(lambda q: index.search(q, 10), queries),
            "covenant-search (bm25, facets, citations)": timed(
                lambda q: engine.search(q, mode="bm25", limit=10, refresh=False), queries
            ),
        }
    if args.semantic and args.scale == 1:
        engine = SearchEngine(store, db)
        t0 = time.perf_counter()
        counts = engine.refresh(semantic=True, on_progress=_progress)
        result["embedding"] = {
            "seconds": round(time.perf_counter() - t0, 1),
            "embedded_now": counts["embedded"],
            "model": engine.embedder().name,
        }
        latency["semantic (whole call)"] = timed(lambda q: engine.search(q, mode="semantic", refresh=False), queries)
        latency["hybrid (whole call)"] = timed(lambda q: engine.search(q, mode="hybrid", refresh=False), queries)
    try:
        import bm25s

        corpus = [t for _ in range(args.scale) for t in texts]
        t0 = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        bm25s_build = time.perf_counter() - t0
        latency["bm25s"] = timed(
            lambda q: retriever.retrieve(
                bm25s.tokenize([q], stopwords="en", show_progress=False), k=10, show_progress=False
            ),
            queries,
        )
        result["index"]["bm25s_build_s"] = round(bm25s_build, 1)  # type: ignore[index]
    except ImportError:
        latency["bm25s"] = {"note": "not installed"}  # type: ignore[dict-item]
    base = latency["raw tantivy"]["median_ms"]
    for row in latency.values():
        if "median_ms" in row:
            row["median_vs_raw_tantivy"] = round(row["median_ms"] / base, 2) if base else None
    result["latency_top10"] = latency
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    store.close()

    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.scale == 1 else f"-x{args.scale}"
    (args.out / f"search{suffix}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# Search benchmark ({result['when']})",
        "",
        f"{result['passages']} passages ({len(reports)} pages x {args.scale}), {len(queries)} queries of 3-6 words, "
        f"top 10, one process. Peak RSS {result['peak_rss_mb']} MB.",
        "",
        "| engine | median ms | p95 ms | median vs raw tantivy |",
        "|---|---|---|---|",
    ]
    for name, row in latency.items():
        if "median_ms" in row:
            lines.append(f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['median_vs_raw_tantivy']}x |")
    lines += ["", "index: " + ", ".join(f"{k} {v}" for k, v in result["index"].items())]  # type: ignore[union-attr]
    (args.out / f"search{suffix}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    if os.environ.get("COVENANT_BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 5120 < 256:
        print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

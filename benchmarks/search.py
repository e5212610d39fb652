"""Search speed and memory on the State Department passages: Covenant beside raw tantivy and bm25s, in one run.

usage: python benchmarks/search.py [--semantic] [--passages N] [--worst-case] [--queries 300] [--limit PAGES]

Builds (or reuses) a library of the pages in benchmarks/.work/ (184,682 passages). With `--passages N`, a
second library repeats the first's reports under new ids (report, section and passage ids get `~k`) until it
holds N passages: the texts repeat, so its vectors are the first library's (one per distinct text).

Then, on that library, in one run:
- index build time and size: Covenant's full-text index (from the store, as `covenant index` does) and, with
  `--semantic`, its vector index (embedding only texts never embedded; the HNSW graph from 50k texts);
- top-10 latency (median, p95) of 300 realistic 3-6 word queries: raw tantivy on the same texts, Covenant's
  ranking alone (covenant-rank), bm25s (numpy backend) when installed, all in this process;
- a separate search process that only opens the library and runs the queries (`covenant search` as a
  library call: bm25 with facets and citations, semantic, hybrid), reporting its own peak RSS;
- with `--semantic`, recall@10 of the vector index against exact search over the float32 vectors;
- with `--worst-case`, every passage gets its own vector (its text's vector plus small noise, renormalised):
  an HNSW graph over N distinct vectors, its build time, size, recall@10 and latency, and the search process
  again with that vector index.
Results go to <out>/search.json/.md, or search-<N>.json/.md for a scaled library.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import Library  # noqa: E402
from covenant.search.fulltext import STOPWORDS, prepare_query  # noqa: E402
from covenant.search.sync import index_path  # noqa: E402
from covenant.search.vectors import EXPANSION_SEARCH, VectorIndex, build_ann  # noqa: E402

WORD = re.compile(r"[A-Za-z]{3,}")
NOISE = 0.01  # per-dimension noise of the worst case: a copy keeps a cosine of about 0.97 to its text's vector


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


def timed(fn: Any, queries: list[Any]) -> dict[str, float]:
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * len(times)) - 1], 2)}


def files_mb(files: list[Path]) -> float:
    return round(sum(f.stat().st_size for f in files if f.is_file()) / 1e6, 1)


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)


def own_peak_rss_mb() -> float:
    """Peak RSS of this process's own memory since it started (VmHWM). ru_maxrss of a child also counts the
    memory its parent had when it forked (Linux keeps the high-water mark across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 0)
    return rss_mb()


# -- the scaled library ------------------------------------------------------------------------------
def copy_plan(con: sqlite3.Connection, target: int) -> list[tuple[int, list[str]]]:
    """(copy number, report ids) until the library holds `target` passages: whole copies, then a part."""
    counts = con.execute(
        "SELECT r.id, COUNT(p.id) FROM reports r LEFT JOIN passages p ON p.report_id = r.id "
        "GROUP BY r.id ORDER BY r.file_name, r.id"
    ).fetchall()
    total = sum(n for _, n in counts)
    plan: list[tuple[int, list[str]]] = []
    k = 0
    while total < target:
        k += 1
        chosen: list[str] = []
        for rid, n in counts:
            if total >= target:
                break
            chosen.append(rid)
            total += n
        plan.append((k, chosen))
    return plan


def scaled_library(base: Path, target: int) -> tuple[Path, list[tuple[int, list[str]]]]:
    """A copy of the base library whose reports repeat under new ids until it holds `target` passages."""
    out = base.with_name(f"{base.stem}-{target}.db")
    con = sqlite3.connect(base)
    plan = copy_plan(con, target)
    con.close()
    if out.exists():
        have = sqlite3.connect(out).execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        if have >= target:
            return out, plan
        out.unlink()
    shutil.copyfile(base, out)
    con = sqlite3.connect(out)
    suffixed = {"id", "report_id", "parent_id", "section_id", "path", "sha256"}
    for k, rids in plan:
        con.execute("CREATE TEMP TABLE IF NOT EXISTS chosen (id TEXT PRIMARY KEY)")
        con.execute("DELETE FROM chosen")
        con.executemany("INSERT INTO chosen VALUES (?)", [(r,) for r in rids])
        for table, key in (("reports", "id"), ("sections", "report_id"), ("passages", "report_id")):
            cols = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
            exprs = [
                f'CASE WHEN "{c}" IS NULL THEN NULL ELSE "{c}" || \'~{k}\' END' if c in suffixed else f'"{c}"'
                for c in cols
            ]
            names = ", ".join(f'"{c}"' for c in cols)
            con.execute(
                f"INSERT INTO {table} ({names}) SELECT {', '.join(exprs)} FROM {table} "
                f"WHERE {key} IN (SELECT id FROM chosen)"
            )
        con.commit()
    con.close()
    return out, plan


# -- the separate search process ---------------------------------------------------------------------
def search_process(db: Path, queries: list[str], vectors: Path | None, semantic: bool) -> dict[str, Any]:
    """Open the library in a fresh process and time the queries there; its own peak RSS comes back."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(queries, f)
    cmd = [sys.executable, __file__, "--process", str(db), "--queries-file", f.name]
    if vectors is not None:
        cmd += ["--vectors", str(vectors)]
    if semantic:
        cmd.append("--semantic")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(f"search process failed: {done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_process(db: Path, queries_file: Path, vectors: Path | None, semantic: bool) -> None:
    queries = json.loads(queries_file.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    lib = Library(db, create=False)
    if vectors is not None:
        from covenant.search.embed import DEFAULT_MODEL

        # The worst case's vector index stands in for the library's own (the search engine's cache of them).
        lib.engine._vectors[DEFAULT_MODEL] = VectorIndex(vectors, DEFAULT_MODEL)
    first_mode = "hybrid" if semantic else "bm25"
    # As `covenant search` does: bring the indexes up to date, then search (opens them, loads the model).
    lib.index(semantic=semantic)
    lib.search(queries[0], mode=first_mode, limit=10)
    out: dict[str, Any] = {"open_and_first_query_s": round(time.perf_counter() - t0, 2)}
    latency = {
        "covenant-rank": timed(lambda q: lib.engine.fulltext.search(q, 10), queries),
        "bm25 (whole call)": timed(lambda q: lib.search(q, mode="bm25", limit=10), queries),
        "bm25 (whole call, no facets)": timed(lambda q: lib.search(q, mode="bm25", limit=10, facets=False), queries),
    }
    if semantic:
        # The first pass over the queries reads the model's token rows from disk (memory-mapped) as new
        # words come: timed on its own, then the steady state.
        latency["semantic (whole call), first pass"] = timed(
            lambda q: lib.search(q, mode="semantic", limit=10), queries
        )
        for mode in ("semantic", "hybrid"):
            latency[f"{mode} (whole call)"] = timed(lambda q, m=mode: lib.search(q, mode=m, limit=10), queries)
        latency["hybrid (whole call, no facets)"] = timed(
            lambda q: lib.search(q, mode="hybrid", limit=10, facets=False), queries
        )
    out["latency_top10"] = latency
    out["vector_index"] = lib.engine.vector_index().kind if semantic else None
    lib.close()
    out["peak_rss_mb"] = own_peak_rss_mb()
    out["ru_maxrss_mb_with_parent_at_fork"] = rss_mb()
    print(json.dumps(out))


# -- vectors: recall and the worst case --------------------------------------------------------------
def exact_top(matrix: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best vectors for each query, by exact inner product (chunked, float32)."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, matrix.shape[0], 100_000):
        block = np.asarray(matrix[start : start + 100_000], dtype=np.float32)
        scores = queries @ block.T
        rows = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best_scores = np.hstack([best_scores, np.take_along_axis(scores, rows, 1)])
        best_rows = np.hstack([best_rows, rows + start])
        keep = np.argsort(-best_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, 1)
        best_rows = np.take_along_axis(best_rows, keep, 1)
    return best_rows


def recall_at_10(ann: Any, keys: np.ndarray, matrix: np.ndarray, qvecs: np.ndarray) -> float:
    truth = keys[exact_top(matrix, qvecs, 10)]
    found = [set(np.asarray(ann.search(q, 10).keys).tolist()) for q in qvecs]
    return round(float(np.mean([len(f & set(t.tolist())) / 10 for f, t in zip(found, truth, strict=True)])), 4)


def worst_case(vi: VectorIndex, exact32: np.ndarray, qvecs: np.ndarray, folder: Path) -> dict[str, Any]:
    """Every passage its own vector: HNSW over len(vi) distinct vectors, saved as a vector index."""
    n = len(vi)
    rows = np.searchsorted(vi.keys, vi.pkey)  # each passage's text row
    rng = np.random.default_rng(11)
    vectors = np.empty((n, exact32.shape[1]), dtype=np.float16)
    for start in range(0, n, 100_000):
        block = exact32[rows[start : start + 100_000]] + rng.normal(
            0, NOISE, (min(100_000, n - start), exact32.shape[1])
        ).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[start : start + block.shape[0]] = block
    keys = np.arange(n, dtype=np.int64)
    t0 = time.perf_counter()
    ann = build_ann(keys, vectors)
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {"vectors": n, "noise_sigma": NOISE, "build_s": round(build_s, 1)}
    out["recall_at_10"] = recall_at_10(ann, keys, vectors, qvecs)
    out["ann_top10"] = timed(lambda q: ann.search(q, 10), list(qvecs))
    out["ann_top200"] = timed(lambda q: ann.search(q, 200), list(qvecs))
    # Saved as a vector index of the scaled library (passage i -> vector i) for the search process.
    shutil.rmtree(folder, ignore_errors=True)
    w = VectorIndex(folder, vi.model)
    w.report_ids, w.pids, w.preport, w.pkey = list(vi.report_ids), vi.pids, vi.preport, keys
    w._order_by_key()
    w.keys, w.hashes, w.matrix, w.ann, w.next_key = keys, np.zeros(n, dtype="S20"), vectors, ann, n
    w._save(matrix_changed=True)
    out["size_mb"] = files_mb(list(folder.iterdir()))
    out["graph_mb"] = files_mb([w.ann_file])
    return out


def vector_files(db: Path) -> list[Path]:
    return list(index_path(db).glob("vectors-*"))


def raw_tantivy(
    corpus: list[tuple[str, str]], queries: list[str], work: Path, index: dict[str, Any], latency: dict[str, Any]
) -> None:
    """A bare tantivy index of the same texts (English stemming), queried the way Covenant queries."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("text", stored=False, tokenizer_name="en_stem")
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        raw = tantivy.Index(sb.build(), path=tmp)
        t0 = time.perf_counter()
        writer = raw.writer(heap_size=256_000_000, num_threads=1)
        for pid, text in corpus:
            writer.add_document(tantivy.Document(id=pid, text=text))
        writer.commit()
        del writer
        raw.reload()
        index["raw_tantivy_build_s"] = round(time.perf_counter() - t0, 1)
        index["raw_tantivy_mb"] = files_mb(list(Path(tmp).iterdir()))
        searcher = raw.searcher()

        def query(q: str) -> list[str]:
            hits = searcher.search(raw.parse_query(prepare_query(q), ["text"]), 10).hits
            return [searcher.doc(a)["id"][0] for _s, a in hits]

        latency["raw tantivy"] = timed(query, queries)


def run_bm25s(
    corpus: list[tuple[str, str]], queries: list[str], index: dict[str, Any], latency: dict[str, Any]
) -> None:
    try:
        import bm25s
    except ImportError:
        latency["bm25s"] = {"note": "not installed"}
        return
    try:
        t0 = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize([t for _, t in corpus], stopwords="en", show_progress=False), show_progress=False
        )
        index["bm25s_build_s"] = round(time.perf_counter() - t0, 1)
        latency["bm25s"] = timed(
            lambda q: retriever.retrieve(
                bm25s.tokenize([q], stopwords="en", show_progress=False), k=10, show_progress=False
            ),
            queries,
        )
    except MemoryError:
        latency["bm25s"] = {"note": "out of memory"}


# -- the run -----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept-html")
    parser.add_argument("--limit", type=int, default=0, help="Only the first N pages.")
    parser.add_argument("--passages", type=int, default=0, help="Repeat the reports until the library holds N.")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--semantic", action="store_true", help="Also vectors: semantic and hybrid, recall@10.")
    parser.add_argument("--worst-case", action="store_true", help="Also an HNSW graph of one vector per passage.")
    parser.add_argument("--process", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.process:
        run_process(args.process, args.queries_file, args.vectors, args.semantic)
        return
    started = time.perf_counter()
    work = ROOT / "benchmarks" / ".work"
    work.mkdir(parents=True, exist_ok=True)
    base = work / f"search-{args.limit or 'all'}.db"
    paths = sorted(args.corpus.glob("*/*.html"))[: args.limit or None]
    with Library(base) as lib:
        t0 = time.perf_counter()
        lib.ingest(paths)
        ingest_s = time.perf_counter() - t0
        base_docs: dict[str, list[tuple[str, str]]] = {}
        for r in lib.reports():
            base_docs[r.id] = [(p.id, p.text) for p in lib.passages(r)]
    texts = [t for docs in base_docs.values() for _, t in docs]
    queries = make_queries(texts, args.queries)

    db, plan = (base, []) if not args.passages else scaled_library(base, args.passages)
    corpus: list[tuple[str, str]] = [pt for docs in base_docs.values() for pt in docs]
    for k, rids in plan:
        corpus.extend((f"{pid}~{k}", t) for rid in rids for pid, t in base_docs[rid])
    result: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "pages": len(base_docs),
        "reports": len(base_docs) + sum(len(rids) for _, rids in plan),
        "passages": len(corpus),
        "distinct_texts": len(set(texts)),
        "copies": round(len(corpus) / len(texts), 2),
        "queries": len(queries),
        "ingest_s_if_not_reused": round(ingest_s, 1),
    }

    # Covenant's indexes, built afresh from the store.
    shutil.rmtree(index_path(db), ignore_errors=True)
    lib = Library(db, create=False)
    t0 = time.perf_counter()
    lib.index(semantic=False)
    index: dict[str, Any] = {"covenant_fulltext_build_s": round(time.perf_counter() - t0, 1)}
    index["covenant_fulltext_mb"] = files_mb([f for f in index_path(db).iterdir() if not f.name.startswith("vectors-")])
    if args.semantic:
        t0 = time.perf_counter()
        counts = lib.index(semantic=True, on_progress=_progress)
        vi = lib.engine.vector_index()
        index["covenant_vectors_build_s"] = round(time.perf_counter() - t0, 1)
        index["covenant_vectors_embedded_now"] = counts["embedded"]
        index["covenant_vectors_mb"] = files_mb(vector_files(db))
        index["vector_index"] = f"{vi.kind}: {len(vi.keys)} vectors for {len(vi)} passages"

    latency: dict[str, Any] = {}
    raw_tantivy(corpus, queries, work, index, latency)
    latency["covenant-rank (same process)"] = timed(lambda q: lib.engine.fulltext.search(q, 10), queries)
    run_bm25s(corpus, queries, index, latency)
    gc.collect()
    result["index"] = index
    result["peak_rss_mb_benchmark_process"] = rss_mb()

    # The search process alone, with nothing else loaded.
    proc = search_process(db, queries, None, args.semantic)
    for name, row in proc.pop("latency_top10").items():
        latency[f"{name}, search process"] = row
    result["search_process"] = proc

    if args.semantic:
        from covenant.search.embed import load_embedder

        embedder = load_embedder(None)
        qvecs = np.stack([embedder.embed_query(q) for q in queries]).astype(np.float32)
        stored = lib.store.embeddings(vi.model, [h.decode() for h in vi.hashes.tolist()])
        exact32 = np.stack([np.frombuffer(stored[h.decode()], dtype=np.float32) for h in vi.hashes])
        del stored
        if vi.ann is not None:
            result["recall_at_10"] = recall_at_10(vi.ann, vi.keys, exact32, qvecs)
            by_ef = {}
            for ef in (128, 256, 512, 1024, 2048):
                vi.ann.expansion_search = ef
                by_ef[ef] = {"recall_at_10": recall_at_10(vi.ann, vi.keys, exact32, qvecs)}
                by_ef[ef].update(timed(lambda q: vi.ann.search(q, 10), list(qvecs)))
            vi.ann.expansion_search = EXPANSION_SEARCH
            result["recall_at_10_by_ef"] = by_ef
            result["ann_top10"] = timed(lambda q: vi.ann.search(q, 10), list(qvecs))
            result["ann_top200"] = timed(lambda q: vi.ann.search(q, 200), list(qvecs))
        result["exact_numpy_top200"] = timed(lambda q: exact_top(exact32, q[None, :], 200), list(qvecs))
        if args.worst_case:
            folder = work / f"{db.stem}-distinct-vectors"
            worst = worst_case(vi, exact32, qvecs, folder)
            del exact32
            gc.collect()
            proc = search_process(db, queries, folder, True)
            for name, row in proc.pop("latency_top10").items():
                if name.startswith(("semantic", "hybrid")):
                    latency[f"{name}, search process, {len(vi)} distinct vectors"] = row
            worst["search_process"] = proc
            result["worst_case_distinct_vectors"] = worst
            shutil.rmtree(folder, ignore_errors=True)
    lib.close()
    base_ms = latency["raw tantivy"]["median_ms"]
    for row in latency.values():
        if "median_ms" in row:
            row["median_vs_raw_tantivy"] = round(row["median_ms"] / base_ms, 2) if base_ms else None
    result["latency_top10"] = latency
    result["peak_rss_mb_benchmark_process"] = rss_mb()
    result["run_s"] = round(time.perf_counter() - started)
    write(result, args)
    if os.environ.get("COVENANT_BENCH_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)


def write(result: dict[str, Any], args: argparse.Namespace) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    name = "search" if not args.passages else f"search-{args.passages}"
    (args.out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    proc = result["search_process"]
    lines = [
        f"# Search benchmark ({result['when']})",
        "",
        f"{result['passages']} passages ({result['pages']} pages, {result['copies']} copies; "
        f"{result['distinct_texts']} distinct texts), {result['queries']} queries of 3-6 words, top 10, "
        f"{result['cpus']} shared cores.",
        "",
        "| engine | median ms | p95 ms | median vs raw tantivy |",
        "|---|---|---|---|",
    ]
    for engine, row in result["latency_top10"].items():
        if "median_ms" in row:
            lines.append(f"| {engine} | {row['median_ms']} | {row['p95_ms']} | {row['median_vs_raw_tantivy']}x |")
        else:
            lines.append(f"| {engine} | {row.get('note')} | | |")
    lines += [
        "",
        f"Search process alone (opens the library, runs every query): peak RSS {proc['peak_rss_mb']} MB, "
        f"open and first query {proc['open_and_first_query_s']} s. "
        f"Benchmark process peak RSS {result['peak_rss_mb_benchmark_process']} MB.",
        "",
        "index: " + ", ".join(f"{k} {v}" for k, v in result["index"].items()),
    ]
    if "recall_at_10" in result:
        lines += [
            "",
            f"Vector index: recall@10 {result['recall_at_10']} against exact search; graph alone top-10 "
            f"{result['ann_top10']['median_ms']} / {result['ann_top10']['p95_ms']} ms, top-200 "
            f"{result['ann_top200']['median_ms']} / {result['ann_top200']['p95_ms']} ms; exact numpy top-200 "
            f"{result['exact_numpy_top200']['median_ms']} / {result['exact_numpy_top200']['p95_ms']} ms.",
            "",
            "| ef (search breadth) | recall@10 | graph top-10 median ms | p95 ms |",
            "|---|---|---|---|",
            *(
                f"| {ef} | {row['recall_at_10']} | {row['median_ms']} | {row['p95_ms']} |"
                for ef, row in result["recall_at_10_by_ef"].items()
            ),
        ]
    worst = result.get("worst_case_distinct_vectors")
    if worst:
        lines += [
            "",
            f"Worst case, one vector per passage ({worst['vectors']} distinct vectors: each text's vector plus "
            f"N(0, {worst['noise_sigma']}) noise per dimension, renormalised): HNSW build {worst['build_s']} s, "
            f"{worst['size_mb']} MB on disk (graph {worst['graph_mb']} MB), recall@10 {worst['recall_at_10']}, "
            f"graph alone top-10 {worst['ann_top10']['median_ms']} / {worst['ann_top10']['p95_ms']} ms, "
            f"top-200 {worst['ann_top200']['median_ms']} / {worst['ann_top200']['p95_ms']} ms; search process "
            f"peak RSS {worst['search_process']['peak_rss_mb']} MB.",
        ]
    (args.out / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 50_000 < 10_000:
        print(f"{stage}: {done}/{total}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

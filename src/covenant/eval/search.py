"""Score search against queries.jsonl: nDCG@10, recall@20 and MRR per mode."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from covenant.eval.gold import GoldSet, read_jsonl
from covenant.eval.matching import normalise, quote_matches
from covenant.library import Library
from covenant.search.engine import MODES


def load_queries(sets: list[GoldSet]) -> list[dict[str, Any]]:
    queries = []
    for gold in sets:
        queries.extend(read_jsonl(gold.root / "queries.jsonl"))
    return queries


def score_search(
    lib: Library, queries: list[dict[str, Any]], report_of_file: dict[str, str], modes: tuple[str, ...] = MODES
) -> dict[str, Any]:
    """`report_of_file` maps an annotation's report name (file stem) to the library's report id.

    The library's indexes should be up to date (`lib.index()`): the queries search what is indexed."""
    unlocated = _unlocated(lib, queries, report_of_file)
    result: dict[str, Any] = {"queries": len(queries), "unlocated_quotes": unlocated, "modes": {}}
    for mode in modes:
        per_query = []
        for q in queries:
            hits = lib.search(q["query"], mode=mode, limit=20).hits
            per_query.append(_score_one(q, hits, report_of_file))
        n = max(1, len(per_query))
        result["modes"][mode] = {
            "ndcg@10": round(sum(s["ndcg@10"] for s in per_query) / n, 4),
            "recall@20": round(sum(s["recall@20"] for s in per_query) / n, 4),
            "mrr": round(sum(s["mrr"] for s in per_query) / n, 4),
            "per_query": {q["id"]: s for q, s in zip(queries, per_query, strict=True)},
        }
    return result


def _relevant(q: dict[str, Any], report_of_file: dict[str, str]) -> list[tuple[str, str, int]]:
    return [
        (report_of_file.get(r["report"], r["report"]), normalise(r["quote"]), int(r.get("grade", 1)))
        for r in q.get("relevant", [])
    ]


def _score_one(q: dict[str, Any], hits: list[Any], report_of_file: dict[str, str]) -> dict[str, float]:
    gold = _relevant(q, report_of_file)
    found: set[int] = set()
    gains: list[float] = []
    first_direct = 0
    for rank, hit in enumerate(hits, 1):
        text = normalise(hit.text)
        best = 0
        for k, (rid, quote, grade) in enumerate(gold):
            if k in found or rid != hit.citation.report_id:
                continue
            if quote_matches("", "", quote, text):
                found.add(k)
                best = max(best, grade)
                if grade >= 2 and not first_direct:
                    first_direct = rank
        gains.append(float(best))
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:10]))
    ideal = sorted((g for _, _, g in gold), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = [k for k, (_, _, g) in enumerate(gold) if g >= 1]
    return {
        "ndcg@10": round(dcg / idcg, 4) if idcg else 0.0,
        "recall@20": round(len([k for k in relevant if k in found]) / len(relevant), 4) if relevant else 0.0,
        "mrr": round(1 / first_direct, 4) if first_direct else 0.0,
    }


def _unlocated(lib: Library, queries: list[dict[str, Any]], report_of_file: dict[str, str]) -> list[dict]:
    """Gold quotes that no passage of their report contains (an annotation or ingest problem, not a miss)."""
    texts: dict[str, list[str]] = {}
    missing = []
    for q in queries:
        for r in q.get("relevant", []):
            rid = report_of_file.get(r["report"])
            if rid is None:
                missing.append({"query": q["id"], "report": r["report"], "quote": r["quote"][:80], "why": "no report"})
                continue
            if rid not in texts:
                texts[rid] = [normalise(p.text) for p in lib.passages(rid)]
            quote = normalise(r["quote"])
            if not any(quote_matches("", "", quote, t) for t in texts[rid]):
                missing.append({"query": q["id"], "report": r["report"], "quote": r["quote"][:80]})
    return missing


def library_for(sets: list[GoldSet], db_path: Path, models: list[str] | None = None) -> tuple[Library, dict[str, str]]:
    """A library holding every report the sets annotate; and annotation name -> report id."""
    lib = Library(db_path, models=models)
    files: list[Path] = []
    for gold in sets:
        files.extend(gold.report_file(r) for r in gold.reports if gold.report_file(r).exists())
    lib.ingest(files)
    mapping = {Path(r.file_name).stem: r.id for r in lib.reports()}
    return lib, mapping

"""The `tag=` filter in bm25 search: a term-set clause on passage ids (what search does) against ranking with an
enlarged pool and dropping the untagged hits afterwards; and what the tag facet, a page's tags and notes, and a
note search cost.

usage: python benchmarks/tag_filter.py [--corpus DIR ...] [--repeat N] [--out benchmarks/results]

A library of the reference reports is built once (full-text index only); 10, 100 and 1,000 passages (seeded
random) are tagged. For each query and tag size: the median time of `Library.search(mode="bm25",
filters=["tag=..."])` (citations, tags and notes of the hits included) and of its index query alone (the
term-set clause), beside the alternative at pools of 10x and 100x the limit, with the share of the exact top 10
the alternative finds. Results go to <out>/tag-filter.json and tag-filter.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from covenant.library import Library  # noqa: E402
from covenant.search.fulltext import Filters  # noqa: E402

QUERIES = ("pretrial detention", "closure of an independent newspaper", "torture in police custody", "court")
TAGGED = (10, 100, 1000)
LIMIT = 10


def median_ms(action: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", default=None, help="report folders (default: the reference)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    corpus = args.corpus or [str(ROOT.parent / "shared" / "corpus" / "kazakhstan")]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="covenant-tags-") as tmp, Library(Path(tmp) / "bench.db") as lib:
        lib.ingest(corpus, workers=2)
        lib.index(semantic=False)
        ids = [p.id for p in lib.passages()]
        rng = random.Random(7)
        for size in TAGGED:
            if size > len(ids):
                continue
            tag = f"set-{size}"
            for pid in rng.sample(ids, size):
                lib.tag(pid, tag)
            allowed = lib.store.tagged_ids([tag])
            for query in QUERIES:
                exact = [h.passage_id for h in lib.search(query, mode="bm25", filters=[f"tag={tag}"], limit=LIMIT).hits]
                row: dict[str, Any] = {"tagged": size, "query": query, "hits": len(exact)}
                only = Filters(passage_ids=tuple(sorted(allowed)))
                row["index_term_set_ms"] = median_ms(
                    lambda q=query, f=only: lib.engine.fulltext.search(q, LIMIT, f), args.repeat
                )
                row["term_set_ms"] = median_ms(
                    lambda q=query, t=tag: lib.search(q, mode="bm25", filters=[f"tag={t}"], limit=LIMIT, facets=False),
                    args.repeat,
                )
                row["term_set_facets_ms"] = median_ms(
                    lambda q=query, t=tag: lib.search(q, mode="bm25", filters=[f"tag={t}"], limit=LIMIT), args.repeat
                )
                for factor in (10, 100):

                    def post_filter(q: str = query, pool: int = LIMIT * factor, ok: set[str] = allowed) -> list[str]:
                        ranked = lib.engine.fulltext.search(q, pool)
                        return [pid for pid, _ in ranked if pid in ok][:LIMIT]

                    found = post_filter()
                    row[f"pool_{factor}x_ms"] = median_ms(post_filter, args.repeat)
                    share = len(set(found) & set(exact)) / len(exact) if exact else None
                    row[f"pool_{factor}x_recall"] = None if share is None else round(share, 2)
                rows.append(row)
        page = [h.passage_id for h in lib.search("court", mode="bm25", limit=LIMIT, facets=False).hits]
        annotations_ms = median_ms(lambda: lib.store.annotations(page), args.repeat)
        for i, pid in enumerate(rng.sample(ids, min(len(ids), 1000))):
            for n in range(10):
                lib.store.add_note(pid, f"note {i}.{n}: follow up the Zhovtis appeal with the lawyer {n}")
        note_search_ms = median_ms(lambda: lib.notes(search="zhovtis lawyer 7"), args.repeat)
        notes = len(lib.notes())
        passages = len(ids)
    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passages": passages,
        "limit": LIMIT,
        "rows": rows,
        "annotations_of_a_page_ms": annotations_ms,
        "note_search_ms": note_search_ms,
        "notes": notes,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tag-filter.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [
        f"# tag= filter, bm25, {passages} passages, top {LIMIT} (median ms of {args.repeat})",
        "",
        "| tagged | query | hits | index: term set | pool 10x | recall | pool 100x | recall "
        "| Library.search | with facets |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['tagged']} | {r['query']} | {r['hits']} | {r['index_term_set_ms']} | {r['pool_10x_ms']} | "
            f"{r['pool_10x_recall']} | {r['pool_100x_ms']} | {r['pool_100x_recall']} | {r['term_set_ms']} | "
            f"{r['term_set_facets_ms']} |"
        )
    lines += [
        "",
        f"tags and notes of a page of {LIMIT} hits: {annotations_ms} ms; "
        f"a note search over {notes} notes: {note_search_ms} ms",
    ]
    (out / "tag-filter.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Score entity timelines on FORMAT files (`timelines.jsonl`): fact recall and order accuracy of the system's
timeline for each annotated entity, across reports, with entities resolved by covenant.entities."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from covenant.entities import Recogniser, resolve
from covenant.eval.foundation import documents_for
from covenant.eval.gold import GoldSet, read_jsonl
from covenant.eval.matching import normalise, quote_matches
from covenant.events import document_events, link
from covenant.events.timeline import TimelineLine, entity_timeline, sort_key


def evaluate(sets: list[GoldSet], recogniser: Recogniser | None = None) -> dict[str, Any]:
    """Ingest the sets' reports, find and resolve entity mentions and events, and score every timeline."""
    docs, missing = documents_for(sets)
    recogniser = recogniser or Recogniser()
    order = [docs[r] for r in sorted(docs)]
    resolution = resolve(recogniser.documents(order))  # footnotes' spellings join entities, as in a library
    mentions = [m for m in resolution.mentions if not m.footnote]  # events and timelines read passages
    events = [e for doc in order for e in document_events(doc, [m for m in mentions if m.report_id == doc.report.id])]
    link(events)
    gold_id = {doc.report.id: report for report, doc in docs.items()}
    texts = {p.id: p.text for doc in order for p in doc.passages}
    results = []
    for gold in sets:
        for record in read_jsonl(gold.root / "timelines.jsonl"):
            ids = {e.id for e in resolution.entities_named(record["entity"])}
            lines = entity_timeline(ids, order, mentions, events)
            results.append(score_timeline(record, lines, gold_id, texts))
    facts = sum(r["facts"] for r in results)
    found = sum(r["found"] for r in results)
    pairs = sum(r["pairs"] for r in results)
    ordered = sum(r["ordered"] for r in results)
    return {
        "timelines": len(results),
        "facts": facts,
        "fact_recall": round(found / facts, 4) if facts else None,
        "order_accuracy": round(ordered / pairs, 4) if pairs else None,
        "per_entity": results,
        "missing_reports": missing,
    }


def score_timeline(
    record: dict[str, Any], lines: list[TimelineLine], gold_id: dict[str, str], texts: dict[str, str]
) -> dict[str, Any]:
    """A fact is found when a line of the timeline, in the fact's report, is in a passage holding the fact's
    quote; a consecutive pair of facts is ordered when both are found and their lines' dates are in the same
    order (a pair the timeline lacks counts as not ordered)."""
    positions: list[str | None] = []
    for fact in record["facts"]:
        quote = normalise(fact["quote"])
        hits = [
            line
            for line in lines
            if gold_id.get(line.report_id) == fact["report"]
            and quote_matches(fact["quote"], "", quote, normalise(texts[line.passage_id]))
        ]
        # Several lines may stand in the passage: the one sharing most words with the fact dates it.
        best = max(hits, key=lambda line: len(set(quote.split()) & set(normalise(line.quote).split())), default=None)
        positions.append(sort_key(best.date) if best else None)
    pairs = max(len(positions) - 1, 0)
    # A date inside the next one ("2003-01-28" then "2003") is in order: the coarser date holds it.
    ordered = sum(1 for a, b in pairwise(positions) if a is not None and b is not None and (a <= b or a.startswith(b)))
    return {
        "entity": record["entity"],
        "lines": len(lines),
        "facts": len(positions),
        "found": sum(p is not None for p in positions),
        "pairs": pairs,
        "ordered": ordered,
    }

"""Score recommendation extraction against recommendations.jsonl and non_recommendations.jsonl (FORMAT.md).

Matching is on the quote (covenant.eval.matching): a prediction matches a gold ask when its quote contains the
gold quote, or holds 80% of a longer gold quote's words in order; each gold ask matches at most one prediction
and each prediction at most one gold ask (a maximum bipartite matching), so a bullet that asks two things must
come out as two records to earn both.

Rights accuracy compares the ICCPR articles of matched pairs where the gold gives some: the articles the shipped
rights model labels the ask's passage with (as the library fills `iccpr`), exactly and by overlap.

Precision is given two ways, because an annotated report's recommendations.jsonl need not list every ask in it:
`precision` counts as false every prediction in a report with a recommendations.jsonl that matches no gold quote
(a lower bound when the gold is not exhaustive); `precision_on_negatives` counts as false only predictions that
match a non_recommendations.jsonl quote (sentences that look like asks and are not); `precision_in_span` counts
as false the unmatched predictions between a report's first and last matched gold ask (the stretch the annotator
read). All three are reported, with the unmatched predictions listed so a reader can judge them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from covenant.eval.foundation import documents_for
from covenant.eval.gold import GoldSet, load_sets
from covenant.eval.matching import normalise, quote_matches
from covenant.model import Document, Recommendation
from covenant.recommendations import extract_recommendations


def same_issuer(gold: str | None, found: str | None) -> bool:
    """Issuers agree when their normalised names do, or one names the other ("Human Rights Committee" and
    "UN Human Rights Committee"; token-set similarity >= 90)."""
    if not gold or not found:
        return not gold and not found
    a, b = normalise(gold), normalise(found)
    return a == b or fuzz.token_set_ratio(a, b) >= 90


def _match(gold_quotes: list[str], predicted: list[str]) -> dict[int, int]:
    """Maximum one-to-one matching of gold asks to predictions (Kuhn's augmenting paths; sizes are small)."""
    edges = [[j for j, p in enumerate(predicted) if quote_matches("", "", g, p)] for g in gold_quotes]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold_quotes)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def _located(quote: str, doc: Document) -> bool:
    q = normalise(quote)
    return q in normalise(doc.clean_text) or any(quote_matches("", "", q, normalise(p.text)) for p in doc.passages)


def passage_rights(docs: dict[str, Document]) -> dict[str, set[int]]:
    """The ICCPR articles the shipped rights model gives each passage of these documents (with the reports'
    headings and the passages' vectors), as `Library.recommendations` takes them from the library's labels."""
    from covenant.rights.classifier import load_model
    from covenant.rights.labeller import label_report
    from covenant.search.embed import load_embedder

    model = load_model()
    embedder = load_embedder(model.vector_model)
    out: dict[str, set[int]] = {}
    for doc in docs.values():
        if not doc.passages:
            continue
        rows = embedder.embed([p.text for p in doc.passages])
        vectors = {p.id: rows[i] for i, p in enumerate(doc.passages)}
        for label in label_report(model, doc.sections, doc.passages, vectors):
            if label.scheme == "iccpr" and label.assigned:
                out.setdefault(label.passage_id, set()).add(int(label.code))
    return out


def score_recommendations(
    sets: list[GoldSet], docs: dict[str, Document] | None = None, *, rights: bool = False
) -> dict[str, Any]:
    """Extraction precision and recall, issuer, status and (with `rights`: labels the passages with the rights
    model first) rights accuracy over every annotated report."""
    if docs is None:
        docs, _ = documents_for(sets)
    articles = passage_rights(docs) if rights else {}
    rights_overlap = 0
    totals = {"gold": 0, "predicted": 0, "predicted_in_span": 0, "matched": 0, "negatives": 0, "negatives_predicted": 0}
    issuer_ok = status_ok = status_total = assessed_ok = assessed_total = rights_ok = rights_total = 0
    unlocated: list[dict[str, str]] = []
    per_report: dict[str, Any] = {}
    for gold_set in sets:
        for record in gold_set.reports:
            name = record["report"]
            gold = gold_set.per_report(name, "recommendations.jsonl")
            negatives = gold_set.per_report(name, "non_recommendations.jsonl")
            doc = docs.get(name)
            if doc is None or not (gold or negatives):
                continue
            predicted = extract_recommendations(doc)
            for r in predicted:
                r.iccpr = sorted(articles.get(r.passage_id or "", set()))
            texts = [normalise(r.quote) for r in predicted]
            for g in gold + negatives:
                if not _located(g["quote"], doc):
                    unlocated.append({"report": name, "quote": g["quote"][:100]})
            pairs = _match([normalise(g["quote"]) for g in gold], texts)
            hit_negatives = [
                r for r in predicted if any(_touches(normalise(n["quote"]), normalise(r.quote)) for n in negatives)
            ]
            misses = [g["quote"] for i, g in enumerate(gold) if i not in pairs]
            matched_ids = set(pairs.values())
            extra = [r.quote for j, r in enumerate(predicted) if j not in matched_ids] if gold else []
            # the stretch of the report the annotator went through: from the first gold ask to the last one
            span = (
                (min(predicted[j].start for j in matched_ids), max(predicted[j].end for j in matched_ids))
                if pairs
                else (0, 0)
            )
            in_span = [r for r in predicted if span[0] <= r.start < span[1] + 1]
            for i, j in pairs.items():
                g, r = gold[i], predicted[j]
                issuer_ok += same_issuer(g.get("issuer"), r.issuer)
                status_ok += g.get("status_claimed") == r.status_claimed
                status_total += 1
                if g.get("status_claimed") is not None:
                    assessed_ok += g.get("status_claimed") == r.status_claimed
                    assessed_total += 1
                if rights and g.get("iccpr"):
                    # exact: the same set of articles; overlap: at least one article in common
                    rights_ok += sorted(g["iccpr"]) == sorted(r.iccpr)
                    rights_overlap += bool(set(g["iccpr"]) & set(r.iccpr))
                    rights_total += 1
            totals["gold"] += len(gold)
            totals["predicted"] += len(predicted) if gold else 0
            totals["predicted_in_span"] += len(in_span) if gold else 0
            totals["matched"] += len(pairs)
            totals["negatives"] += len(negatives)
            totals["negatives_predicted"] += len(hit_negatives)
            per_report[name] = {
                "gold": len(gold),
                "predicted": len(predicted),
                "matched": len(pairs),
                "negatives": len(negatives),
                "negatives_predicted": [r.quote for r in hit_negatives],
                "missed": misses,
                "unmatched_predictions": extra,
            }
    matched = totals["matched"]
    return {
        **totals,
        "recall": _ratio(matched, totals["gold"]),
        "precision": _ratio(matched, totals["predicted"]),
        "precision_in_span": _ratio(matched, totals["predicted_in_span"]),
        "precision_on_negatives": _ratio(matched, matched + totals["negatives_predicted"]),
        "issuer_accuracy": _ratio(issuer_ok, matched),
        "status_accuracy": _ratio(status_ok, status_total),
        "status_accuracy_assessed": _ratio(assessed_ok, assessed_total),
        "rights_accuracy": _ratio(rights_ok, rights_total) if rights_total else None,
        "rights_overlap": _ratio(rights_overlap, rights_total) if rights_total else None,
        "rights_pairs": rights_total,
        "unlocated_quotes": unlocated,
        "reports": per_report,
    }


def _touches(negative: str, predicted: str) -> bool:
    """A prediction hits a negative when either holds the other (a clause cut out of it counts)."""
    return quote_matches("", "", negative, predicted) or (len(predicted) > 20 and predicted in negative)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def predictions(doc: Document) -> list[Recommendation]:
    return extract_recommendations(doc)


def main(argv: list[str] | None = None) -> int:
    """`python -m covenant.eval.recommendations SET_DIR...`: the scores as JSON (`covenant eval recommendations`
    prints them too)."""
    dirs = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    result = score_recommendations(load_sets(dirs), rights=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

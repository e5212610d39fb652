"""Score the entity stage on FORMAT files: entity recall (`entities.jsonl`) and alias pairs (`aliases.jsonl`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from covenant.entities import Recogniser, Resolution, load_overrides, resolve
from covenant.entities.resolve import surface_form
from covenant.eval.foundation import documents_for
from covenant.eval.gold import GoldSet, read_jsonl
from covenant.model import Document, EntityMention

GOLD_METHOD = "gold:surface"


def library_mentions(docs: dict[str, Document], recogniser: Recogniser | None = None) -> list[EntityMention]:
    """The stage's mentions over every report of the sets, as a library would hold them."""
    recogniser = recogniser or Recogniser()
    return recogniser.documents(docs[r] for r in sorted(docs))


def evaluate(sets: list[GoldSet], overrides: Path | None = None) -> dict[str, Any]:
    """Ingest the sets' reports in memory, run the stage over all of them, and score both files."""
    docs, missing = documents_for(sets)
    mentions = library_mentions(docs)
    rules = load_overrides(overrides) if overrides is not None else None
    resolution = resolve(mentions, rules)
    return {
        "reports": len(docs),
        "missing_reports": missing,
        "mentions": len(mentions),
        "entities": len(resolution.entities),
        "entity_recall": score_entity_recall(sets, resolution, docs),
        "aliases": score_aliases(sets, resolution),
        "aliases_resolver_only": score_aliases_resolver_only(sets, mentions, rules),
    }


def score_entity_recall(sets: list[GoldSet], resolution: Resolution, docs: dict[str, Document]) -> dict[str, Any]:
    """Share of annotated entities the stage names in their report (any annotated spelling), share of those
    with the right type, and share whose annotated spellings all land on one predicted entity."""
    gold_id = {doc.report.id: report for report, doc in docs.items()}  # content-hash id -> the set's report id
    by_report: dict[str, dict[str, set[tuple[str, str | None]]]] = {}
    for m in resolution.mentions:
        by_report.setdefault(gold_id.get(m.report_id, m.report_id), {}).setdefault(surface_form(m.text), set()).add(
            (m.type, m.entity_id)
        )
    total = found = typed = joined = 0
    missed: list[dict[str, Any]] = []
    for gold in sets:
        for record in gold.reports:
            for entity in gold.per_report(record["report"], "entities.jsonl"):
                total += 1
                spellings = {surface_form(s) for s in [entity["canonical"], *entity.get("mentions", [])]}
                seen = by_report.get(record["report"], {})
                hits = [hit for s in spellings for hit in seen.get(s, set())]
                if not hits:
                    missed.append({"report": record["report"], "canonical": entity["canonical"]})
                    continue
                found += 1
                typed += any(kind == entity.get("type") for kind, _ in hits)
                ids = [{i for _, i in seen[s] if i} for s in spellings if s in seen]
                joined += bool(ids) and bool(set.intersection(*ids))
    return {
        "gold": total,
        "recall": round(found / total, 4) if total else None,
        "type_accuracy": round(typed / found, 4) if found else None,
        "spellings_joined": round(joined / found, 4) if found else None,
        "missed": missed,
    }


def _alias_pairs(sets: list[GoldSet]) -> list[dict[str, Any]]:
    return [pair for gold in sets for pair in read_jsonl(gold.root / "aliases.jsonl")]


def score_aliases(sets: list[GoldSet], resolution: Resolution) -> dict[str, Any]:
    """Alias-pair precision, recall and F1: a pair is predicted "same" when some entity holds both spellings.
    A spelling the stage never found counts as predicted apart (a miss), and is listed."""
    pairs = _alias_pairs(sets)
    lookup: dict[str, set[str]] = {}
    for m in resolution.mentions:
        if m.entity_id:
            lookup.setdefault(surface_form(m.text), set()).add(m.entity_id)
    return _score_pairs(pairs, lookup)


def score_aliases_resolver_only(
    sets: list[GoldSet], mentions: list[EntityMention], overrides: list[Any] | None = None
) -> dict[str, Any]:
    """The same score with every annotated spelling the recogniser missed added as a mention of its own:
    what resolution alone achieves, apart from recognition. A diagnostic, not the stage's figure."""
    pairs = _alias_pairs(sets)
    known = {surface_form(m.text) for m in mentions}
    extra = []
    for n, pair in enumerate(pairs):
        for side in ("a", "b"):
            if surface_form(pair[side]) not in known:
                extra.append(
                    EntityMention(
                        report_id="gold",
                        passage_id=f"gold:{n}:{side}",
                        start=0,
                        end=len(pair[side]),
                        text=pair[side],
                        type=pair.get("type") or "ORG",
                        method=GOLD_METHOD,
                    )
                )
                known.add(surface_form(pair[side]))
    copies = [EntityMention(**m.to_dict()) for m in mentions]
    resolution = resolve(copies + extra, overrides)
    lookup: dict[str, set[str]] = {}
    for m in resolution.mentions:
        if m.entity_id:
            lookup.setdefault(surface_form(m.text), set()).add(m.entity_id)
    return _score_pairs(pairs, lookup)


def _score_pairs(pairs: list[dict[str, Any]], lookup: dict[str, set[str]]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    mistakes: list[dict[str, Any]] = []
    not_found: set[str] = set()
    for pair in pairs:
        a, b = lookup.get(surface_form(pair["a"]), set()), lookup.get(surface_form(pair["b"]), set())
        not_found.update(pair[s] for s, ids in (("a", a), ("b", b)) if not ids)
        same = bool(a & b)
        if pair["same"] and same:
            tp += 1
        elif pair["same"]:
            fn += 1
            mistakes.append({"kind": "not merged", "a": pair["a"], "b": pair["b"]})
        elif same:
            fp += 1
            mistakes.append({"kind": "wrongly merged", "a": pair["a"], "b": pair["b"]})
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(pairs),
        "same_pairs": tp + fn,
        "different_pairs": fp + tn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "kept_apart": tn,
        "spellings_not_found": sorted(not_found),
        "mistakes": mistakes,
    }

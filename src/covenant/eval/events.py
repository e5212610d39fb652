"""Score the event stage on FORMAT files: event precision, recall and F1 (same passage and type), date accuracy on
matched events, and perpetrators, victims and place on matched events, each scored on its own."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from covenant.entities import Recogniser
from covenant.entities.keys import sound_key, words
from covenant.eval.foundation import documents_for
from covenant.eval.gold import GoldSet
from covenant.eval.matching import normalise, quote_matches
from covenant.events import events_for_documents
from covenant.model import Document, Event


def evaluate(sets: list[GoldSet], recogniser: Recogniser | None = None) -> dict[str, Any]:
    """Ingest the sets' reports in memory, run the event stage over all of them, and score `events.jsonl`."""
    docs, missing = documents_for(sets)
    annotated = {r["report"] for g in sets for r in g.reports if (g.root / r["report"] / "events.jsonl").exists()}
    order = sorted(docs)
    events = events_for_documents([docs[r] for r in order], recogniser)
    result = score_events(sets, events, {r: docs[r] for r in annotated if r in docs})
    result["missing_reports"] = missing
    return result


def score_events(sets: list[GoldSet], events: list[Event], docs: dict[str, Document]) -> dict[str, Any]:
    """Match predicted events to gold ones (a predicted event's passage holds the gold quote, types equal; one to
    one, the predicted quote nearest the gold one first) and score what the matched pairs carry."""
    tp = predicted = gold_total = unlocated = 0
    # Gold files may annotate only some sections of a report: precision is also given over the sections that
    # hold at least one annotated event, where every prediction could have been annotated.
    scoped = [0, 0]  # predicted in annotated sections, of which matched
    dates = [0, 0]  # right, matched
    precision_counts = {"date_precision": [0, 0], "place": [0, 0]}
    people = {"perpetrators": [0, 0, 0], "victims": [0, 0, 0]}  # shared, predicted, gold (on matched pairs)
    per_type: dict[str, Counter[str]] = {}
    missed: list[dict[str, Any]] = []
    date_misses: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []  # predictions no gold event took, to be judged by a reader
    for gold in sets:
        for record in gold.reports:
            doc = docs.get(record["report"])
            gold_events = gold.per_report(record["report"], "events.jsonl")
            if doc is None or not gold_events:
                continue
            texts = {p.id: normalise(p.text) for p in doc.passages}
            mine = [e for e in events if e.report_id == doc.report.id]
            predicted += len(mine)
            for e in mine:
                per_type.setdefault(e.type, Counter())["predicted"] += 1
            taken: set[str] = set()
            section_of = {p.id: p.section_id for p in doc.passages}
            annotated: set[str | None] = set()
            located: list[tuple[dict[str, Any], str, set[str]]] = []
            for g in gold_events:
                quote = normalise(g["quote"])
                holding = {pid for pid, text in texts.items() if quote_matches(g["quote"], "", quote, text)}
                per_type.setdefault(g["type"], Counter())["gold"] += 1
                if not holding:
                    unlocated += 1
                    continue
                gold_total += 1
                annotated.update(section_of[pid] for pid in holding)
                located.append((g, quote, holding))
            for g, match in _assign(located, mine):
                if match is None:
                    missed.append({"report": record["report"], "type": g["type"], "quote": g["quote"]})
                    continue
                taken.add(match.id)
                tp += 1
                per_type[g["type"]]["matched"] += 1
                dates[0] += match.date == g.get("date")
                dates[1] += 1
                precision_counts["date_precision"][0] += match.date_precision == g.get("date_precision")
                precision_counts["date_precision"][1] += 1
                if g.get("place"):
                    precision_counts["place"][0] += _same_place(match.place, g["place"])
                    precision_counts["place"][1] += 1
                for role in people:
                    got, want = getattr(match, role), g.get(role) or []
                    people[role][0] += sum(any(_same_name(w, n) for n in got) for w in want)
                    people[role][1] += len(got)
                    people[role][2] += len(want)
                if match.date != g.get("date"):
                    date_misses.append({"type": g["type"], "gold": g.get("date"), "predicted": match.date,
                                        "quote": g["quote"]})  # fmt: skip
            unmatched.extend(
                {"report": record["report"], "type": e.type, "date": e.date, "passage_id": e.passage_id,
                 "in_annotated_section": section_of.get(e.passage_id) in annotated, "quote": e.quote}
                for e in mine if e.id not in taken
            )  # fmt: skip
            in_scope = [e for e in mine if section_of.get(e.passage_id) in annotated]
            scoped[0] += len(in_scope)
            scoped[1] += sum(e.id in taken for e in in_scope)
    p = tp / predicted if predicted else 0.0
    r = tp / gold_total if gold_total else 0.0
    sp = scoped[1] / scoped[0] if scoped[0] else 0.0
    return {
        "gold": gold_total,
        "unlocated_gold_quotes": unlocated,
        "predicted": predicted,
        "matched": tp,
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "annotated_sections": {
            "predicted": scoped[0],
            "precision": round(sp, 4),
            "f1": round(2 * sp * r / (sp + r), 4) if sp + r else 0.0,
        },
        "date_accuracy": round(dates[0] / dates[1], 4) if dates[1] else None,
        "date_precision_accuracy": _share(precision_counts["date_precision"]),
        "place_accuracy": _share(precision_counts["place"]),
        **{f"{role}_{k}": v for role, c in people.items() for k, v in _prf(c).items()},
        "per_type": {t: dict(c) for t, c in sorted(per_type.items())},
        "missed": missed,
        "date_misses": date_misses,
        "unmatched": unmatched,
    }


def _assign(
    located: list[tuple[dict[str, Any], str, set[str]]], mine: list[Event]
) -> list[tuple[dict[str, Any], Event | None]]:
    """One to one: as many gold events matched as possible, and among such matchings the one whose predicted
    quotes share most words with the gold quotes (so two events of one type in a passage pair up by their words)."""
    valid = np.zeros((len(located), len(mine)), dtype=bool)
    weight = np.zeros((len(located), len(mine)))
    for i, (g, quote, holding) in enumerate(located):
        for j, e in enumerate(mine):
            if e.type == g["type"] and e.passage_id in holding:
                valid[i, j] = True
                weight[i, j] = 1000 + _overlap(quote, normalise(e.quote))
    pairs: dict[int, Event] = {}
    if valid.any():
        rows, cols = linear_sum_assignment(-weight)
        pairs = {int(i): mine[j] for i, j in zip(rows, cols, strict=True) if valid[i, j]}
    return [(g, pairs.get(i)) for i, (g, _, _) in enumerate(located)]


def _overlap(a: str, b: str) -> int:
    return len(set(a.split()) & set(b.split()))


def _share(counts: list[int]) -> float | None:
    return round(counts[0] / counts[1], 4) if counts[1] else None


def _prf(counts: list[int]) -> dict[str, float]:
    shared, got, want = counts
    p = shared / got if got else 0.0
    r = shared / want if want else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _name_keys(name: str) -> set[str]:
    return {sound_key(w) for w in words(name) if len(w) > 2}


def _same_name(gold: str, predicted: str) -> bool:
    """A predicted name matches a gold one when they share a word by sound key ("Krykbayev" names "Bakhyt
    Krykbayev"; "Almaty City Court" and "court" do not share a telling word unless the gold says "court")."""
    return bool(_name_keys(gold) & _name_keys(predicted))


def _same_place(predicted: str | None, gold: str) -> bool:
    return predicted is not None and bool(_name_keys(gold) & _name_keys(predicted))

"""Score rights labels against FORMAT.md's passages.jsonl (iccpr, dos_section, themes), with and without headings."""

from __future__ import annotations

from typing import Any

import numpy as np

from covenant.eval.foundation import documents_for
from covenant.eval.gold import GoldSet
from covenant.eval.matching import normalise, quote_matches
from covenant.model import Document, RightLabel
from covenant.rights.classifier import RightsModel, load_model
from covenant.rights.labeller import LabelOptions, label_report
from covenant.rights.metrics import label_f1
from covenant.search.embed import load_embedder


def score_rights(sets: list[GoldSet], model: RightsModel | None = None) -> dict[str, Any]:
    """Macro-F1 and per-article F1 for ICCPR articles, section accuracy, theme F1: once with the reports'
    headings, once from the text alone."""
    model = model or load_model()
    docs, missing = documents_for(sets)
    gold = _gold(sets)
    vectors = _vectors(model, {rid: docs[rid] for rid in gold if rid in docs})
    out: dict[str, Any] = {"model": model.name, "missing_reports": missing}
    for name, options in (("with_headings", LabelOptions(True)), ("text_only", LabelOptions(False))):
        out[name] = _score(model, docs, gold, vectors, options)
    return out


def _gold(sets: list[GoldSet]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for gold in sets:
        for record in gold.reports:
            rows = gold.per_report(record["report"], "passages.jsonl")
            if rows:
                out.setdefault(record["report"], []).extend(rows)
    return out


def _vectors(model: RightsModel, docs: dict[str, Document]) -> dict[str, np.ndarray]:
    """The passages' vectors in the model's embedding space (an eval has no library to take them from)."""
    passages = [p for doc in docs.values() for p in doc.passages]
    if not passages:
        return {}
    rows = load_embedder(model.vector_model).embed([p.text for p in passages])
    return {p.id: rows[i] for i, p in enumerate(passages)}


def _score(
    model: RightsModel,
    docs: dict[str, Document],
    gold: dict[str, list[dict[str, Any]]],
    vectors: dict[str, np.ndarray],
    options: LabelOptions,
) -> dict[str, Any]:
    truth: dict[str, list[set[str]]] = {"iccpr": [], "dos_section": [], "theme": []}
    found: dict[str, list[set[str]]] = {"iccpr": [], "dos_section": [], "theme": []}
    unlocated: list[dict[str, str]] = []
    for report_id, rows in gold.items():
        doc = docs.get(report_id)
        if doc is None:
            continue
        labels = label_report(model, doc.sections, doc.passages, vectors, options)
        by_passage: dict[str, list[RightLabel]] = {}
        for label in labels:
            by_passage.setdefault(label.passage_id, []).append(label)
        normalised = [(p, normalise(p.text)) for p in doc.passages]
        for row in rows:
            q = normalise(row["quote"])
            passage = next((p for p, n in normalised if quote_matches(row["quote"], p.text, q, n)), None)
            if passage is None:
                unlocated.append({"report": report_id, "quote": row["quote"][:80]})
                continue
            mine = by_passage.get(passage.id, [])
            truth["iccpr"].append({str(a) for a in row.get("iccpr") or []})
            found["iccpr"].append({lab.code for lab in mine if lab.scheme == "iccpr" and lab.assigned})
            if row.get("dos_section"):
                truth["dos_section"].append({row["dos_section"]})
                found["dos_section"].append({lab.code for lab in mine if lab.scheme == "dos_section" and lab.assigned})
            if row.get("themes"):
                truth["theme"].append({_theme(t) for t in row["themes"]})
                found["theme"].append({lab.code for lab in mine if lab.scheme == "theme" and lab.assigned})
    out: dict[str, Any] = {"passages": len(truth["iccpr"]), "unlocated": unlocated}
    iccpr = label_f1(truth["iccpr"], found["iccpr"])
    out["iccpr"] = {
        "macro_f1": iccpr["macro_f1"],
        "micro_f1": iccpr["micro_f1"],
        "per_article": {k: v for k, v in sorted(iccpr["per_class"].items(), key=lambda kv: int(kv[0]))},
    }
    if truth["dos_section"]:
        sections = label_f1(truth["dos_section"], found["dos_section"])
        hits = sum(1 for t, f in zip(truth["dos_section"], found["dos_section"], strict=True) if t == f)
        out["dos_section"] = {
            "accuracy": round(hits / len(truth["dos_section"]), 4),
            "macro_f1": sections["macro_f1"],
            "passages": len(truth["dos_section"]),
        }
    if truth["theme"]:
        themes = label_f1(truth["theme"], found["theme"])
        out["theme"] = {"macro_f1": themes["macro_f1"], "micro_f1": themes["micro_f1"], "passages": len(truth["theme"])}
    return out


def _theme(name: str) -> str:
    return name.strip().casefold().replace(" ", "_").replace("-", "_")

"""Score ingest: detected metadata against reports.jsonl and heading trees against sections.jsonl."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from covenant.eval.gold import GoldSet
from covenant.model import Document
from covenant.pipeline import build_document

METADATA_FIELDS = ("title", "source_org", "doc_type", "country", "period_start", "period_end", "publication_date")


def normalise(text: str | None) -> str:
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def _same(field: str, gold: str | None, found: str | None) -> bool:
    if field == "title":
        if gold is None or found is None:
            return gold is found
        return SequenceMatcher(None, normalise(gold), normalise(found)).ratio() >= 0.8
    return normalise(gold) == normalise(found)


def documents_for(sets: list[GoldSet]) -> tuple[dict[str, Document], list[str]]:
    """Ingest (in memory) every report a set annotates; also the ids whose files are missing."""
    docs: dict[str, Document] = {}
    missing: list[str] = []
    for gold in sets:
        for record in gold.reports:
            path: Path = gold.report_file(record)
            if record["report"] in docs:
                continue
            if not path.exists():
                missing.append(record["report"])
                continue
            docs[record["report"]] = build_document(path)
    return docs, missing


def score_metadata(sets: list[GoldSet], docs: dict[str, Document]) -> dict[str, Any]:
    per_field = {f: [0, 0] for f in METADATA_FIELDS}
    mistakes = []
    for gold in sets:
        for record in gold.reports:
            doc = docs.get(record["report"])
            if doc is None:
                continue
            for f in METADATA_FIELDS:
                if f not in record:
                    continue
                found = getattr(doc.report, f)
                ok = _same(f, record[f], found)
                per_field[f][0] += ok
                per_field[f][1] += 1
                if not ok:
                    mistakes.append({"report": record["report"], "field": f, "gold": record[f], "found": found})
    total_ok = sum(v[0] for v in per_field.values())
    total = sum(v[1] for v in per_field.values())
    return {
        "accuracy": round(total_ok / total, 4) if total else None,
        "fields": {
            f: {"correct": v[0], "total": v[1], "accuracy": round(v[0] / v[1], 4) if v[1] else None}
            for f, v in per_field.items()
        },
        "mistakes": mistakes,
    }


def score_sections(sets: list[GoldSet], docs: dict[str, Document]) -> dict[str, Any]:
    """Heading precision/recall/F1 on (title, level); code accuracy on matched headings."""
    tp = fp = fn = code_ok = matched = 0
    per_report = {}
    for gold in sets:
        for record in gold.reports:
            expected = gold.per_report(record["report"], "sections.jsonl")
            doc = docs.get(record["report"])
            if not expected or doc is None:
                continue
            want = [(normalise(s["title"]), s["level"], s.get("code")) for s in expected]
            got = [(normalise(s.title), s.level, s.code) for s in doc.sections]
            remaining = list(got)
            r_tp = 0
            for title, level, code in want:
                hit = next((g for g in remaining if g[0] == title and g[1] == level), None)
                if hit is None:
                    continue
                remaining.remove(hit)
                r_tp += 1
                matched += 1
                code_ok += hit[2] == code
            tp += r_tp
            fn += len(want) - r_tp
            fp += len(remaining)
            per_report[record["report"]] = {"gold": len(want), "found": len(got), "matched": r_tp}
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "code_accuracy": round(code_ok / matched, 4) if matched else None,
        "reports": per_report,
    }


def citation_coverage(docs: dict[str, Document]) -> dict[str, dict[str, Any]]:
    """Per document, how many passages carry what a brief cites beyond lines: a printed page, a paragraph
    number, a country; and whether the report has a URL and a document symbol. Counts, not scores: no
    annotation says which passages should carry them."""
    out: dict[str, dict[str, Any]] = {}
    for name, doc in docs.items():
        passages = doc.passages
        out[name] = {
            "passages": len(passages),
            "printed_page": sum(p.printed_page_start is not None for p in passages),
            "paragraph": sum(p.paragraph is not None for p in passages),
            "country": sum(p.country is not None for p in passages),
            "url": doc.report.url is not None,
            "symbol": doc.report.symbol,
        }
    return out

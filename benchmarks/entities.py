"""Speed of the entity stage (and of date finding) over State Department pages beside plain spaCy in the same run.

Peers, over the same passage texts in the same process: spaCy's `nlp.pipe` with the model's whole default
pipeline (what a user gets from `spacy.load`), and with only the component NER needs (what the stage loads: ner).
`stages.py` measures the entity and event stages as `Library.index()` runs them.
The stage is `Recogniser.documents` (model, natasha for Russian passages, rules) plus `resolve` over all
mentions. Dates: `covenant.dates.find_dates` over the same passages, and `dateparser.search.search_dates` over
a sample of them when dateparser is installed.

    .venv/bin/python benchmarks/entities.py [--every 4] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import spacy

from covenant.dates import find_dates
from covenant.entities import Recogniser, resolve
from covenant.entities.mentions import SPACY_PACKAGE
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "corpus" / "state-dept-html"
RESULTS = ROOT / "benchmarks" / "results"
DATEPARSER_SAMPLE = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=4, help="take every Nth page (default 4: 290 pages)")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages")
    args = parser.parse_args()
    files = sorted(PAGES.glob("*/*.html"))[:: args.every][: args.limit]
    docs = [build_document(f) for f in files]
    passages = [p for d in docs for p in d.passages]
    texts = [p.text for p in passages]
    chars = sum(len(t) for t in texts)
    print(f"{len(docs)} pages, {len(passages)} passages, {chars / 1e6:.1f} M characters")

    import importlib

    package = importlib.import_module(SPACY_PACKAGE)
    full = package.load()
    started = time.perf_counter()
    full_ents = sum(len(doc.ents) for doc in full.pipe(texts, batch_size=64))
    full_s = time.perf_counter() - started
    print(f"spaCy nlp.pipe, default pipeline {full.pipe_names}: {full_s:.1f} s")
    del full

    recogniser = Recogniser()
    ner_only = recogniser.nlp
    started = time.perf_counter()
    ner_ents = sum(len(doc.ents) for doc in ner_only.pipe(texts, batch_size=64))
    ner_s = time.perf_counter() - started
    print(f"spaCy nlp.pipe, {ner_only.pipe_names}: {ner_s:.1f} s")

    started = time.perf_counter()
    mentions = recogniser.documents(docs)
    mentions_s = time.perf_counter() - started
    started = time.perf_counter()
    resolution = resolve(mentions)
    resolve_s = time.perf_counter() - started
    stage_s = mentions_s + resolve_s
    print(f"stage: mentions {mentions_s:.1f} s + resolution {resolve_s:.1f} s")

    started = time.perf_counter()
    dates = sum(len(find_dates(p, d.report)) for d in docs for p in d.passages)
    dates_s = time.perf_counter() - started
    dateparser_ms = _dateparser_ms(texts[:DATEPARSER_SAMPLE])

    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, 2 shared cores",
        "spacy": spacy.__version__,
        "pages": len(docs),
        "passages": len(passages),
        "characters": chars,
        "spacy_default_pipeline_s": round(full_s, 2),
        "spacy_default_pipeline_entities": full_ents,
        "spacy_ner_only_s": round(ner_s, 2),
        "spacy_ner_only_components": ner_only.pipe_names,
        "spacy_ner_only_entities": ner_ents,
        "stage_mentions_s": round(mentions_s, 2),
        "stage_resolve_s": round(resolve_s, 2),
        "stage_s": round(stage_s, 2),
        "stage_vs_default_pipeline": round(stage_s / full_s, 2),
        "stage_vs_ner_only": round(stage_s / ner_s, 2),
        "mentions": len(mentions),
        "entities": len(resolution.entities),
        "dates": dates,
        "dates_s": round(dates_s, 3),
        "dates_ms_per_passage": round(dates_s / len(passages) * 1000, 4),
        "dateparser_ms_per_passage": dateparser_ms,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "entities.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "entities.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))


def _dateparser_ms(texts: list[str]) -> float | None:
    try:
        from dateparser.search import search_dates
    except ImportError:
        return None
    started = time.perf_counter()
    for text in texts:
        search_dates(text, languages=["en"])
    return round((time.perf_counter() - started) / len(texts) * 1000, 3)


def _markdown(r: dict[str, object]) -> str:
    rows = [
        ("spaCy `nlp.pipe`, default pipeline (peer)", r["spacy_default_pipeline_s"], "1.00x"),
        (
            f"spaCy `nlp.pipe`, {' + '.join(r.get('spacy_ner_only_components') or ['ner'])} only (peer)",
            r["spacy_ner_only_s"],
            "",
        ),
        ("Covenant stage: mentions (model + rules)", r["stage_mentions_s"], ""),
        ("Covenant stage: resolution of all mentions", r["stage_resolve_s"], ""),
        ("Covenant stage, total", r["stage_s"], f"{r['stage_vs_default_pipeline']}x"),
    ]
    lines = [
        f"# Entity stage speed ({r['when']}, {r['machine']}, spaCy {r['spacy']})",
        "",
        f"{r['pages']} State Department pages, {r['passages']} passages, {r['characters']} characters; "
        f"{r['mentions']} mentions, {r['entities']} entities.",
        "",
        "| what | seconds | vs default pipeline |",
        "|---|---|---|",
        *(f"| {what} | {secs} | {ratio} |" for what, secs, ratio in rows),
        "",
        f"Stage vs spaCy with the same components: {r['stage_vs_ner_only']}x.",
        "",
        f"Dates: {r['dates']} date expressions in {r['dates_s']} s ({r['dates_ms_per_passage']} ms a passage); "
        f"dateparser's `search_dates` on the first {DATEPARSER_SAMPLE} passages: "
        f"{r['dateparser_ms_per_passage']} ms a passage.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

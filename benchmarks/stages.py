"""Speed of the entity and event stages as `Library.index()` runs them, beside plain spaCy in the same run.

A sample of State Department pages is ingested into a scratch library (not timed: `ingest.py` measures that).
Then, over the texts of the stored passages, in this order in one process:

- peer: spaCy `nlp.pipe` with `en_core_web_sm`'s default pipeline (what `spacy.load` gives);
- peer: spaCy `nlp.pipe` with only its `ner` component (what the entity stage loads), in one process and with
  `n_process=2` (each worker process a fork of this one);
- the entity stage, `Library.entities.recognise()`: passages read from the store, mentions (the model on the
  passages that may hold a name, rules on all), stored, then the whole library resolved;
- the event stage, `Library.events.extract()`: each report's passages and stored mentions read, dates found,
  events extracted and stored, event groups linked across the library.

Every `nlp.pipe` uses the stage's batch size (64); model loading is timed apart. The target: entity and event
stages together within 2x of the plain `nlp.pipe` pass (the default pipeline).

    .venv/bin/python benchmarks/stages.py [--every 6] [--limit N] [--no-processes]
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import spacy

from covenant.entities.mentions import SPACY_PACKAGE
from covenant.library import Library

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "corpus" / "state-dept-html"
RESULTS = ROOT / "benchmarks" / "results"
BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6, help="take every Nth page (default 6: 194 pages)")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages")
    parser.add_argument("--no-processes", action="store_true", help="leave out the n_process=2 peer")
    args = parser.parse_args()
    files = sorted(PAGES.glob("*/*.html"))[:: args.every][: args.limit]
    with tempfile.TemporaryDirectory(prefix="covenant-stages-") as folder, Library(Path(folder) / "lib.db") as lib:
        started = time.perf_counter()
        summary = lib.ingest(files, workers=2)
        ingest_s = time.perf_counter() - started
        stored = [e for e in summary.events if e.status == "added"]
        texts = [p.text for r in lib.reports() for p in lib.store.passages(r.id)]
        chars = sum(len(t) for t in texts)
        print(f"{len(stored)} pages ingested in {ingest_s:.1f} s: {len(texts)} passages, {chars / 1e6:.1f} M chars")

        package = importlib.import_module(SPACY_PACKAGE)
        started = time.perf_counter()
        full = package.load()
        full_load_s = time.perf_counter() - started
        full_s, full_ents = _pipe(full, texts)
        print(f"spaCy nlp.pipe, default pipeline {full.pipe_names}: {full_s:.1f} s (load {full_load_s:.1f} s)")
        del full

        started = time.perf_counter()
        recogniser = lib.entities.recogniser  # the stage's own model, loaded before its clock starts
        stage_load_s = time.perf_counter() - started
        ner_s, ner_ents = _pipe(recogniser.nlp, texts)
        print(f"spaCy nlp.pipe, {recogniser.nlp.pipe_names}: {ner_s:.1f} s (load {stage_load_s:.1f} s)")
        ner2_s: float | None = None
        if not args.no_processes:
            ner2_s, ner2_ents = _pipe(recogniser.nlp, texts, n_process=2)
            assert ner2_ents == ner_ents
            print(f"spaCy nlp.pipe, {recogniser.nlp.pipe_names}, n_process=2: {ner2_s:.1f} s")

        started = time.perf_counter()
        entity_counts = lib.entities.recognise()
        entities_s = time.perf_counter() - started
        mentions = len(lib.store.entity_mentions())
        print(f"entity stage: {entities_s:.1f} s, {mentions} mentions, {entity_counts['entities']} entities")
        started = time.perf_counter()
        event_counts = lib.events.extract()
        events_s = time.perf_counter() - started
        print(f"event stage: {events_s:.1f} s, {event_counts['events']} events")

    stages_s = entities_s + events_s
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, 2 shared cores",
        "spacy": spacy.__version__,
        "pages": len(stored),
        "every": args.every,
        "passages": len(texts),
        "characters": chars,
        "batch_size": BATCH,
        "spacy_default_pipeline_s": round(full_s, 2),
        "spacy_default_pipeline_load_s": round(full_load_s, 2),
        "spacy_default_pipeline_entities": full_ents,
        "spacy_ner_only_s": round(ner_s, 2),
        "spacy_ner_only_two_processes_s": round(ner2_s, 2) if ner2_s is not None else None,
        "spacy_ner_only_entities": ner_ents,
        "stage_model_load_s": round(stage_load_s, 2),
        "entity_stage_s": round(entities_s, 2),
        "event_stage_s": round(events_s, 2),
        "stages_s": round(stages_s, 2),
        "stages_vs_default_pipeline": round(stages_s / full_s, 2),
        "stages_vs_ner_only": round(stages_s / ner_s, 2),
        "entity_stage_vs_default_pipeline": round(entities_s / full_s, 2),
        "mentions": mentions,
        "entities": entity_counts["entities"],
        "events": event_counts["events"],
        "event_groups": event_counts["groups"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stages.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "stages.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))


def _pipe(nlp: spacy.Language, texts: list[str], n_process: int = 1) -> tuple[float, int]:
    """Seconds for one `nlp.pipe` pass over the texts, and the entities it found."""
    started = time.perf_counter()
    found = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=BATCH, n_process=n_process))
    return time.perf_counter() - started, found


def _markdown(r: dict[str, object]) -> str:
    rows = [
        ("spaCy `nlp.pipe`, default pipeline of en_core_web_sm (peer)", r["spacy_default_pipeline_s"], "1.00x"),
        ("spaCy `nlp.pipe`, ner only (peer)", r["spacy_ner_only_s"], ""),
        ("spaCy `nlp.pipe`, ner only, `n_process=2` (peer)", r["spacy_ner_only_two_processes_s"], ""),
        (
            "entity stage: `Library.entities.recognise()`",
            r["entity_stage_s"],
            f"{r['entity_stage_vs_default_pipeline']}x",
        ),
        ("event stage: `Library.events.extract()`", r["event_stage_s"], ""),
        ("entity and event stages", r["stages_s"], f"{r['stages_vs_default_pipeline']}x"),
    ]
    lines = [
        f"# Entity and event stage speed ({r['when']}, {r['machine']}, spaCy {r['spacy']})",
        "",
        f"{r['pages']} State Department pages (every {r['every']}th), {r['passages']} passages, "
        f"{r['characters']} characters; "
        f"{r['mentions']} mentions, {r['entities']} entities, {r['events']} events. Batches of {r['batch_size']}; "
        f"model loading apart (default pipeline {r['spacy_default_pipeline_load_s']} s, the stage's "
        f"{r['stage_model_load_s']} s).",
        "",
        "| what | seconds | vs default pipeline |",
        "|---|---|---|",
        *(f"| {what} | {secs} | {ratio} |" for what, secs, ratio in rows if secs is not None),
        "",
        f"Entity and event stages vs spaCy's ner alone: {r['stages_vs_ner_only']}x.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

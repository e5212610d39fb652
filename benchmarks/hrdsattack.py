"""HRDsAttack benchmark: each article ingested as HTML, the event stage run, its events reduced to the article
level the benchmark scores, and scored with the benchmark's own scorer.

usage: .venv/bin/python benchmarks/hrdsattack.py [--split test|dev|train] [--limit N]
Writes benchmarks/results/hrdsattack.json and .md for the test split (other splits: stdout only).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from covenant.countries import country_code, country_name
from covenant.entities import Recogniser
from covenant.events import document_events
from covenant.events.country import events_country
from covenant.events.victims import MODEL_NAME as VICTIMS_MODEL
from covenant.events.victims import article_victims
from covenant.events.violations import LEAD_PASSAGES, OTHER, TOLD_TWICE, VIOLATION, article_violations
from covenant.events.violations import MODEL_NAME as VIOLATIONS_MODEL
from covenant.events.violations import violation_kind as _kind
from covenant.model import Document, EntityMention, Event
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "hrdsattack"
RESULTS = ROOT / "benchmarks" / "results"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
PUBLISHED = {"violation_type_f1": 71.39, "victim_exact_f1": 47.44, "country_acc": 66.0, "year_acc": 50.0}
KEYWORD_RULES = {"violation_type_f1": 61.47, "victim_exact_f1": 0.0, "country_acc": 11.0, "year_acc": 41.0}


def article_html(sample: dict[str, Any]) -> str:
    title = html.escape(sample["Input.title"] or "")
    body = sample["Input.article_interface"]
    # The publication time as news pages carry it, so that "on Tuesday" or "last year" count from that day.
    published = html.escape((sample["Input.publish_date"] or "").replace(" ", "T"), quote=True)
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    return f"<html><head><title>{title}</title>{meta}</head><body><h1>{title}</h1>{body}</body></html>"


def reduce_article(
    events: list[Event],
    country: str | None,
    published: str,
    lead: set[str] | None = None,
    people: set[str] | None = None,
    types: list[str] | None = None,
    named: list[str] | None = None,
) -> dict[str, Any]:
    """The article-level answer: violation types, named victims, perpetrator, country and the date of the first
    dated event of any type (the publication year when none is dated). `types`: the violation types
    `article_violations` gives (the rules' alone when None); `named`: the victims `article_victims` gives (when
    None, the rules': the full names among the victims of those violations)."""
    found: list[str] = []
    victims: list[str] = []
    told = Counter(_kind(e) for e in events)
    for event in events:
        kind = _kind(event)
        if kind in TOLD_TWICE and told[kind] < 2 and (lead is None or event.passage_id not in lead):
            continue
        if kind is None:
            continue
        if kind not in found:
            found.append(kind)
        for victim in event.victims:
            # The benchmark names people only: a victim whose surname the entity stage typed PERSON, honorific
            # taken off.
            name = _HONORIFIC.sub("", victim)
            if " " in name and (people is None or name.split()[-1] in people) and name not in victims:
                victims.append(name)
    dated = [e for e in events if e.date and e.date[:4].isdigit()]
    year, month, day = published[:4], None, None
    if dated:
        parts = dated[0].date.split("/")[0].split("-")  # type: ignore[union-attr]
        year = parts[0]
        month = MONTHS[int(parts[1]) - 1] if len(parts) > 1 else None
        day = str(int(parts[2])) if len(parts) > 2 else None
    return {
        "violation_types": found if types is None else types,
        "victims": victims if named is None else named,
        "perpetrator_mention": any(e.perpetrators for e in events if e.type in VIOLATION or e.type in OTHER),
        "perpetrator_type": "state actor",  # the benchmark's most common value; the stage does not type actors
        "country": country,
        "year": year,
        "month": month,
        "day": day,
    }


def benchmark_names() -> dict[str, str]:
    """How the benchmark spells each country ("USA", "China"), learnt from the train split's annotations."""
    names: dict[str, Counter[str]] = {}
    for sample in json.loads((BENCH / "train.json").read_text(encoding="utf-8")):
        name = sample["merged_sample"].get("country")
        code = country_code(name) if name and name != "None" else None
        if code:
            names.setdefault(code, Counter())[name] += 1
    return {code: spellings.most_common(1)[0][0] for code, spellings in names.items()}


# Special administrative regions the annotators file under their state.
_PART_OF = {"HK": "CN", "MO": "CN"}


_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Prof|Sir)\.?\s+")


def article_answer(
    doc: Document, mentions: list[EntityMention], published: str, spelled: dict[str, str]
) -> dict[str, Any]:
    """The event stage over one article, reduced to the benchmark's answer."""
    events = document_events(doc, mentions, anchored=False)
    code = events_country(doc, mentions, [e for e in events if _kind(e)])
    code = _PART_OF.get(code or "", code)
    country = spelled.get(code) or country_name(code) if code else None
    lead = {p.id for p in doc.passages[:LEAD_PASSAGES]}
    types = article_violations(doc, events)
    return reduce_article(events, country, published, lead, None, types, article_victims(doc, mentions, events))


def rule_victims(doc: Document, mentions: list[EntityMention], events: list[Event]) -> list[str]:
    """The victims the rules alone give (before the victim model): the full names among the victims of the
    violations, surname typed PERSON, honorific taken off."""
    lead = {p.id for p in doc.passages[:LEAD_PASSAGES]}
    people = {m.text.split()[-1] for m in mentions if m.type == "PERSON" and m.text.strip()}
    victims: list[str] = reduce_article(events, None, "", lead, people)["victims"]
    return victims


def read_articles(
    splits: list[str], limit: int | None = None
) -> Iterator[tuple[str, dict[str, Any], Document, list[EntityMention]]]:
    """Each article of the splits (the first `limit` of each) saved as a news page and read as `covenant ingest`
    reads it, with its entity mentions: (split, the benchmark's sample, document, mentions)."""
    recogniser = Recogniser()
    with tempfile.TemporaryDirectory() as tmp:
        for split in splits:
            for sample in json.loads((BENCH / f"{split}.json").read_text(encoding="utf-8"))[:limit]:
                article = sample["sample"]
                path = Path(tmp) / f"{article['Input.GLOBALEVENTID']}.html"
                path.write_text(article_html(article), encoding="utf-8")
                doc = build_document(path)
                yield split, sample, doc, recogniser.passages(doc.passages)


def run(split: str, limit: int | None) -> tuple[list[dict[str, Any]], float]:
    spelled = benchmark_names()
    predictions = []
    started = time.perf_counter()
    for _split, sample, doc, mentions in read_articles([split], limit):
        article = sample["sample"]
        answer = article_answer(doc, mentions, article["Input.publish_date"] or "", spelled)
        predictions.append({"id": article["Input.GLOBALEVENTID"], **answer})
    return predictions, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    predictions, seconds = run(args.split, args.limit)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        out.write("".join(json.dumps(p) + "\n" for p in predictions))
    scored = subprocess.run(
        [sys.executable, str(BENCH / "score.py"), out.name, str(BENCH / f"{args.split}.json")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    figures = json.loads(scored.stdout.strip().splitlines()[-1])
    result = {"split": args.split, "seconds": round(seconds, 1), "figures": figures, "published_t5_large": PUBLISHED,
              "keyword_rules": KEYWORD_RULES}  # fmt: skip
    print(json.dumps(result, indent=2))
    if args.split == "test" and args.limit is None:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "hrdsattack.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        rows = [
            ("violation type F1", "violation_type_f1"),
            ("victim name exact-match F1", "victim_exact_f1"),
            ("country accuracy", "country_acc"),
            ("year accuracy", "year_acc"),
        ]
        lines = [
            "# HRDsAttack test (100 articles)",
            "",
            f"`benchmarks/hrdsattack.py`, event stage `rules:cues`, violation types weighed by `{VIOLATIONS_MODEL}`, "
            f"victims named by `{VICTIMS_MODEL}`, "
            f"{result['seconds']} s on 2 CPU cores.",
            "",
            "| figure | Covenant | T5-large (published) | keyword rules |",
            "|---|---|---|---|",
            *[f"| {label} | {figures[key]} | {PUBLISHED[key]} | {KEYWORD_RULES[key]} |" for label, key in rows],
            "",
            f"Also: month {figures['month_acc']}, day {figures['day_acc']}, perpetrator type "
            f"{figures['perpetrator_type_acc']}, perpetrator mention F1 {figures['perpetrator_mention_f1']}, "
            f"victim fuzzy F1 {figures['victim_fuzzy_f1']}.",
        ]
        (RESULTS / "hrdsattack.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Event and timeline scoring on the dev annotations (FORMAT.md): the scorers reward what matches and only that."""

from __future__ import annotations

import dataclasses

import pytest

from conftest import EVAL_DEV
from covenant.entities import Recogniser
from covenant.eval.events import score_events
from covenant.eval.gold import GoldSet, load_sets, read_jsonl
from covenant.eval.matching import normalise, quote_matches
from covenant.eval.timelines import score_timeline
from covenant.events import events_for_documents
from covenant.events.timeline import TimelineLine
from covenant.model import Document, Event

REPORT_2003 = "000_81691023f15c1c92"


@pytest.fixture(scope="module")
def dev() -> list[GoldSet]:
    if not EVAL_DEV.exists():
        pytest.skip("dev annotations ../shared/eval/dev are absent")
    return load_sets([EVAL_DEV])


@pytest.fixture(scope="module")
def stage_events(reference_docs: dict[str, Document]) -> list[Event]:
    return events_for_documents([reference_docs[REPORT_2003]], Recogniser())


def test_every_gold_event_is_located_and_the_krykbayev_killing_is_matched_with_its_date(
    dev: list[GoldSet], stage_events: list[Event], reference_docs: dict[str, Document]
) -> None:
    result = score_events(dev, stage_events, {REPORT_2003: reference_docs[REPORT_2003]})
    assert result["unlocated_gold_quotes"] == 0 and result["gold"] > 100
    assert not [m for m in result["missed"] if "Bakhyt Krykbayev shot and killed" in m["quote"]]
    assert not [m for m in result["date_misses"] if "Bakhyt Krykbayev shot and killed" in m["quote"]]
    assert 0 < result["precision"] <= 1 and 0 < result["recall"] <= 1


def test_a_wrong_type_never_matches(
    dev: list[GoldSet], stage_events: list[Event], reference_docs: dict[str, Document]
) -> None:
    docs = {REPORT_2003: reference_docs[REPORT_2003]}
    right = score_events(dev, stage_events, docs)["matched"]
    retyped = [dataclasses.replace(e, type="trafficking") for e in stage_events]
    assert score_events(dev, retyped, docs)["matched"] == 0 < right


def test_timeline_scoring_follows_the_facts_and_their_order(
    dev: list[GoldSet], reference_docs: dict[str, Document]
) -> None:
    record = next(r for r in read_jsonl(EVAL_DEV / "timelines.jsonl") if r["entity"] == "Sergey Duvanov")
    docs = {rid: reference_docs[rid] for rid in reference_docs}
    gold_id = {d.report.id: rid for rid, d in docs.items()}
    texts = {p.id: p.text for d in docs.values() for p in d.passages}

    def lines(dates: list[str]) -> list[TimelineLine]:
        found = []
        for fact, date in zip(record["facts"], dates, strict=True):
            doc = docs[fact["report"]]
            passage = next(p for p in doc.passages if quote_matches(fact["quote"], p.text, normalise(fact["quote"])))
            found.append(TimelineLine(date, doc.report.id, passage.id, passage.start, passage.end, fact["quote"], "x"))
        return found

    in_order = score_timeline(record, lines([f["date"] for f in record["facts"]]), gold_id, texts)
    assert in_order["found"] == in_order["facts"] and in_order["ordered"] == in_order["pairs"]
    backwards = score_timeline(record, lines([f"{2100 - i}" for i in range(len(record["facts"]))]), gold_id, texts)
    assert backwards["found"] == backwards["facts"] and backwards["ordered"] == 0
    assert score_timeline(record, [], gold_id, texts)["found"] == 0

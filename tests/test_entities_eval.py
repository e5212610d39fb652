"""The entity evaluation on the dev annotations: alias pairs through the whole stage, and entity recall."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EVAL_DEV, needs_corpus
from covenant.eval.entities import evaluate
from covenant.eval.gold import load_sets

pytestmark = [needs_corpus, pytest.mark.slow]


def test_dev_alias_pairs(tmp_path: Path) -> None:
    result = evaluate(load_sets([EVAL_DEV]))
    aliases = result["aliases"]
    assert aliases["pairs"] == aliases["same_pairs"] + aliases["different_pairs"] > 0
    # the pairs that must stay apart (the two Abishevs, Nazarbayev and his daughter, Kozlov and Kozlova ...)
    assert aliases["kept_apart"] == aliases["different_pairs"], aliases["mistakes"]
    assert aliases["precision"] >= 0.95 and aliases["recall"] >= 0.75, aliases["mistakes"]
    # resolution alone, with the spellings recognition missed supplied, does at least as well
    assert result["aliases_resolver_only"]["f1"] >= aliases["f1"]
    assert result["missing_reports"] == [] and result["reports"] == 5


def test_entity_recall_on_an_annotated_report(tmp_path: Path) -> None:
    # a set of its own beside a copy of the corpus, with one report's entities.jsonl
    root = tmp_path / "shared"
    shutil.copytree(EVAL_DEV.parents[1] / "corpus" / "kazakhstan", root / "corpus" / "kazakhstan")
    folder = root / "eval" / "one"
    (folder / "003_45cd954fc36bba18").mkdir(parents=True)
    record = next(
        line for line in (EVAL_DEV / "reports.jsonl").read_text(encoding="utf-8").splitlines() if "003_" in line
    )
    (folder / "reports.jsonl").write_text(record + "\n", encoding="utf-8")
    entities = [
        {"canonical": "Aset Abishev", "type": "PERSON", "mentions": ["Aset Abishev", "Abishev"]},
        {"canonical": "Democratic Choice of Kazakhstan", "type": "ORG", "mentions": ["DCK"]},
        {"canonical": "Nur-Sultan", "type": "GPE", "mentions": ["Nur-Sultan"]},
        {"canonical": "Someone Unnamed", "type": "PERSON", "mentions": ["Someone Unnamed"]},
    ]
    (folder / "003_45cd954fc36bba18" / "entities.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8"
    )
    recall = evaluate(load_sets([folder]))["entity_recall"]
    assert recall["gold"] == 4 and recall["recall"] == 0.75
    assert recall["missed"] == [{"report": "003_45cd954fc36bba18", "canonical": "Someone Unnamed"}]
    assert recall["type_accuracy"] == 1.0

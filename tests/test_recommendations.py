"""Recommendation extraction on the real corpus: lists, quoted treaty-body asks, UPR items, descriptive "should"."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from covenant.eval.gold import load_sets
from covenant.eval.matching import normalise
from covenant.eval.recommendations import score_recommendations
from covenant.model import Document, Recommendation
from covenant.pipeline import build_document
from covenant.recommendations import extract_recommendations, group_recommendations

SHARED = Path(__file__).resolve().parents[2] / "shared"
HRW_LETTER = SHARED / "corpus/kazakhstan/002_e77f42745581b012.txt"
SHADOW_REPORT = SHARED / "corpus/kazakhstan/004_c44e466740d2cce1.txt"
UPR_SLOVENIA = SHARED / "corpus/external/un_hrc_2010_upr_slovenia.pdf"


@cache
def _doc(path: Path) -> Document:
    return build_document(path)


@cache
def _recs(path: Path) -> list[Recommendation]:
    return extract_recommendations(_doc(path))


def _containing(recs: list[Recommendation], words: str) -> list[Recommendation]:
    return [r for r in recs if normalise(words) in normalise(r.quote)]


def test_every_bullet_of_the_letter_list_is_its_own_record() -> None:
    doc = _doc(HRW_LETTER)
    bullets = [p for p in doc.passages if p.kind == "list_item"]
    assert len(bullets) >= 7
    recs = _recs(HRW_LETTER)
    for bullet in bullets:
        inside = [r for r in recs if r.passage_id == bullet.id]
        assert inside, f"no record for {bullet.text[:60]}"
        assert all(r.issuer == "Human Rights Watch" for r in inside)
    # the bullet that asks two things (stop silencing media; reform the media law) is two records
    media = next(b for b in bullets if "Cease using the courts" in b.text)
    assert len([r for r in recs if r.passage_id == media.id]) == 2


def test_quotes_are_exact_clean_spans_within_their_passage() -> None:
    for path in (HRW_LETTER, SHADOW_REPORT, UPR_SLOVENIA):
        doc = _doc(path)
        passages = {p.id: p for p in doc.passages}
        for rec in _recs(path):
            assert doc.clean_text[rec.start : rec.end] == rec.quote
            if rec.method != "rules:upr_list":
                passage = passages[rec.passage_id or ""]
                assert passage.start <= rec.start < rec.end <= passage.end


def test_quoted_committee_recommendation_has_the_committee_as_issuer_and_the_ngos_status() -> None:
    recs = _recs(SHADOW_REPORT)
    [judiciary] = _containing(recs, "take steps to safeguard in law and practice the independence of the judiciary")
    assert judiciary.issuer == "UN Human Rights Committee"
    assert judiciary.issuer != _doc(SHADOW_REPORT).report.source_org
    assert judiciary.status_claimed == "not_implemented"
    assert judiciary.status_passage_id is not None
    [trafficking] = _containing(recs, "strengthen its efforts to combat trafficking in human beings")
    assert trafficking.status_claimed == "partially_implemented"
    # the NGOs' own asks further on are theirs
    [own] = _containing(recs, "Defamation and insult should be decriminalised")
    assert own.issuer == "Kazakhstani human rights NGOs"
    assert own.status_claimed is None


def test_upr_item_names_every_recommending_state() -> None:
    recs = _recs(UPR_SLOVENIA)
    [migrants] = _containing(recs, "the Convention on Migrant Workers and Members of Their Families")
    assert migrants.issuers == ["Algeria", "Egypt", "Bosnia and Herzegovina", "Argentina"]
    assert migrants.response == "pending"
    # one item, three asks, three states: each ask is its own record with its own state
    violence = [r for r in recs if r.quote.startswith(("To strengthen measures to combat violence", "to continue to"))]
    states = {s for r in violence for s in r.issuers}
    assert {"Azerbaijan", "Italy", "Colombia"} <= states
    assert all(len(r.issuers) == 1 for r in violence if "(Italy)" in r.quote or "(Colombia)" in r.quote)
    assert len([r for r in recs if r.method == "rules:upr_list"]) >= 97


def test_should_describing_the_law_is_not_a_recommendation() -> None:
    recs = _recs(SHADOW_REPORT)
    for words in (
        "the court should take actions prescribed by the law for its immediate consideration",
        "a candidate for presidency should have lived in Kazakhstan",
        "The application for registration should specify both technical and creative parameters",
    ):
        assert not _containing(recs, words), words
    # while the same report's "should" asking for change is one
    assert _containing(recs, "Proportionate sanctions should be introduced for procedural violations")


def test_near_duplicate_asks_share_a_group() -> None:
    recs = group_recommendations(_recs(UPR_SLOVENIA))
    [norway] = _containing(recs, "To address the issue of gender-based violence, and to develop")
    [iran] = _containing(recs, "To address the issue of gender-based violence in a comprehensive manner")
    assert norway.group == iran.group is not None
    assert len({r.group for r in recs}) < len(recs)


def test_an_ask_repeated_word_for_word_joins_the_group_of_its_first_telling() -> None:
    first = _recs(UPR_SLOVENIA)
    again = [dataclasses.replace(r, id=f"later:{r.id}", group=None) for r in _recs(UPR_SLOVENIA)]
    group_recommendations(first + again)
    groups = {r.id: r.group for r in first}
    assert all(r.group == groups[r.id.removeprefix("later:")] for r in again)
    assert set(groups.values()) <= {r.id for r in first}  # a group is named by its first telling


@pytest.mark.slow
def test_dev_scores_meet_recall_issuer_and_status_targets() -> None:
    result = score_recommendations(load_sets([SHARED / "eval/dev"]))
    assert result["unlocated_quotes"] == []
    assert result["recall"] >= 0.9
    assert result["precision_on_negatives"] >= 0.85
    assert result["issuer_accuracy"] >= 0.95
    assert result["status_accuracy"] >= 0.8
    # rights are scored only with rights=True (the passages are labelled first; see test_recommendations_library)
    assert result["rights_accuracy"] is None and result["rights_pairs"] == 0

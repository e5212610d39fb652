"""Semantic and hybrid search with the real multilingual model on the reference reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, indexed_library, needs_corpus
from covenant.library import Library

pytestmark = needs_corpus
LETTER = "002_e77f42745581b012.txt"
HRW_CHAPTER = "001_30dfef030156c0a4.txt"


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    db = tmp_path_factory.mktemp("semantic") / "lib.db"
    with indexed_library(db, [KAZAKHSTAN / LETTER, KAZAKHSTAN / HRW_CHAPTER], semantic=True) as lib:
        yield lib


def test_semantic_finds_the_closure_without_the_words(lib: Library) -> None:
    hits = lib.search("authorities shut down an opposition newspaper", mode="semantic", limit=5).hits
    assert any("Respublika" in h.text or "Assandi" in h.text for h in hits)
    assert all(-1.0 <= h.scores["semantic"] <= 1.0 for h in hits)


def test_a_russian_query_finds_english_passages(lib: Library) -> None:
    hits = lib.search("закрытие оппозиционной газеты Республика", mode="semantic", limit=10).hits
    assert any("Respublika" in h.text or "newspaper" in h.text for h in hits)


def test_hybrid_fuses_both_rankers(lib: Library) -> None:
    results = lib.search("Respublika closure", mode="hybrid", limit=10)
    assert results.hits
    assert any(set(h.scores) == {"bm25", "semantic"} for h in results.hits)
    assert results.hits == sorted(results.hits, key=lambda h: -h.score)


def test_filters_apply_to_semantic_and_hybrid(lib: Library) -> None:
    only_letter = ["type=letter"]
    for mode in ("semantic", "hybrid"):
        results = lib.search("harassment of journalists", mode=mode, limit=20, filters=only_letter)
        assert results.hits and {h.citation.file_name for h in results.hits} == {LETTER}
        assert results.facets["doc_type"] == {"letter": results.candidates}


def test_facets_count_the_fused_candidates(lib: Library) -> None:
    results = lib.search("elections and political participation", mode="hybrid", limit=5)
    assert results.candidates > 5
    by_source = results.facets["source_org"]
    assert sum(by_source.values()) == results.candidates
    assert set(by_source) == {"Human Rights Watch"} and results.facets["country"] == {"KZ": results.candidates}
    assert sum(results.facets["doc_type"].values()) == results.candidates
    assert set(results.facets["doc_type"]) == {"letter", "world_report_chapter"}


def test_embeddings_are_stored_once_and_reused(lib: Library, tmp_path: Path) -> None:
    assert lib.index()["embedded"] == 0
    # A second report holding the same texts embeds nothing new: vectors are keyed by text.
    copy = tmp_path / "copy.txt"
    copy.write_bytes((KAZAKHSTAN / LETTER).read_bytes() + b"\n")
    added = lib.ingest([copy]).events[0]
    assert added.status == "added" and added.passages
    # Until the indexes are brought up to date, a search cannot see the copy, and says so.
    unseen = {"reports": 1, "passages": added.passages, "unembedded_passages": added.passages}
    assert lib.pending() == unseen
    assert lib.search("Respublika closure", mode="hybrid").pending == unseen
    counts = lib.index()
    assert counts["indexed_reports"] == 1 and counts["embedded"] <= 1
    assert not any(lib.pending().values())


def test_semantic_hit_citations_hold(lib: Library) -> None:
    for h in lib.search("elections and political participation", mode="hybrid", limit=10).hits:
        c = h.citation
        assert lib.clean_text(c.report_id)[c.start : c.end] == h.text
        assert c.line_start >= 1 and c.line_end >= c.line_start


def test_hybrid_keeps_to_a_phrase_the_user_asked_for(lib: Library) -> None:
    hits = lib.search('"honor and dignity"', mode="hybrid", limit=20).hits
    assert hits
    for h in hits:
        where = " ".join((h.text + " " + " ".join(h.citation.section_path)).lower().split())
        assert "honor and dignity" in where, h.text[:120]


def test_hybrid_feedback_moves_the_query_towards_the_best_bm25_passages(lib: Library) -> None:
    import numpy as np

    from covenant.search.keys import text_hash

    engine = lib.engine
    query = engine.embedder().embed_query("Respublika closure")
    top = [pid for pid, _ in engine.fulltext.search("Respublika closure", 5)]
    model = engine.vector_index().model
    moved = engine._with_feedback(query, top, model)
    texts = [lib.passage(pid).text for pid in top]
    stored = lib.store.embeddings(model, [text_hash(t) for t in texts])
    centroid = np.mean([np.frombuffer(v, dtype=np.float32) for v in stored.values()], axis=0)
    centroid /= np.linalg.norm(centroid)
    assert abs(float(np.linalg.norm(moved)) - 1.0) < 1e-5
    assert float(moved @ centroid) > float(query @ centroid)
    assert float(moved @ query) > 0.5  # still the user's question, not only its neighbours
    # No feedback passages: the query is unchanged.
    assert np.allclose(engine._with_feedback(query, [], model), query)


def test_a_very_long_query_in_hybrid_mode(lib: Library) -> None:
    # More distinct words than coordination counts, repeated past the length the parser keeps.
    words = (KAZAKHSTAN / LETTER).read_text(encoding="utf-8").split()[:400]
    results = lib.search(" ".join(words * 3), mode="hybrid", limit=5)
    assert len(results.hits) == 5
    assert all(h.citation.quote == h.text for h in results.hits)

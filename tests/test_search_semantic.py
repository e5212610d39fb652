"""Semantic and hybrid search with the real multilingual model on the reference reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, needs_corpus
from covenant.library import ingest
from covenant.search.engine import SearchEngine
from covenant.search.filters import parse_filters
from covenant.store.sqlite import SQLiteStore

pytestmark = needs_corpus
LETTER = "002_e77f42745581b012.txt"
HRW_CHAPTER = "001_30dfef030156c0a4.txt"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> SearchEngine:
    db = tmp_path_factory.mktemp("semantic") / "lib.db"
    store = SQLiteStore(db)
    ingest([KAZAKHSTAN / LETTER, KAZAKHSTAN / HRW_CHAPTER], store, workers=1)
    engine = SearchEngine(store, db)
    engine.refresh(semantic=True)
    return engine


def test_semantic_finds_the_closure_without_the_words(engine: SearchEngine) -> None:
    hits = engine.search("authorities shut down an opposition newspaper", mode="semantic", limit=5).hits
    assert any("Respublika" in h.text or "Assandi" in h.text for h in hits)
    assert all(-1.0 <= h.scores["semantic"] <= 1.0 for h in hits)


def test_a_russian_query_finds_english_passages(engine: SearchEngine) -> None:
    hits = engine.search("закрытие оппозиционной газеты Республика", mode="semantic", limit=10).hits
    assert any("Respublika" in h.text or "newspaper" in h.text for h in hits)


def test_hybrid_fuses_both_rankers(engine: SearchEngine) -> None:
    results = engine.search("Respublika closure", mode="hybrid", limit=10)
    assert results.hits
    assert any(set(h.scores) == {"bm25", "semantic"} for h in results.hits)
    assert results.hits == sorted(results.hits, key=lambda h: -h.score)


def test_filters_apply_to_semantic_and_hybrid(engine: SearchEngine) -> None:
    only_letter = parse_filters(["type=letter"])
    for mode in ("semantic", "hybrid"):
        results = engine.search("harassment of journalists", mode=mode, limit=20, filters=only_letter)
        assert results.hits and {h.citation.file_name for h in results.hits} == {LETTER}
        assert results.facets["doc_type"] == {"letter": results.candidates}


def test_facets_count_the_fused_candidates(engine: SearchEngine) -> None:
    results = engine.search("elections and political participation", mode="hybrid", limit=5)
    assert results.candidates > 5
    by_source = results.facets["source_org"]
    assert sum(by_source.values()) == results.candidates
    assert set(by_source) == {"Human Rights Watch"} and results.facets["country"] == {"KZ": results.candidates}
    assert sum(results.facets["doc_type"].values()) == results.candidates
    assert set(results.facets["doc_type"]) == {"letter", "world_report_chapter"}


def test_embeddings_are_stored_once_and_reused(engine: SearchEngine, tmp_path: Path) -> None:
    assert engine.refresh(semantic=True)["embedded"] == 0
    # A second library holding the same report embeds nothing new: vectors are keyed by text.
    store = engine.store
    copy = tmp_path / "copy.txt"
    copy.write_bytes((KAZAKHSTAN / LETTER).read_bytes() + b"\n")
    ingest([copy], store)
    counts = engine.refresh(semantic=True)
    assert counts["indexed_reports"] == 1 and counts["embedded"] <= 1


def test_semantic_hit_citations_hold(engine: SearchEngine) -> None:
    for h in engine.search("elections and political participation", mode="hybrid", limit=10).hits:
        c = h.citation
        assert engine.store.clean_text(c.report_id)[c.start : c.end] == h.text
        assert c.line_start >= 1 and c.line_end >= c.line_start


def test_hybrid_keeps_to_a_phrase_the_user_asked_for(engine: SearchEngine) -> None:
    hits = engine.search('"honor and dignity"', mode="hybrid", limit=20).hits
    assert hits
    for h in hits:
        where = " ".join((h.text + " " + " ".join(h.citation.section_path)).lower().split())
        assert "honor and dignity" in where, h.text[:120]


def test_hybrid_feedback_moves_the_query_towards_the_best_bm25_passages(engine: SearchEngine) -> None:
    import numpy as np

    from covenant.search.engine import text_hash

    query = engine.embedder().embed_query("Respublika closure")
    top = [pid for pid, _ in engine.fulltext.search("Respublika closure", 5)]
    model = engine.vector_index().model
    moved = engine._with_feedback(query, top, model)
    texts = [p.text for p in engine.store.passages_by_ids(top).values()]
    stored = engine.store.embeddings(model, [text_hash(t) for t in texts])
    centroid = np.mean([np.frombuffer(v, dtype=np.float32) for v in stored.values()], axis=0)
    centroid /= np.linalg.norm(centroid)
    assert abs(float(np.linalg.norm(moved)) - 1.0) < 1e-5
    assert float(moved @ centroid) > float(query @ centroid)
    assert float(moved @ query) > 0.5  # still the user's question, not only its neighbours
    # No feedback passages: the query is unchanged.
    assert np.allclose(engine._with_feedback(query, [], model), query)


def test_a_very_long_query_in_hybrid_mode(engine: SearchEngine) -> None:
    # More distinct words than coordination counts, repeated past the length the parser keeps.
    words = (KAZAKHSTAN / LETTER).read_text(encoding="utf-8").split()[:400]
    results = engine.search(" ".join(words * 3), mode="hybrid", limit=5)
    assert len(results.hits) == 5
    assert all(h.citation.quote == h.text for h in results.hits)

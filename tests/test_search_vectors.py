"""The vector index: the HNSW path (forced with a low threshold) against exact search, on a real library
embedded with the real model; filters, removals, repeated texts and reopening from disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from conftest import KAZAKHSTAN, REFERENCE_IDS, indexed_library, needs_corpus
from covenant.library import Library
from covenant.search.keys import text_hash
from covenant.search.vectors import VectorIndex

pytestmark = needs_corpus
QUERIES = [
    "authorities shut down an opposition newspaper",
    "torture of detainees in police custody",
    "election observers reported irregularities",
    "freedom of religion and registration of religious groups",
    "закрытие оппозиционной газеты",
    "trafficking in women and children",
    "journalists sued for insulting the honor and dignity of the president",
    "independence of the judiciary",
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, Path]]:
    """The five reference reports, plus a copy of one (whose passages repeat texts already held)."""
    folder = tmp_path_factory.mktemp("vectors")
    copy = folder / "copy.txt"
    copy.write_bytes((KAZAKHSTAN / f"{REFERENCE_IDS[2]}.txt").read_bytes() + b"\n")
    paths = [KAZAKHSTAN / f"{rid}.txt" for rid in REFERENCE_IDS] + [copy]
    # Indexing embeds every distinct text once, into the store.
    with indexed_library(folder / "lib.db", paths, semantic=True) as lib:
        yield lib, folder


def _pair(library: tuple[Library, Path], name: str) -> tuple[VectorIndex, VectorIndex]:
    """An exact index and an HNSW one over the same library, each in its own folder."""
    lib, folder = library
    model = lib.engine.vector_index().model
    exact = VectorIndex(folder / f"{name}-exact", model)
    ann = VectorIndex(folder / f"{name}-ann", model, ann_threshold=10)
    for index in (exact, ann):
        assert index.sync(lib.store, lib.engine.embedder) == 0  # every vector comes from the store
    assert exact.kind == "exact" and ann.kind == "ann"
    return exact, ann


def _copy(lib: Library, folder: Path) -> Library:
    """A library of its own in `folder` holding what `lib` holds, to remove reports from."""
    folder.mkdir()
    with sqlite3.connect(lib.path) as source, sqlite3.connect(folder / "lib.db") as target:
        source.backup(target)  # whole, with what is still in the write-ahead log
    source.close()
    target.close()
    return Library(folder / "lib.db", create=False)


def _rid(lib: Library, stem: str) -> str:
    """The report id of a reference file."""
    return next(r.id for r in lib.reports() if r.file_name == f"{stem}.txt")


def _same_top(
    exact: list[tuple[str, float]], ann: list[tuple[str, float]], recall: float = 0.9, tolerance: float = 2e-3
) -> None:
    """The ANN hits are the exact hits, best first, with the same best hit: but for near-ties (the graph keeps
    float16 vectors) and for at most (1 - recall) of them, which a graph search may miss."""
    assert len(ann) == len(exact)
    want = dict(exact)
    got = dict(ann)
    assert [s for _, s in ann] == sorted(got.values(), reverse=True)
    for pid in want.keys() & got.keys():
        assert abs(want[pid] - got[pid]) <= tolerance
    if exact:
        assert ann[0][0] == exact[0][0] or abs(ann[0][1] - exact[0][1]) <= tolerance
    floor = exact[-1][1] if exact else 0.0
    missed = [pid for pid in want if pid not in got and want[pid] > floor + tolerance]
    assert len(missed) <= (1 - recall) * len(exact), missed


def test_vectors_are_held_once_per_distinct_text(library: tuple[Library, Path]) -> None:
    lib, _ = library
    vectors = lib.engine.vector_index()
    passages = lib.passages()
    assert len(vectors) == len(passages)
    assert len(vectors.keys) == len({text_hash(p.text) for p in passages}) < len(passages)
    assert vectors.matrix.shape == (len(vectors.keys), 512)


def test_ann_returns_the_exact_top_hits(library: tuple[Library, Path]) -> None:
    lib, _ = library
    exact, ann = _pair(library, "top")
    assert ann.ann.size == len(ann.keys) == len(exact.keys)
    found = 0
    for query in QUERIES:
        q = lib.engine.embedder().embed_query(query)
        for limit in (1, 10):
            _same_top(exact.search(q, limit), ann.search(q, limit))
        _same_top(exact.search(q, 200), ann.search(q, 200), recall=0.95)
        found += len({pid for pid, _ in ann.search(q, 10)} & {pid for pid, _ in exact.search(q, 10)})
    assert found >= 0.97 * 10 * len(QUERIES)  # recall@10 over the queries


def test_ann_honours_filters(library: tuple[Library, Path]) -> None:
    lib, _ = library
    exact, ann = _pair(library, "filters")
    letter_id = _rid(lib, REFERENCE_IDS[2])
    letter = {p.id for p in lib.passages(letter_id)}
    others = {p.id for p in lib.passages() if p.report_id != letter_id}
    assert letter and others
    for query in QUERIES:
        q = lib.engine.embedder().embed_query(query)
        for allowed in (letter, others):
            want = exact.search(q, 20, allowed)
            ann.exact_subset = 10**9  # small subsets: exact search over the allowed texts
            _same_top(want, ann.search(q, 20, allowed))
            ann.exact_subset = 0  # large subsets: over-fetch from the graph and keep the allowed
            got = ann.search(q, 20, allowed)
            assert {pid for pid, _ in got} <= allowed
            _same_top(want, got)
        assert ann.search(q, 10, set()) == [] and ann.search(q, 10, {"no-such-passage"}) == []


def test_ann_follows_removals_and_additions(library: tuple[Library, Path]) -> None:
    lib, folder = library
    work = folder / "removal"
    own = _copy(lib, work)
    model = lib.engine.vector_index().model
    embedder = lib.engine.embedder
    ann = VectorIndex(work / "ann", model, ann_threshold=10)
    ann.sync(own.store, embedder)
    letter_id, last_id = _rid(own, REFERENCE_IDS[2]), _rid(own, REFERENCE_IDS[4])
    in_letter = {text_hash(p.text) for p in own.passages(letter_id)}
    for rebuild_share in (10.0, 0.0):  # first removed from the graph in place, then rebuilt
        ann.rebuild_share = rebuild_share
        removed = letter_id if rebuild_share > 1 else last_id
        gone = {p.id for p in own.passages(removed)}
        assert own.remove(removed).id == removed and removed not in {r.id for r in own.reports()}
        assert ann.sync(own.store, embedder) == 0
        exact = VectorIndex(work / f"exact-{rebuild_share}", model)
        exact.sync(own.store, embedder)
        assert ann.kind == "ann" and ann.ann.size == len(ann.keys) == len(exact.keys)
        for query in QUERIES:
            q = lib.engine.embedder().embed_query(query)
            hits = ann.search(q, 50)
            assert not {pid for pid, _ in hits} & gone
            _same_top(exact.search(q, 10), hits[:10])
            _same_top(exact.search(q, 50), hits, recall=0.94)
    # The copy of the letter still uses the letter's texts: they stayed.
    assert in_letter <= {h.decode() for h in ann.hashes.tolist()}
    # Reopened from disk, the index is the same (and is not rebuilt).
    again = VectorIndex(work / "ann", model, ann_threshold=10)
    assert again.kind == "ann" and again.sync(own.store, embedder) == 0 and again.reports == ann.reports
    q = lib.engine.embedder().embed_query(QUERIES[0])
    assert again.search(q, 20) == ann.search(q, 20)
    # Re-ingesting a removed report adds its passages back to the graph, embedding nothing.
    assert own.ingest([KAZAKHSTAN / f"{REFERENCE_IDS[4]}.txt"], workers=1).counts == {"added": 1}
    again.rebuild_share = 10.0
    assert again.sync(own.store, embedder) == 0
    assert again.ann.size == len(again.keys) and _rid(own, REFERENCE_IDS[4]) in again.reports
    back = {p.id for p in own.passages(_rid(own, REFERENCE_IDS[4]))}
    assert back and back <= {pid.decode() for pid in again.pids.tolist()}
    assert again.search(lib.engine.embedder().embed_query(QUERIES[1]), 10, back)
    own.close()


def test_the_index_switches_back_to_exact_below_the_threshold(library: tuple[Library, Path]) -> None:
    lib, folder = library
    work = folder / "below"
    own = _copy(lib, work)
    model = lib.engine.vector_index().model
    first = _rid(own, REFERENCE_IDS[0])
    small = {text_hash(p.text) for p in own.passages(first)}
    index = VectorIndex(work / "index", model, ann_threshold=len(small) + 1)
    index.sync(own.store, lib.engine.embedder)
    assert index.kind == "ann"
    for report in own.reports():
        if report.id != first:
            own.remove(report)
    assert [r.id for r in own.reports()] == [first]
    index.sync(own.store, lib.engine.embedder)
    assert index.kind == "exact" and index.matrix.dtype == np.float32 and len(index.keys) == len(small)
    assert not index.ann_file.exists()
    q = lib.engine.embedder().embed_query(QUERIES[0])
    scores = [s for _, s in index.search(q, 5)]
    assert scores == sorted(scores, reverse=True)
    own.close()


def test_a_torn_index_is_rebuilt_from_the_stored_vectors(library: tuple[Library, Path]) -> None:
    lib, _ = library
    exact, ann = _pair(library, "torn")
    ann.arrays_file.write_bytes(b"not an index")
    again = VectorIndex(ann.folder, ann.model, ann_threshold=10)
    assert len(again) == 0
    assert again.sync(lib.store, lib.engine.embedder) == 0 and again.kind == "ann"
    q = lib.engine.embedder().embed_query(QUERIES[2])
    _same_top(exact.search(q, 10), again.search(q, 10))

"""A damaged search index is found, reported and rebuilt from the store; searches answer as before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import KAZAKHSTAN, needs_corpus
from covenant.errors import IndexBusyError, QueryError
from covenant.search.engine import SearchEngine
from covenant.search.fulltext import FullTextIndex
from covenant.search.sync import index_path
from covenant.store.sqlite import SQLiteStore

pytestmark = needs_corpus

COVENANT = [sys.executable, "-m", "covenant.cli"]
REPORTS = ["000_81691023f15c1c92.txt", "002_e77f42745581b012.txt"]
QUERY = "torture"


def _hits(db: Path, mode: str) -> tuple[list[str], SearchEngine]:
    store = SQLiteStore(db)
    engine = SearchEngine(store, db)
    ids = [h.passage_id for h in engine.search(QUERY, mode=mode, limit=10).hits]
    return ids, engine


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A library of two reports with both indexes built, and the hits of each mode on it."""
    db = tmp_path_factory.mktemp("repair") / "lib.db"
    subprocess.run(
        [*COVENANT, "--db", str(db), "ingest", *(str(KAZAKHSTAN / name) for name in REPORTS)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    expected = {}
    for mode in ("bm25", "semantic", "hybrid"):
        ids, engine = _hits(db, mode)
        assert ids and engine.fulltext.repaired is None
        expected[mode] = ids
        engine.store.close()
    return db, expected


@pytest.fixture()
def copy(library: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> Path:
    """A copy of the library and its index folder (modification times kept), free to damage."""
    db, _ = library
    for file in db.parent.iterdir():
        if file.name.startswith(db.name) and file.is_file():
            shutil.copy2(file, tmp_path / file.name)
    shutil.copytree(index_path(db), index_path(tmp_path / db.name))
    return tmp_path / db.name


def _one(folder: Path, pattern: str) -> Path:
    [found] = sorted(folder.glob(pattern))
    return found


def _garbage(file: Path) -> None:
    file.write_bytes(b"\x00\xffnot what was written\xfe" * 8)


def _truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def _zero(file: Path) -> None:
    file.write_bytes(b"")


def _scribble(file: Path) -> None:
    """Flip bits of 200 bytes near the start of the file, in place: same size, same inode."""
    at = file.stat().st_size // 10
    with file.open("r+b") as handle:
        handle.seek(at)
        spoilt = bytes(b ^ 0x5A for b in handle.read(200))
        handle.seek(at)
        handle.write(spoilt)


def _into_folder(file: Path) -> None:
    file.unlink()
    file.mkdir()


FULLTEXT_DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "garbage meta.json": ("meta.json", _garbage),
    "zero-length meta.json": ("meta.json", _zero),
    "meta.json deleted": ("meta.json", Path.unlink),
    "meta.json replaced by a folder": ("meta.json", _into_folder),
    "truncated .store": ("*.store", _truncate),
    "zero-length .term": ("*.term", _zero),
    "deleted .pos": ("*.pos", Path.unlink),  # tantivy itself only notices when a phrase query reads positions
    "scribbled .fast": ("*.fast", _scribble),  # tantivy panics on it when counting facets
    "garbage manifest": ("covenant-index.json", _garbage),
}


@pytest.mark.parametrize("damage", sorted(FULLTEXT_DAMAGE))
def test_damaged_fulltext_files_are_rebuilt(
    damage: str, copy: Path, library: tuple[Path, dict[str, list[str]]]
) -> None:
    pattern, spoil = FULLTEXT_DAMAGE[damage]
    file = _one(index_path(copy), pattern)
    spoil(file)
    ids, engine = _hits(copy, "bm25")
    assert ids == library[1]["bm25"]
    assert engine.fulltext.repaired is not None
    assert engine.fulltext.repaired.startswith(f"the search index in {copy.name}.index was damaged (")
    assert file.name in engine.fulltext.repaired and engine.fulltext.repaired.endswith("rebuilt it from the library")
    # Rebuilt for good: the next process finds nothing wrong.
    again, later = _hits(copy, "bm25")
    assert again == ids and later.fulltext.repaired is None


def test_an_index_folder_replaced_by_a_file_is_rebuilt(copy: Path, library: tuple[Path, dict[str, list[str]]]) -> None:
    folder = index_path(copy)
    shutil.rmtree(folder)
    folder.write_text("not a folder", encoding="utf-8")
    ids, engine = _hits(copy, "hybrid")
    assert ids == library[1]["hybrid"]
    assert engine.fulltext.repaired is not None and "is a file, not a folder" in engine.fulltext.repaired


def test_a_file_damaged_after_opening_is_repaired_during_the_search(
    copy: Path, library: tuple[Path, dict[str, list[str]]]
) -> None:
    store = SQLiteStore(copy)
    engine = SearchEngine(store, copy)
    assert [h.passage_id for h in engine.search(QUERY, mode="bm25").hits] == library[1]["bm25"]
    # The open index reads the facet columns from this file (memory-mapped) on every count: damage it under the
    # running searcher, which makes tantivy panic.
    _scribble(_one(index_path(copy), "*.fast"))
    results = engine.search(QUERY, mode="bm25", refresh=False)
    assert [h.passage_id for h in results.hits] == library[1]["bm25"]
    assert results.facets["country"] == {"KZ": results.candidates}
    assert engine.fulltext.repaired is not None and "panic" in engine.fulltext.repaired


VECTOR_DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "zero-length .npz": ("vectors-*.npz", _zero),
    "truncated .npy": ("vectors-*.npy", _truncate),
    "deleted .npz": ("vectors-*.npz", Path.unlink),
    "garbage .json": ("vectors-*.json", _garbage),
}


@pytest.mark.parametrize("damage", sorted(VECTOR_DAMAGE))
def test_damaged_vector_files_are_rebuilt(damage: str, copy: Path, library: tuple[Path, dict[str, list[str]]]) -> None:
    pattern, spoil = VECTOR_DAMAGE[damage]
    file = _one(index_path(copy), pattern)
    spoil(file)
    ids, engine = _hits(copy, "semantic")
    assert ids == library[1]["semantic"]
    repaired = engine.vector_index().repaired
    assert repaired is not None and file.name in repaired and "was damaged" in repaired
    assert engine.fulltext.repaired is None  # the full-text files were sound and kept


def test_a_copied_index_with_new_modification_times_is_not_damaged(
    copy: Path, library: tuple[Path, dict[str, list[str]]]
) -> None:
    for file in index_path(copy).iterdir():
        if file.is_file():
            os.utime(file, ns=(1_000_000_000, 1_000_000_000))
    ids, engine = _hits(copy, "bm25")
    assert ids == library[1]["bm25"] and engine.fulltext.repaired is None


def test_a_malformed_query_is_not_damage(copy: Path) -> None:
    folder = index_path(copy)
    before = {f.name: f.stat().st_mtime_ns for f in folder.iterdir()}
    engine = SearchEngine(SQLiteStore(copy), copy)
    with pytest.raises(QueryError, match="quotation mark is not closed"):
        engine.search('"torture', mode="bm25")
    with pytest.raises(QueryError, match="only excludes"):
        engine.search("NOT torture", mode="bm25")
    assert engine.fulltext.repaired is None
    assert {f.name: f.stat().st_mtime_ns for f in folder.iterdir()} == before


def test_a_writer_lock_held_elsewhere_is_waited_for_not_taken_for_damage(copy: Path) -> None:
    import tantivy

    folder = index_path(copy)
    sound = FullTextIndex(folder)
    # tantivy's writer lock is an flock: a second descriptor conflicts as another process's would.
    writer = sound.index.writer(heap_size=15_000_000, num_threads=1)
    try:
        assert FullTextIndex(folder, lock_wait=0.2).repaired is None  # a sound index opens while another writes
        _garbage(folder / "meta.json")
        names = sorted(f.name for f in folder.iterdir())
        with pytest.raises(IndexBusyError, match="another process is updating the search index"):
            FullTextIndex(folder, lock_wait=0.2)
        assert sorted(f.name for f in folder.iterdir()) == names  # nothing removed while the lock is held
    finally:
        del writer  # dropping tantivy's writer releases its lock
    repaired = FullTextIndex(folder, lock_wait=0.2)
    assert repaired.repaired is not None and "meta.json" in repaired.repaired
    assert isinstance(repaired.index, tantivy.Index) and repaired.reports == set()


def test_cli_hybrid_search_answers_after_damage(copy: Path, library: tuple[Path, dict[str, list[str]]]) -> None:
    folder = index_path(copy)
    _garbage(folder / "meta.json")
    _truncate(_one(folder, "*.store"))
    _zero(_one(folder, "vectors-*.npz"))
    proc = subprocess.run(
        [*COVENANT, "--db", str(copy), "search", QUERY, "--mode", "hybrid", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr
    hits = [h["passage_id"] for h in json.loads(proc.stdout)["hits"]]
    assert hits == library[1]["hybrid"]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert any("was damaged" in line and "rebuilt it" in line for line in warnings), proc.stderr

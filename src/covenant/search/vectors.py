"""Passage vectors for semantic search: one vector per distinct text (kept in the store), searched exactly in a
small library and through an HNSW graph (usearch, half-precision vectors) in a large one."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from covenant.errors import IndexDamagedError
from covenant.search.fulltext import damage_message
from covenant.store.base import Store

EMBED_BATCH = 256
# At this many distinct texts an HNSW graph replaces exact search: below it a float32 matrix answers in a few
# milliseconds; above it exact search grows with the library (about 30 ms per query at 146k texts on 2 cores).
ANN_THRESHOLD = 50_000
# A filter that leaves at most this many texts is searched exactly over those texts, not through the graph.
EXACT_SUBSET = 20_000
CONNECTIVITY = 16  # HNSW "M"
# Queries are short and far from any passage (median best cosine about 0.47), which makes a graph search harder
# than between passages: on the 146k State Department texts and real queries, recall@10 is 0.82 / 0.89 / 0.92 at
# ef 128 / 256 / 512 with efConstruction 64, and 0.88 / 0.92 / 0.95 with 128 (twice the build time).
EXPANSION_ADD = 128  # efConstruction
EXPANSION_SEARCH = 512  # ef at query time (usearch raises it to the number of hits asked for): about 5 ms
REBUILD_SHARE = 0.25  # rebuild the graph once removed texts reach this share of it
FORMAT = 2


class VectorIndex:
    """Passage vectors saved beside the full-text index (`<db>.index/vectors-<model>.*`).

    Each distinct passage text has one vector under an integer key; passages map to keys, so repeated
    boilerplate costs one vector. Passage ids, their report and their key are numpy arrays sorted by
    passage id (compact at a million passages, and searchable for filters). The vectors are a float32
    matrix below `ann_threshold` texts (exact search); at or above it, a usearch HNSW graph of float16
    vectors (inner product on unit vectors = cosine), memory-mapped, with a float16 matrix beside it for
    exact search over small filtered subsets.
    """

    def __init__(self, folder: Path, model: str, ann_threshold: int | None = None) -> None:
        self.folder = folder
        self.model = model
        self.ann_threshold = ANN_THRESHOLD if ann_threshold is None else ann_threshold
        self.exact_subset = EXACT_SUBSET
        self.rebuild_share = REBUILD_SHARE
        slug = "".join(ch if ch.isalnum() else "-" for ch in model)
        self.meta_file = folder / f"vectors-{slug}.json"
        self.arrays_file = folder / f"vectors-{slug}.npz"
        self.matrix_file = folder / f"vectors-{slug}.npy"
        self.ann_file = folder / f"vectors-{slug}.usearch"
        self.repaired: str | None = None  # one line for the user when damaged files were found and dropped
        # How to fill the index again from the library; `sync` sets it, so that a search that fails on
        # damaged files can rebuild and answer.
        self.refill: Callable[[], object] | None = None
        self._clear()
        self._load()

    # -- state -----------------------------------------------------------------------------------
    def _clear(self) -> None:
        self.report_ids: list[str] = []  # every report synced, with or without passages
        # Passages, sorted by id: id (utf-8 bytes), index into report_ids, key of its text.
        self.pids = np.zeros(0, dtype="S1")
        self.preport = np.zeros(0, dtype=np.int32)
        self.pkey = np.zeros(0, dtype=np.int64)
        self.by_key = np.zeros(0, dtype=np.int64)  # passage positions ordered by key (then by id)
        self.keys_in_order = np.zeros(0, dtype=np.int64)  # pkey[by_key]
        # Distinct texts, sorted by key: key, text hash, vector row.
        self.keys = np.zeros(0, dtype=np.int64)
        self.hashes = np.zeros(0, dtype="S20")
        self.matrix: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.ann: Any = None  # a usearch Index (a read-only view when loaded from disk)
        self.next_key = 0
        self.removed = 0  # texts removed from the graph since it was built

    @property
    def kind(self) -> str:
        return "ann" if self.ann is not None else "exact"

    @property
    def reports(self) -> set[str]:
        return set(self.report_ids)

    def __len__(self) -> int:
        return int(self.pids.shape[0])

    @property
    def files(self) -> tuple[Path, Path, Path, Path]:
        return (self.meta_file, self.arrays_file, self.matrix_file, self.ann_file)

    def _load(self) -> None:
        """Load the saved index; damaged files are dropped (the next sync rebuilds them from the store)."""
        if self.folder.exists() and not self.folder.is_dir():
            problem: str | None = f"{self.folder.name} is a file, not a folder"
        else:
            for _attempt in range(3):
                before = self._stamps()
                problem = self._read()
                if problem is None:
                    return
                if self._stamps() == before:
                    break
                # Another process saved the index while it was read (it renames its files one by one): again.
                self._clear()
        self._clear()
        self._discard()
        self.repaired = damage_message(self.folder, str(problem))

    def _stamps(self) -> list[tuple[int, int, int] | None]:
        stamps: list[tuple[int, int, int] | None] = []
        for file in self.files:
            try:
                info = file.stat()
            except OSError:
                stamps.append(None)
                continue
            stamps.append((info.st_ino, info.st_size, info.st_mtime_ns))
        return stamps

    def _read(self) -> str | None:
        """Read the saved files into this index; what is wrong with them, or None (read, or nothing to read)."""
        for file in self.files:
            if file.is_dir():
                return f"{file.name} is a folder"
        if not self.meta_file.exists():
            return None  # nothing saved yet, or a first save torn before its last rename
        try:
            meta = json.loads(self.meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return f"{self.meta_file.name}: {_first_line(exc)}"
        if not isinstance(meta, dict):
            return f"{self.meta_file.name} does not describe a vector index"
        if meta.get("format") != FORMAT:
            return None  # an older layout: rebuilt from the stored embeddings on the next sync, as expected
        kind = meta.get("kind")
        for file in (self.arrays_file, self.matrix_file, *([self.ann_file] if kind == "ann" else [])):
            if not file.exists():
                return f"{file.name} is missing"
        # numpy, zipfile, pickle and usearch each raise their own errors on a damaged file: all mean the same.
        try:
            with np.load(self.arrays_file, allow_pickle=False) as arrays:
                pids, preport, pkey = arrays["pids"], arrays["preport"], arrays["pkey"]
                keys, hashes = arrays["keys"], arrays["hashes"]
        except Exception as exc:
            return f"{self.arrays_file.name}: {_first_line(exc)}"
        try:
            matrix = np.load(self.matrix_file, mmap_mode="r" if kind == "ann" else None, allow_pickle=False)
        except Exception as exc:
            return f"{self.matrix_file.name}: {_first_line(exc)}"
        ann = None
        if kind == "ann":
            try:
                ann = _open_ann(self.ann_file)
            except Exception as exc:
                return f"{self.ann_file.name}: {_first_line(exc)}"
        try:
            reports = [str(r) for r in meta["reports"]]
            next_key, removed = int(meta["next_key"]), int(meta.get("removed", 0))
        except (KeyError, TypeError, ValueError) as exc:
            return f"{self.meta_file.name}: {_first_line(exc)}"
        problem = _inconsistency(meta, reports, next_key, pids, preport, pkey, keys, hashes, matrix, ann)
        if problem is not None:
            return problem.format(arrays=self.arrays_file.name, matrix=self.matrix_file.name, ann=self.ann_file.name)
        self.report_ids = reports
        self.pids, self.preport, self.pkey = pids, preport, pkey
        self._order_by_key()
        self.keys, self.hashes, self.matrix, self.ann = keys, hashes, matrix, ann
        self.next_key, self.removed = next_key, removed
        return None

    def _discard(self) -> None:
        """Remove this model's files (or what stands in their place), so that none is read again."""
        if self.folder.exists() and not self.folder.is_dir():
            self.folder.unlink()
            return
        for file in self.files:
            if file.is_dir() and not file.is_symlink():
                shutil.rmtree(file)
            else:
                file.unlink(missing_ok=True)

    def _order_by_key(self) -> None:
        self.by_key = np.argsort(self.pkey, kind="stable")
        self.keys_in_order = self.pkey[self.by_key]

    def _save(self, matrix_changed: bool) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        done: list[tuple[Path, Path]] = []
        tmp_arrays = self.arrays_file.with_suffix(".tmp.npz")
        np.savez(tmp_arrays, pids=self.pids, preport=self.preport, pkey=self.pkey, keys=self.keys, hashes=self.hashes)
        done.append((tmp_arrays, self.arrays_file))
        if matrix_changed:
            tmp_matrix = self.matrix_file.with_suffix(".tmp.npy")
            np.save(tmp_matrix, self.matrix)
            done.append((tmp_matrix, self.matrix_file))
            if self.ann is not None:
                tmp_ann = self.ann_file.with_suffix(".tmp.usearch")
                self.ann.save(str(tmp_ann))
                done.append((tmp_ann, self.ann_file))
        meta = {
            "format": FORMAT,
            "model": self.model,
            "kind": self.kind,
            "passages": len(self.pids),
            "texts": len(self.keys),
            "next_key": self.next_key,
            "removed": self.removed,
            "reports": self.report_ids,
        }
        tmp_meta = self.meta_file.with_suffix(".tmp")
        tmp_meta.write_text(json.dumps(meta), encoding="utf-8")
        for tmp, final in done:
            tmp.replace(final)
        tmp_meta.replace(self.meta_file)
        if self.ann is None:
            self.ann_file.unlink(missing_ok=True)
        elif matrix_changed:
            # Search from memory-mapped files: pages are read as queries touch them.
            self.matrix = np.load(self.matrix_file, mmap_mode="r")
            self.ann = _open_ann(self.ann_file)

    # -- sync ------------------------------------------------------------------------------------
    def sync(
        self, store: Store, embedder: Callable[[], Any], on_progress: Callable[[str, int, int], None] | None = None
    ) -> int:
        """Add passages of reports not yet here (embedding texts never embedded before); drop removed reports.

        `embedder` is called (and the model loaded) only when there is text to embed.
        Returns how many texts were embedded now.
        """
        from covenant.search.keys import text_hash

        # A search that later fails on damaged files resets the index and calls this to fill it again.
        self.refill = lambda: self.sync(store, embedder, on_progress)
        stored = {r.id for r in store.reports()}
        have = set(self.report_ids)
        stale = have - stored
        missing = sorted(stored - have)
        if not stale and not missing:
            return 0

        # Passages of removed reports go; report numbers are renumbered.
        if stale:
            old = np.array([rid in stale for rid in self.report_ids], dtype=bool)
            renumber = np.cumsum(~old) - 1
            keep = ~old[self.preport]
            self.pids, self.pkey = self.pids[keep], self.pkey[keep]
            self.preport = renumber[self.preport[keep]].astype(np.int32)
            self.report_ids = [rid for rid in self.report_ids if rid not in stale]

        # Passages of new reports, and the texts among them not held yet.
        key_of = {h.decode(): int(k) for h, k in zip(self.hashes.tolist(), self.keys.tolist(), strict=True)}
        new_pids: list[bytes] = []
        new_reports: list[int] = []
        new_keys: list[int] = []
        texts: dict[str, str] = {}
        added: dict[str, int] = {}
        for rid in missing:
            number = len(self.report_ids)
            self.report_ids.append(rid)
            for p in store.passages(rid):
                h = text_hash(p.text)
                key = key_of.get(h)
                if key is None:
                    key = added.get(h)
                    if key is None:
                        key = added[h] = self.next_key
                        self.next_key += 1
                        texts[h] = p.text
                new_pids.append(p.id.encode("utf-8"))
                new_reports.append(number)
                new_keys.append(key)
        embedded, vectors = self._vectors_for(store, embedder, texts, on_progress)

        if new_pids:
            self.pids = np.concatenate([self.pids, np.array(new_pids, dtype=bytes)])
            self.preport = np.concatenate([self.preport, np.array(new_reports, dtype=np.int32)])
            self.pkey = np.concatenate([self.pkey, np.array(new_keys, dtype=np.int64)])
        order = np.argsort(self.pids, kind="stable")
        self.pids, self.preport, self.pkey = self.pids[order], self.preport[order], self.pkey[order]
        self._order_by_key()

        # Texts no passage uses any more go; new texts come in (keys only grow, so both stay sorted by key).
        used = np.isin(self.keys, self.pkey)
        gone = self.keys[~used]
        fresh_keys = np.array(list(added.values()), dtype=np.int64)
        fresh_hashes = np.array([h.encode() for h in added], dtype="S20")
        fresh = np.stack([vectors[h] for h in added]) if added else np.zeros((0, 0), dtype=np.float32)
        self.keys = np.concatenate([self.keys[used], fresh_keys])
        self.hashes = np.concatenate([self.hashes[used], fresh_hashes])
        matrix_changed = bool(gone.size or fresh_keys.size)
        if matrix_changed:
            self._update_vectors(store, used, gone, fresh_keys, fresh, on_progress)
        self._save(matrix_changed)
        return embedded

    def _vectors_for(
        self,
        store: Store,
        embedder: Callable[[], Any],
        texts: dict[str, str],
        on_progress: Callable[[str, int, int], None] | None,
    ) -> tuple[int, dict[str, np.ndarray]]:
        """Vectors of these texts (by hash): stored ones from the store, the others embedded and stored now."""
        known = {h: np.frombuffer(v, dtype=np.float32) for h, v in store.embeddings(self.model, list(texts)).items()}
        todo = [h for h in texts if h not in known]
        embedded = 0
        for start in range(0, len(todo), EMBED_BATCH):
            chunk = todo[start : start + EMBED_BATCH]
            rows = np.asarray(embedder().embed([texts[h] for h in chunk]), dtype=np.float32)
            store.save_embeddings(self.model, {h: rows[i].tobytes() for i, h in enumerate(chunk)})
            known.update({h: rows[i] for i, h in enumerate(chunk)})
            embedded += len(chunk)
            if on_progress is not None:
                on_progress("embedding", embedded, len(todo))
        return embedded, known

    def _update_vectors(
        self,
        store: Store,
        used: np.ndarray,
        gone: np.ndarray,
        fresh_keys: np.ndarray,
        fresh: np.ndarray,
        on_progress: Callable[[str, int, int], None] | None,
    ) -> None:
        """Bring the vectors in line with self.keys: drop `gone`, add `fresh`; switch exact <-> graph when the
        number of texts crosses the threshold."""
        want_ann = len(self.keys) >= self.ann_threshold and len(self.keys) > 0
        if not want_ann:
            if self.ann is not None or self.matrix.dtype != np.float32:
                # Back below the threshold: exact float32 vectors again, from the store.
                vectors = store.embeddings(self.model, [h.decode() for h in self.hashes.tolist()])
                self.matrix = _stack([np.frombuffer(vectors[h.decode()], dtype=np.float32) for h in self.hashes])
                self.ann = None
                self.removed = 0
                return
            kept = self.matrix[used] if self.matrix.size else self.matrix
            self.matrix = _vstack(kept, fresh.astype(np.float32))
            return
        kept = np.asarray(self.matrix[used]) if self.matrix.size else np.zeros((0, 0), dtype=np.float16)
        self.matrix = _vstack(kept.astype(np.float16), fresh.astype(np.float16))
        rebuild = self.ann is None or (self.removed + gone.size) >= self.rebuild_share * max(len(self.keys), 1)
        if rebuild:
            self.ann = build_ann(self.keys, self.matrix, on_progress)
            self.removed = 0
            return
        ann = _open_ann(self.ann_file, view=False)  # a view cannot change: load a copy, change it, save it
        if gone.size:
            ann.remove(gone)
            self.removed += int(gone.size)
        if fresh_keys.size:
            _add(ann, fresh_keys, fresh.astype(np.float16), on_progress)
        self.ann = ann

    # -- search ----------------------------------------------------------------------------------
    def search(self, query: np.ndarray, limit: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) best first, optionally only among `allowed` ids."""
        try:
            return self._search(query, limit, allowed)
        except (RuntimeError, OSError) as exc:  # usearch and the memory-mapped files report damage so
            what = f"{self.folder.name} vectors: {_first_line(exc)}"
        self._clear()
        self._discard()
        self.repaired = damage_message(self.folder, what)
        if self.refill is None:
            raise IndexDamagedError(
                f"the search index in {self.folder.name} was damaged ({what}) and has been emptied;"
                " search again to rebuild it from the library"
            )
        self.refill()
        return self._search(query, limit, allowed)

    def _search(self, query: np.ndarray, limit: int, allowed: set[str] | None) -> list[tuple[str, float]]:
        if len(self.pids) == 0 or limit < 1:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if allowed is None:
            keys, scores = self._nearest(q, limit)
            return self._expand(keys, scores, limit, None)
        positions = self._positions(allowed)
        if positions.size == 0:
            return []
        mask = np.zeros(len(self.pids), dtype=bool)
        mask[positions] = True
        allowed_keys = np.unique(self.pkey[positions])
        if self.ann is None or allowed_keys.size <= self.exact_subset:
            keys, scores = self._exact(q, allowed_keys, limit)
            return self._expand(keys, scores, limit, mask)
        # Many texts allowed: ask the graph for more neighbours than needed and keep the allowed ones,
        # asking for more until enough passages pass (or every text has been ranked).
        count = min(len(self.keys), max(4 * limit, math.ceil(2 * limit * len(self.keys) / allowed_keys.size)))
        while True:
            keys, scores = self._nearest(q, count)
            keep = np.isin(keys, allowed_keys, assume_unique=True)
            hits = self._expand(keys[keep], scores[keep], limit, mask)
            if len(hits) >= limit or count >= len(self.keys):
                return hits
            if count >= 8 * max(self.exact_subset, limit):
                keys, scores = self._exact(q, allowed_keys, limit)
                return self._expand(keys, scores, limit, mask)
            count = min(len(self.keys), count * 4)

    def _nearest(self, q: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys of the `count` texts nearest the query, best first, with their cosine similarity."""
        if self.ann is None:
            scores = self.matrix @ q
            k = min(count, scores.shape[0])
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return self.keys[top], scores[top]
        found = self.ann.search(q, min(count, len(self.keys)))
        return np.asarray(found.keys, dtype=np.int64), 1.0 - np.asarray(found.distances, dtype=np.float32)

    def _exact(self, q: np.ndarray, keys: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact search over the texts `keys` (sorted): enough of the best of them to give `limit` passages."""
        rows = np.searchsorted(self.keys, keys)
        scores = np.empty(rows.shape[0], dtype=np.float32)
        for start in range(0, rows.shape[0], 50_000):
            block = np.asarray(self.matrix[rows[start : start + 50_000]], dtype=np.float32)
            scores[start : start + block.shape[0]] = block @ q
        k = min(limit, scores.shape[0])
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return keys[top], scores[top]

    def _expand(
        self, keys: np.ndarray, scores: np.ndarray, limit: int, mask: np.ndarray | None
    ) -> list[tuple[str, float]]:
        """Passages of the ranked texts (every passage of a text shares its score), up to `limit`."""
        lo = np.searchsorted(self.keys_in_order, keys, side="left")
        hi = np.searchsorted(self.keys_in_order, keys, side="right")
        out: list[tuple[str, float]] = []
        for a, b, score in zip(lo.tolist(), hi.tolist(), scores.tolist(), strict=True):
            for pos in self.by_key[a:b].tolist():  # in passage-id order
                if mask is None or mask[pos]:
                    out.append((self.pids[pos].decode("utf-8"), float(score)))
                    if len(out) >= limit:
                        return out
        return out

    def _positions(self, ids: set[str]) -> np.ndarray:
        """Positions (in the sorted passage arrays) of these passage ids; ids not held are skipped."""
        if not ids:
            return np.zeros(0, dtype=np.int64)
        want = np.array([i.encode("utf-8") for i in ids], dtype=bytes)
        pos = np.searchsorted(self.pids, want)
        pos = np.minimum(pos, len(self.pids) - 1)
        return np.unique(pos[self.pids[pos] == want])


def build_ann(keys: np.ndarray, vectors: np.ndarray, on_progress: Callable[[str, int, int], None] | None = None) -> Any:
    """An HNSW graph (inner product, float16 vectors) over unit `vectors` under integer `keys`."""
    from usearch.index import Index

    ann = Index(
        ndim=int(vectors.shape[1]),
        metric="ip",
        dtype="f16",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )
    _add(ann, keys, vectors, on_progress)
    return ann


def _add(ann: Any, keys: np.ndarray, vectors: np.ndarray, on_progress: Callable[[str, int, int], None] | None) -> None:
    step = 10_000
    for start in range(0, len(keys), step):
        chunk = np.ascontiguousarray(vectors[start : start + step], dtype=np.float16)
        # Concurrent insertion into a small graph can leave a node unreachable: the first 10k go in one thread.
        threads = 1 if ann.size < step else 0
        ann.add(np.ascontiguousarray(keys[start : start + step]), chunk, threads=threads)
        if on_progress is not None:
            on_progress("indexing vectors", min(start + step, len(keys)), len(keys))


def _open_ann(path: Path, view: bool = True) -> Any:
    from usearch.index import Index

    ann: Any = Index.restore(str(path), view=view)
    if ann is None:
        raise ValueError(f"cannot read the vector index {path}")
    ann.expansion_search = EXPANSION_SEARCH  # not kept in the file
    ann.expansion_add = EXPANSION_ADD
    return ann


def _inconsistency(
    meta: dict[str, Any],
    reports: list[str],
    next_key: int,
    pids: np.ndarray,
    preport: np.ndarray,
    pkey: np.ndarray,
    keys: np.ndarray,
    hashes: np.ndarray,
    matrix: np.ndarray,
    ann: Any,
) -> str | None:
    """What does not fit between the saved arrays and their description (a torn write or a damaged file);
    `{arrays}`, `{matrix}` and `{ann}` stand for the file names."""
    if not (pids.ndim == preport.ndim == pkey.ndim == keys.ndim == hashes.ndim == 1):
        return "{arrays}: arrays of the wrong shape"
    if (
        pids.dtype.kind != "S"
        or hashes.dtype.kind != "S"
        or any(a.dtype.kind not in "iu" for a in (preport, pkey, keys))
    ):
        return "{arrays}: arrays of the wrong type"
    if not len(pids) == len(preport) == len(pkey) == meta.get("passages"):
        return f"{{arrays}} holds {len(pids)} passages, not {meta.get('passages')}"
    if not len(keys) == len(hashes) == meta.get("texts"):
        return f"{{arrays}} holds {len(keys)} texts, not {meta.get('texts')}"
    if len(keys) and (matrix.ndim != 2 or matrix.shape[0] != len(keys) or matrix.dtype.kind != "f"):
        return f"{{matrix}} holds {matrix.shape[0] if matrix.ndim else 0} vectors, not {len(keys)}"
    if ann is not None and ann.size != len(keys):
        return f"{{ann}} holds {ann.size} vectors, not {len(keys)}"
    if len(pids) and (int(preport.min()) < 0 or int(preport.max()) >= len(reports)):
        return "{arrays}: passages of reports it does not list"
    if len(keys) and (int(keys.min()) < 0 or int(keys.max()) >= next_key or int(pkey.max(initial=0)) >= next_key):
        return "{arrays}: text keys out of range"
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def _vstack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.size == 0:
        return b
    if b.size == 0:
        return a
    return np.vstack([a, b])

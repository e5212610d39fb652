"""Passage vectors for the rights model: the library's stored embeddings, the missing ones embedded and stored."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from covenant.search.embed import Embedder, load_embedder
from covenant.store.base import Store

Progress = Callable[[str, int, int], None]
BATCH = 256


def stored_vectors(
    store: Store,
    model: str,
    texts: dict[str, str],
    *,
    embed_missing: bool = True,
    embedder: Embedder | None = None,
    on_progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Vectors by text hash: those the store holds for `model`, and (with `embed_missing`) the others embedded
    now and stored beside them, so the next run and semantic search reuse them."""
    found = {h: np.frombuffer(v, dtype=np.float32) for h, v in store.embeddings(model, list(texts)).items()}
    todo = [h for h in texts if h not in found]
    if not embed_missing or not todo:
        return found
    loaded = embedder or load_embedder(model)
    for start in range(0, len(todo), BATCH):
        chunk = todo[start : start + BATCH]
        rows = loaded.embed([texts[h] for h in chunk])
        store.save_embeddings(model, {h: rows[i].tobytes() for i, h in enumerate(chunk)})
        found.update({h: rows[i] for i, h in enumerate(chunk)})
        if on_progress is not None:
            on_progress("embedding", min(start + BATCH, len(todo)), len(todo))
    return found


def sampled(text_hash: str, every: int) -> bool:
    """A fixed pseudo-random 1-in-`every` sample of texts, the same on every run."""
    return every <= 1 or int(text_hash[:8], 16) % every == 0

"""Group near-duplicate asks (the same ask made by several states, bodies or years) under one group id."""

from __future__ import annotations

import re

import numpy as np
from rapidfuzz import fuzz, process

from covenant.eval.matching import normalise
from covenant.model import Recommendation

_STATES = re.compile(r"\s*\([^()]*\)")
_OPENING = re.compile(r"^(?:to\s+|the\s+state\s+party\s+should\s+|the\s+committee\s+\w+\s+the\s+state\s+party\s+to\s+)")
_ROWS = 500  # rows of the similarity matrix computed at once: a library's asks need not fit in memory squared


def _key(rec: Recommendation) -> str:
    text = normalise(_STATES.sub("", rec.quote))
    return _OPENING.sub("", text).strip(" .;")


def group_recommendations(recommendations: list[Recommendation], threshold: float = 90.0) -> list[Recommendation]:
    """Give near-duplicates one `group` (the id of the group's first ask in the order given); `threshold` is
    rapidfuzz's token_set_ratio on the normalised asks, with UPR state lists and "To"/"The State party should"
    taken off. Asks with the same normalised words (an ask repeated edition after edition) are compared once."""
    keys = [_key(r) for r in recommendations]
    distinct: dict[str, int] = {}  # each non-empty key -> its index among the distinct keys, in order of first use
    for key in keys:
        if key:
            distinct.setdefault(key, len(distinct))
    texts = list(distinct)
    lengths = np.array([len(k) for k in texts])
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for top in range(0, len(texts), _ROWS):
        scores = process.cdist(
            texts[top : top + _ROWS], texts, scorer=fuzz.token_set_ratio, score_cutoff=threshold, dtype=np.uint8,
            workers=-1,
        )  # fmt: skip
        for row, col in zip(*np.nonzero(scores >= threshold), strict=True):
            i, j = top + int(row), int(col)
            if j >= i:
                continue
            # a short ask ("End harassment") would match any longer one holding its words: the shorter must be a third
            if 3 * min(lengths[i], lengths[j]) < max(lengths[i], lengths[j]):
                continue
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier ask stays the root: it names the group
    first: dict[int, str] = {}  # a group's root -> the id of its first ask
    for rec, key in zip(recommendations, keys, strict=True):
        if not key:
            rec.group = rec.id
            continue
        rec.group = first.setdefault(root(distinct[key]), rec.id)
    return recommendations

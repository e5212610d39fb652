"""Group near-duplicate asks (the same ask made by several states, bodies or years) under one group id."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from covenant.eval.matching import normalise
from covenant.model import Recommendation

_STATES = re.compile(r"\s*\([^()]*\)")
_OPENING = re.compile(r"^(?:to\s+|the\s+state\s+party\s+should\s+|the\s+committee\s+\w+\s+the\s+state\s+party\s+to\s+)")


def _key(rec: Recommendation) -> str:
    text = normalise(_STATES.sub("", rec.quote))
    return _OPENING.sub("", text).strip(" .;")


def group_recommendations(recommendations: list[Recommendation], threshold: float = 90.0) -> list[Recommendation]:
    """Give near-duplicates one `group` (the id of the group's first ask); `threshold` is rapidfuzz's
    token_set_ratio on the normalised asks, with UPR state lists and "To"/"The State party should" taken off."""
    keys = [_key(r) for r in recommendations]
    parent = list(range(len(recommendations)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i):
            if root(i) == root(j) or not keys[i] or not keys[j]:
                continue
            # a short ask ("End harassment") would match any longer one holding its words: the shorter must be a third
            if 3 * min(len(keys[i]), len(keys[j])) < max(len(keys[i]), len(keys[j])):
                continue
            if fuzz.token_set_ratio(keys[i], keys[j]) >= threshold:
                parent[root(i)] = root(j)
    for i, rec in enumerate(recommendations):
        rec.group = recommendations[root(i)].id
    return recommendations

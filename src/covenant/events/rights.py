"""The ICCPR articles of an event: its passage's rights labels where the rights stage gave them, else the
article its type usually bears on."""

from __future__ import annotations

from collections.abc import Iterable

from covenant.events.cues import TYPE_ICCPR
from covenant.model import RightLabel


def passage_articles(labels: Iterable[RightLabel]) -> dict[str, list[int]]:
    """ICCPR articles by passage id from the rights stage's kept labels."""
    found: dict[str, set[int]] = {}
    for label in labels:
        if label.scheme == "iccpr" and label.assigned and label.code.isdigit():
            found.setdefault(label.passage_id, set()).add(int(label.code))
    return {pid: sorted(arts) for pid, arts in found.items()}


def event_articles(event_type: str, labelled: list[int] | None) -> list[int]:
    """The passage's labels when it has any, the type's usual articles otherwise."""
    if labelled:
        return list(labelled)
    return list(TYPE_ICCPR.get(event_type, ()))

"""A follow-up link: a later passage about the same matter as a recommendation, stated by the text or inferred."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("stated", "inferred")


@dataclass(slots=True)
class FollowUp:
    """One later passage on what became of a recommendation.

    `kind` "stated": the passage itself speaks of the recommendation and says what became of it (the quoting report's
    own assessment, or a later report naming the issuer's recommendation); "inferred": the passage is about the same
    matter (the same rights, names and laws, close in meaning) and nothing says so in words. `score` (0-1) weighs
    that evidence, kept in `evidence` (`similarity`, `rights`, `names`, `cue`) so a reader can judge the link;
    `date` is the later report's year (or publication date) the trail is ordered by.
    """

    recommendation_id: str
    passage_id: str
    kind: str
    score: float
    date: str | None
    method: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

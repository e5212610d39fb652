"""The violation types a news article reports (HRDsAttack's seven), from its events, its words and its sentence
vectors: the rules' types weighed by a small per-type model trained on HRDsAttack news articles, read from a file
shipped in the package."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from covenant.errors import CovenantError
from covenant.events.cues import EVENT_TYPES
from covenant.model import Document, Event
from covenant.search.embed import USE_MULTILINGUAL, Embedder, load_embedder

MODEL_NAME = "violations-v2"
MODEL_FILE = Path(__file__).parent / "data" / f"{MODEL_NAME}.npz"

#: HRDsAttack's violation types that an act can have ("unknown" is an article with none of them).
KINDS = ("arbitrary detention", "enforced disappearance", "kidnapping", "killing", "torture", "other")
# The benchmark's types from the event stage's; the rest of the stage's rights-relevant acts are its "other".
VIOLATION = {
    "killing": "killing",
    "death_in_custody": "killing",
    "torture_ill_treatment": "torture",
    "arrest_detention": "arbitrary detention",
    "disappearance": "enforced disappearance",
}
OTHER = frozenset(
    {
        "attack_assault",
        "harassment_threat_surveillance",
        "charge_prosecution",
        "conviction_sentence",
        "deportation_extradition",
        "fine_lawsuit_defamation",
        "assembly_ban_dispersal",
        "law_adopted_amended",
        "trafficking",
        "discrimination",
    }
)
#: Passages that make an article's lead (its first paragraphs tell the attack it reports).
LEAD_PASSAGES = 3
#: Types the rules count only when told twice or in the lead (measured on train and dev: type F1 65.1 -> 66.9 and
#: 67.0 -> 67.4).
TOLD_TWICE = frozenset({"torture"})
#: How often the title counts among the article's words.
TITLE_WEIGHT = 3
#: Scale of the rule features beside the TF-IDF words (chosen by cross-validation on the training articles).
RULE_WEIGHT = 0.3
#: The sentence encoder whose vectors the model reads (the library's default, shipped in a PyPI package).
ENCODER = USE_MULTILINGUAL.name
#: Scale of the sentence vectors (title, lead, whole article) beside the words (chosen by cross-validation).
DENSE_WEIGHT = 0.5
_WORD = re.compile(r"(?u)\b\w\w+\b")  # TfidfVectorizer's default token pattern


def violation_kind(event: Event) -> str | None:
    """The violation type of one event, or None for acts no type covers (releases, elections, closures)."""
    if event.type == "disappearance" and any(w in event.quote.lower() for w in ("abduct", "kidnap")):
        return "kidnapping"
    return VIOLATION.get(event.type) or ("other" if event.type in OTHER else None)


def told_kinds(events: Iterable[Event], lead: set[str]) -> list[str]:
    """The violation types the rules find in an article, in the order it first tells them; torture only when
    told twice or in the lead ("beaten" is often background in news)."""
    kinds = [(kind, e.passage_id) for e in events if (kind := violation_kind(e)) is not None]
    told: list[str] = []
    for kind, passage_id in kinds:
        if kind in told or (kind in TOLD_TWICE and passage_id not in lead and sum(k == kind for k, _ in kinds) < 2):
            continue
        told.append(kind)
    return told


def article_text(title: str, passages: Iterable[str]) -> str:
    """The words the model reads: the title, counted TITLE_WEIGHT times, then the passages."""
    return " ".join([title] * TITLE_WEIGHT + list(passages))


def rule_features(events: Sequence[Event], passage_ids: Sequence[str]) -> np.ndarray:
    """What the rules found, per violation type: found at all, how often (log), in the first passage, in the
    lead, how early; then the count (log) of each event type."""
    order = {pid: i for i, pid in enumerate(passage_ids)}
    n = len(passage_ids) or 1
    values: list[float] = []
    for kind in KINDS:
        places = [order.get(e.passage_id, n) for e in events if violation_kind(e) == kind]
        values += [
            1.0 if places else 0.0,
            math.log1p(len(places)),
            1.0 if places and min(places) == 0 else 0.0,
            1.0 if places and min(places) < LEAD_PASSAGES else 0.0,
            1.0 - min(places) / n if places else 0.0,
        ]
    for kind in EVENT_TYPES:
        values.append(math.log1p(sum(1 for e in events if e.type == kind)))
    return np.array(values, dtype=np.float32) * RULE_WEIGHT


def article_vectors(title: str, passages: Sequence[str], embedder: Embedder) -> np.ndarray:
    """The sentence vectors the model reads, one after the other: the title's, the mean of the lead passages', the
    mean of all passages' (each mean L2-normed), times DENSE_WEIGHT."""
    rows = embedder.embed([title, *passages]) if passages else embedder.embed([title, title])
    parts = [rows[0], rows[1 : 1 + LEAD_PASSAGES].mean(axis=0), rows[1:].mean(axis=0)]
    parts[1:] = [part / max(float(np.linalg.norm(part)), 1e-12) for part in parts[1:]]
    return np.concatenate(parts).astype(np.float64) * DENSE_WEIGHT


@dataclass
class ViolationModel:
    """One logistic regression per violation type over an article's TF-IDF words, its rule features and (when the
    model names an encoder) its sentence vectors."""

    name: str
    kinds: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (kinds, words + rule features + sentence vectors)
    intercept: np.ndarray
    keep: float = 0.4  # a type the rules found stays when the model gives it this much
    add: float = 1.0  # a type the rules missed is added from this much (1.0: never)
    encoder: str | None = None  # the sentence encoder of `article_vectors` (None: words and rules alone)
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, text: str, rules: np.ndarray, vectors: np.ndarray | None = None) -> np.ndarray:
        """P(type is among the attacks the article reports), one per `kinds`, from its text, rule features and
        (for a model with an encoder) its `article_vectors`."""
        words = len(self.vocabulary)
        dense = self.coef.shape[1] - words - rules.size
        if dense and (vectors is None or vectors.size != dense):
            raise CovenantError(f"the violation-type model {self.name} reads {dense} sentence-vector values an article")
        logits = self.intercept.astype(np.float64) + self.coef[:, words : words + rules.size] @ rules
        if dense:
            logits += self.coef[:, words + rules.size :] @ np.asarray(vectors, dtype=np.float64)
        columns, weights = self._tfidf(text)
        if columns.size:
            logits += self.coef[:, columns] @ weights
        return 1.0 / (1.0 + np.exp(-logits))

    def _tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) of training, with numpy alone: lower-cased words
        of two or more characters, single and in pairs, 1 + log(count) times idf, L2-normed."""
        found = _WORD.findall(text.lower())
        counts: dict[int, int] = {}
        for term in (*found, *(f"{a} {b}" for a, b in pairwise(found))):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1.0 + np.log(tf)) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def save(self, path: Path) -> None:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        meta = {"name": self.name, "kinds": self.kinds, "keep": self.keep, "add": self.add, "encoder": self.encoder}
        meta["info"] = self.info
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                meta=np.array(json.dumps(meta)),
                words=np.array(words),
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
                intercept=self.intercept.astype(np.float32),
            )


def load_violation_model(path: Path | None = None) -> ViolationModel:
    """The violation-type model shipped in the package, or the one $COVENANT_VIOLATIONS_MODEL names (both written
    by `benchmarks/train_violations.py`)."""
    path = path or Path(os.environ.get("COVENANT_VIOLATIONS_MODEL") or MODEL_FILE)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return ViolationModel(
                name=meta["name"],
                kinds=list(meta["kinds"]),
                vocabulary={str(w): i for i, w in enumerate(data["words"])},
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                keep=float(meta["keep"]),
                add=float(meta["add"]),
                encoder=meta.get("encoder"),
                info=dict(meta.get("info", {})),
            )
    except FileNotFoundError:
        raise CovenantError(f"{path}: no violation-type model here") from None
    except (KeyError, ValueError, OSError) as exc:
        raise CovenantError(f"{path}: not a violation-type model file ({exc})") from None


@cache
def shipped_model() -> ViolationModel:
    return load_violation_model()


@cache
def sentence_encoder(name: str = ENCODER) -> Embedder:
    """The sentence encoder a model reads, loaded once a process."""
    return load_embedder(name)


def violation_scores(
    document: Document, events: Sequence[Event], model: ViolationModel | None = None
) -> dict[str, float]:
    """Per violation type, the model's probability that the article reports an attack of that type."""
    model = model or shipped_model()
    passages = document.passages
    title = document.report.title or ""
    text = article_text(title, (p.text for p in passages))
    vectors = (
        article_vectors(title, [p.text for p in passages], sentence_encoder(model.encoder)) if model.encoder else None
    )
    found = model.probabilities(text, rule_features(events, [p.id for p in passages]), vectors)
    return {kind: float(p) for kind, p in zip(model.kinds, found, strict=True)}


def event_confidences(
    document: Document, events: Sequence[Event], model: ViolationModel | None = None
) -> dict[str, float]:
    """Per event id, how likely its violation type is one the article reports (events of no type are left out)."""
    scores = violation_scores(document, events, model)
    return {e.id: scores[kind] for e in events if (kind := violation_kind(e)) is not None}


def article_violations(document: Document, events: Sequence[Event], model: ViolationModel | None = None) -> list[str]:
    """The violation types of the attack(s) a news article reports, in the order the article first tells them:
    a type its events have, unless the model rejects it (below `keep`); a type they lack when the model is sure
    (from `add`)."""
    model = model or shipped_model()
    scores = violation_scores(document, events, model)
    told = told_kinds(events, {p.id for p in document.passages[:LEAD_PASSAGES]})
    kept = [kind for kind in told if scores[kind] >= model.keep]
    return kept + [kind for kind in model.kinds if kind not in told and scores[kind] >= model.add]

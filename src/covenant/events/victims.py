"""The named victims of the attack a news article reports: every full name of a person the article gives, scored by a
small logistic regression over where and how the article names them and the sentence vector of the sentence that
first names them, read from a file shipped in the package."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from covenant.entities.gazetteer import TITLES
from covenant.errors import CovenantError
from covenant.events.country import place_country
from covenant.events.participants import _NEWS_TITLES
from covenant.events.sentences import sentence_spans
from covenant.events.violations import sentence_encoder, violation_kind
from covenant.model import Document, EntityMention, Event

MODEL_NAME = "victims-v2"
MODEL_FILE = Path(__file__).parent / "data" / f"{MODEL_NAME}.npz"

# What a news story says of a person just before their name: who they are (a victim's description) ...
_ROLE = re.compile(
    r"(?:activist|journalist|lawyer|defender|blogger|reporter|editor|student|leader|dissident|rights|photographer"
    r"|teacher|farmer|priest|pastor|critic|opposition|member|founder|worker|woman|man|girl|boy|son|daughter|wife"
    r"|husband)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# ... or an office (officials speak about an attack far more often than they suffer one).
_OFFICIAL = re.compile(
    r"(?:President|Minister|Prime|Governor|Secretary|[Ss]pokes\w+|Commissioner|Chief|Director|Judge|Justice|Senator"
    r"|Ambassador|Chairman|General|Inspector|Mayor|Prosecutor|[Pp]olice|Commander|Officer)\W+(?:\w+\W+){0,2}$"
)
_CUE = re.compile(
    r"arrest|detain|detention|kill|murder|shot|shoot|tortur|abduct|kidnap|disappear|jail|prison|sentenc|charged"
    r"|attack|beat|threat|custody|execut|died|dead|death|assault|harass|raid",
    re.IGNORECASE,
)
_SAID = re.compile(r"^\W*(?:\w+\W+){0,3}(?:said|told|says|saying|added|stated|wrote|tweeted)\b", re.IGNORECASE)
_SAID_BEFORE = re.compile(r"\b(?:said|says|according to|told|quoted)\s+$", re.IGNORECASE)
_SUFFERED = re.compile(
    r"^\W*(?:,[^,]{0,80},\s*)?(?:who\s+)?(?:was|were|has been|had been|is|have been)\s+(?:\w+\s+)?(?:arrest|detain"
    r"|kill|shot|abduct|kidnap|sentenc|charg|tortur|jail|imprison|murder|beat|attack|releas|held|taken|missing"
    r"|disappear)",
    re.IGNORECASE,
)
_AGE = re.compile(r"^,\s*\d{1,2},")
# Words that make a capitalised phrase a body or a place, not a person, when the entity stage typed it ORG or GPE.
_NOT_PERSON = re.compile(
    r"\b(?:Party|Ministry|Police|Court|University|Council|Committee|Commission|Union|Association|Army|Forces?"
    r"|Government|Department|Agency|Office|Organi[sz]ation|International|Watch|News|Times|Post|Press|Network"
    r"|Group|Movement|Front|Foundation|Institute|Center|Centre|Church|Bank|Company|Corporation|Republic|State"
    r"|States|Kingdom|Nations|Assembly|Parliament|Congress|Senate|Service|Services|Media|Radio|TV|Television"
    r"|Daily|Channel|Club|School|College|Hospital|Prison|Street|Square|City|Province|Region|District|County"
    r"|Human|Rights|Amnesty|Reporters|Federation|Alliance|Coalition|Initiative|Project|Fund|Trust)\b"
)
_NAME_WORD = re.compile(r"^[A-Z\u00c0-\u00de][\w'’\-]*$")

#: The features of a candidate name, in the order of the model's weights (chosen by cross-validation on HRDsAttack
#: train and dev; benchmarks/train_victims.py).
FEATURES = (
    "victim",  # the event stage names them victim of an act HRDsAttack counts (a killing, an arrest, "other")
    "perpetrator",
    "first place",  # where the article first names them, 0 (start) to 1 (end)
    "first named",  # the first person the article names in full
    "typed PERSON",  # the entity stage typed them PERSON (not ORG or GPE) at least once
    "role before",  # "activist", "journalist" just before the name
    "office before",  # "President", "Minister", "police chief" just before the name
    "age after",  # "X, 34,"
    "suffered",  # "X was arrested", "X, a lawyer, was shot"
    "cue sentences",  # share of the sentences naming them that tell an attack
    "subject of a cue sentence",  # a sentence telling an attack opens with the name
    "speaker",  # "X said"
    "said before",  # "said X", "according to X"
)


#: The weight of the context sentence's vector beside the features (chosen by cross-validation, as the features).
DENSE_WEIGHT = 0.6
#: What stands for the candidate's own name in its context sentence, so that the vector reads what is said of them.
PLACEHOLDER = "X"


def _untitled(name: str) -> str:
    words = name.split()
    while len(words) > 1 and (words[0].casefold().rstrip(".") in TITLES or words[0].casefold() in _NEWS_TITLES):
        words = words[1:]
    return " ".join(words)


def _person_like(name: str) -> bool:
    """A name the entity stage typed ORG or GPE that reads as a person's ("Narges Mohammadi"): two to four
    capitalised words, none of a body's or a place's, and no known place."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all(_NAME_WORD.match(w) for w in words)
        and not _NOT_PERSON.search(name)
        and place_country(name) is None
    )


@dataclass
class Candidate:
    """A full name the article gives a person, with its mentions in order, its features (FEATURES) and the sentence
    that first names them with the name replaced by PLACEHOLDER ("Its correspondent X was arrested on Monday")."""

    name: str
    mentions: list[EntityMention]
    features: np.ndarray
    context: str


def candidates(document: Document, mentions: Iterable[EntityMention], events: Sequence[Event]) -> list[Candidate]:
    """Every full name (two or more words, titles taken off) of a person the article names, in the order it first
    names them, with what the article says around each mention."""
    text = document.clean_text
    length = max(len(text), 1)
    sentences: list[tuple[int, int]] = []
    for passage in document.passages:
        sentences += [(passage.start + a, passage.start + b) for a, b in sentence_spans(passage.text)]
    victims = {name for e in events if violation_kind(e) for name in e.victims}
    perpetrators = {name for e in events for name in e.perpetrators}

    by_name: dict[str, list[EntityMention]] = {}
    persons: set[str] = set()
    for mention in sorted(mentions, key=lambda m: m.start):
        name = _untitled(mention.text.strip())
        if " " not in name or not (mention.type == "PERSON" or (mention.type in ("ORG", "GPE") and _person_like(name))):
            continue
        by_name.setdefault(name, []).append(mention)
        if mention.type == "PERSON":
            persons.add(name)

    def sentence_of(start: int) -> tuple[int, int]:
        for a, b in sentences:
            if a <= start < b:
                return a, b
        return max(0, start - 150), min(len(text), start + 150)

    found = []
    for rank, (name, named) in enumerate(by_name.items()):
        first = named[0]
        before = text[max(0, first.start - 60) : first.start]
        after = text[first.end : first.end + 40]
        spans = [sentence_of(m.start) for m in named]
        cued = [bool(_CUE.search(text[a:b])) for a, b in spans]
        values = [
            name in victims,
            name in perpetrators,
            first.start / length,
            rank == 0,
            name in persons,
            bool(_ROLE.search(before)),
            bool(_OFFICIAL.search(before)),
            bool(_AGE.match(after)),
            any(_SUFFERED.match(text[m.end : m.end + 120]) for m in named),
            sum(cued) / len(named),
            any(c and m.start - a <= 25 for m, (a, _), c in zip(named, spans, cued, strict=True)),
            bool(_SAID.search(after)),
            any(_SAID_BEFORE.search(text[max(0, m.start - 20) : m.start]) for m in named),
        ]
        a, b = spans[0]
        context = f"{text[a : first.start]}{PLACEHOLDER}{text[first.end : b]}"
        found.append(Candidate(name, named, np.array(values, dtype=np.float64), " ".join(context.split())))
    return found


@dataclass
class VictimModel:
    """A logistic regression over a candidate name's features and (when the model names an encoder) the vector of its
    context sentence times DENSE_WEIGHT; a name is a victim from `threshold`."""

    name: str
    features: list[str]
    coef: np.ndarray  # (features + the encoder's dimensions,)
    intercept: float
    threshold: float
    encoder: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, features: np.ndarray, vectors: np.ndarray | None = None) -> np.ndarray:
        """P(victim) of each row of a (candidates, features) array, beside the (candidates, dimensions) vectors of
        their context sentences for a model with an encoder."""
        if not len(features):
            return np.zeros(0)
        if self.encoder:
            if vectors is None:
                raise CovenantError(f"victim model {self.name} reads context vectors; none given")
            features = np.hstack([features, vectors * DENSE_WEIGHT])
        return 1.0 / (1.0 + np.exp(-(features @ self.coef + self.intercept)))

    def vectors(self, found: Sequence[Candidate]) -> np.ndarray | None:
        """The context vectors of the candidates, from the model's encoder (None for a model without one)."""
        if not self.encoder:
            return None
        return sentence_encoder(self.encoder).embed([c.context for c in found]).astype(np.float64)

    def save(self, path: Path) -> None:
        meta = {
            "name": self.name,
            "features": self.features,
            "threshold": self.threshold,
            "encoder": self.encoder,
            "info": self.info,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(
                out, meta=np.array(json.dumps(meta)), coef=self.coef, intercept=np.array([self.intercept])
            )


def load_victim_model(path: Path | None = None) -> VictimModel:
    """The victim model shipped in the package, or the one $COVENANT_VICTIMS_MODEL names (both written by
    `benchmarks/train_victims.py`)."""
    path = path or Path(os.environ.get("COVENANT_VICTIMS_MODEL") or MODEL_FILE)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            model = VictimModel(
                name=meta["name"],
                features=list(meta["features"]),
                coef=data["coef"].astype(np.float64),
                intercept=float(data["intercept"][0]),
                threshold=float(meta["threshold"]),
                encoder=meta.get("encoder"),
                info=dict(meta.get("info", {})),
            )
    except FileNotFoundError:
        raise CovenantError(f"{path}: no victim model here") from None
    except (KeyError, ValueError, OSError) as exc:
        raise CovenantError(f"{path}: not a victim model file ({exc})") from None
    if model.features != list(FEATURES):
        raise CovenantError(f"{path}: written for other features than this version's; retrain it")
    return model


@cache
def shipped_model() -> VictimModel:
    return load_victim_model()


def victim_scores(
    document: Document, mentions: Iterable[EntityMention], events: Sequence[Event], model: VictimModel | None = None
) -> dict[str, float]:
    """Each full name of a person in the article, in the order it first names them, with P(victim of the attack)."""
    model = model or shipped_model()
    found = candidates(document, mentions, events)
    if not found:
        return {}
    scores = model.probabilities(np.stack([c.features for c in found]), model.vectors(found))
    return {c.name: float(p) for c, p in zip(found, scores, strict=True)}


def article_victims(
    document: Document, mentions: Iterable[EntityMention], events: Sequence[Event], model: VictimModel | None = None
) -> list[str]:
    """The named people a news article reports as victims of the attack it tells, in the order it names them."""
    model = model or shipped_model()
    return [name for name, p in victim_scores(document, mentions, events, model).items() if p >= model.threshold]

"""Who did it and to whom: perpetrators and victims of an event from the entity mentions of its sentence and
the voice of the words that tell it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from covenant.events.cues import AGENT_NOUNS
from covenant.model import EntityMention

_PASSIVE = re.compile(r"\b(?:was|were|been|be|being|is|are)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_BY = re.compile(r"^\s*(?:\w+\s+){0,3}?by\s+$", re.IGNORECASE)
_VICTIM_TYPES = ("PERSON", "MEDIA", "ORG")
_PERPETRATOR_TYPES = ("PERSON", "ORG")
# Bodies that suffer acts in these reports (an outlet closed, a party denied registration) rather than commit them.
_TARGET_ORG = re.compile(r"\b(?:party|movement|newspaper|NGO|foundation|union|association|center|centre)\b", re.I)


@dataclass(slots=True)
class Roles:
    perpetrators: list[str]
    victims: list[str]


_OBJECT_PRONOUN = re.compile(r"^\s+(?:him|her)\b")
_SUBJECT_PRONOUN = re.compile(r"^(?:He|She)\b")


def roles(
    sentence: str,
    offset: int,
    cue_start: int,
    cue_end: int,
    mentions: list[EntityMention],
    antecedent: str | None = None,
) -> Roles:
    """Perpetrators and victims of the event the cue at report offsets cue_start..cue_end tells.

    Active voice ("police officer Krykbayev shot and killed Daniyar Beysov"): names before the cue act, names
    after it suffer. Passive voice ("Duvanov was convicted by a court"): names before it suffer, names after
    "by" act. Without a named actor, a described one ("police", "the Almaty City Court") is the perpetrator.
    Without a named victim, "him" or "her" after an active cue, or "He"/"She" opening a passive sentence, is
    `antecedent`: the person named last before the sentence in its passage.
    """
    before = sentence[: cue_start - offset]
    passive = bool(_PASSIVE.search(before))
    perpetrators: list[str] = []
    victims: list[str] = []
    for mention in mentions:
        if mention.type not in _VICTIM_TYPES:
            continue
        ahead = mention.end <= cue_start
        after_by = mention.start >= cue_end and bool(_BY.match(sentence[cue_end - offset : mention.start - offset]))
        if after_by or (ahead and not passive):
            if mention.type in _PERPETRATOR_TYPES and not (mention.type == "ORG" and _TARGET_ORG.search(mention.text)):
                _add(perpetrators, mention.text)
        elif mention.type == "PERSON" or mention.type == "MEDIA" or _TARGET_ORG.search(mention.text):
            _add(victims, mention.text)
    if not victims and antecedent:
        pronoun = _OBJECT_PRONOUN.match(sentence[cue_end - offset :]) if not passive else _SUBJECT_PRONOUN.match(before)
        if pronoun:
            victims.append(antecedent)
    # A name on both sides ("Krykbayev was charged ..., and the court convicted Krykbayev") suffers the act.
    perpetrators = [p for p in perpetrators if p not in victims]
    if not perpetrators:
        described = list(AGENT_NOUNS.finditer(before if not passive else sentence[cue_end - offset :]))
        if described:
            _add(perpetrators, described[-1 if not passive else 0].group(0))
    return Roles(perpetrators, victims)


def _add(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)

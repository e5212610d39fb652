"""Who did it and to whom: perpetrators and victims of an event from the entity mentions of its sentence and
the voice of the words that tell it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from covenant.events.country import place_country
from covenant.events.cues import AGENT_NOUNS
from covenant.model import EntityMention, Event

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


# Words before a name that say what a person is, not who: the entity stage's titles and a few more news writes
# ("Corps Marshal Bisi Kazeem", "Barrister Muhammad Ali Jinnah", "Md Sohel Rana").
_NEWS_TITLES = frozenset(
    ["barrister", "corps", "marshal", "md", "sgt", "gen", "col", "capt", "lt", "rev", "hon", "detective", "comrade",
     "alhaji", "engr", "justice", "rep", "sen", "gov"]
)  # fmt: skip
_PLACE_WORD = re.compile(r"\s(?:State|Province|Region|District|County|Governorate|Oblast|City|Town)$")


def tidy_names(events: list[Event], mentions: Iterable[EntityMention]) -> None:
    """Name the people of a document's events as fully as it does: titles taken off ("Sergeant Christopher Hake"
    is "Christopher Hake"), a surname alone ("Booker", "Sergeant Hake") given the one full name of the document it
    ends ("Vauhxx Booker", "Christopher Hake"), and a place the entity stage took for a
    person ("Zamfara State", "Ciudad Juarez") left out."""
    from covenant.entities.gazetteer import TITLES

    def untitled(name: str) -> str:
        words = name.split()
        while len(words) > 1 and (words[0].casefold().rstrip(".") in TITLES or words[0].casefold() in _NEWS_TITLES):
            words = words[1:]
        return " ".join(words)

    # Full names by their surname ("Hake" is "Christopher Hake" in a story naming no other Hake).
    full: dict[str, set[str]] = {}
    for mention in mentions:
        name = untitled(mention.text.strip()) if mention.type == "PERSON" else ""
        if " " in name:
            full.setdefault(name.split()[-1], set()).add(name)

    def tidy(name: str) -> str | None:
        if mention_types.get(name) == "PERSON" and " " in name and (_PLACE_WORD.search(name) or place_country(name)):
            return None
        bare = untitled(name)
        if " " not in bare:
            known = full.get(bare, set())
            return next(iter(known)) if len(known) == 1 else name
        return bare

    mention_types = {m.text: m.type for m in mentions}
    for event in events:
        for role in ("victims", "perpetrators"):
            names: list[str] = []
            for name in getattr(event, role):
                tidied = tidy(name)
                if tidied and tidied not in names:
                    names.append(tidied)
            setattr(event, role, names)

"""Where an event happened: a place the entity stage found in the event's sentence, else in its passage."""

from __future__ import annotations

from covenant.model import EntityMention


def event_place(sentence_mentions: list[EntityMention], passage_mentions: list[EntityMention]) -> str | None:
    """The first place named in the sentence; the passage's first place when the sentence names none."""
    for mentions in (sentence_mentions, passage_mentions):
        places = [m.text for m in mentions if m.type == "GPE"]
        if places:
            return places[0]
    return None

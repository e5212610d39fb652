"""One entity's history across reports: the events and the dated sentences that name it, in date order."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from covenant.dates import dates_in
from covenant.events.sentences import sentence_spans
from covenant.events.when import event_date
from covenant.model import DateMention, Document, EntityMention, Event

# A sentence that goes on about the person just named without naming anyone ("In August 2004, authorities
# transferred him to a low-security settlement"), or about the outlet or party just named ("In August, the paper
# regrouped"): the word that refers back, by the type of what it refers to.
_REFERS_BACK = {
    "PERSON": re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]im|[Hh]er|[Hh]is|[Hh]imself|[Hh]erself)\b"),
    "MEDIA": re.compile(r"\b[Tt]he (?:news)?paper(?:'s|’s)?\b|\b[Tt]he (?:publication|outlet|weekly|daily)\b"),
    "ORG": re.compile(r"\b[Tt]he (?:party|movement|organi[sz]ation|association|union|group)(?:'s|’s)?\b"),
}


@dataclass(slots=True)
class TimelineLine:
    """One dated fact about an entity: an event naming it, or a sentence naming it with a date."""

    date: str
    report_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    kind: str  # the event's type, or "mention" for a dated sentence with no event
    event_group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sort_key(date: str) -> str:
    """Dates of different precision in one order: a range by its start, a year before its months."""
    return date.split("/")[0]


def entity_timeline(
    entity_ids: set[str], documents: Iterable[Document], mentions: list[EntityMention], events: list[Event]
) -> list[TimelineLine]:
    """Lines for the entities `entity_ids` (one real-world entity may be several ids after a split), in date
    order. `mentions` carry the entity ids resolution gave them; `events` are the event stage's for the same
    documents."""
    naming = [m for m in mentions if m.entity_id in entity_ids]
    # A word refers back to the entity as any of the types its names were given ("the paper" goes on about
    # Respublika where the model typed the name before it an organisation).
    kinds = {m.type for m in naming} & set(_REFERS_BACK)
    everyone: dict[str, list[EntityMention]] = {}
    for mention in mentions:
        everyone.setdefault(mention.passage_id, []).append(mention)
    by_passage: dict[str, list[EntityMention]] = {}
    for mention in naming:
        by_passage.setdefault(mention.passage_id, []).append(mention)
    events_by_passage: dict[str, list[Event]] = {}
    for event in events:
        events_by_passage.setdefault(event.passage_id, []).append(event)
    lines: list[TimelineLine] = []
    for document in documents:
        wanted = [p for p in document.passages if p.id in by_passage]
        if not wanted:
            continue
        dates: dict[str, list[DateMention]] = {}
        for date in dates_in(document.passages, document.report):
            dates.setdefault(date.passage_id, []).append(date)
        for passage in wanted:
            carried: EntityMention | None = None
            others = everyone.get(passage.id, [])
            for first, last in sentence_spans(passage.text):
                start, end = passage.start + first, passage.start + last
                named = [m for m in by_passage[passage.id] if start <= m.start < end]
                # "He was convicted in 2002", "authorities transferred him", "the paper regrouped": a sentence
                # that names no one and refers back goes on about what its passage named last.
                if named:
                    carried = named[0] if kinds else None
                elif carried is not None and _refers_back(
                    passage.text[first:last], kinds, [m for m in others if start <= m.start < end]
                ):
                    named = [dataclasses.replace(carried, start=start, end=start)]
                else:
                    carried = None
                if not named:
                    continue
                told = [e for e in events_by_passage.get(passage.id, []) if e.start == start and e.date]
                for event in told:
                    lines.append(
                        TimelineLine(event.date or "", document.report.id, passage.id, start, end, event.quote,
                                     event.type, event.event_group)
                    )  # fmt: skip
                if told:
                    continue
                in_sentence = [d for d in dates.get(passage.id, []) if d.start >= start and d.end <= end]
                dated = event_date(passage.text[first:last], start, in_sentence, named[0].start, named[0].end)
                if dated and dated.value:
                    lines.append(
                        TimelineLine(dated.value, document.report.id, passage.id, start, end,
                                     passage.text[first:last], "mention")
                    )  # fmt: skip
    lines.sort(key=lambda line: (sort_key(line.date), line.report_id, line.start))
    return lines


def _refers_back(sentence: str, kinds: set[str], named: list[EntityMention]) -> bool:
    """Whether a sentence that does not name the entity goes on about it, its passage having named it last: it has
    a word that refers back to one of the entity's types (`kinds`) and names nothing else of those types."""
    if any(m.type in kinds for m in named):
        return False
    return any(_REFERS_BACK[kind].search(sentence) for kind in kinds)

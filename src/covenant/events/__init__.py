"""Event stage: specific acts (arrests, convictions, killings, closures) told in passages, dated, with their
people, place and ICCPR articles, and mentions of one event linked across passages and reports."""

from __future__ import annotations

from collections.abc import Iterable

from covenant.dates import dates_in
from covenant.entities import Recogniser
from covenant.events.cues import EVENT_TYPES
from covenant.events.extract import METHOD, mentions_by_passage, passage_events
from covenant.events.linking import link
from covenant.events.participants import tidy_names
from covenant.events.rights import passage_articles
from covenant.model import DateMention, Document, EntityMention, Event, RightLabel

__all__ = ["EVENT_TYPES", "METHOD", "document_events", "events_for_documents", "link", "passage_events"]


def document_events(
    document: Document, mentions: Iterable[EntityMention], labels: Iterable[RightLabel] = (), anchored: bool = True
) -> list[Event]:
    """Events of one document from its entity mentions (and its passages' rights labels, if any), not linked;
    `anchored` as in `passage_events`."""
    mentions = list(mentions)
    by_passage = mentions_by_passage(mentions)
    articles = passage_articles(labels)
    # Dates over the whole report, so that a letter's undated days take the year it names most often.
    dates: dict[str, list[DateMention]] = {}
    for mention in dates_in(document.passages, document.report):
        dates.setdefault(mention.passage_id, []).append(mention)
    events: list[Event] = []
    for passage in document.passages:
        found = by_passage.get(passage.id, [])
        events.extend(
            passage_events(
                passage, document.report, found, articles.get(passage.id), dates.get(passage.id, []), anchored
            )
        )
    tidy_names(events, mentions)
    return events


def events_for_documents(
    documents: Iterable[Document],
    recogniser: Recogniser | None = None,
    labels: Iterable[RightLabel] = (),
) -> list[Event]:
    """Every event of these documents, with mentions of one event linked into one `event_group`."""
    recogniser = recogniser or Recogniser()
    label_list = list(labels)
    events: list[Event] = []
    for document in documents:
        mentions = recogniser.passages(document.passages)
        events.extend(document_events(document, mentions, label_list))
    link(events)
    return events

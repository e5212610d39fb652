"""Find the events a passage tells: one per type and sentence whose cue words are there, statistics and general
practices left out, each with its quote, date, people, place and ICCPR articles."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterable

from covenant.dates import find_dates
from covenant.events.cues import (
    COUNTED_VICTIMS,
    CUES,
    NEGATED,
    NEGATED_INSIDE,
    PATTERN,
    POINT_OF_TIME,
    STATISTIC,
    STRONG_STATISTIC,
)
from covenant.events.participants import roles
from covenant.events.place import event_place
from covenant.events.rights import event_articles
from covenant.events.sentences import sentence_spans
from covenant.events.when import event_date
from covenant.model import DateMention, EntityMention, Event, Passage, Report

METHOD = "rules:cues"
_PARTIES = ("PERSON", "MEDIA", "ORG")
# A gap word in a cue ("(?:\w+\s+){0,4}") may carry an apostrophe, a hyphen or a comma after it, as names do
# ("refused to consider Duvanov's appeal", "found former Minister ..., Ablay Myrzakhmetov, guilty").
_WORD_GAP = (r"(?:\w+\s+)", r"(?:[\w'’.-]+,?\s+)")
_COMPILED: dict[str, list[re.Pattern[str]]] = {
    kind: [re.compile(r"\b" + cue.replace(*_WORD_GAP) + r"\b", re.IGNORECASE) for cue in cues]
    for kind, cues in CUES.items()
}


def passage_events(
    passage: Passage,
    report: Report,
    mentions: list[EntityMention],
    articles: list[int] | None = None,
    dates: list[DateMention] | None = None,
    anchored: bool = True,
) -> list[Event]:
    """Events of one passage. `mentions` are the entity stage's mentions of this passage (report offsets);
    `articles` its ICCPR rights labels, if the rights stage ran; `dates` its date mentions as
    covenant.dates.dates_in finds them over the whole report (found here, from the passage alone, if not given);
    `anchored` keeps only acts whose sentence has a date or names a party (reports tell practices undated and
    unnamed; a news story tells its one attack that way too, so news is read with anchored=False)."""
    if dates is None:
        dates = find_dates(passage, report)
    events: list[Event] = []
    for first, last in sentence_spans(passage.text):
        sentence = passage.text[first:last]
        if not is_specific(sentence):
            continue
        start, end = passage.start + first, passage.start + last
        in_sentence = [m for m in mentions if m.start >= start and m.end <= end]
        sentence_dates = [d for d in dates if d.start >= start and d.end <= end]
        # An act with neither a time nor a named party is told as a practice ("Trafficking victims were fined
        # and deported"): a specific act happened at a time, or to someone the report names.
        if anchored and not sentence_dates and not any(m.type in _PARTIES for m in in_sentence):
            continue
        for kind, cue_start, cue_end in cue_matches(sentence):
            events.append(
                _event(passage, report, kind, sentence, start, end, cue_start + start, cue_end + start,
                       in_sentence, mentions, sentence_dates, articles)
            )  # fmt: skip
    return events


def is_specific(sentence: str) -> bool:
    """False for a count over a period ("534 women were killed") or a general practice ("police routinely beat
    detainees"), unless the sentence names a month or a day, which makes it an act at a point of time."""
    if STRONG_STATISTIC.search(sentence):
        return False
    if POINT_OF_TIME.search(sentence):
        return True
    return not (STATISTIC.search(sentence) or PATTERN.search(sentence) or COUNTED_VICTIMS.search(sentence))


_DEFINITE = re.compile(r"the\s", re.IGNORECASE)


def cue_matches(sentence: str) -> list[tuple[str, int, int]]:
    """(type, start, end) of the first cue of each type in each clause of the sentence (clauses split at
    semicolons: "filed charges against him; the Government also brought charges in 2002" is two charges); a cue
    lying inside a longer cue of another type gives way to it ("died following an alleged beating" is a death,
    not a beating)."""
    found: list[tuple[str, int, int]] = []
    clauses = [m.start() for m in re.finditer(";", sentence)]
    for kind, patterns in _COMPILED.items():
        spans = [
            (m.start(), m.end())
            for p in patterns
            for m in p.finditer(sentence)
            if not NEGATED.search(sentence[max(0, m.start() - 40) : m.start()]) and not NEGATED_INSIDE.search(m.group())
        ]
        firsts: dict[int, tuple[int, int]] = {}
        for span in sorted(spans):
            clause = bisect_right(clauses, span[0])
            # "offices were firebombed; authorities announced ... who had masterminded the attack": a later clause
            # naming the act with "the" refers back to the one already told.
            if firsts and clause not in firsts and _DEFINITE.match(sentence, span[0]):
                continue
            firsts.setdefault(clause, span)
        found.extend((kind, start, end) for start, end in firsts.values())
    kept = [
        (kind, s, e)
        for kind, s, e in found
        if not any(k != kind and s2 <= s and e <= e2 and (e2 - s2) > (e - s) for k, s2, e2 in found)
    ]
    return sorted(kept, key=lambda f: f[1])


def _event(
    passage: Passage,
    report: Report,
    kind: str,
    sentence: str,
    start: int,
    end: int,
    cue_start: int,
    cue_end: int,
    in_sentence: list[EntityMention],
    in_passage: list[EntityMention],
    dates: list[DateMention],
    articles: list[int] | None,
) -> Event:
    date = event_date(sentence, start, dates, cue_start, cue_end)
    earlier = [m for m in in_passage if m.type == "PERSON" and m.end <= start]
    antecedent = earlier[-1].text if earlier else None
    people = roles(sentence, start, cue_start, cue_end, in_sentence, antecedent)
    digest = hashlib.blake2b(f"{passage.id}|{kind}|{cue_start}".encode(), digest_size=6).hexdigest()
    return Event(
        id=f"V{digest}",
        report_id=report.id,
        passage_id=passage.id,
        start=start,
        end=end,
        quote=sentence,
        type=kind,
        method=METHOD,
        date=date.value if date else None,
        date_precision=date.precision if date else None,
        perpetrators=people.perpetrators,
        victims=people.victims,
        place=event_place(in_sentence, in_passage),
        iccpr=event_articles(kind, articles),
    )


def mentions_by_passage(mentions: Iterable[EntityMention]) -> dict[str, list[EntityMention]]:
    """Entity mentions grouped by passage id, in text order."""
    grouped: dict[str, list[EntityMention]] = {}
    for mention in mentions:
        grouped.setdefault(mention.passage_id, []).append(mention)
    for found in grouped.values():
        found.sort(key=lambda m: m.start)
    return grouped

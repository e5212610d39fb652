"""The date of an event: the date expression of its own sentence nearest to the words that tell it."""

from __future__ import annotations

from covenant.model import DateMention

# Distance in characters from the cue, a date after it weighing a little more: a sentence-opening date ("On July 1,
# police ...") governs the clause it opens, while one after the cue may start the next clause.
_BEFORE_WEIGHT = 1.0
_AFTER_WEIGHT = 1.2


def event_date(dates: list[DateMention], cue_start: int, cue_end: int) -> DateMention | None:
    """The date mention (report offsets) of the sentence that is nearest to the cue; None when there is none.

    `dates` are the sentence's own date mentions: the publication date is never among them, so an event without a
    date in its sentence has none.
    """
    best: tuple[float, DateMention] | None = None
    for mention in dates:
        if mention.value is None:
            continue
        if mention.end <= cue_start:
            distance = (cue_start - mention.end) * _BEFORE_WEIGHT
        elif mention.start >= cue_end:
            distance = (mention.start - cue_end) * _AFTER_WEIGHT
        else:
            distance = 0.0
        if best is None or distance < best[0]:
            best = (distance, mention)
    return best[1] if best else None

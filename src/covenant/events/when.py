"""The date of an event: the date expression of its own clause (else sentence) nearest to the words that tell it."""

from __future__ import annotations

import re

from covenant.model import DateMention

# Distance in characters from the cue, a date after it weighing a little more: a sentence-opening date ("On July 1,
# police ...") governs the clause it opens, while one after the cue may start the next clause.
_AFTER_WEIGHT = 1.2
# A date between a determiner and a noun dates that noun, not the act: "closed the case of the 2001 death",
# "a libel suit for a 2002 article". It still dates a cue that follows it at once ("the 2001 death of").
_ATTRIBUTIVE_BEFORE = re.compile(r"\b(?:the|a|an|his|her|its|their)\s+$", re.IGNORECASE)
_ATTRIBUTIVE_AFTER = re.compile(r"^['’]?s?\s+[a-z]")
_ADJACENT = 3


def event_date(
    sentence: str, offset: int, dates: list[DateMention], cue_start: int, cue_end: int
) -> DateMention | None:
    """The date mention (report offsets) of the sentence nearest to the cue, from the cue's own clause (between
    semicolons) when it holds one; None when the sentence has none.

    `dates` are the sentence's own date mentions: the publication date is never among them, so an event without a
    date in its sentence has none.
    """
    usable = [d for d in dates if d.value is not None and not _attributive(sentence, offset, d, cue_start, cue_end)]
    clause_start = offset + sentence.rfind(";", 0, cue_start - offset) + 1
    semicolon = sentence.find(";", cue_end - offset)
    clause_end = offset + (semicolon if semicolon >= 0 else len(sentence))
    in_clause = [d for d in usable if d.start >= clause_start and d.end <= clause_end]
    best: tuple[float, DateMention] | None = None
    for mention in in_clause or usable:
        if mention.end <= cue_start:
            distance = float(cue_start - mention.end)
        elif mention.start >= cue_end:
            distance = (mention.start - cue_end) * _AFTER_WEIGHT
        else:
            distance = 0.0
        if best is None or distance < best[0]:
            best = (distance, mention)
    return best[1] if best else None


def _attributive(sentence: str, offset: int, mention: DateMention, cue_start: int, cue_end: int) -> bool:
    if 0 <= cue_start - mention.end <= _ADJACENT or (mention.start < cue_end and mention.end > cue_start):
        return False
    before = sentence[: mention.start - offset]
    after = sentence[mention.end - offset :]
    return bool(_ATTRIBUTIVE_BEFORE.search(before) and _ATTRIBUTIVE_AFTER.match(after))

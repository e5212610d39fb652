"""What a report claims about a quoted recommendation's implementation, and the passage that claims it."""

from __future__ import annotations

import re

from covenant.model import Passage
from covenant.recommendations.cues import CONCESSION, PROGRESS, STATUS_DONE, STATUS_NOT, STATUS_PARTIAL
from covenant.recommendations.sentences import sentence_spans


def sentence_status(sentence: str) -> str | None:
    """implemented | partially_implemented | not_implemented, or None when the sentence assesses nothing."""
    negative = STATUS_NOT.search(sentence)
    if negative and re.search(r"\b(?:largely|mostly|entirely|completely)\b", negative.group(0), re.IGNORECASE):
        return "not_implemented"  # "despite some steps, largely not implemented" is still a failure
    if STATUS_PARTIAL.search(sentence):
        return "partially_implemented"
    if negative:
        concession = CONCESSION.search(sentence)
        # "Although the authorities have taken significant measures ..., problems continue": progress granted
        if concession and PROGRESS.search(sentence, concession.end(), negative.start()):
            return "partially_implemented"
        return "not_implemented"
    if STATUS_DONE.search(sentence) and not sentence.lstrip().casefold().startswith(("if", "when", "once")):
        return "implemented"
    return None


def claimed_status(commentary: list[Passage]) -> tuple[str | None, str | None]:
    """The first status the commentary after a quoted recommendation claims, with the passage claiming it."""
    for passage in commentary:
        for s, e in sentence_spans(passage.text):
            status = sentence_status(passage.text[s:e])
            if status:
                return status, passage.id
    return None, None

"""Split a passage into sentences and a sentence into its separate asks, keeping offsets into the passage."""

from __future__ import annotations

import re

from covenant.recommendations.cues import IMPERATIVE_VERBS, MODAL

# Hand-written because passages arrive already cut into paragraphs: a boundary rule with a few guards against
# abbreviations, initials and legal references ("No. 3", "D. Polienko", "i.e.") is all that is left to do.
_BOUNDARY = re.compile(r"(?<=[.!?])([”\"’)]?)\s+(?=[“\"(]?[A-Z0-9])")
_NO_BREAK_BEFORE = re.compile(
    r"(?:\b(?:No|Nos|Art|Arts|para|paras|p|pp|Mr|Mrs|Ms|Dr|St|Prof|Inc|Ltd|Co|vol|cf|approx|U\.S|U\.N|"
    r"i\.e|e\.g|viz|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.|\b[A-Z]\.)$"
)
_CLAUSE = re.compile(r";\s+(?:and\s+)?|,\s+and\s+(?:also\s+)?|,\s+as\s+well\s+as\s+to\s+")
_TRIM = " \t\n;,:–—-"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, without surrounding spaces."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _NO_BREAK_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        spans.append((start, m.start() + len(m.group(1))))
        start = m.end()
    spans.append((start, len(text)))
    return [trim(text, s, e) for s, e in spans if text[s:e].strip()]


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing spaces and list punctuation (a closing "." is kept)."""
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    # "cooperation, and;" ends a bullet of a list: the "and" belongs to the list, not to the ask
    if text[start:end].endswith(", and") or text[start:end].endswith(" and"):
        end = text.rfind(" and", start, end)
        return trim(text, start, end)
    return start, end


def first_word(text: str) -> str:
    m = re.match(
        r"\s*(?:to\s+)?(?:also\s+|further\s+|strictly\s+|promptly\s+|immediately\s+|urgently\s+)?([A-Za-z]+)", text
    )
    return m.group(1).casefold() if m else ""


def is_imperative(text: str) -> bool:
    """The text starts with an order ("Permit ...", "to devise ...", "Strictly pursue ...")."""
    return first_word(text) in IMPERATIVE_VERBS


def ask_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """One span per ask in a sentence: split where "; " or ", and " starts a new order or a clause with its own
    "should" ("Strictly pursue X, and implement Y" is two asks; "abolish X and accede to Y" stays one)."""
    pieces: list[list[int]] = [[start, end]]
    for m in _CLAUSE.finditer(text, start, end):
        rest = text[m.end() : end]
        left = text[pieces[-1][0] : m.start()]
        if len(left.split()) < 3 or len(rest.split()) < 3:
            continue
        head = rest[:80]
        if is_imperative(rest) or (MODAL.search(head) and not head.lstrip().startswith(("which", "who", "that"))):
            pieces[-1][1] = m.start()
            pieces.append([m.end(), end])
    spans = []
    for a, b in pieces:
        s, e = trim(text, a, b)
        if e > s:
            spans.append((s, e))
    return spans

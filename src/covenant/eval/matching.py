"""Match annotated quotes to passages the way FORMAT.md defines it."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u00a0": " ",
    }
)
_MARKER = re.compile(r"(?<=[^\W\d_])\d{1,3}(?=[\s.,;:)]|$)|(?<=[.,;:”\"’)])\d{1,3}(?=\s|$)")
_TOKEN = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Casefold, unify quotes and dashes, drop footnote markers, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _MARKER.sub("", text)
    return " ".join(text.casefold().split())


def quote_matches(quote: str, passage: str, quote_norm: str | None = None, passage_norm: str | None = None) -> bool:
    """The passage contains the quote; or, for a quote longer than the passage, holds 80% of its words in order."""
    q = quote_norm if quote_norm is not None else normalise(quote)
    p = passage_norm if passage_norm is not None else normalise(passage)
    if not q:
        return False
    if q in p:
        return True
    if len(q) <= len(p):
        return False
    q_tokens = _TOKEN.findall(q)
    p_tokens = _TOKEN.findall(p)
    if not q_tokens:
        return False
    # Words of the quote found in order in the passage (greedy subsequence), as a share of the quote.
    found = 0
    i = 0
    for token in q_tokens:
        j = i
        while j < len(p_tokens) and p_tokens[j] != token:
            j += 1
        if j < len(p_tokens):
            found += 1
            i = j + 1
    return found / len(q_tokens) >= 0.8

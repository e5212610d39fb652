"""Mark the query's terms in a passage: same stem (Snowball, English and Russian), prefixes for `term*`."""

from __future__ import annotations

import re
from functools import lru_cache

from covenant.search.fulltext import STOPWORDS

_WORD = re.compile(r"\w+", re.UNICODE)
_QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')
OPEN, CLOSE = "[[", "]]"


@lru_cache(maxsize=4)
def _stemmer(language: str) -> object:
    import snowballstemmer

    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    word = word.lower()
    language = "russian" if re.search("[а-яё]", word) else "english"
    return str(_stemmer(language).stemWord(word))  # type: ignore[attr-defined]


def query_terms(query: str) -> tuple[set[str], list[str]]:
    """Stems to mark and prefixes (from `term*`) to mark; operators and stopwords are left out."""
    stems: set[str] = set()
    prefixes: list[str] = []
    for phrase, token in _QUERY_TERM.findall(query):
        words = _WORD.findall(phrase) if phrase else [token]
        for raw in words:
            if raw in {"AND", "OR", "NOT"}:
                continue
            word = raw.strip('+-()"').lower()
            if word.endswith("*"):
                if len(word) > 2:
                    prefixes.append(word[:-1])
                continue
            for part in _WORD.findall(word):
                if part not in STOPWORDS:
                    stems.add(_stem(part))
    return stems, prefixes


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of `text` that match a query term."""
    stems, prefixes = query_terms(query)
    # A word can only share a stem with a query term if it shares its first letters: stem only those.
    heads = {s[:3] for s in stems} | {p[:3] for p in prefixes}
    spans = []
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if word[:3] not in heads:
            continue
        if _stem(word) in stems or any(word.startswith(p) for p in prefixes):
            spans.append((m.start(), m.end()))
    return spans


def highlight(text: str, query: str) -> str:
    """The text with each matching word wrapped in [[ ]]."""
    out = []
    last = 0
    for start, end in highlight_spans(text, query):
        out.append(text[last:start])
        out.append(OPEN + text[start:end] + CLOSE)
        last = end
    out.append(text[last:])
    return "".join(out)

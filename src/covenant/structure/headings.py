"""What a heading line looks like in reports: State Department sections, Roman parts, articles, title case."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOS_SECTION = re.compile(r"^Section\s+(\d{1,2})\b\.?\s*(.*)$")
LETTERED = re.compile(r"^([a-h])\.\s+([A-Z].*)$")
ROMAN = re.compile(r"^(?:Part\s+)?([IVX]{1,5})\.\s+\S")
PART = re.compile(r"^Part\s+([IVX]{1,5}|\d{1,2})\b", re.IGNORECASE)
ARTICLE = re.compile(
    r"^Articles?\s*\d{1,3}(?:\s*(?:,|and|-|–)\s*\d{1,3})*(?:,\s*paragraph\s+\d+)?\.?"
    r"(?:\s*[:.–—-]\s*[A-Z][^.;]{2,80})?\s*$",
    re.IGNORECASE,
)
RECOMMENDATIONS = re.compile(r"^(?:Recommendations?|Conclusions?(?: and recommendations)?)\s*:?\s*$", re.IGNORECASE)
LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]\s+\S|[•▪●◦■\u2022*]\s*\S|[-–—]\s+\S|\([a-z0-9]{1,3}\)\s+\S)")
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "within",
        "without",
        "under",
        "over",
        "via",
        "vs",
    ]
)
_INNER_SENTENCE = re.compile(r"[a-z0-9]{2}\.\s+[A-Z]")
_TERMINAL = (".", ";", ",", "!", "?")


@dataclass(frozen=True, slots=True)
class HeadingGuess:
    kind: str  # dos_section | lettered | caps | roman | part | article | recommendations | title_case
    code: str | None = None


def is_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4:
        return False
    upper = sum(1 for ch in letters if ch.isupper())
    return upper / len(letters) >= 0.8


def is_title_case(text: str, share: float = 0.6) -> bool:
    words = [w.strip("()“”\"'‘’,:/") for w in text.split()]
    words = [w for w in words if w]
    if not words or not words[0][:1].isupper():
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return False
    capped = sum(1 for w in content if w[:1].isupper() or w[:1].isdigit())
    return capped / len(content) >= share


def guess_heading(text: str) -> HeadingGuess | None:
    """Classify one candidate line (or joined wrapped lines) as a kind of heading, or None."""
    text = " ".join(text.split())
    if not text or len(text) > 250:
        return None
    m = DOS_SECTION.match(text)
    if m and (not m.group(2) or m.group(2)[:1].isupper()) and not text.endswith("."):
        return HeadingGuess("dos_section", m.group(1))
    if len(text) <= 160 and not text.endswith(_TERMINAL):
        m = LETTERED.match(text)
        if m and is_title_case(m.group(2)):
            return HeadingGuess("lettered", m.group(1))
    if RECOMMENDATIONS.match(text):
        return HeadingGuess("recommendations")
    m = ARTICLE.match(text)
    # Treaty articles run to a few dozen; "Article 142. Violation of privacy" quotes a national code.
    if m and int(re.search(r"\d+", text).group()) <= 60:  # type: ignore[union-attr]
        return HeadingGuess("article")
    if PART.match(text) and len(text) <= 120 and not text.endswith(_TERMINAL):
        return HeadingGuess("part")
    if ROMAN.match(text) and not text.endswith((";", ",")) and (is_caps(text) or is_title_case(text[3:])):
        return HeadingGuess("roman")
    if text.endswith(_TERMINAL) or text.startswith(("•", "-", "–", "(")):
        return None
    if is_caps(text) and len(text) <= 250 and not re.search(r"\d\s*$|\bNo\.", text):
        return HeadingGuess("caps")
    words = text.split()
    if (
        len(words) <= 12
        and len(text) <= 100
        and is_title_case(text, 0.75)
        and words[-1].lower() not in _SMALL_WORDS
        and not _INNER_SENTENCE.search(text)
    ):
        return HeadingGuess("title_case")
    return None

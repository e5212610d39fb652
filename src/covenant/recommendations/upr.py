"""Recommendations listed in a UPR working-group report: "90.12. Ratify ... (Argentina);" and the 2010-era
"To ratify (Spain)/consider ratifying (Argentina) ... (Spain, Argentina);", one record per ask and state list."""

from __future__ import annotations

import re
from dataclasses import dataclass

from covenant.countries import country_code
from covenant.model import Document, Section
from covenant.recommendations.cues import RESPONSE_PATTERNS, UPR_SECTION, UPR_STATE_NAMES
from covenant.recommendations.sentences import trim

_ITEM = re.compile(r"(?:^|\n\n)(?P<number>\d{1,3}(?:\.\d{1,3})*)\.\s+")
_PARENS = re.compile(r"\(([^()]{2,200})\)")
_SEGMENT = re.compile(r";\s+(?=(?:and\s+)?to\s+[a-z])|;\s+(?=[A-Z][a-z]+\s)")


@dataclass(slots=True)
class UprAsk:
    start: int
    end: int
    number: str
    states: list[str]
    response: str | None


def state_names(inside: str) -> list[str] | None:
    """The states a parenthesis names ("Spain, Argentina"), or None when it is not a list of states."""
    names: list[str] = []
    for piece in re.split(r",\s*", inside.strip()):
        piece = piece.strip()
        if not piece:
            continue
        if _is_state(piece):
            names.append(piece)
            continue
        parts = [p.strip() for p in re.split(r"\s+and\s+", piece)]
        if len(parts) > 1 and all(_is_state(p) for p in parts):
            names.extend(parts)
            continue
        return None
    return names or None


def _is_state(name: str) -> bool:
    return name in UPR_STATE_NAMES or country_code(name) is not None


def recommendation_sections(doc: Document) -> list[tuple[int, int]]:
    """Clean-text ranges of the sections that list a review's recommendations."""
    ranges = []
    for i, section in enumerate(doc.sections):
        if not UPR_SECTION.search(section.title.strip()):
            continue
        end = next(
            (s.start for s in doc.sections[i + 1 :] if s.level <= section.level and not _numbered(s)),
            len(doc.clean_text),
        )
        ranges.append((section.start, end))
    return ranges


def _numbered(section: Section) -> bool:
    # a recommendation set in bold is taken for a heading: it belongs to the list, it does not end it
    return bool(re.match(r"\d{1,3}(?:\.\d{1,3})*\.\s", section.title))


def upr_asks(doc: Document) -> list[UprAsk]:
    text = doc.clean_text
    asks: list[UprAsk] = []
    for lo, hi in recommendation_sections(doc):
        items = list(_ITEM.finditer(text, lo, hi))
        response: str | None = None
        for k, m in enumerate(items):
            end = items[k + 1].start() if k + 1 < len(items) else hi
            body_start, body_end = trim(text, m.end(), end)
            body = text[body_start:body_end]
            closing = _closing_states(body)
            if closing is None:
                # a paragraph between lists says what the state did with the recommendations that follow it
                response = _response(body) or response
                continue
            asks.extend(_segments(text, body_start, body_end, m.group("number"), closing, response))
    return asks


def _closing_states(body: str) -> list[str] | None:
    found = list(_PARENS.finditer(body))
    m = found[-1] if found else None
    if m is None or body[m.end() :].strip(" .;") != "":
        return None
    return state_names(m.group(1))


def _response(body: str) -> str | None:
    for response, pattern in RESPONSE_PATTERNS:
        if pattern.search(body):
            return response
    return None


def _segments(text: str, start: int, end: int, number: str, closing: list[str], response: str | None) -> list[UprAsk]:
    """One ask per "; to ..." segment, each with the states named in it (the item's states where it names none)."""
    cuts = [start]
    for m in _SEGMENT.finditer(text, start, end):
        before = text[cuts[-1] : m.start()]
        if _PARENS.search(before) and any(state_names(p) for p in _PARENS.findall(before)):
            cuts.append(m.end())
    asks = []
    for a, b in zip(cuts, [*cuts[1:], end], strict=True):
        s, e = trim(text, a, b)
        states: list[str] = []
        for inside in _PARENS.findall(text[s:e]):
            for name in state_names(inside) or []:
                if name not in states:
                    states.append(name)
        asks.append(UprAsk(s, e, number, states or list(closing), response))
    return asks

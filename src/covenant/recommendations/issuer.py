"""Who makes an ask: the body a report quotes ("He urged ...", "The Committee recommends ..."), else its author."""

from __future__ import annotations

import re
from functools import lru_cache

from covenant.countries import country_code, country_name
from covenant.model import Report
from covenant.recommendations.cues import BODIES, PRONOUNS, SELF, SPEAKER

_ACRONYM = re.compile(r"\b((?:[A-Z][\w’'-]*\s+){1,8}?[A-Z][\w’'-]*)\s+\(([A-Z][A-Za-z]{1,9})\)")
_LEADING = re.compile(r"^(?:both|and|the|also|moreover|furthermore|however|in\s+addition|similarly)\b[\s,]*", re.I)


@lru_cache(maxsize=1)
def _bodies() -> list[tuple[re.Pattern[str], str]]:
    # Names are matched whatever their case (headings in capitals); acronyms only as written ("CAT", not "cat").
    return [(re.compile(_scoped(pattern)), name) for pattern, name in BODIES]


def _scoped(pattern: str) -> str:
    return f"(?i:{pattern})"  # acronyms in the list switch case-folding off for themselves: (?-i:\\bCAT\\b)


def bodies_in(text: str) -> list[tuple[int, int, str]]:
    """Every recommending body named in `text`: (start, end, canonical name), in order of their end."""
    hits: list[tuple[int, int, str]] = []
    for pattern, name in _bodies():
        for m in pattern.finditer(text):
            # the same words can match a long name and a short one ("OSCE's ODIHR" and "OSCE"): keep the longest
            if any(s <= m.start() and m.end() <= e for s, e, _ in hits):
                continue
            hits = [(s, e, n) for s, e, n in hits if not (m.start() <= s and e <= m.end())]
            hits.append((m.start(), m.end(), name))
    return sorted(hits, key=lambda h: (h[1], h[0] - h[1]))


def last_body(text: str) -> str | None:
    """The body named last; or a more specific one named near it that contains its name ("OSCE commitments"
    after "the OSCE's Office for Democratic Institutions and Human Rights" is that office)."""
    hits = bodies_in(text)
    if not hits:
        return None
    name = hits[-1][2]
    wider = [n for _, _, n in hits if n != name and name in n]
    return wider[-1] if wider else name


def acronyms(clean_text: str) -> dict[str, str]:
    """Acronyms the report defines ("For a Just Kazakhstan (ZSK)") -> the name with its acronym."""
    found: dict[str, str] = {}
    for m in _ACRONYM.finditer(clean_text):
        name, short = m.group(1), m.group(2)
        initials = "".join(w[0] for w in name.split() if w[0].isupper())
        # the acronym is often of the name in another language (ZSK): accept any capitalised name before it
        if short not in found and (short[0] in initials or len(name.split()) <= 5):
            found[short] = f"{_LEADING.sub('', name).strip()} ({short})"
    return found


def speaker(sentence: str, before: str, report: Report, defined: dict[str, str]) -> str | None:
    """The body whose ask a sentence reports ("He urged your government ..." -> the body named before it), or
    None when the sentence reports nobody's words."""
    m = SPEAKER.search(sentence)
    if m is None:
        return None
    subject = m.group("subject").strip(" ,")
    named = last_body(subject)
    if named:
        return named
    subject = subject.rsplit(",", 1)[-1].strip()
    if re.search(r"\b(?:is|are|was|were|be|been)$", subject):
        return None  # "the State party is encouraged to ...": a passive, the speaker is not in the sentence
    words = subject.split()
    core = _LEADING.sub("", subject).strip(" ,")
    if core.casefold() in PRONOUNS or (words and words[-1].casefold() in PRONOUNS and len(words) <= 3):
        return last_body(before)
    if SELF.match(core):
        return report.source_org
    state = country_code(core)
    if state:
        return core
    if 0 < len(core.split()) <= 8 and core[:1].isupper():
        return _expand(core, defined)
    return None


def _expand(subject: str, defined: dict[str, str]) -> str:
    parts = re.split(r"\s+and\s+", subject)
    out = []
    for part in parts:
        part = _LEADING.sub("", part).strip(" ,")
        out.append(defined.get(part, part))
    return " and ".join(out)


def treaty_body(section_titles: list[str], block: str, before: str) -> str | None:
    """The body a quoted "Recommendation: The State party should ..." comes from: named in the block, in the
    section headings over it, or in the text before it."""
    for text in (block, " ".join(section_titles), before):
        named = last_body(text)
        if named:
            return named
    return None


def addressee(report: Report) -> str | None:
    name = country_name(report.country) if report.country else None
    return f"Government of {name}" if name else None


def is_state(name: str) -> bool:
    return country_code(name) is not None


def country_code_of(name: str) -> str | None:
    return country_code(name)

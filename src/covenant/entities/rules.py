"""Rules for the names the statistical model misses: laws and codes, media outlets, acronyms a text defines.

Each rule returns spans of one passage's text as (start, end, type, method); the patterns are built from the
word lists in `gazetteer.py`. `is_group` tells the words the model takes for names that are none: nationalities,
peoples and faiths.
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from covenant.entities.gazetteer import (
    ACRONYM_TAIL_NOUNS,
    CODE_KINDS,
    GROUP_QUALIFIERS,
    GROUP_WORDS,
    KNOWN_ALIASES,
    MEDIA_NOUNS,
    MEDIA_NOUNS_AFTER_NAME,
    NOT_NAME_STARTS,
    NOT_OUTLET_NAMES,
    ORG_HEADS,
    PLACE_KINDS,
    TREATIES,
)

Span = tuple[int, int, str, str]

# A capitalised word of a name, a quoted name, or a joining word inside one ("Law on Mass Media").
_CAP = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w’'-]*(?:\.[a-z]\w*)*|“[^”]{1,40}”|\"[^\"]{1,40}\")"
_JOIN = r"(?:of|on|for|and|the|in|to|about|against|with|without|under|de|sans)"
_NAME = _CAP + r"(?:\s+(?:" + _JOIN + r"\s+)*" + _CAP + r"){0,7}"

_CODE = re.compile(
    r"\b(?:(?:Article|Articles|Section|Part|Paragraph)s?\s+\d+[\w.()-]*(?:(?:\s*,\s*|\s+and\s+|\s+or\s+)\d+[\w.()-]*)*"
    r"(?:\s+(?:of|under)\s+(?:Article|Section)\s+\d+[\w.()-]*)*\s+of\s+the\s+)?"
    r"(?:(?:" + "|".join(sorted(CODE_KINDS, key=len, reverse=True)) + r")\s+Code"
    r"|Code\s+(?:of|on)\s+(?:the\s+)?(?:Administrative|Criminal|Civil)\s+(?:Offenses|Offences|Violations|Procedure))\b"
)
_LAW = re.compile(
    r"\b(?:(?:Article|Section)\s+\d+[\w.()-]*\s+of\s+the\s+)?(?:[A-Z][a-z]+\s+){0,2}"
    r"(?:Law|Decree|Act|Resolution|Order)\s+(?:on|of|about|regarding)\s+(?![A-Z]\.\s)" + _NAME
)
_CONSTITUTION = re.compile(r"\b(?:Article\s+\d+[\w.()-]*\s+of\s+the\s+)?Constitution\b")
_TREATY = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in TREATIES) + r")\b")

_MEDIA_NOUN = "|".join(re.escape(n) for n in sorted(MEDIA_NOUNS, key=len, reverse=True))
_MEDIA_NOUN_AFTER = "|".join(re.escape(n) for n in sorted(MEDIA_NOUNS_AFTER_NAME, key=len, reverse=True))
# a word of an outlet's name: a dot only inside a web address ("Exclusive.kz"), never a sentence's end
_MEDIA_WORD = r"[A-Z][\w’'-]*(?:\.[a-z]\w*)*"
# "the newspaper Respublika", "the independent weekly Soz", "news site Kub.kz"; and "Respublika newspaper"
_MEDIA_AFTER = re.compile(
    r"\b(?:"
    + _MEDIA_NOUN
    + r")(?:\s+|,\s+)(?P<name>(?:"
    + _MEDIA_WORD
    + r"|“[^”]{1,40}”)(?:[ –-]+"
    + _MEDIA_WORD
    + r"){0,4})"
)
_MEDIA_BEFORE = re.compile(
    r"\b(?P<name>"
    + _MEDIA_WORD
    + r"(?:[ –-]+"
    + _MEDIA_WORD
    + r"){0,4})\s+(?:"
    + _MEDIA_NOUN_AFTER
    + r")\b(?!\s+[A-Z])"
)
_KNOWN_MEDIA = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(n)
        for n in sorted((n for kind, names in KNOWN_ALIASES if kind == "MEDIA" for n in names), key=len, reverse=True)
    )
    + r")\b"
)
_NOT_A_NAME = NOT_OUTLET_NAMES
# "Long Name (ABBR)" and "Long Name party (ABBR)"
_ACRONYM_DEFINITION = re.compile(
    r"(?P<long>"
    + _NAME
    + r")(?:\s+(?P<tail>"
    + "|".join(ACRONYM_TAIL_NOUNS)
    + r"))?\s+\((?P<abbr>[A-Z][A-Za-z./]{1,11})\)"
)


_NAME_RUN = re.compile(_NAME)
# A body or outlet said to have had another name: "Respublika formerly published under the banner The Assandi
# Times", "the CFTUK, formerly the Independent Trade Union Center", "X (previously known as Y)", "Y was renamed X".
# A verb after "formerly" must say it is a name ("known as", "published under the name"): "the Ministry previously
# registered Tribuna" or "the President renamed Astana" tell an act, not a former name.
_FORMER_VERB = (
    r"(?:known\s+as|called|named|titled|(?:published|registered|operating|operated|appearing)\s+"
    r"(?:as|under\s+the\s+(?:banner|name|title)(?:\s+of)?))"
)
_FORMERLY = re.compile(
    r"(?P<new>" + _NAME + r")(?:\s*[,(]\s*(?:formerly|previously)(?:\s+" + _FORMER_VERB + r")?"
    r"|\s+(?:was\s+)?(?:formerly|previously)\s+" + _FORMER_VERB + r")\s+(?:the\s+)?(?P<old>" + _NAME + r")"
)
_RENAMED = re.compile(
    r"(?P<old>" + _NAME + r")(?:\s*,\s*|\s+(?:was|were|has\s+been|had\s+been)\s+)renamed\s+(?:as\s+|to\s+)?"
    r"(?:the\s+)?(?P<new>" + _NAME + r")"
)
_PLACE = re.compile(r"\b(?P<name>[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,2})\s+(?:" + "|".join(PLACE_KINDS) + r")\b")
# "Ak Zhol party", "the Alga movement": a name before a noun that says it is a party or a movement
_BODY_BEFORE_NOUN = re.compile(
    r"\b(?P<name>[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+){0,3})\s+(?:party|movement|bloc|union|foundation|association)\b"
)
_KNOWN_KINDS = {
    " ".join(name.casefold().split()): kind for kind, names in KNOWN_ALIASES if kind != "MEDIA" for name in names
}
# one alternation for all known names, longest first; case matters only for one-word names ("RK", "Oral")
_KNOWN_NAMES = re.compile(
    r"\b(?:"
    + "|".join(
        (re.escape(n).replace(r"\ ", r"\s+") if " " in n else "(?-i:" + re.escape(n) + ")")
        for n in sorted({n for kind, names in KNOWN_ALIASES if kind != "MEDIA" for n in names}, key=len, reverse=True)
    )
    + r")\b",
    re.IGNORECASE,
)


def org_spans(text: str) -> list[Span]:
    """Runs of capitalised words (with "of", "for", "and" ...) holding a body's head noun, and the names of
    known bodies and places."""
    spans: list[Span] = []
    for m in _NAME_RUN.finditer(text):
        tokens = list(re.finditer(r"\S+", m.group()))
        while tokens and (tokens[0].group() in NOT_NAME_STARTS or tokens[0].group() in _JOIN_WORDS):
            tokens.pop(0)
        for part in _split_at_and(tokens):
            if len(part) < 2 or not any(_is_head(t.group()) for t in part):
                continue
            start, end = m.start() + part[0].start(), m.start() + part[-1].end()
            spans.append((start, _trim_end(text, start, end), "ORG", "rules:org"))
    for m in _BODY_BEFORE_NOUN.finditer(text):
        if m.group("name").split()[0] not in NOT_NAME_STARTS:
            spans.append((m.start("name"), m.end("name"), "ORG", "rules:org"))
    for m in _PLACE.finditer(text):
        first = m.group("name").split()[0]
        if first in NOT_NAME_STARTS:
            continue
        spans.append((m.start(), _trim_end(text, m.start(), m.end()), "GPE", "rules:place"))
    for m in _KNOWN_NAMES.finditer(text):
        if m.group()[:1].isupper():
            spans.append((m.start(), m.end(), _KNOWN_KINDS[" ".join(m.group().casefold().split())], "rules:gazetteer"))
    return spans


def _is_head(word: str) -> bool:
    return word.removesuffix("’s").removesuffix("'s") in ORG_HEADS


def _split_at_and(tokens: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """A run such as "the Kazakhstan People's Assembly and of the Security Council" names two bodies: split it
    at "and" when the words on both sides hold a head noun ("Office for Democratic Institutions and Human Rights" is one
    name: no head noun after its "and")."""
    for i, token in enumerate(tokens):
        if token.group() != "and":
            continue
        left, right = tokens[:i], tokens[i + 1 :]
        while right and right[0].group() in _JOIN_WORDS:
            right = right[1:]
        if any(_is_head(t.group()) for t in left) and any(_is_head(t.group()) for t in right):
            return [left, *_split_at_and(right)]
    return [tokens]


def law_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for pattern in (_CODE, _LAW, _TREATY, _CONSTITUTION):
        for m in pattern.finditer(text):
            spans.append((m.start(), _trim_end(text, m.start(), m.end()), "LAW", "rules:law"))
    return spans


def media_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for pattern in (_MEDIA_AFTER, _MEDIA_BEFORE):
        for m in pattern.finditer(text):
            start, end = m.span("name")
            name = text[start:end]
            first = name.split()[0] if name.split() else ""
            if first.endswith("-language"):
                continue
            if first in _NOT_A_NAME:
                rest = name[len(first) :].lstrip()
                if not rest or not rest[:1].isupper():
                    continue
                start = end - len(rest)
            start, end = _trim_quotes(text, start, end)
            if end > start:
                spans.append((start, end, "MEDIA", "rules:media"))
    spans.extend((m.start(), m.end(), "MEDIA", "rules:gazetteer") for m in _KNOWN_MEDIA.finditer(text))
    return spans


def acronym_spans(text: str) -> list[tuple[Span, Span]]:
    """Each "Long Name (ABBR)" as a pair of spans: the long name and the acronym, typed later by the long name."""
    pairs = []
    for m in _ACRONYM_DEFINITION.finditer(text):
        abbr = m.group("abbr").rstrip(".")
        if sum(ch.isupper() for ch in abbr) < 2:
            continue
        long_start, long_end = _long_name(text, m.start("long"), m.end("long"), abbr)
        if long_end <= long_start:
            continue
        a_start = m.start("abbr")
        pairs.append(
            (
                (long_start, long_end, "ORG", "rules:acronym"),
                (a_start, a_start + len(abbr), "ORG", "rules:acronym"),
            )
        )
    return pairs


def renamed_spans(text: str) -> list[tuple[Span, Span]]:
    """Each statement that a body, outlet or place had another name, as a pair of spans (the name now, the former
    name), typed later by what else covers the names; the resolver makes the two one entity."""
    pairs: list[tuple[Span, Span]] = []
    if "formerly" not in text and "previously" not in text and "renamed" not in text:
        return pairs  # most passages: the patterns would try every capitalised word for nothing
    for pattern in (_FORMERLY, _RENAMED):
        for m in pattern.finditer(text):
            new, old = _name_start(text, *m.span("new")), _name_start(text, *m.span("old"))
            if new[1] <= new[0] or old[1] <= old[0]:
                continue  # "In", "The" alone: no name
            pairs.append(((*new, "ORG", "rules:renamed"), (*old, "ORG", "rules:renamed")))
    return pairs


def _name_start(text: str, start: int, end: int) -> tuple[int, int]:
    """A run of capitalised words without the words of the sentence before the name: "In June the NGO Humanity
    and Inclusion" -> "NGO Humanity and Inclusion"."""
    for token in re.finditer(r"\S+", text[start:end]):
        word = token.group()
        if word not in NOT_NAME_STARTS and word not in _JOIN_WORDS and word not in _MONTHS:
            return start + token.start(), end
    return end, end


def _long_name(text: str, start: int, end: int, abbr: str) -> tuple[int, int]:
    """Trim the capitalised run before "(ABBR)" to the words the acronym stands for: as many words from the
    end as the acronym has letters, counting only capitalised ones ("... and the Democratic Choice of
    Kazakhstan (DVK)" -> "Democratic Choice of Kazakhstan")."""
    tokens = list(re.finditer(r"\S+", text[start:end]))
    capitals = sum(ch.isupper() for ch in abbr.replace("/", ""))
    taken = 0
    first = len(tokens)
    for i in range(len(tokens) - 1, -1, -1):
        word = tokens[i].group()
        if word[:1].isupper():
            taken += 1
            first = i
            if taken >= capitals + 3:  # slack: "Rule of Law" words, Russian acronyms counting words differently
                break
        elif word not in _JOIN_WORDS:
            break
    # drop leading words before the first one the acronym starts with ("Kazakhstan's Organization for ...");
    # an acronym of other words (KNB for "Committee for National Security") keeps the run as it is
    letter = abbr[:1].upper()
    starts = [i for i in range(first, len(tokens)) if tokens[i].group()[:1].upper() == letter]
    if starts:
        first = starts[0]
    while first < len(tokens) and tokens[first].group() in _LEADING_WORDS:
        first += 1
    if first >= len(tokens):
        return start, start
    return start + tokens[first].start(), start + tokens[-1].end()


_JOIN_WORDS = frozenset(_JOIN.strip("(?:)").split("|"))
_MONTHS = frozenset(calendar.month_name[1:])
_LEADING_WORDS = frozenset({"The", "the", "of", "and", "for", "on", "in", "to", "under", "against", "with"})


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,.;:’'\"”(":
        end -= 1
    # a trailing joining word is not part of the name ("Law on Mass Media and")
    tail = re.search(r"\s+(?:of|on|for|and|the|in|to|about|against|with)$", text[start:end])
    return start + tail.start() if tail else end


def _trim_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    end = _trim_end(text, start, end)
    while start < end and text[start] in "“\"'‘":
        start += 1
    return start, end


def is_group(surface: str) -> bool:
    """Whether a span names a nationality, people or faith ("Kazakh", "Russians", "ethnic Uzbeks", "Sri Lankans",
    "Jehovah's Witnesses"), spaCy's NORP, rather than a person, body or place: every word a group word or a
    qualifier."""
    words, phrases = group_words()
    rest = phrases.sub(" ", surface) if phrases.search(surface) else surface
    names = [t for t in re.findall(r"[\w’'-]+|[,&]", rest) if t not in GROUP_QUALIFIERS]
    if not names:
        return rest != surface  # a group phrase and qualifiers only ("the Sri Lankans")
    return all(_group_word(t, words) for t in names)


def _group_word(word: str, known: frozenset[str]) -> bool:
    from covenant.countries import country_names

    if word.casefold() in country_names():
        return False  # "Laos" is no plural of "Lao"
    word = re.sub(r"^(?:Afro|non|Neo|neo|pro|anti)-|-(?:language|speaking)$", "", word)
    return word in known or any(word.endswith(p) and word[: -len(p)] in known for p in ("s", "es"))


@lru_cache(maxsize=1)
def group_words() -> tuple[frozenset[str], re.Pattern[str]]:
    """`gazetteer.GROUP_WORDS` with the demonyms formed regularly from pycountry's country names: -n, -an, -ian
    after a name in -a ("Russian", "Syrian", "Kenyan"), -ian after -y ("Italian"), -i, -ian and -ese after a
    consonant ("Iraqi", "Egyptian", "Sudanese"), the stem of a name in -stan and that name with -i ("Uzbek",
    "Kazakhstani"); for a name of several words, its last word's forms and the whole ("Sri Lankan"). A form no
    one writes ("Chinan") costs nothing: it is only ever compared with the words of a span. Returns the words and
    a pattern of the phrases of several words (plural too)."""
    import pycountry

    from covenant.countries import COUNTRY_ALIASES

    names = {str(getattr(c, "common_name", None) or c.name) for c in pycountry.countries} | set(COUNTRY_ALIASES)
    formed: set[str] = set()
    phrases: set[str] = set()
    for name in names:
        if "," in name or "(" in name:
            continue
        *before, last = name.split()
        if not last.isalpha():
            continue
        forms: set[str] = set()
        if last.endswith("stan"):
            forms.update({last.removesuffix("istan").removesuffix("stan"), last + "i"})
        elif last.endswith("a"):
            forms.update({last + "n", last[:-1] + "an", last[:-1] + "ian"})
        elif last.endswith("y"):
            forms.add(last[:-1] + "ian")
        elif last[-1] not in "aeiou":
            forms.update({last + "i", last + "ian", last + "ese"})
        formed.update(forms)
        if before:
            phrases.update(" ".join([*before, form]) for form in forms)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")s?\b")
    return frozenset(formed | GROUP_WORDS), pattern

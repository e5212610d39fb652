"""Country names and ISO 3166-1 codes: pycountry's names plus the short names reports and users write."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Names in common use that pycountry lists under another form ("Russian Federation", "Korea, Republic of").
COUNTRY_ALIASES = {
    "Russia": "RU",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Laos": "LA",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "South Korea": "KR",
    "North Korea": "KP",
    "Burma": "MM",
    "Czech Republic": "CZ",
    "Kyrgyz Republic": "KG",
    "Turkey": "TR",
    "Ivory Coast": "CI",
    "Macedonia": "MK",
    "Taiwan": "TW",
    "Palestine": "PS",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Brunei": "BN",
    "Micronesia": "FM",
    "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG",
    "The Gambia": "GM",
    "Kosovo": "XK",
    "Vatican": "VA",
    "Democratic People's Republic of Korea": "KP",
    "Republic of Korea": "KR",
    "Cote d'Ivoire": "CI",
}


def fold(text: str) -> str:
    """Accents and apostrophe forms folded away ("Côte d’Ivoire" -> "Cote d'Ivoire"); case kept."""
    if text.isascii():
        return text  # most titles and names: nothing to fold, and the check is far cheaper than the folding
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Casefolded, accent-folded country names (short, common and official) and aliases -> alpha-2 code."""
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                names[fold(value).casefold()] = c.alpha_2
    names.update({fold(n).casefold(): code for n, code in COUNTRY_ALIASES.items()})
    return names


def country_code(value: str) -> str | None:
    """The alpha-2 code for a code ("kz", "KAZ") or a name ("Kazakhstan", "Russia"); None when unknown."""
    import pycountry

    text = value.strip()
    if len(text) in (2, 3) and text.isalpha():
        upper = text.upper()
        found = pycountry.countries.get(alpha_2=upper) if len(upper) == 2 else pycountry.countries.get(alpha_3=upper)
        if found is not None:
            return str(found.alpha_2)
        if text.upper() == "XK":
            return "XK"
    return country_names().get(fold(text).casefold())


def country_name(code: str | None) -> str | None:
    """A country's usual name in English ("Russia" for RU where pycountry has a common name)."""
    if not code:
        return None
    import pycountry

    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return None
    return str(getattr(c, "common_name", None) or c.name)

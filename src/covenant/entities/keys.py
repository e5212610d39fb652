"""Comparison keys for names: one spelling for the transliterations of one name, titles and filler words left out.

Hand-written: the variation is that of romanising Russian and Kazakh names (ya/ia, kh/h, y/i, -ov/-ev, doubled
consonants, zh/j, ts/z, c/k), which no maintained transliteration library undoes; Cyrillic is first romanised
with a plain table (GOST-like) so that both scripts meet on the same key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from covenant.entities.gazetteer import PARENT_PREFIXES, STOPWORDS, SYNONYMS, TITLES

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
            "a",
            "g",
            "k",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ],
        strict=True,
    )
)
_CYRILLIC = {k: ("" if v == "_" else v) for k, v in _CYRILLIC.items()}
# Order matters: digraphs first, then single letters; each rule maps every romanisation of a sound to one form.
_SOUND_RULES = [
    (re.compile(r"shch"), "sh"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"zh|dzh|dj"), "j"),
    (re.compile(r"ts|tz|cz"), "s"),
    (re.compile(r"ch"), "c"),
    (re.compile(r"ck|q|c(?!$)"), "k"),
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "s"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters (Kossanov, Kommertsbank)
    (re.compile(r"i(?=[aeou])"), ""),  # ia/ya, ie/ye, io/yo, iu/yu: the glide is written or not
]
_MALE_SURNAME = re.compile(r"(?<=[a-z])[oe]v$")
_FEMALE_SURNAME = re.compile(r"(?<=[a-z])[oe]va$")
_WORD = re.compile(r"[\w'’./-]+")
_APOSTROPHE = re.compile(r"['’]s$|['’]$")


def romanise(text: str) -> str:
    """Cyrillic letters romanised, accents dropped, lower case."""
    lowered = text.casefold()
    if any("\u0400" <= ch <= "\u04ff" for ch in lowered):
        lowered = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def sound_key(word: str) -> str:
    """One spelling for the transliterations of one word: "Zhakiyanov" and "Zhakianov" give the same key."""
    key = re.sub(r"[^a-z0-9]", "", romanise(word))
    for pattern, replacement in _SOUND_RULES:
        key = pattern.sub(replacement, key)
    # -ov/-ev (and -ova/-eva) endings are the same suffix spelled after different consonants
    key = _FEMALE_SURNAME.sub("eva", key)
    return _MALE_SURNAME.sub("ev", key)


def words(text: str) -> list[str]:
    """The words of a name, lower case, possessive endings and surrounding punctuation taken off."""
    found = []
    for raw in _WORD.findall(romanise(text).replace("–", "-").replace("—", "-")):
        word = _APOSTROPHE.sub("", raw).strip(".-/")
        if re.fullmatch(r"(?:\w\.)+\w?", word + "."):
            word = word.replace(".", "")  # "U.N." and "UN" are one word
        if word:
            found.append(word)
    return found


def _apply_synonyms(tokens: list[str]) -> list[str]:
    joined = " " + " ".join(tokens) + " "
    for phrase, replacement in SYNONYMS.items():
        joined = joined.replace(f" {phrase} ", f" {replacement} ")
    return joined.split()


def name_words(text: str) -> list[str]:
    """The words of an organisation's, place's or outlet's name that tell it apart: synonyms unified, filler
    words and a leading parent-body acronym left out ("OSCE Office for Democratic Institutions" -> office,
    democratic, institutions)."""
    tokens = [t for t in words(text) if t not in ("the",)]
    tokens = _apply_synonyms([t.replace("co-operation", "cooperation") for t in tokens])
    expanded: list[str] = []
    for token in tokens:
        # hyphenated names compare as their parts ("Ak-Zhol", "Kadir-Kassiet"), except cooperation-like words
        expanded.extend(p for p in token.split("-") if p)
    content = [t for t in expanded if t not in STOPWORDS]
    if len(content) > 2 and content[0] in PARENT_PREFIXES:
        content = content[1:]
    return content


@lru_cache(maxsize=200_000)
def name_key(text: str) -> str:
    """Key of an organisation's, place's or outlet's name: its telling words' sound keys, sorted, so that
    "National Security Committee" and "Committee for National Security" meet."""
    return " ".join(sorted({sound_key(w) for w in name_words(text)}))


@lru_cache(maxsize=200_000)
def initials(text: str) -> frozenset[str]:
    """The acronyms a long name may be written as: the initials of its telling words, and of all its words
    ("Ministry of Justice" -> MJ, MOJ)."""
    # "U.N. High Commissioner" -> U, N, H, C
    text = re.sub(r"\b((?:[A-Z]\.){2,})", lambda m: " ".join(m.group(1).replace(".", "")), text)
    all_words = [p for w in words(text) for p in re.split(r"[-/]", w.replace("co-op", "coop")) if p and p != "the"]
    if len(all_words) < 2:
        return frozenset()
    telling = [w for w in all_words if w not in STOPWORDS]
    found = {"".join(w[0] for w in telling), "".join(w[0] for w in all_words)}
    return frozenset(f for f in found if len(f) >= 2)


_ACRONYM = re.compile(r"^[A-Z][A-Za-z/]{0,10}[A-Z]$")


def is_acronym(text: str) -> bool:
    """An acronym is capitals with at most one lower-case letter inside: "KNB", "OSCE/ODIHR", "RoK", "U.N."."""
    bare = text.replace(".", "") if text.count(".") >= 2 else text
    return bool(_ACRONYM.match(bare)) and sum(ch.islower() for ch in bare) <= 1


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name taken apart: given names (or their initials) and the surname, compared by sound keys."""

    given: tuple[str, ...]
    surname: str

    @property
    def surname_key(self) -> str:
        return sound_key(self.surname)

    @property
    def given_keys(self) -> tuple[str, ...]:
        return tuple(sound_key(g) for g in self.given)

    @property
    def initials_only(self) -> bool:
        return bool(self.given) and all(len(g.rstrip(".")) == 1 for g in self.given)


_INITIALS = re.compile(r"^(?:[A-ZА-Я]\.){1,3}$|^(?:[A-ZА-Я]\.){1,2}[A-ZА-Я]$")


def person_name(text: str) -> PersonName | None:
    """Given names and surname of a person's name; titles and roles ("President", "journalist") left out.
    Handles "N. Nazarbaev" and the Russian order "Abishev T.D."."""
    raw = [w for w in re.split(r"\s+", text.replace("’s", "").replace("'s", "").strip(' ,;:()"“”')) if w]
    while raw and raw[0].casefold().rstrip(".") in TITLES:
        raw = raw[1:]
    raw = [w for w in raw if w.casefold().rstrip(".") not in TITLES or (w[:1].isupper() and len(raw) <= 2)]
    if not raw:
        return None
    if len(raw) >= 2 and _INITIALS.match(raw[-1]) and not _INITIALS.match(raw[0]):
        return PersonName(tuple(p + "." for p in raw[-1].split(".") if p), raw[0])
    surname = raw[-1]
    given = tuple(raw[:-1])
    if len(given) == 1 and _INITIALS.match(given[0]) and given[0].count(".") > 1:
        given = tuple(p + "." for p in given[0].split(".") if p)
    return PersonName(given, surname)

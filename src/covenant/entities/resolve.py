"""Join the mentions of a whole library into entities: one entity per real-world person, body, place, law, outlet.

Names of bodies, places, outlets and laws meet on a key (transliteration-aware sound keys of their telling
words, sorted), then by acronym (defined in the text as "Long Name (ABBR)", or the initials of exactly one long
name), by the renamings in the gazetteer, and by typo tolerance (rapidfuzz, word by word). People meet on
surname and given name; a bare surname ("Abishev") joins a full name only when the evidence is unambiguous:
the nearest full name with that surname earlier in its passage, else the only one in its report, else the only
one in the library.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from covenant.countries import country_code
from covenant.entities.gazetteer import COMPANY_ENDINGS, KNOWN_ALIASES
from covenant.entities.keys import initials, is_acronym, name_key, name_words, person_name, sound_key, words
from covenant.entities.overrides import Override, apply_overrides, canonical_names
from covenant.model import Entity, EntityMention

NAME_TYPES = ("ORG", "MEDIA", "GPE")  # resolved together: the model confuses them ("Almaty" as an ORG)
SURNAME_SIMILARITY = 90  # "Kabduakasov"/"Kaduakasov"
NAME_WORD_SIMILARITY = 80  # one mistyped word in a body's or outlet's name ("Kalam"/"Kakam")
NAME_SIMILARITY = 90


class UnionFind:
    """Disjoint sets over any hashable nodes; `union` keeps the first root so results do not depend on order."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}

    def find(self, node: Hashable) -> Hashable:
        self.parent.setdefault(node, node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass(slots=True)
class Resolution:
    """Entities of a library and its mentions, each mention with its entity's id."""

    entities: list[Entity]
    mentions: list[EntityMention]
    by_id: dict[str, Entity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entities}

    def entities_named(self, name: str) -> list[Entity]:
        """Entities one of whose mentions is written this way (case and a leading "the" aside)."""
        wanted = surface_form(name)
        ids = {m.entity_id for m in self.mentions if surface_form(m.text) == wanted and m.entity_id}
        return [self.by_id[i] for i in sorted(ids)]

    def to_dict(self) -> dict[str, Any]:
        return {"entities": [e.to_dict() for e in self.entities], "mentions": [m.to_dict() for m in self.mentions]}


def surface_form(text: str) -> str:
    """A mention's text as compared for identity: case, quotes, a leading "the" and a possessive aside."""
    return " ".join(words(text.removeprefix("the ").removeprefix("The ")))


def resolve(mentions: Iterable[EntityMention], overrides: list[Override] | None = None) -> Resolution:
    """Give every mention an entity id; entities carry their canonical name, type, aliases and counts."""
    mentions = list(mentions)
    sets = UnionFind()
    nodes: list[Hashable | None] = [None] * len(mentions)
    _retype(mentions)
    _resolve_names(mentions, nodes, sets)
    _resolve_people(mentions, nodes, sets)
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        if node is not None:
            groups[sets.find(node)].append(i)
    clusters = list(groups.values())
    touched = [False] * len(clusters)
    if overrides:
        clusters, touched = apply_overrides(clusters, mentions, overrides, surface_form)
    entities = [_entity(members, mentions) for members in clusters]
    _distinct_ids(entities, clusters, mentions)
    for entity, changed in zip(entities, touched, strict=True):
        if changed:
            entity.method = "override"
    entities.sort(key=lambda e: (-e.mentions, e.canonical))
    resolution = Resolution(entities, mentions)
    for spelling, canonical in canonical_names(overrides or []).items():
        for entity in resolution.entities_named(spelling):
            entity.canonical, entity.method = canonical, "override"
    return resolution


def _retype(mentions: list[EntityMention]) -> None:
    """Correct the model's type from what the library says elsewhere: a spelling the rules type as a body,
    place or outlet anywhere is one everywhere ("Ak Zhol party"), a one-word name ending like a company's is
    a body, and an ORG or GPE of one to three capitalised words ending in a surname the model tags as a
    person's elsewhere is that person's mention."""
    ruled: dict[str, str] = {}
    for m in mentions:
        if m.type in NAME_TYPES and m.method.startswith("rules:"):
            ruled.setdefault(name_key(m.text), m.type)
    for m in mentions:
        if m.type == "PERSON" and m.method.startswith(("spacy", "natasha")):
            kind = ruled.get(name_key(m.text))
            if kind is None and " " not in m.text and m.text.casefold().endswith(COMPANY_ENDINGS):
                kind = "ORG"
            if kind is not None:
                m.type = kind
    surnames: set[str] = set()
    for m in mentions:
        if m.type == "PERSON":
            name = person_name(m.text)
            if name is not None:
                surnames.add(name.surname_key)
    for m in mentions:
        if m.type not in ("ORG", "GPE") or not m.method.startswith("spacy") or is_acronym(m.text):
            continue
        parts = m.text.split()
        if 1 <= len(parts) <= 3 and all(p[:1].isupper() for p in parts) and sound_key(parts[-1]) in surnames:
            m.type = "PERSON"


# --- bodies, places, outlets, laws -------------------------------------------------------------------------


def _resolve_names(mentions: list[EntityMention], nodes: list[Hashable | None], sets: UnionFind) -> None:
    keys: dict[str, set[str]] = defaultdict(set)  # group -> keys
    ordered: dict[str, str] = {}  # key -> its words in the order of a spelling, for names written as one word
    for i, m in enumerate(mentions):
        if m.type == "PERSON":
            continue
        group = "LAW" if m.type == "LAW" else "NAME"
        key = _name_key(m.text)
        if not key:
            continue
        nodes[i] = (group, key)
        keys[group].add(key)
        ordered.setdefault(key, _ordered_key(m.text))
    for _kind, aliases in KNOWN_ALIASES:
        alias_keys = [_name_key(a) for a in aliases]
        keys["NAME"].update(alias_keys)  # so that a misspelling of a known name meets it
        for alias, key in zip(aliases, alias_keys, strict=True):
            ordered.setdefault(key, _ordered_key(alias))
        for key in alias_keys[1:]:
            sets.union(("NAME", alias_keys[0]), ("NAME", key))
    for long, abbr in _defined_acronyms(mentions):
        sets.union(("NAME", _name_key(long)), ("NAME", _name_key(abbr)))
    for now, former in _renamed(mentions):
        sets.union(("NAME", _name_key(now)), ("NAME", _name_key(former)))
    _join_short_forms(mentions, keys["NAME"], sets)
    for m in mentions:  # "OSCE/ODIHR" is the sub-body
        if m.type != "PERSON" and "/" in m.text and is_acronym(m.text):
            sets.union(("NAME", _name_key(m.text)), ("NAME", _name_key(m.text.rsplit("/", 1)[1])))
    _join_acronyms_by_initials(mentions, sets)
    for group, group_keys in keys.items():
        _join_typos(group, sorted(group_keys), ordered, sets)


@lru_cache(maxsize=200_000)
def _name_key(text: str) -> str:
    key = name_key(text)
    # "Confederation of Free Trade Unions of Kazakhstan" is the Confederation of Free Trade Unions: a country's
    # name after "of"/"in" at the end of a body's name of three words or more says where, not which
    parts = words(text)
    if len(parts) >= 5 and parts[-2] in ("of", "in") and country_code(parts[-1]) is not None:
        key = name_key(" ".join(parts[:-2]))
    return key


def _join_short_forms(mentions: list[EntityMention], present: set[str], sets: UnionFind) -> None:
    """A name of three telling words or more that another name goes on from with "and" is that name's short
    form ("Kazakhstan International Bureau for Human Rights" and "... for Human Rights and Rule of Law")."""
    for text in sorted({m.text for m in mentions if m.type in NAME_TYPES}):
        parts = words(text)
        for i, word in enumerate(parts):
            if word != "and" or i < 3:
                continue
            short = _name_key(" ".join(parts[:i]))
            if short in present and len(short.split()) >= 3:
                sets.union(("NAME", short), ("NAME", _name_key(text)))


# The most characters between a name and its former name ("... formerly published under the banner The ...").
_RENAME_GAP = 48


def _defined_acronyms(mentions: list[EntityMention]) -> list[tuple[str, str]]:
    """("Democratic Choice of Kazakhstan", "DVK") for each "Long Name (ABBR)" the acronym rule found."""
    pairs = []
    by_passage: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        if m.method == "rules:acronym":
            by_passage[m.passage_id].append(m)
    for found in by_passage.values():
        found.sort(key=lambda m: m.start)
        for long, abbr in itertools.pairwise(found):
            if "/" in abbr.text:
                continue  # "Office for ... of the OSCE (OSCE/ODIHR)": the run before it names both bodies
            if is_acronym(abbr.text) and not is_acronym(long.text) and 0 < abbr.start - long.end <= 12:
                pairs.append((long.text, abbr.text))
    return pairs


def _renamed(mentions: list[EntityMention]) -> list[tuple[str, str]]:
    """("Respublika", "Assandi Times") for each statement that a body or outlet had another name (the rename rule
    found both names, next to each other in one passage)."""
    pairs = []
    by_passage: dict[str, list[EntityMention]] = defaultdict(list)
    for m in mentions:
        if m.method == "rules:renamed" and m.type != "PERSON":
            by_passage[m.passage_id].append(m)
    for found in by_passage.values():
        found.sort(key=lambda m: m.start)
        for now, former in itertools.pairwise(found):
            if 0 < former.start - now.end <= _RENAME_GAP:
                pairs.append((now.text, former.text))
    return pairs


def _join_acronyms_by_initials(mentions: list[EntityMention], sets: UnionFind) -> None:
    """An acronym not defined anywhere joins the one long name in the library whose initials it is."""
    long_roots: dict[str, set[Hashable]] = defaultdict(set)
    acronyms: set[str] = set()
    for text in sorted({m.text for m in mentions if m.type != "PERSON"}):
        if is_acronym(text):
            acronyms.add(text)
        else:
            for letters in initials(text):
                long_roots[letters].add(sets.find(("NAME", _name_key(text))))
    joined_to_long: set[Hashable] = set().union(*long_roots.values())
    for acronym in sorted(acronyms):
        node = ("NAME", _name_key(acronym))
        letters = acronym.replace(".", "").replace("/", "").casefold()
        roots = long_roots.get(letters, set())
        if sets.find(node) in roots:
            continue
        # an acronym already joined to another long name (by a definition, the gazetteer) keeps it
        if len(roots) == 1 and sets.find(node) not in joined_to_long:
            sets.union(next(iter(roots)), node)


def _ordered_key(text: str) -> str:
    return "".join(sound_key(w) for w in name_words(text))


def _join_typos(group: str, keys: list[str], ordered: dict[str, str], sets: UnionFind) -> None:
    """Keys one letter apart in one word ("Kalam"/"Kakam"), or written in one word or two ("Kyzl Orda" /
    "Kyzylorda"): one name mistyped. Two letters make another word too often ("Commission"/"Commissioner").

    Candidates come from blocking, not from comparing every pair: keys that differ in one word share the
    others (the key with that word left out); strings one edit apart share a string with one letter deleted."""
    long_keys = [k for k in keys if len(k) >= 6]
    one_word_out: dict[tuple[int, str], list[tuple[str, str]]] = defaultdict(list)
    for key in long_keys:
        parts = key.split()
        for i, word in enumerate(parts):
            if len(word) >= 4:
                one_word_out[(i, " ".join([*parts[:i], "_", *parts[i + 1 :]]))].append((word, key))
    for words_out in one_word_out.values():
        for n, (x, a) in enumerate(words_out):
            for y, b in words_out[n + 1 :]:
                # one letter in a word of four or more; two in a long word ("Kaztelecom"/"Kazakhtelecom")
                if Levenshtein.distance(x, y) <= (2 if min(len(x), len(y)) >= 10 else 1):
                    sets.union((group, a), (group, b))
    deletions: dict[str, set[str]] = defaultdict(set)
    for key in long_keys:
        joined = ordered.get(key, key.replace(" ", ""))
        if len(joined) < 8:
            continue
        for variant in {joined} | {joined[:i] + joined[i + 1 :] for i in range(len(joined))}:
            deletions[variant].add(key)
    for variants in deletions.values():
        members = sorted(variants)
        for n, first in enumerate(members):
            for second in members[n + 1 :]:
                joined_a = ordered.get(first, first.replace(" ", ""))
                joined_b = ordered.get(second, second.replace(" ", ""))
                if first.count(" ") != second.count(" ") and Levenshtein.distance(joined_a, joined_b) <= 1:
                    sets.union((group, first), (group, second))


# --- people -------------------------------------------------------------------------------------------------


def _resolve_people(mentions: list[EntityMention], nodes: list[Hashable | None], sets: UnionFind) -> None:
    parsed = {i: person_name(m.text) for i, m in enumerate(mentions) if m.type == "PERSON"}
    full: dict[int, Hashable] = {}
    for i, name in parsed.items():
        if name is not None and name.given and not name.initials_only:
            full[i] = ("P", name.surname_key, name.given_keys[0])
    _join_full_names(set(full.values()), sets)
    # full-name clusters by surname key: per passage (in order), per report and in the whole library
    library: dict[str, set[Hashable]] = defaultdict(set)
    report: dict[tuple[str, str], set[Hashable]] = defaultdict(set)
    passage: dict[str, list[tuple[int, str, Hashable]]] = defaultdict(list)
    for i, node in full.items():
        m, name = mentions[i], parsed[i]
        assert name is not None
        root = sets.find(node)
        library[name.surname_key].add(root)
        report[(m.report_id, name.surname_key)].add(root)
        passage[m.passage_id].append((m.start, name.surname_key, node))
        nodes[i] = node
    for i, name in parsed.items():
        if name is None or i in full:
            continue
        m = mentions[i]
        if name.initials_only:
            nodes[i] = _initials_node(name.surname_key, name.given_keys, library, sets)
            continue
        nodes[i] = _surname_node(m, name.surname_key, passage, report, library, sets)


def _join_full_names(nodes: set[Hashable], sets: UnionFind) -> None:
    by_surname: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    by_given: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for node in sorted(nodes, key=str):
        assert isinstance(node, tuple)
        by_surname[node[1]].append(node)
        by_given[node[2]].append(node)
    for group in by_surname.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _close_given_names(a[2], b[2]):
                    sets.union(a, b)
    for group in by_given.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if len(a[1]) >= 5 and _same_gender(a[1], b[1]) and fuzz.ratio(a[1], b[1]) >= SURNAME_SIMILARITY:
                    sets.union(a, b)


def _close_given_names(a: str, b: str) -> bool:
    """Given names one slip apart once keyed: a letter left out or two swapped ("Maina"/"Miana"); a letter
    changed only in a long name, since in a short one it is another name ("Marat"/"Murat")."""
    if a == b:
        return True
    if len(a) != len(b):
        return Levenshtein.distance(a, b) <= 1 and min(len(a), len(b)) >= 3
    return OSA.distance(a, b) <= 1 and (Levenshtein.distance(a, b) == 2 or len(a) >= 8)


def _same_gender(a: str, b: str) -> bool:
    # "Zhakiyanov" and "Zhakiyanova" are husband and wife, not a typo
    return a.endswith("a") == b.endswith("a")


def _initials_node(
    surname: str, given: tuple[str, ...], library: dict[str, set[Hashable]], sets: UnionFind
) -> Hashable:
    """A name by its initials ("N. Nazarbaev") joins the one full name of that surname and initial."""
    first = given[0][:1]
    matches = {root for root in library.get(surname, set()) if isinstance(root, tuple) and root[2][:1] == first}
    if len(matches) == 1:
        return next(iter(matches))
    return ("PI", surname, "".join(g[:1] for g in given))


def _surname_node(
    m: EntityMention,
    surname: str,
    passage: dict[str, list[tuple[int, str, Hashable]]],
    report: dict[tuple[str, str], set[Hashable]],
    library: dict[str, set[Hashable]],
    sets: UnionFind,
) -> Hashable:
    earlier = [node for start, key, node in passage.get(m.passage_id, []) if key == surname and start < m.start]
    if earlier:
        return earlier[-1]  # the nearest full name before it in the passage
    in_report = {sets.find(n) for n in report.get((m.report_id, surname), set())}
    if len(in_report) == 1:
        return next(iter(in_report))
    if in_report:
        return ("PB", surname, m.report_id)  # two people of that surname in the report: no guess
    in_library = {sets.find(n) for n in library.get(surname, set())}
    if len(in_library) == 1:
        return next(iter(in_library))
    if not in_library and len(surname) >= 5:
        near = process.extract(surname, list(library), scorer=fuzz.ratio, score_cutoff=SURNAME_SIMILARITY, limit=None)
        close = {sets.find(n) for key, _, _ in near if _same_gender(key, surname) for n in library[key]}
        if len(close) == 1:
            return next(iter(close))
    return ("PB", surname) if not in_library else ("PB", surname, m.report_id)


# --- entities -----------------------------------------------------------------------------------------------


def _entity(members: list[int], mentions: list[EntityMention]) -> Entity:
    found = [mentions[i] for i in members]
    types = Counter(m.type for m in found)
    kind = types.most_common(1)[0][0]
    if any(m.type == "MEDIA" for m in found) and kind != "PERSON":
        kind = "MEDIA"  # a name seen as an outlet anywhere is the outlet; the model calls outlets ORG
    spellings = Counter(m.text for m in found)
    # The fullest name, then the one the body uses most (a source note's spelling only when the body has none).
    in_body = Counter(m.text for m in found if not m.footnote)
    canonical = max(spellings, key=lambda s: (_fullness(s, kind), in_body[s], spellings[s], len(s), s))
    entity_id = "E" + hashlib.sha1(f"{kind}:{_id_key(canonical, kind)}".encode()).hexdigest()[:12]
    reports = Counter(m.report_id for m in found)
    for m in found:
        m.entity_id = entity_id
    return Entity(
        id=entity_id,
        canonical=canonical,
        type=kind,
        aliases=sorted(spellings, key=lambda s: (-spellings[s], s)),
        mentions=len(found),
        reports=dict(sorted(reports.items())),
    )


def _distinct_ids(entities: list[Entity], clusters: list[list[int]], mentions: list[EntityMention]) -> None:
    """Entities kept apart under one canonical key (two people of one surname, each named only by it) each get an
    id of their own: the key's hash and their first mention's place, which stays the same when the same reports
    are ingested again."""
    seen = Counter(e.id for e in entities)
    for entity, members in zip(entities, clusters, strict=True):
        if seen[entity.id] < 2:
            continue
        first = min((mentions[i].report_id, mentions[i].start) for i in members)
        entity.id = "E" + hashlib.sha1(f"{entity.id}:{first[0]}:{first[1]}".encode()).hexdigest()[:12]
        for i in members:
            mentions[i].entity_id = entity.id


def _fullness(surface: str, kind: str) -> int:
    """How well a spelling names the entity: a full name beats a surname, a long name beats its acronym."""
    if kind == "PERSON":
        name = person_name(surface)
        return 2 if name is not None and name.given and not name.initials_only else 0
    return 0 if is_acronym(surface) else 1


def _id_key(canonical: str, kind: str) -> str:
    if kind == "PERSON":
        name = person_name(canonical)
        return f"{name.given_keys[:1]}{name.surname_key}" if name is not None else canonical.casefold()
    return name_key(canonical)

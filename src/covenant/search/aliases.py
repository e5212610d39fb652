"""Spellings of an entity named in a query: the BM25 query also asks for the entity's other spellings, so `Zhakiyanov`
finds the passages that write `Zhakianov` (the library's entity resolution, `covenant.entities`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from covenant.entities.resolve import surface_form
from covenant.search.fulltext import STOPWORDS
from covenant.store.base import Store

RESOLVED_SETTING = "entities_resolved"  # the entity component's fingerprint: the alias table is read again on change
MAX_WORDS = 6  # the longest name looked up in a query, in words
_TOKEN = re.compile(r'"[^"]*"|\S+')
_OPERATORS = {"AND", "OR", "NOT"}
_SAFE = re.compile(r"[^\"()+\-*:^\[\]{}~\\][^\"()*:^\[\]{}~\\]*")  # no quote, bracket or operator character


@dataclass(frozen=True, slots=True)
class Spellings:
    """An entity named in a query: how the query wrote it, and the other spellings searched with it."""

    entity_id: str
    canonical: str
    written: str
    others: tuple[str, ...]


class AliasTable:
    """Every spelling of every entity, by its compared form (case, quotes and a leading "the" aside)."""

    def __init__(self, store: Store) -> None:
        self.by_form: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        for entity in store.entities():
            for alias in entity.aliases:
                form = surface_form(alias)
                # A spelling two entities share (the bare surname of two people) names neither for certain.
                if form in self.by_form and self.by_form[form][0] != entity.id:
                    self.by_form[form] = ("", "", ())
                else:
                    self.by_form[form] = (entity.id, entity.canonical, tuple(entity.aliases))


_tables: dict[tuple[int, str], AliasTable] = {}


def alias_table(store: Store) -> AliasTable | None:
    """The store's alias table, read once per resolution of the library; None before any resolution."""
    stamp = store.setting(RESOLVED_SETTING)
    if not stamp:
        return None
    key = (id(store), stamp)
    if key not in _tables:
        _tables.clear()  # one library at a time in a process is the common case; keep memory flat
        _tables[key] = AliasTable(store)
    return _tables[key]


def expand_query(store: Store, query: str) -> tuple[str, list[Spellings]]:
    """The query with every entity name in its plain words followed by the entity's other spellings as OR
    alternatives, and what was added. Phrases, operators, prefixes and required or excluded words are kept
    as written; a query naming no entity comes back unchanged."""
    table = alias_table(store)
    if table is None or not table.by_form:
        return query, []
    tokens = _TOKEN.findall(query)
    if not any(t in _OPERATORS for t in tokens):
        # Without AND / OR / NOT, brackets are prose (as the full-text parser reads them); the OR added here would
        # make them grouping, so they go, as the parser would drop them.
        tokens = [piece for t in tokens for piece in ([t] if t.startswith('"') else re.split(r"[()]+", t)) if piece]
    out: list[str] = []
    found: list[Spellings] = []
    i = 0
    while i < len(tokens):
        match = None if tokens[i].casefold() in STOPWORDS else _longest_name(table, tokens, i)
        if match is None:
            out.append(tokens[i])
            i += 1
            continue
        end, (entity_id, canonical, aliases) = match
        written = " ".join(tokens[i:end])
        others = _other_spellings(written, aliases)
        if not others:
            out.extend(tokens[i:end])
        else:
            alternatives = " OR ".join(f'"{a}"' if " " in a else a for a in others)
            out.append(f"({written} OR {alternatives})")
            found.append(Spellings(entity_id, canonical, written, others))
        i = end
    return (" ".join(out) if found else query), found


def _plain(token: str) -> bool:
    return token not in _OPERATORS and not token.startswith(('"', "+", "-", "(")) and not token.endswith(("*", ")"))


def _longest_name(
    table: AliasTable, tokens: list[str], start: int
) -> tuple[int, tuple[str, str, tuple[str, ...]]] | None:
    for end in range(min(len(tokens), start + MAX_WORDS), start, -1):
        span = tokens[start:end]
        if not all(_plain(t) for t in span):
            continue
        form = surface_form(" ".join(span))
        if len(form) < 3:
            continue
        hit = table.by_form.get(form)
        if hit and hit[0]:
            return end, hit
    return None


def _other_spellings(written: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """The fewest spellings that, ORed with what the query wrote, match every spelling of the entity: a spelling
    holding another one's words ("Galymzhan Zhakianov" holds "Zhakianov") adds nothing."""
    forms = {surface_form(a): a for a in aliases}
    mine = surface_form(written)
    kept: list[str] = []
    for form in sorted(forms, key=lambda f: (len(f.split()), f)):
        if form == mine or not form or any(_holds(form, other) for other in [mine, *map(surface_form, kept)]):
            continue
        if not _SAFE.fullmatch(forms[form]) or any(w in _OPERATORS for w in forms[form].split()):
            continue  # a spelling the query language would read as syntax is not worth the risk
        kept.append(forms[form])
    return tuple(kept)


def _holds(longer: str, shorter: str) -> bool:
    return f" {shorter} " in f" {longer} "

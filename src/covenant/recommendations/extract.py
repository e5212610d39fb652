"""Find every recommendation a report makes or quotes, one record per distinct ask, each cited to its passage."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from covenant.model import Document, Passage, Recommendation
from covenant.recommendations import issuer as who
from covenant.recommendations.asks import ask_cue, refers_back
from covenant.recommendations.cues import (
    ENUMERATOR,
    LEAD_IN,
    RECOMMENDATION_HEADING,
    RECOMMENDATION_LABEL,
    TREATY_BODY_VOICE,
)
from covenant.recommendations.sentences import ask_clauses, is_imperative, sentence_spans
from covenant.recommendations.status import claimed_status
from covenant.recommendations.upr import upr_asks

_LETTERED = re.compile(r"^\s*\(?[a-z]\)\s+")
_INLINE_LIST = re.compile(r":\s+(?=\(?a\)\s)")
_YEAR = re.compile(r"\b(?:in|of|since)\s+((?:19|20)\d\d)\b")


@dataclass(slots=True)
class _Block:
    """A quoted recommendation ("Recommendation: The State party should ...") and the commentary after it."""

    issuer: str | None
    asks: list[Recommendation] = field(default_factory=list)
    commentary: list[Passage] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    doc: Document
    defined: dict[str, str]
    found: list[Recommendation] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    list_issuer: str | None = None  # issuer of the list the current list items belong to; None outside a list
    list_method: str = "rules:list"

    def add(self, passage: Passage, start: int, end: int, issuer: str | None, method: str, date: str | None) -> None:
        report = self.doc.report
        if issuer and report.country and who.is_state(issuer) and who.country_code_of(issuer) == report.country:
            return  # the state under review saying what it will do is not a recommendation to it
        quote = passage.text[start:end]
        self.found.append(
            Recommendation(
                id="",
                report_id=report.id,
                quote=quote,
                start=passage.start + start,
                end=passage.start + end,
                passage_id=passage.id,
                issuer=issuer,
                issuers=[issuer] if issuer else [],
                addressee=who.addressee(report),
                method=method,
                date=date,
            )
        )


def extract_recommendations(doc: Document) -> list[Recommendation]:
    """Every ask in the document, in text order, with ids `<report>:r00001`..."""
    reader = _Reader(doc, who.acronyms(doc.clean_text))
    upr = upr_asks(doc)
    upr_ranges = [(a.start, a.end) for a in upr]
    block: _Block | None = None
    previous: Passage | None = None
    for passage in doc.passages:
        if any(s <= passage.start < e or passage.start <= s < passage.end for s, e in upr_ranges):
            continue
        if previous is not None and previous.section_path[:1] != passage.section_path[:1]:
            block, reader.list_issuer = None, None
        label = RECOMMENDATION_LABEL.search(passage.text)
        if label or (block is None and _opens_quote(passage)):
            if label and label.start() > 0 and block is not None:
                block.commentary.append(passage)  # the commentary ends where the next quoted recommendation starts
            block = _Block(_block_issuer(doc, passage, reader))
            reader.blocks.append(block)
            _read_block(reader, block, passage, label.end() if label else 0)
        elif block is not None and not block.commentary and TREATY_BODY_VOICE.search(passage.text):
            number = ENUMERATOR.match(passage.text)
            _read_block(reader, block, passage, number.end() if number else 0)
        else:
            if block is not None:
                block.commentary.append(passage)
            _read_passage(reader, passage)
        previous = passage
    for b in reader.blocks:
        status, where = claimed_status(b.commentary)
        for rec in b.asks:
            rec.status_claimed, rec.status_passage_id = status, where
    found = reader.found + [_upr_record(doc, a) for a in upr]
    found.sort(key=lambda r: (r.start, r.end))
    for n, rec in enumerate(found, 1):
        rec.id = f"{doc.report.id}:r{n:05d}"
    return found


def _opens_quote(passage: Passage) -> bool:
    """A paragraph in a treaty body's voice that quotes it without a "Recommendation:" label."""
    return bool(re.match(r"\W*The\s+Committee\s+(?:recommends|urges|encourages|calls)", passage.text))


def _block_issuer(doc: Document, passage: Passage, reader: _Reader) -> str | None:
    before = _text_before(doc, passage)
    if TREATY_BODY_VOICE.search(passage.text):
        return who.treaty_body(passage.section_path, "", before) or doc.report.source_org
    return who.speaker(passage.text, before, doc.report, reader.defined) or doc.report.source_org


def _read_block(reader: _Reader, block: _Block, passage: Passage, offset: int) -> None:
    before = len(reader.found)
    for s, e in sentence_spans(passage.text[offset:]):
        s, e = s + offset, e + offset
        sentence = passage.text[s:e]
        if ask_cue(sentence, in_list=True) or is_imperative(sentence):
            for cs, ce in ask_clauses(passage.text, s, e):
                reader.add(passage, cs, ce, block.issuer, "rules:quoted_recommendation", None)
    block.asks.extend(reader.found[before:])


def _read_passage(reader: _Reader, passage: Passage) -> None:
    doc = reader.doc
    text = passage.text
    number = ENUMERATOR.match(text)
    offset = number.end() if number else 0
    is_item = passage.kind == "list_item" or bool(_LETTERED.match(text))
    under_heading = bool(passage.section_path and RECOMMENDATION_HEADING.match(passage.section_path[-1].strip()))
    in_list = is_item and (reader.list_issuer is not None or under_heading)
    if not is_item:
        reader.list_issuer = None
    list_issuer = reader.list_issuer or doc.report.source_org
    spans = sentence_spans(text[offset:])
    before_text = _text_before(doc, passage)
    for k, (s, e) in enumerate(spans):
        s, e = s + offset, e + offset
        sentence = text[s:e]
        inline = _INLINE_LIST.search(sentence)
        if inline and LEAD_IN.search(sentence[: inline.start()]):
            # "... pointed out that the State party should: a) bring ...": the rest of the sentence is an item
            issuer = _issuer(reader, passage, sentence, before_text + text[:s]) or doc.report.source_org
            reader.list_issuer, in_list, list_issuer = issuer, True, issuer
            s = s + inline.end()
            sentence = text[s:e]
            for cs, ce in ask_clauses(text, s, e):
                reader.add(passage, cs, ce, issuer, "rules:list", _date(sentence))
            continue
        if k == len(spans) - 1 and sentence.rstrip().endswith(":"):
            continue  # a lead-in ("we urge your government to:"): its items are the asks
        first_of_item = in_list and k == 0
        cue = ask_cue(sentence, text[:s], in_list=first_of_item)
        if not (cue or first_of_item or (in_list and is_imperative(sentence))):
            continue
        if in_list:
            issuer, method = list_issuer, "rules:list"
        else:
            issuer = _issuer(reader, passage, sentence, before_text + text[:s]) or doc.report.source_org
            method = f"rules:{cue}"
        start = s
        if refers_back(sentence) and k > 0:
            start = spans[k - 1][0] + offset  # "We believe it should be abolished" quotes what "it" is
        for cs, ce in ask_clauses(text, start, e) if start == s else [(start, e)]:
            reader.add(passage, cs, ce, issuer, method, _date(sentence))
    if spans and text.rstrip().endswith(":"):
        last = text[spans[-1][0] + offset :]
        if LEAD_IN.search(last):
            reader.list_issuer = _issuer(reader, passage, last, before_text) or doc.report.source_org


def _issuer(reader: _Reader, passage: Passage, sentence: str, before: str) -> str | None:
    doc = reader.doc
    spoken = who.speaker(sentence, before, doc.report, reader.defined)
    if spoken and spoken.casefold() in {"the committee", "committee"}:
        spoken = who.treaty_body(passage.section_path, "", before)
    if spoken is None and re.search(r"\bthe\s+State\s+party\s+(?:should|must|shall)\b", sentence):
        spoken = who.treaty_body(passage.section_path, sentence, before)
    return spoken


def _text_before(doc: Document, passage: Passage) -> str:
    """The text of the two passages before this one: where "He urged ..." finds who "he" is."""
    return doc.clean_text[max(0, passage.start - 1500) : passage.start]


def _date(sentence: str) -> str | None:
    m = _YEAR.search(sentence)
    return m.group(1) if m and re.search(r"recommend|urged|called", sentence, re.I) else None


def _upr_record(doc: Document, ask: object) -> Recommendation:
    from covenant.recommendations.upr import UprAsk

    assert isinstance(ask, UprAsk)
    passage = next((p for p in doc.passages if p.start <= ask.start < p.end), None)
    if passage is None:
        passage = next((p for p in doc.passages if ask.start <= p.start < ask.end), None)
    return Recommendation(
        id="",
        report_id=doc.report.id,
        quote=doc.clean_text[ask.start : ask.end],
        start=ask.start,
        end=ask.end,
        passage_id=passage.id if passage else None,
        issuer="; ".join(ask.states),
        issuers=list(ask.states),
        addressee=who.addressee(doc.report),
        method="rules:upr_list",
        date=doc.report.publication_date,
        response=ask.response,
        cited_from=doc.report.symbol,
    )

"""Follow-up: link each recommendation to later passages of other reports about the same matter, stated or inferred.

A link is *stated* when the text says what became of the recommendation: the quoting report's own assessment of a
body's earlier ask (its `status_passage_id`), or a later passage that speaks of that body's recommendations and
claims a status. Every other link is *inferred* from three kinds of evidence, each kept on the link: the meaning of
the two passages (cosine of their stored vectors in the library's main embedding model), the ICCPR articles their
rights labels share, and the names and laws both mention (rarer names weigh more). Only passages of the same
country, in reports later than the ask, are candidates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from covenant.entities.keys import name_key
from covenant.entities.rules import law_spans, media_spans, org_spans
from covenant.model import Passage, Recommendation, Report
from covenant.recommendations.links import FollowUp
from covenant.recommendations.sentences import sentence_spans
from covenant.recommendations.status import sentence_status
from covenant.rights.examples import report_year

# The weights of the evidence in an inferred link's score and the bars a link must clear; chosen on the reference
# reports by reading the links they gave (docs/recommendations.md shows ten), not fitted to a gold set.
WEIGHTS = {"similarity": 0.6, "rights": 0.25, "names": 0.15}
MIN_SIMILARITY = 0.40  # below it two passages of one country's reports are seldom about the same matter
MIN_SCORE = 0.40
CLOSE_SIMILARITY = 0.58  # close enough in meaning to link without shared rights or names (labels can be missing)
PER_RECOMMENDATION = 5  # the best inferred links kept for each ask
COMMON_NAME_SHARE = 0.15  # a name in more than this share of the candidate passages ("Government") tells nothing

_RECOMMENDATION_WORDS = re.compile(r"\brecommend(?:ation|ations|ed|s)?\b|\burged\b|\bcalled\s+on\b", re.IGNORECASE)


@dataclass(slots=True)
class Candidate:
    """A passage that may follow up an ask: its report's date, its country, rights, names and vector."""

    passage: Passage
    date: str
    year: int
    country: str | None
    rights: set[str]
    vector: np.ndarray | None
    speaks_of_asks: bool  # holds "recommend", "urged", "called on": it may state what became of an ask
    names: dict[str, str] = field(default_factory=dict)  # name key -> the name as first written


@dataclass(slots=True)
class Country:
    """The candidates of one country, the names they mention (and in how many passages each) and their vectors."""

    candidates: list[Candidate]
    name_share: Counter[str] = field(default_factory=Counter)
    common: set[str] = field(default_factory=set)
    vectors: np.ndarray | None = None  # one row per candidate (zeros where a passage has no vector)
    named: bool = False
    # Per candidate, for choosing an ask's candidates at once: year, report, a vector at all, words on asks.
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    report_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    has_vector: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    speaks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


@dataclass(slots=True)
class Evidence:
    """What the linker knows of the library: reports, and their passages by country."""

    reports: dict[str, Report]
    countries: dict[str, Country] = field(default_factory=dict)
    passages: dict[str, Passage] = field(default_factory=dict)  # every candidate passage by id


def report_date(report: Report) -> str | None:
    """When a report speaks: its publication date, else the year it covers."""
    if report.publication_date and report.publication_date[:4].isdigit():
        return report.publication_date
    year = report_year(report)
    return str(year) if year else None


def ask_year(rec: Recommendation, report: Report) -> int | None:
    """The year an ask was made: the date the text gives it, else the year its report was written."""
    for value in (rec.date, report_date(report)):
        if value and value[:4].isdigit():
            return int(value[:4])
    return None


def names_in(text: str) -> dict[str, str]:
    """The bodies, laws and outlets a text names, by comparison key (entity rules alone: no model to load)."""
    found: dict[str, str] = {}
    for start, end, _kind, _method in [*org_spans(text), *law_spans(text), *media_spans(text)]:
        key = name_key(text[start:end])
        if key and len(key) > 3:
            found.setdefault(key, text[start:end])
    return found


def country_of(passage: Passage | None, report: Report) -> str | None:
    """The country a passage is about (an extract of a country-by-country report holds its neighbours' entries
    too), else its report's."""
    return (passage.country if passage is not None else None) or report.country


def gather(
    reports: dict[str, Report],
    passages: dict[str, list[Passage]],
    rights: dict[str, set[str]],
    vectors: dict[str, np.ndarray],
) -> Evidence:
    """The candidates of every report by country (passages too short to tell anything are left out)."""
    evidence = Evidence(reports)
    grouped: dict[str, list[Candidate]] = {}
    for report_id, items in passages.items():
        date = report_date(reports[report_id])
        if date is None:
            continue
        for p in items:
            evidence.passages[p.id] = p
            country = country_of(p, reports[report_id])
            if len(p.text) < 60 or country is None:
                continue
            speaks = bool(_RECOMMENDATION_WORDS.search(p.text))
            candidate = Candidate(p, date, int(date[:4]), country, rights.get(p.id, set()), vectors.get(p.id), speaks)
            grouped.setdefault(country, []).append(candidate)
    evidence.countries = {code: Country(items) for code, items in grouped.items()}
    return evidence


def _prepare(country: Country) -> None:
    """Names and a vector matrix for one country's candidates, made once and only for countries with asks
    (the entity rules take about 0.3 ms a passage)."""
    if country.named:
        return
    for c in country.candidates:
        c.names = names_in(c.passage.text)
        country.name_share.update(c.names.keys())
    total = len(country.candidates)
    country.common = {n for n, k in country.name_share.items() if k > max(3, COMMON_NAME_SHARE * total)}
    dims = next((c.vector.shape[0] for c in country.candidates if c.vector is not None), 0)
    if dims:
        country.vectors = np.stack(
            [c.vector if c.vector is not None else np.zeros(dims, dtype=np.float32) for c in country.candidates]
        )
    country.years = np.array([c.year for c in country.candidates], dtype=np.int64)
    country.report_ids = np.array([c.passage.report_id for c in country.candidates], dtype=object)
    country.has_vector = np.array([c.vector is not None for c in country.candidates], dtype=bool)
    country.speaks = np.array([c.speaks_of_asks for c in country.candidates], dtype=bool)
    country.named = True


def follow_ups(
    recommendations: list[Recommendation],
    evidence: Evidence,
    rights: dict[str, set[str]],
    ask_vectors: dict[str, np.ndarray],
) -> list[FollowUp]:
    """Every link of these recommendations: stated ones, then the best inferred ones, each with its score.
    `ask_vectors`: each ask's words embedded in the model the passages' vectors are in, by recommendation id."""
    links: list[FollowUp] = []
    for rec in recommendations:
        report = evidence.reports[rec.report_id]
        year = ask_year(rec, report)
        passage = evidence.passages.get(rec.passage_id or "")
        status = evidence.passages.get(rec.status_passage_id or "")
        links.extend(_own_assessment(rec, report, status.text if status else ""))
        country = evidence.countries.get(country_of(passage, report) or "")
        if year is None or country is None:
            continue
        _prepare(country)
        ask_vector = ask_vectors.get(rec.id)
        similarities = None
        if ask_vector is not None and country.vectors is not None:
            similarities = country.vectors @ ask_vector
        ask_rights = rights.get(rec.passage_id or "", set()) | {str(a) for a in rec.iccpr}
        ask_names = {k: v for k, v in names_in(rec.quote).items() if k not in country.common}
        # Later reports' passages only; one neither close in meaning nor with a word on asks is no link either way.
        wanted = (country.years > year) & (country.report_ids != rec.report_id)
        if similarities is not None:
            wanted &= ~(country.has_vector & (similarities < MIN_SIMILARITY)) | country.speaks
        scored = [
            _weigh(rec, country.candidates[i], ask_vector, ask_rights, ask_names, country)
            for i in np.flatnonzero(wanted)
        ]
        stated = [link for link in scored if link is not None and link.kind == "stated"]
        inferred = sorted(
            (link for link in scored if link is not None and link.kind == "inferred"), key=lambda k: -k.score
        )
        links.extend(stated + inferred[:PER_RECOMMENDATION])
    return links


def _own_assessment(rec: Recommendation, report: Report, text: str) -> list[FollowUp]:
    """A quoting report's word on an earlier body's ask ("... has largely not been implemented")."""
    if not rec.status_passage_id or not rec.status_claimed or rec.issuer == report.source_org:
        return []
    cue = next((text[s:e].strip() for s, e in sentence_spans(text) if sentence_status(text[s:e])), "")
    return [
        FollowUp(
            rec.id,
            rec.status_passage_id,
            "stated",
            1.0,
            report_date(report),
            "rules:status_claimed",
            {"status": rec.status_claimed, "cue": cue or "the quoting report's assessment"},
        )
    ]


def _weigh(
    rec: Recommendation,
    candidate: Candidate,
    ask_vector: np.ndarray | None,
    ask_rights: set[str],
    ask_names: dict[str, str],
    country: Country,
) -> FollowUp | None:
    similarity = None
    if ask_vector is not None and candidate.vector is not None:
        similarity = float(np.dot(ask_vector, candidate.vector))
    shared_names = sorted(k for k in ask_names if k in candidate.names)
    if not shared_names and (similarity is None or similarity < MIN_SIMILARITY):
        return None  # neither close in meaning nor sharing a name: no link of either kind (both need one)
    shared_rights = sorted(ask_rights & candidate.rights, key=lambda c: (len(c), c))
    union_rights = ask_rights | candidate.rights
    # a rarer name is stronger evidence: inverse document frequency, scaled so one rare name counts fully
    total = len(country.candidates)
    name_weight = sum(math.log(total / (1 + country.name_share[n])) for n in shared_names)
    name_part = min(1.0, name_weight / max(1.0, math.log(max(2, total))))
    rights_part = len(shared_rights) / len(union_rights) if union_rights else 0.0
    similarity_part = 0.0 if similarity is None else max(0.0, min(1.0, (similarity - 0.3) / 0.4))
    score = WEIGHTS["similarity"] * similarity_part + WEIGHTS["rights"] * rights_part + WEIGHTS["names"] * name_part
    if similarity is None:
        # without vectors (a library indexed without semantic search) only names and rights together can tell
        score = 0.5 * rights_part + 0.5 * name_part if shared_rights and shared_names else 0.0
    cue = _stated_cue(candidate.passage.text, rec) if candidate.speaks_of_asks else None
    close = (similarity is not None and similarity >= MIN_SIMILARITY) or bool(shared_names)
    kind = "stated" if cue and close and (shared_rights or shared_names or (similarity or 0) >= 0.55) else "inferred"
    if kind == "inferred":
        if similarity is not None and similarity < MIN_SIMILARITY:
            return None
        close_in_meaning = similarity is not None and similarity >= CLOSE_SIMILARITY
        if not close_in_meaning and (score < MIN_SCORE or not (shared_rights or shared_names)):
            return None  # a link needs shared rights or names, unless the meaning alone is close
    found: dict[str, object] = {"rights": shared_rights, "names": [candidate.names[k] for k in shared_names]}
    if similarity is not None:
        found["similarity"] = round(similarity, 3)
    if cue:
        found["cue"] = cue[0]
        if cue[1]:
            found["status"] = cue[1]
    return FollowUp(
        rec.id,
        candidate.passage.id,
        kind,
        round(score, 3),
        candidate.date,
        "rules:stated_recommendation" if kind == "stated" else "inferred:vectors+rights+names",
        found,
    )


def _stated_cue(text: str, rec: Recommendation) -> tuple[str, str | None] | None:
    """The sentence of a passage that names the ask's issuer, speaks of its recommendations and claims what
    became of them ("the OSCE/ODIHR recommendations ... have yet to be implemented"), with that status."""
    if not rec.issuer or not _RECOMMENDATION_WORDS.search(text):
        return None
    names = _issuer_names(rec.issuer)
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if not _RECOMMENDATION_WORDS.search(sentence) or not any(n.search(sentence) for n in names):
            continue
        status = sentence_status(sentence)
        if status:
            return sentence.strip(), status
    return None


def _issuer_names(issuer: str) -> list[re.Pattern[str]]:
    """How a later text names an issuer: its name without "UN"/"U.S.", its acronym (ODIHR), or for a treaty
    body "the Committee"."""
    core = re.sub(r"^(?:UN|U\.S\.|United\s+Nations)\s+", "", issuer.split(";")[0].strip())
    words = [w for w in core.split() if w[:1].isupper()]
    if words and words[0].isupper():
        words = words[1:]  # "OSCE Office for Democratic Institutions ...": its own acronym is ODIHR
    found = [re.compile(r"\b" + re.escape(core).replace(r"\ ", r"\s+") + r"\b", re.IGNORECASE)]
    if len(words) >= 3:
        found.append(re.compile(r"\b" + "".join(w[0] for w in words) + r"\b"))
    if core.endswith("Committee"):
        found.append(re.compile(r"\bthe\s+Committee\b"))
    return found

"""Label one report's passages with their rights: the model's unit probabilities, what the headings say, and
the theme rules, combined into scored labels in every scheme."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from covenant.model import Passage, RightLabel, Section
from covenant.rights.classifier import RightsModel, assigned
from covenant.rights.crosswalk import old_section_of_unit, rule_hits
from covenant.rights.examples import strip_run_in
from covenant.rights.headings import ReportSections, heading_articles

#: Labels scoring below this are not kept at all; from the model's threshold up they are the passage's labels.
KEEP_FLOOR = 0.15
#: How much a report's own State Department section counts beside the model's reading of the passage.
HEADING_SHARE = 0.6
#: The probability an "Article 19" heading gives article 19 on its own (combined with the model's by noisy-or).
ARTICLE_HEADING = 0.85
RULE_SCORE = 0.8

_LETTER = re.compile(r"[^\W\d_]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True, slots=True)
class LabelOptions:
    use_headings: bool = True  # False: what the text alone supports (headings and run-in labels left out)


def label_report(
    model: RightsModel,
    sections: list[Section],
    passages: list[Passage],
    vectors: dict[str, np.ndarray],
    options: LabelOptions | None = None,
) -> list[RightLabel]:
    """Every kept label of these passages (one report's), scored; `vectors` by passage id where stored."""
    options = options or LabelOptions()
    if not passages:
        return []
    headings = ReportSections(sections)
    scopes = headings.scopes(passages) if options.use_headings else {}
    own_sections = headings.own_sections(passages) if options.use_headings and headings.old_scheme else {}
    texts = [p.text if options.use_headings else strip_run_in(p.text) for p in passages]
    matrix = np.full((len(passages), model.vector_coef.shape[1]), np.nan, dtype=np.float32)
    for row, passage in enumerate(passages):
        found = vectors.get(passage.id)
        if found is not None and found.shape[0] == matrix.shape[1]:
            matrix[row] = found
    english = np.array([_reads_as_english(p, t) for p, t in zip(passages, texts, strict=True)], dtype=bool)
    probs, methods = model.unit_probabilities(texts, matrix, english)
    units = {u: i for i, u in enumerate(model.units)}
    for row, passage in enumerate(passages):
        # The report's own section bounds the passage's units; the model still ranks the units inside it.
        inside = [units[u] for u in scopes.get(passage.id, ()) if u in units]
        if inside:
            share = probs[row, inside]
            total = float(share.sum())
            within = share / total if total > 1e-9 else np.full(len(inside), 1 / len(inside), dtype=np.float32)
            probs[row] *= 1 - HEADING_SHARE
            probs[row, inside] += HEADING_SHARE * within
            methods[row] += "+heading"
    scores = model.scheme_scores(probs)
    old_codes, old_matrix = _old_section_matrix(model)
    out: list[RightLabel] = []
    for row, passage in enumerate(passages):
        method = methods[row]
        iccpr_codes, iccpr_matrix = scores["iccpr"]
        rules = rule_hits(texts[row], dict(zip(iccpr_codes, iccpr_matrix[row].tolist(), strict=True)))
        mine: list[RightLabel] = []
        for scheme, (codes, matrix_) in scores.items():
            values = matrix_[row]
            if scheme == "dos_section" and headings.old_scheme:
                codes, values = old_codes, probs[row] @ old_matrix
                own = own_sections.get(passage.id)
                if own is not None:
                    # The heading's own code takes what its units hold (6.b and 6.a both hold unit 7.a).
                    inside = [units[u] for u in scopes.get(passage.id, ()) if u in units]
                    codes, values = _own_code(codes, values, own, float(probs[row, inside].sum()))
            if scheme == "iccpr" and options.use_headings:
                values = _with_articles(codes, values, heading_articles(passage.section_path))
            kept = _kept(passage.id, scheme, codes, values, method, model)
            mine.extend(_with_rules(passage.id, scheme, kept, [code for s_, code in rules if s_ == scheme], model))
        out.extend(mine)
    return out


def _kept(
    passage_id: str, scheme: str, codes: list[str], values: np.ndarray, method: str, model: RightsModel
) -> list[RightLabel]:
    chosen = assigned(scheme, values, model.threshold, model.best_floor)
    out: list[RightLabel] = []
    for j in np.argsort(-values):
        score = float(values[j])
        if score < KEEP_FLOOR:
            break
        out.append(RightLabel(passage_id, scheme, codes[j], round(min(score, 1.0), 4), method, bool(chosen[j])))
    return out


def _with_rules(
    passage_id: str, scheme: str, kept: list[RightLabel], codes: list[str], model: RightsModel
) -> list[RightLabel]:
    """Raise the labels a text rule supports (noisy-or); the rule is named where it made the label."""
    for code in codes:
        current = next((lab for lab in kept if lab.code == code), None)
        before = current.score if current is not None else 0.0
        score = round(1 - (1 - before) * (1 - RULE_SCORE), 4)
        if current is not None and current.assigned:
            current.score = score
            continue
        kept = [lab for lab in kept if lab.code != code]
        kept.append(RightLabel(passage_id, scheme, code, score, f"rule:{scheme}:{code}", score >= model.threshold))
    return kept


def _own_code(codes: list[str], values: np.ndarray, own: str, mass: float) -> tuple[list[str], np.ndarray]:
    codes = list(codes)
    if own not in codes:
        codes.append(own)
        values = np.append(values, 0.0)
    values = values.copy()
    j = codes.index(own)
    others = np.arange(len(codes)) != j
    values[others] *= max(0.0, 1 - mass) / max(float(values[others].sum()), 1e-9) if values[others].sum() else 0.0
    values[j] = mass
    return codes, values


def _with_articles(codes: list[str], values: np.ndarray, articles: list[int]) -> np.ndarray:
    if not articles:
        return values
    values = values.copy()
    for article in articles:
        code = str(article)
        if code in codes:
            j = codes.index(code)
            values[j] = 1 - (1 - values[j]) * (1 - ARTICLE_HEADING)
    return values


def _old_section_matrix(model: RightsModel) -> tuple[list[str], np.ndarray]:
    """Units -> sections of the older (2003-era) numbering."""
    per_unit = [old_section_of_unit(u) for u in model.units]
    codes = sorted(set(per_unit))
    matrix = np.zeros((len(model.units), len(codes)), dtype=np.float32)
    for row, code in enumerate(per_unit):
        matrix[row, codes.index(code)] = 1.0
    return codes, matrix


def _reads_as_english(passage: Passage, text: str) -> bool:
    """Whether the word model can read the passage: English by the report's language and by its letters
    (a Russian passage quoted in an English report is left to the multilingual vector)."""
    if passage.language not in (None, "en"):
        return False
    letters = _LETTER.findall(text[:600])
    return not letters or len(_LATIN.findall(text[:600])) >= 0.7 * len(letters)

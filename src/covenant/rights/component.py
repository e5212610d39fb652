"""The library's rights labels: label what is new, read a passage's labels with a user's corrections applied,
count them per report, per right x year x source, and take corrections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from covenant.errors import NotFoundError, QueryError
from covenant.model import Passage, Report, RightCorrection, RightLabel
from covenant.rights.classifier import RightsModel, load_model
from covenant.rights.crosswalk import SCHEMES, describe, parse_right
from covenant.rights.examples import report_year
from covenant.rights.labeller import label_report
from covenant.search.keys import text_hash

if TYPE_CHECKING:
    from covenant.library import Library

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    scheme: str
    code: str
    year: int | None
    source: str
    passages: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "code": self.code,
            "year": self.year,
            "source": self.source,
            "passages": self.passages,
        }


class Rights:
    """`Library.rights`: every passage's rights, in a table of its own keyed to passage ids."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.store = library.store

    @cached_property
    def model(self) -> RightsModel:
        return load_model()

    # -- labelling ----------------------------------------------------------------------------------
    def pending(self) -> int:
        """Passages not yet labelled by the current model."""
        counts = self.store.passage_counts()
        waiting = 0
        for report_id, total in counts.items():
            runs = self.store.right_runs(report_id)
            waiting += total - sum(1 for model, _ in runs.values() if model == self.model.name)
        return waiting

    def label(
        self,
        reports: list[str] | None = None,
        *,
        relabel: bool = False,
        vectors_stored: bool = True,
        on_progress: Progress | None = None,
    ) -> dict[str, int]:
        """Label every passage the current model has not labelled, and (`vectors_stored`: the vectors may have
        changed) those labelled before their vector was stored; `relabel`: all of them again. A user's
        corrections are kept apart and still win."""
        self.library._writable("label passages")
        model = self.model
        if reports:
            ids = [self.library.report(r).id for r in reports]
        elif relabel:
            ids = list(self.store.passage_counts())
        else:
            ids = self.store.reports_to_label(model.name, vectors_stored)
        counts = self.store.passage_counts()
        total = sum(counts.get(r, 0) for r in ids)
        labelled = reports_done = seen = 0
        for report_id in ids:
            passages = self.store.passages(report_id)
            runs = self.store.right_runs(report_id)
            vectors = self.vectors(passages, model)
            todo = [
                p
                for p in passages
                if relabel or runs.get(p.id, ("", False))[0] != model.name or (not runs[p.id][1] and p.id in vectors)
            ]
            if todo:
                labels = label_report(model, self.store.sections(report_id), passages, vectors)
                wanted = {p.id for p in todo}
                self.store.save_right_labels(
                    [p.id for p in todo],
                    [lab for lab in labels if lab.passage_id in wanted],
                    model.name,
                    {p.id for p in todo if p.id in vectors},
                )
                labelled += len(todo)
                reports_done += 1
            seen += len(passages)
            if on_progress is not None:
                on_progress("labelling rights", seen, total)
        return {"passages": labelled, "reports": reports_done}

    def vectors(self, passages: list[Passage], model: RightsModel) -> dict[str, np.ndarray]:
        """The stored vectors of these passages in the model's embedding space, by passage id."""
        hashes = {p.id: text_hash(p.text) for p in passages}
        stored = self.store.embeddings(model.vector_model, sorted(set(hashes.values())))
        return {pid: np.frombuffer(stored[h], dtype=np.float32) for pid, h in hashes.items() if h in stored}

    # -- reading ------------------------------------------------------------------------------------
    def of(self, passage: str | Passage, *, all_scores: bool = False) -> list[RightLabel]:
        """A passage's labels in effect (the model's, a user's corrections applied; `all_scores`: the model's
        runners-up too, unassigned), by scheme and score."""
        found = passage if isinstance(passage, Passage) else self.library.passage(passage)
        return self.for_passages([found.id], all_scores=all_scores).get(found.id, [])

    def for_passages(self, passage_ids: list[str], *, all_scores: bool = False) -> dict[str, list[RightLabel]]:
        labels = self.store.right_labels(passage_ids)
        corrections = self.store.right_corrections(passage_ids)
        return apply_corrections(labels, corrections, all_scores)

    def report_labels(self, report: str | Report, *, all_scores: bool = False) -> dict[str, list[RightLabel]]:
        report_id = report.id if isinstance(report, Report) else self.library.report(report).id
        labels = self.store.report_right_labels(report_id)
        corrections = self.store.right_corrections(sorted({lab.passage_id for lab in labels}))
        ids = [p.id for p in self.store.passages(report_id)]
        corrections += [c for c in self.store.right_corrections(ids) if c not in corrections]
        return apply_corrections(labels, corrections, all_scores)

    def summary(self, report: str | Report, scheme: str | None = None) -> list[dict[str, Any]]:
        """Passages per right in one report, most first: [{"scheme", "code", "name", "passages"}]."""
        report_id = report.id if isinstance(report, Report) else self.library.report(report).id
        rows = self.store.right_counts(scheme, report_id)
        return [
            {"scheme": s, "code": c, "name": describe(s, c), "passages": n}
            for _, s, c, n in sorted(rows, key=lambda r: (SCHEMES.index(r[1]), -r[3], r[2]))
        ]

    def matrix(self, scheme: str = "iccpr") -> list[MatrixCell]:
        """Passages per right x year x source over the library (a user's corrections applied)."""
        if scheme not in SCHEMES:
            raise QueryError(f"unknown scheme {scheme!r}; choose one of: {', '.join(SCHEMES)}")
        reports = {r.id: r for r in self.library.reports()}
        cells: Counter[tuple[str, int | None, str]] = Counter()
        for report_id, _, code, n in self.store.right_counts(scheme):
            report = reports.get(report_id)
            if report is None:
                continue
            cells[(code, report_year(report), report.source_org or "unknown source")] += n
        return [
            MatrixCell(scheme, code, year, source, n)
            for (code, year, source), n in sorted(
                cells.items(), key=lambda kv: (_order(kv[0][0]), kv[0][1] or 0, kv[0][2])
            )
        ]

    def passages_with(self, right: str) -> set[str]:
        scheme, code = parse_right(right)
        return self.store.passages_with_right(scheme, code)

    def passages(
        self, right: str, *, year: int | None = None, source: str | None = None, limit: int | None = None
    ) -> tuple[list[Passage], int]:
        """The passages carrying a right (of one year's and one source's reports, as a matrix cell counts them),
        in report and passage order, at most `limit`; and how many there are in all."""
        reports = {r.id: r for r in self.library.reports()}
        wanted_reports = {
            rid
            for rid, r in reports.items()
            if (year is None or report_year(r) == year)
            and (source is None or (r.source_org or "unknown source") == source)
        }
        ids = sorted(pid for pid in self.passages_with(right) if pid.split(":")[0] in wanted_reports)
        found = self.store.passages_by_ids(ids)
        ordered = sorted(found.values(), key=lambda p: (reports[p.report_id].file_name, p.ordinal))
        return ordered[:limit] if limit is not None else ordered, len(ids)

    # -- a user's corrections -----------------------------------------------------------------------
    def set(self, passage: str, right: str) -> RightCorrection:
        """Give a passage a label (it wins over the model and survives re-training)."""
        return self._correct(passage, right, True)

    def remove(self, passage: str, right: str) -> RightCorrection:
        """Take a label off a passage (the model's too: it stays off through re-labelling)."""
        return self._correct(passage, right, False)

    def forget(self, passage: str, right: str) -> bool:
        """Drop a user's correction, giving the passage back to the model; False when there was none."""
        self.library._writable("change labels")
        scheme, code = parse_right(right)
        return self.store.drop_right_correction(self.library._annotated_id(passage), scheme, code)

    def corrections(self) -> list[RightCorrection]:
        return self.store.right_corrections()

    def _correct(self, passage: str, right: str, present: bool) -> RightCorrection:
        self.library._writable("change labels")
        scheme, code = parse_right(right)
        found = self.library.passage(passage)
        self.store.set_right_correction(found.id, scheme, code, present)
        match = [c for c in self.store.right_corrections([found.id]) if c.scheme == scheme and c.code == code]
        if not match:
            raise NotFoundError(f"{passage}: the correction was not stored")
        return match[0]


def apply_corrections(
    labels: list[RightLabel], corrections: list[RightCorrection], all_scores: bool = False
) -> dict[str, list[RightLabel]]:
    """Labels by passage as a user sees them: the model's assigned ones (all of them with `all_scores`) less
    those a user removed, plus those a user set (score 1.0, method "user")."""
    out: dict[str, list[RightLabel]] = {}
    removed = {(c.passage_id, c.scheme, c.code) for c in corrections if not c.present}
    for lab in labels:
        if (lab.passage_id, lab.scheme, lab.code) in removed or not (lab.assigned or all_scores):
            continue
        out.setdefault(lab.passage_id, []).append(lab)
    for c in corrections:
        if not c.present:
            continue
        mine = [lab for lab in out.get(c.passage_id, []) if not (lab.scheme == c.scheme and lab.code == c.code)]
        mine.append(RightLabel(c.passage_id, c.scheme, c.code, 1.0, "user", True))
        out[c.passage_id] = mine
    for pid, mine in out.items():
        out[pid] = sorted(mine, key=lambda lab: (SCHEMES.index(lab.scheme), -lab.score, lab.code))
    return out


def _order(code: str) -> tuple[Any, ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))

"""`Library.recommendations`: every report's recommendations in the store, grouped across the library, with trails."""

from __future__ import annotations

import builtins
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from covenant.errors import NotFoundError, QueryError
from covenant.model import Document, Passage, Recommendation
from covenant.recommendations.extract import extract_recommendations
from covenant.recommendations.followup import ask_year, follow_ups, gather
from covenant.recommendations.group import group_recommendations
from covenant.recommendations.links import FollowUp
from covenant.search.keys import text_hash

if TYPE_CHECKING:
    from covenant.library import Library

Progress = Callable[[str, int, int], None]

# Bump when the rules change what they find: every report is then read again on the next `index()`.
EXTRACTOR = "rules-v1"
STATE_SETTING = "recommendations_state"  # the reports the groups and links were made from
STATUSES = ("implemented", "partially_implemented", "not_implemented", "none")
_RECOMMENDATION_ORDINAL = re.compile(r"r\d{5,}")
# `Recommendations.list` shadows the builtin inside the class: its annotations use these names
Asks = list[Recommendation]
Links = list[FollowUp]


@dataclass(slots=True)
class Trail:
    """What `covenant recommendation ID` shows: the ask, its citation, its group and what happened after it."""

    recommendation: Recommendation
    citation: dict[str, Any]
    group: list[Recommendation]
    follow_up: list[tuple[FollowUp, Passage, dict[str, Any]]]  # each link, its passage and that passage's citation

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.recommendation.to_dict(),
            "citation": self.citation,
            "group_members": [
                {"id": r.id, "report_id": r.report_id, "issuer": r.issuer, "date": r.date, "quote": r.quote}
                for r in self.group
            ],
            "follow_up": [
                {**link.to_dict(), "text": passage.text, "citation": citation}
                for link, passage, citation in self.follow_up
            ],
        }


class Recommendations:
    """`Library.recommendations`: extraction into the store, filters, one ask's group and follow-up trail."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.store = library.store

    # -- extraction ---------------------------------------------------------------------------------
    def pending(self) -> list[str]:
        """Reports the current extractor has not read."""
        runs = self.store.recommendation_runs()
        return [r.id for r in self.store.reports() if runs.get(r.id) != EXTRACTOR]

    def extract(
        self, reports: list[str] | None = None, *, again: bool = False, on_progress: Progress | None = None
    ) -> dict[str, int]:
        """Extract the recommendations of the reports not yet read (`again`: of all, or of `reports`), then,
        when the library's reports changed since, group them across the library and link their follow-up."""
        self.library._writable("extract recommendations")
        if reports:
            ids = [self.library.report(r).id for r in reports]
        else:
            ids = [r.id for r in self.store.reports()] if again else self.pending()
        found = 0
        for n, report_id in enumerate(ids, 1):
            recs = group_recommendations(extract_recommendations(self._document(report_id)))
            self.store.save_recommendations(report_id, recs, EXTRACTOR)
            found += len(recs)
            if on_progress is not None:
                on_progress("finding recommendations", n, len(ids))
        links = self.link() if ids or self._state() != self.store.setting(STATE_SETTING) else None
        return {"reports": len(ids), "recommendations": found, "links": -1 if links is None else links}

    def link(self) -> int:
        """Group near-duplicates across the library, fill each ask's ICCPR articles from its passage's rights
        labels, and link every ask to later passages (the whole library, again): the number of links."""
        reports = {r.id: r for r in self.store.reports()}
        recs = self.store.recommendations()
        runs = self.store.recommendation_runs()
        passages = {rid: self.store.passages(rid) for rid in reports if rid in runs}
        rights = self._rights([p.id for items in passages.values() for p in items])
        vectors = self._vectors([p for items in passages.values() for p in items])
        # the earliest ask of a group names it: order by when each was made
        ordered = sorted(recs, key=lambda r: (ask_year(r, reports[r.report_id]) or 0, r.report_id, r.start))
        group_recommendations(ordered)
        iccpr = {r.id: sorted(int(c) for c in rights.get(r.passage_id or "", set())) for r in recs}
        for r in recs:
            r.iccpr = iccpr[r.id]
        self.store.set_recommendation_groups({r.id: r.group or r.id for r in recs}, iccpr)
        evidence = gather(reports, passages, rights, vectors)
        links = follow_ups(recs, evidence, rights, self._ask_vectors(recs, vectors) if vectors else {})
        self.store.save_recommendation_links(links)
        self.store.set_setting(STATE_SETTING, self._state())
        return len(links)

    def _state(self) -> str:
        runs = self.store.recommendation_runs()
        return hashlib.sha256(",".join(sorted(f"{r}={e}" for r, e in runs.items())).encode()).hexdigest()[:16]

    def _document(self, report_id: str) -> Document:
        store = self.store
        return Document(
            report=self.library.report(report_id),
            clean_text=store.clean_text(report_id),
            sections=store.sections(report_id),
            passages=store.passages(report_id),
            footnotes=store.footnotes(report_id),
            offset_map=store.offset_map(report_id),
            furniture=[],
        )

    def _rights(self, passage_ids: list[str]) -> dict[str, set[str]]:
        """The ICCPR articles of each passage in effect (the model's, a user's corrections applied)."""
        labels = self.library.rights.for_passages(passage_ids)
        return {pid: {lab.code for lab in found if lab.scheme == "iccpr"} for pid, found in labels.items()}

    def _vectors(self, passages: list[Passage]) -> dict[str, np.ndarray]:
        """The passages' stored vectors in the library's main embedding model (none when it was indexed without
        semantic search: links then rest on rights and names alone)."""
        model = self.library.models[0]
        hashes = {p.id: text_hash(p.text) for p in passages}
        stored = self.store.embeddings(model, sorted(set(hashes.values())))
        out = {}
        for pid, h in hashes.items():
            if h in stored:
                vector = np.frombuffer(stored[h], dtype=np.float32)
                norm = float(np.linalg.norm(vector))
                out[pid] = vector / norm if norm else vector
        return out

    def _ask_vectors(self, recs: list[Recommendation], passages: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each ask's own words embedded (a passage may hold several asks on different matters; the words are
        stored beside the passage vectors so the next run reuses them), joined with its passage's vector: a
        short ask alone matches passages on other matters (on 004's Part I its best match shared a right 11
        times in 77, 17 times with the passage's vector added)."""
        from covenant.rights.vectors import stored_vectors

        texts = {text_hash(r.quote): r.quote for r in recs}
        found = stored_vectors(self.store, self.library.models[0], texts)
        out = {}
        for r in recs:
            vector = found.get(text_hash(r.quote))
            if vector is not None:
                vector = vector / (float(np.linalg.norm(vector)) or 1.0)
                if r.passage_id in passages:
                    vector = vector + passages[r.passage_id]
                norm = float(np.linalg.norm(vector))
                out[r.id] = vector / norm if norm else vector
        return out

    # -- reading ------------------------------------------------------------------------------------
    def list(
        self,
        *,
        issuer: str | None = None,
        right: str | None = None,
        status: str | None = None,
        report: str | None = None,
    ) -> Asks:
        """The library's recommendations in report and text order. `issuer`: those made by a body or state whose
        name holds these words (any case); `right`: an ICCPR article ("19" or "iccpr:19"); `status`: the claimed
        implementation status (implemented, partially_implemented, not_implemented, or none for unassessed);
        `report`: one report (id, id prefix or file name)."""
        report_id = self.library.report(report).id if report else None
        recs = self._with_rights(self.store.recommendations(report_id))
        if issuer:
            words = issuer.casefold().split()
            recs = [r for r in recs if any(all(w in name.casefold() for w in words) for name in _issuers(r))]
        if right:
            article = _article(right)
            recs = [r for r in recs if article in r.iccpr]
        if status:
            if status not in STATUSES:
                raise QueryError(f"unknown status {status!r}; choose one of: {', '.join(STATUSES)}")
            wanted = None if status == "none" else status
            recs = [r for r in recs if r.status_claimed == wanted]
        return recs

    def get(self, ref: str) -> Recommendation:
        """A recommendation by its id (`<report id>:r00012`; the report part may be the short id `reports` prints)."""
        report_ref, sep, ordinal = ref.rpartition(":")
        if not (sep and report_ref and _RECOMMENDATION_ORDINAL.fullmatch(ordinal)):
            raise NotFoundError(f"{ref!r} is not a recommendation id (they read <report id>:r00012)")
        if len(report_ref) < 16:
            ref = f"{self.library.report(report_ref).id}:{ordinal}"
        return self._with_rights([self.store.recommendation(ref)])[0]

    def group(self, ref: str | Recommendation) -> Asks:
        """The asks of a recommendation's near-duplicate group across the library (itself included)."""
        rec = self.get(ref.id if isinstance(ref, Recommendation) else ref)  # its group as stored now
        members = [r for r in self.store.recommendations() if (r.group or r.id) == (rec.group or rec.id)]
        return self._with_rights(members)

    def follow_up(self, ref: str | Recommendation) -> Links:
        """The later passages on what became of a recommendation, by date (stated before inferred in one year)."""
        rec = ref if isinstance(ref, Recommendation) else self.get(ref)
        return self.store.recommendation_links([rec.id])

    def trail(self, ref: str) -> Trail:
        """The ask, its citation, its group and its follow-up trail with each passage and citation."""
        rec = self.get(ref)
        links = self.follow_up(rec)
        passages = self.store.passages_by_ids(sorted({k.passage_id for k in links} | {rec.passage_id or ""}))
        trail = []
        for link in links:
            passage = passages.get(link.passage_id)
            if passage is not None:
                trail.append((link, passage, self._citation(passage)))
        return Trail(rec, self.citation(rec), self.group(rec), trail)

    def rows(self, recs: Asks) -> builtins.list[dict[str, Any]]:
        """The records as listings show them: each with its number of stated and inferred follow-up links."""
        counts: dict[str, dict[str, int]] = {}
        for link in self.store.recommendation_links([r.id for r in recs]):
            mine = counts.setdefault(link.recommendation_id, {"stated": 0, "inferred": 0})
            mine[link.kind] += 1
        return [{**r.to_dict(), "follow_up": counts.get(r.id, {"stated": 0, "inferred": 0})} for r in recs]

    def citation(self, rec: Recommendation) -> dict[str, Any]:
        """The citation of the ask's own words (report, section, original lines or page, quote)."""
        if rec.passage_id is None:
            return {}
        cited = self.library.cite(rec.passage_id, rec.start, rec.end)
        return {**cited.to_dict(), "formatted": cited.formatted()}

    def _citation(self, passage: Passage) -> dict[str, Any]:
        cited = self.library.cite(passage)
        return {**cited.to_dict(), "formatted": cited.formatted()}

    def _with_rights(self, recs: Asks) -> Asks:
        """Each ask's ICCPR articles from its passage's labels in effect now (a user's corrections included)."""
        rights = self._rights(sorted({r.passage_id for r in recs if r.passage_id}))
        for r in recs:
            r.iccpr = sorted(int(c) for c in rights.get(r.passage_id or "", set()))
        return recs

    def summary(self) -> dict[str, Any]:
        """Counts over the library: asks, reports read, groups of more than one ask, links by kind."""
        recs = self.store.recommendations()
        links = self.store.recommendation_links()
        groups = Counter(r.group or r.id for r in recs)
        return {
            "recommendations": len(recs),
            "reports": len(self.store.recommendation_runs()),
            "groups": sum(1 for n in groups.values() if n > 1),
            "stated_links": sum(1 for k in links if k.kind == "stated"),
            "inferred_links": sum(1 for k in links if k.kind == "inferred"),
        }


def _issuers(rec: Recommendation) -> list[str]:
    return rec.issuers or ([rec.issuer] if rec.issuer else [])


def _article(right: str) -> int:
    from covenant.rights.crosswalk import parse_right

    scheme, code = parse_right(right)
    if scheme != "iccpr":
        raise QueryError(f"{right!r}: recommendations are filtered by ICCPR article (19 or iccpr:19)")
    return int(code)

"""Cited search over the library: BM25 (tantivy), semantic (stored embeddings) and hybrid (reciprocal-rank fusion)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from covenant.errors import QueryError
from covenant.model import Passage, Report
from covenant.search.fulltext import Filters, FullTextIndex
from covenant.search.highlight import highlight
from covenant.search.sync import index_path, section_codes, sync_fulltext
from covenant.store.base import Store

MODES = ("bm25", "semantic", "hybrid")
MODEL_SETTING = "semantic_model"  # the library setting naming its embedding model
RRF_K = 60  # the constant of reciprocal-rank fusion (Cormack et al. 2009)
CANDIDATES = 200  # hits each ranker contributes before fusion, and the pool facets are counted over
FACETS = ("country", "source_org", "doc_type", "year", "section")
# Hybrid search moves the query vector towards the vectors of the best BM25 passages before the semantic
# ranking (pseudo-relevance feedback, Rocchio 1971): the words the user typed anchor what the model looks for.
FEEDBACK_PASSAGES = 5
FEEDBACK_WEIGHT = 0.75  # Rocchio's usual beta/alpha: the feedback centroid counts three quarters of the query


@dataclass(slots=True)
class Citation:
    report_id: str
    file_name: str
    title: str | None
    source_org: str | None
    publication_date: str | None
    section_path: list[str]
    section_code: str | None
    line_start: int
    line_end: int
    page_start: int | None
    page_end: int | None
    start: int
    end: int
    quote: str

    def formatted(self) -> str:
        """One line a brief can quote: source, title, date, section, place in the file."""
        where = (
            (f"p. {self.page_start}" if self.page_start == self.page_end else f"pp. {self.page_start}-{self.page_end}")
            if self.page_start is not None
            else (
                f"line {self.line_start}"
                if self.line_start == self.line_end
                else f"lines {self.line_start}-{self.line_end}"
            )
        )
        parts = [self.source_org, self.title, self.publication_date and f"published {self.publication_date}"]
        section = (
            f"§ {self.section_code}" if self.section_code else (self.section_path[-1] if self.section_path else None)
        )
        head = ", ".join(p for p in parts if p)
        tail = ", ".join(p for p in (section, f"{where} of {self.file_name}") if p)
        return f"{head}; {tail}"


@dataclass(slots=True)
class SearchHit:
    rank: int
    passage_id: str
    score: float
    text: str
    highlighted: str
    citation: Citation
    scores: dict[str, float] = field(default_factory=dict)  # per ranker: bm25 score, cosine similarity

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["citation"]["formatted"] = self.citation.formatted()
        return data


@dataclass(slots=True)
class SearchResults:
    query: str
    mode: str
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    candidates: int  # passages the facet counts are taken over (bm25: every match; else the fused pool)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "candidates": self.candidates,
            "facets": self.facets,
            "hits": [h.to_dict() for h in self.hits],
        }

    def groups(self) -> dict[str, list[SearchHit]]:
        """Hits grouped by report, groups in order of their best hit."""
        out: dict[str, list[SearchHit]] = {}
        for hit in self.hits:
            out.setdefault(hit.citation.report_id, []).append(hit)
        return out


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


class SearchEngine:
    """Search over one library; the full-text index and vectors are brought up to date on first use."""

    def __init__(self, store: Store, db_path: Path, embedder_name: str | None = None) -> None:
        """`embedder_name` None: the library's chosen model (`covenant index --model`), else the default."""
        self.store = store
        self.db_path = db_path
        self.embedder_name = embedder_name or store.setting(MODEL_SETTING)
        self._fulltext: FullTextIndex | None = None
        self._vectors: Any = None
        self._embedder: Any = None
        self._reports: dict[str, Report] = {}
        self._codes: dict[str, dict[str, str]] = {}

    # -- indexes ---------------------------------------------------------------------------------
    @property
    def fulltext(self) -> FullTextIndex:
        if self._fulltext is None:
            self._fulltext = FullTextIndex(index_path(self.db_path))
        return self._fulltext

    def embedder(self) -> Any:
        if self._embedder is None:
            from covenant.search.embed import load_embedder

            self._embedder = load_embedder(self.embedder_name)
        return self._embedder

    def refresh(
        self, semantic: bool = True, on_progress: Callable[[str, int, int], None] | None = None
    ) -> dict[str, int]:
        """Bring the indexes up to date with the store (incremental): returns what changed."""
        added, removed = sync_fulltext(self.store, self.fulltext)
        counts = {"indexed_reports": added, "removed_reports": removed}
        if semantic:
            vectors = self.vector_index()
            counts["embedded"] = vectors.sync(self.store, self.embedder, on_progress)
        self._reports = {}
        self._codes = {}
        return counts

    def vector_index(self) -> Any:
        if self._vectors is None:
            from covenant.search.embed import DEFAULT_MODEL
            from covenant.search.vectors import VectorIndex

            # The model's name is known without loading it: a library already embedded loads nothing here.
            self._vectors = VectorIndex(index_path(self.db_path), self.embedder_name or DEFAULT_MODEL)
        return self._vectors

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        mode: str = "hybrid",
        filters: Filters | None = None,
        limit: int = 10,
        refresh: bool = True,
        facets: bool = True,
    ) -> SearchResults:
        """The best `limit` passages with citations; `facets=False` skips counting matches by facet.

        In bm25 mode the counts cover every matching passage, which at a million passages costs more
        than the ranking itself; a script that only wants the hits can leave them out.
        """
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}: choose one of {', '.join(MODES)}")
        if not 1 <= limit <= 1000:
            raise QueryError("limit must be between 1 and 1000")
        filters = filters or Filters()
        if refresh:
            self.refresh(semantic=mode != "bm25")
        pool = limit if mode == "bm25" else max(CANDIDATES, limit)
        ranked: dict[str, list[tuple[str, float]]] = {}
        if mode in ("bm25", "hybrid"):
            ranked["bm25"] = self.fulltext.search(query, pool, filters)
        if mode in ("semantic", "hybrid"):
            if not query.strip():
                raise QueryError("empty query: give a few words to search for")
            allowed = self._allowed_ids(filters) if not filters.is_empty() else None
            if mode == "hybrid" and has_constraints(query):
                # A phrase, AND, NOT, +term or -term is a demand on the words: the semantic ranker
                # only reorders passages that meet it, rather than adding passages that do not.
                matching = self.fulltext.matching_query_ids(query, filters)
                allowed = matching if allowed is None else allowed & matching
            vector = self.embedder().embed_query(plain_words(query))
            if mode == "hybrid" and ranked["bm25"]:
                vector = self._with_feedback(vector, [pid for pid, _ in ranked["bm25"][:FEEDBACK_PASSAGES]])
            ranked["semantic"] = self.vector_index().search(vector, pool, allowed)
        fused = _fuse(ranked) if mode == "hybrid" else ranked[mode]
        counts: dict[str, dict[str, int]] = {}
        if mode == "bm25":
            passages = self.store.passages_by_ids([pid for pid, _ in fused[:limit]])
            matched = len(fused)
            if facets:
                # Every matching passage counts, straight from the index's fast fields.
                matched, counts = self.fulltext.facets(query, filters)
        else:
            passages = self.store.passages_by_ids(
                [pid for pid, _ in fused] if facets else [p for p, _ in fused[:limit]]
            )
            if facets:
                counts = self._facets([passages[pid] for pid, _ in fused if pid in passages])
            matched = len(fused)
        hits: list[SearchHit] = []
        per_ranker = {name: dict(items) for name, items in ranked.items()}
        for pid, score in fused[:limit]:
            passage = passages.get(pid)
            if passage is None:
                continue
            hits.append(
                SearchHit(
                    rank=len(hits) + 1,
                    passage_id=pid,
                    score=round(score, 6),
                    text=passage.text,
                    highlighted=highlight(passage.text, query),
                    citation=self._citation(passage),
                    scores={k: round(v[pid], 6) for k, v in per_ranker.items() if pid in v},
                )
            )
        return SearchResults(query, mode, hits, counts, matched)

    def _with_feedback(self, vector: Any, passage_ids: list[str]) -> Any:
        """The query vector plus FEEDBACK_WEIGHT times the unit centroid of these passages' stored vectors."""
        import numpy as np

        texts = [p.text for p in self.store.passages_by_ids(passage_ids).values()]
        stored = self.store.embeddings(self.vector_index().model, [text_hash(t) for t in texts])
        if not stored:
            return vector
        centroid = np.mean([np.frombuffer(v, dtype=np.float32) for v in stored.values()], axis=0)
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm_q, norm_c = float(np.linalg.norm(query)), float(np.linalg.norm(centroid))
        if norm_q == 0 or norm_c == 0 or centroid.shape != query.shape:
            return vector
        moved = query / norm_q + FEEDBACK_WEIGHT * centroid / norm_c
        return moved / np.linalg.norm(moved)

    def _allowed_ids(self, filters: Filters) -> set[str]:
        """Passage ids that pass the filters, from the full-text index (a match-all query with the filters)."""
        return self.fulltext.matching_ids(filters)

    def _report(self, report_id: str) -> Report:
        if report_id not in self._reports:
            self._reports[report_id] = self.store.find_report(report_id)
        return self._reports[report_id]

    def _code(self, passage: Passage) -> str | None:
        if passage.report_id not in self._codes:
            self._codes[passage.report_id] = section_codes(self.store.sections(passage.report_id))
        return self._codes[passage.report_id].get(passage.section_id or "") or None

    def _citation(self, p: Passage) -> Citation:
        r = self._report(p.report_id)
        return Citation(
            report_id=r.id,
            file_name=r.file_name,
            title=r.title,
            source_org=r.source_org,
            publication_date=r.publication_date,
            section_path=p.section_path,
            section_code=self._code(p),
            line_start=p.line_start,
            line_end=p.line_end,
            page_start=p.page_start,
            page_end=p.page_end,
            start=p.start,
            end=p.end,
            quote=p.text,
        )

    def _facets(self, passages: list[Passage]) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
        for p in passages:
            r = self._report(p.report_id)
            counts["country"][r.country or ""] += 1
            counts["source_org"][r.source_org or ""] += 1
            counts["doc_type"][r.doc_type or ""] += 1
            year = (r.publication_date or r.period_end or r.period_start or "")[:4]
            counts["year"][year or "0"] += 1
            code = self._code(p)
            counts["section"][code.split(".")[0] if code else "none"] += 1
        return {name: dict(c.most_common()) for name, c in counts.items()}


_CONSTRAINT = re.compile(r'"[^"]+"|\bAND\b|\bNOT\b|(?:^|\s)[+-]\w')


def has_constraints(query: str) -> bool:
    """Whether the query states hard word constraints: a phrase, AND, NOT, +required or -excluded."""
    return bool(_CONSTRAINT.search(query))


def plain_words(query: str) -> str:
    """The query as prose for the embedding model: no operators, quotes, or prefix stars."""
    words = [w for w in re.sub(r'["*+()]', " ", query).split() if w not in ("AND", "OR", "NOT") and w[:1] != "-"]
    return " ".join(words) or query


def _fuse(ranked: dict[str, list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: each ranker adds 1 / (k + rank) for every passage it returns."""
    scores: dict[str, float] = {}
    for items in ranked.values():
        for rank, (pid, _score) in enumerate(items, 1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

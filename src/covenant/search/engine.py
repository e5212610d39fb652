"""Cited search over the library: BM25 (tantivy), semantic (stored embeddings) and hybrid (reciprocal-rank fusion)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from covenant.annotations import Note
from covenant.citation import cite_footnote, cite_passage, section_codes
from covenant.errors import IndexDamagedError, QueryError
from covenant.model import Citation, Footnote, Passage, Report
from covenant.search.aliases import Spellings, expand_query
from covenant.search.fulltext import FACET_FIELDS, FOOTNOTE, PASSAGE, Filters, FullTextIndex, prepare_query
from covenant.search.highlight import highlight
from covenant.search.keys import text_hash
from covenant.search.sync import index_path, sync_fulltext
from covenant.store.base import Store

MODES = ("bm25", "semantic", "hybrid")
# The library setting naming its embedding models, comma-separated; the first is the main one. A library
# may keep a second model's vectors beside the first: each model ranks on its own and the lists are fused.
MODEL_SETTING = "semantic_model"
RRF_K = 60  # the constant of reciprocal-rank fusion (Cormack et al. 2009)
CANDIDATES = 200  # hits each ranker contributes before fusion, and the pool facets are counted over
COLLAPSE_POOL = 5  # with `collapse`, each ranker brings 5 candidates per hit asked for (repeats fold into one)
MAX_POOL = 1000
# Hybrid search moves the query vector towards the vectors of the best BM25 passages before the semantic
# ranking (pseudo-relevance feedback, Rocchio 1971): the words the user typed anchor what the model looks for.
FEEDBACK_PASSAGES = 5
FEEDBACK_WEIGHT = 0.75  # Rocchio's usual beta/alpha: the feedback centroid counts three quarters of the query


@dataclass(slots=True)
class SearchHit:
    rank: int
    passage_id: str
    score: float
    text: str
    highlighted: str
    citation: Citation
    scores: dict[str, float] = field(default_factory=dict)  # per ranker: bm25 score, cosine similarity
    # With `collapse`: the same text in other reports (or elsewhere in this one), newest report first.
    also: list[Citation] = field(default_factory=list)
    # The researcher's tags and notes on the passage (the library's, at the time of the search).
    tags: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    kind: str = PASSAGE  # or FOOTNOTE (a search with footnotes): passage_id is then the footnote's id

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["citation"] = self.citation.to_dict()
        data["also"] = [other.to_dict() for other in self.also]
        data["notes"] = [note.to_dict() for note in self.notes]
        return data


@dataclass(slots=True)
class SearchResults:
    query: str
    mode: str
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    candidates: int  # passages the facet counts are taken over (bm25: every match; else the fused pool)
    # What the search could not see yet: reports not in the full-text index, passages without vectors.
    pending: dict[str, int] = field(default_factory=dict)
    # Entities the query names, each with the other spellings searched with it (`covenant.search.aliases`).
    spellings: list[Spellings] = field(default_factory=list)
    # Footnotes the query matches that a search without footnotes left out (counted with the facets).
    footnotes_matching: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "spellings": [asdict(s) for s in self.spellings],
            "candidates": self.candidates,
            "footnotes_matching": self.footnotes_matching,
            "pending": self.pending,
            "facets": self.facets,
            "hits": [h.to_dict() for h in self.hits],
        }

    def groups(self) -> dict[str, list[SearchHit]]:
        """Hits grouped by report, groups in order of their best hit."""
        out: dict[str, list[SearchHit]] = {}
        for hit in self.hits:
            out.setdefault(hit.citation.report_id, []).append(hit)
        return out


class SearchEngine:
    """Search over one library; the full-text index and vectors are brought up to date on first use."""

    def __init__(self, store: Store, db_path: Path, embedder_name: str | Sequence[str] | None = None) -> None:
        """`embedder_name` None: the library's chosen models (`covenant index --model`), else the default.

        A name, a comma-separated list or a sequence of names: the first model is the main one.
        """
        self.store = store
        self.db_path = db_path
        names = embedder_name if embedder_name else store.setting(MODEL_SETTING)
        self.model_names = split_models(names)
        self.embedder_name = self.model_names[0] if self.model_names else None
        self._fulltext: FullTextIndex | None = None
        self._vectors: dict[str, Any] = {}
        self._embedders: dict[str, Any] = {}
        self._reports: dict[str, Report] = {}
        self._codes: dict[str, dict[str, str]] = {}

    # -- indexes ---------------------------------------------------------------------------------
    @property
    def fulltext(self) -> FullTextIndex:
        if self._fulltext is None:
            self._fulltext = FullTextIndex(index_path(self.db_path))
        return self._fulltext

    @property
    def models(self) -> list[str]:
        """The library's embedding models, the main one first."""
        from covenant.search.embed import DEFAULT_MODEL

        return self.model_names or [DEFAULT_MODEL]

    def embedder(self, name: str | None = None) -> Any:
        name = name or self.models[0]
        if name not in self._embedders:
            from covenant.search.embed import load_embedder

            self._embedders[name] = load_embedder(name)
        return self._embedders[name]

    def refresh(
        self, semantic: bool = True, on_progress: Callable[[str, int, int], None] | None = None
    ) -> dict[str, int]:
        """Bring the indexes up to date with the store (incremental): returns what changed."""
        added, removed = sync_fulltext(self.store, self.fulltext)
        counts = {"indexed_reports": added, "removed_reports": removed}
        if semantic:
            counts["embedded"] = 0
            for name in self.models:
                progress = on_progress
                if on_progress is not None and len(self.models) > 1:
                    progress = _labelled(on_progress, name)
                embedder = self._embedder_factory(name)
                counts["embedded"] += self.vector_index(name).sync(self.store, embedder, progress)
        self._reports = {}
        self._codes = {}
        return counts

    @property
    def repairs(self) -> list[str]:
        """One line for each derived index found damaged and rebuilt since this engine opened it."""
        found = [self._fulltext.repaired] if self._fulltext is not None else []
        found += [index.repaired for index in self._vectors.values()]
        return [line for line in found if line]

    def pending(self, semantic: bool = True) -> dict[str, int]:
        """What a search without `refresh` cannot see yet: reports (and their passages) not in the full-text
        index, and passages of reports not yet embedded by the library's models (those only when `semantic`)."""
        counts = self.store.passage_counts()
        missing = [rid for rid in counts if rid not in self.fulltext.reports]
        out = {"reports": len(missing), "passages": sum(counts[rid] for rid in missing)}
        if semantic:
            unembedded: set[str] = set()
            for name in self.models:
                known = self.vector_index(name).reports
                unembedded.update(rid for rid in counts if rid not in known)
            out["unembedded_passages"] = sum(counts[rid] for rid in unembedded)
        return out

    def _embedder_factory(self, name: str) -> Callable[[], Any]:
        return lambda: self.embedder(name)

    def vector_index(self, name: str | None = None) -> Any:
        name = name or self.models[0]
        if name not in self._vectors:
            from covenant.search.vectors import VectorIndex

            # The model's name is known without loading it: a library already embedded loads nothing here.
            self._vectors[name] = VectorIndex(index_path(self.db_path), name)
        return self._vectors[name]

    # -- search ----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        mode: str = "hybrid",
        filters: Filters | None = None,
        limit: int = 10,
        refresh: bool = True,
        facets: bool = True,
        collapse: bool = False,
    ) -> SearchResults:
        """The best `limit` passages with citations; `facets=False` skips counting matches by facet.

        In bm25 mode the counts cover every matching passage, which at a million passages costs more
        than the ranking itself; a script that only wants the hits can leave them out.
        `collapse`: a text found in several passages (a paragraph repeated in yearly reports) is one hit,
        cited from its newest report, with the other places in `also`.
        """
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}: choose one of {', '.join(MODES)}")
        if not 1 <= limit <= 1000:
            raise QueryError("limit must be between 1 and 1000")
        filters = filters or Filters()
        if filters.footnotes and mode == "semantic":
            raise QueryError("footnotes are searched by their words, not their meaning: use bm25 or hybrid mode")
        if (filters.tags or filters.rights) and filters.passage_ids is None:
            filters = replace(filters, passage_ids=tuple(sorted(self._annotated_ids(filters))))
        if refresh:
            self.refresh(semantic=mode != "bm25")
        try:
            return self._search(query, mode, filters, limit, facets, collapse, refresh)
        except IndexDamagedError:
            # Found damaged mid-query and reset: fill it again from the store and ask once more.
            self.refresh(semantic=mode != "bm25")
            return self._search(query, mode, filters, limit, facets, collapse, refresh)

    def _search(
        self, query: str, mode: str, filters: Filters, limit: int, facets: bool, collapse: bool, refresh: bool
    ) -> SearchResults:
        if filters.passage_ids == ():  # the tags or rights asked for are on no passage (now): nothing to rank
            prepare_query(query)  # but a malformed query is still refused
            facet_names = [*FACET_FIELDS, "tag", "right"] if facets else []
            pending = {} if refresh else self.pending(semantic=mode != "bm25")
            return SearchResults(query, mode, [], {name: {} for name in facet_names}, 0, pending)
        # A name of an entity also asks BM25 for its other spellings; the meaning-based rankers get the query as typed.
        original, (query, spellings) = query, expand_query(self.store, query)
        pool = limit if mode == "bm25" else max(CANDIDATES, limit)
        if collapse:
            pool = min(MAX_POOL, max(pool, limit * COLLAPSE_POOL))
        ranked: dict[str, list[tuple[str, float]]] = {}
        if mode in ("bm25", "hybrid"):
            # Hybrid ranks its BM25 candidates again by how many of the query's words each holds.
            ranked["bm25"] = self.fulltext.search(query, pool, filters, coordinate=mode == "hybrid")
        if mode in ("semantic", "hybrid"):
            if not query.strip():
                raise QueryError("empty query: give a few words to search for")
            allowed = self._allowed_ids(filters) if not filters.is_empty() else None
            if mode == "hybrid" and has_constraints(original):
                # A phrase, AND, NOT, +term or -term is a demand on the words: the semantic ranker
                # only reorders passages that meet it, rather than adding passages that do not.
                matching = self.fulltext.matching_query_ids(query, filters)
                allowed = matching if allowed is None else allowed & matching
            for i, name in enumerate(self.models):
                vector = self.embedder(name).embed_query(plain_words(original))
                if mode == "hybrid" and ranked["bm25"]:
                    feedback = [pid for pid, _ in ranked["bm25"][:FEEDBACK_PASSAGES]]
                    vector = self._with_feedback(vector, feedback, name)
                ranked["semantic" if i == 0 else f"semantic:{name}"] = self.vector_index(name).search(
                    vector, pool, allowed
                )
        # One ranking is returned as it is; two or more (BM25 and vectors, or two models' vectors) are fused.
        fused = _fuse(ranked) if len(ranked) > 1 else ranked[mode]
        counts: dict[str, dict[str, int]] = {}
        if mode == "bm25":
            matched = len(fused)
            if facets:
                # Every matching passage counts, straight from the index's fast fields.
                matched, counts = self.fulltext.facets(query, filters)
        else:
            if facets:
                counts = self.fulltext.facets_of(pid for pid, _ in fused)
            matched = len(fused)
        if facets:
            counts["tag"] = self._tag_facet(query, filters, [pid for pid, _ in fused] if mode != "bm25" else None)
            counts["right"] = self._right_facet(query, filters, [pid for pid, _ in fused] if mode != "bm25" else None)
        also: dict[str, list[str]] = {}
        if collapse:
            passages = self._texts([pid for pid, _ in fused], filters.footnotes)
            fused, also = self._collapse(fused, passages)
        else:
            passages = self._texts([pid for pid, _ in fused[:limit]], filters.footnotes)
        hidden = 0
        if facets and mode != "semantic" and not filters.footnotes:
            hidden = self.fulltext.footnotes_matching(query, filters)
        hits: list[SearchHit] = []
        per_ranker = {name: dict(items) for name, items in ranked.items()}
        # The page's tags and notes in one query, not one per hit.
        annotated = self.store.annotations([pid for pid, _ in fused[:limit]])
        for pid, score in fused[:limit]:
            passage = passages.get(pid)
            if passage is None:
                continue
            tags, notes = annotated.get(pid, ([], []))
            hits.append(
                SearchHit(
                    rank=len(hits) + 1,
                    passage_id=pid,
                    score=round(score, 6),
                    text=passage.text,
                    highlighted=highlight(passage.text, query),
                    citation=self._citation(passage),
                    scores={k: round(v[pid], 6) for k, v in per_ranker.items() if pid in v},
                    also=[self._citation(passages[other]) for other in also.get(pid, [])],
                    tags=tags,
                    notes=notes,
                    kind=FOOTNOTE if isinstance(passage, Footnote) else PASSAGE,
                )
            )
        pending = {} if refresh else self.pending(semantic=mode != "bm25")
        return SearchResults(original, mode, hits, counts, matched, pending, spellings, hidden)

    def _texts(self, ids: list[str], footnotes: bool) -> dict[str, Passage | Footnote]:
        """The passages (and, with `footnotes`, the footnotes) these ids name."""
        found: dict[str, Passage | Footnote] = dict(self.store.passages_by_ids(ids))
        if footnotes and len(found) < len(ids):
            found.update(self.store.footnotes_by_ids([i for i in ids if i not in found]))
        return found

    def _collapse(
        self, fused: list[tuple[str, float]], passages: dict[str, Passage | Footnote]
    ) -> tuple[list[tuple[str, float]], dict[str, list[str]]]:
        """One entry per distinct text at its best rank, led by the passage of the newest report."""
        groups: dict[str, list[str]] = {}
        best: dict[str, float] = {}
        for pid, score in fused:
            passage = passages.get(pid)
            if passage is None:
                continue
            key = text_hash(passage.text)
            groups.setdefault(key, []).append(pid)
            best.setdefault(key, score)

        def newest_first(pid: str) -> tuple[str, str]:
            r = self._report(passages[pid].report_id)
            return (r.publication_date or r.period_end or r.period_start or "", pid)

        collapsed: list[tuple[str, float]] = []
        also: dict[str, list[str]] = {}
        for key, pids in groups.items():
            ordered = sorted(pids, key=newest_first, reverse=True)
            collapsed.append((ordered[0], best[key]))
            also[ordered[0]] = ordered[1:]
        return collapsed, also

    def _with_feedback(self, vector: Any, passage_ids: list[str], name: str) -> Any:
        """The query vector plus FEEDBACK_WEIGHT times the unit centroid of these passages' stored vectors."""
        import numpy as np

        texts = [p.text for p in self.store.passages_by_ids(passage_ids).values()]
        stored = self.store.embeddings(name, [text_hash(t) for t in texts])
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
        if filters.passage_ids is not None and replace(filters, tags=(), rights=(), passage_ids=None).is_empty():
            return set(filters.passage_ids)  # tags or rights alone: the store already said which passages pass
        return self.fulltext.matching_ids(filters)

    def _annotated_ids(self, filters: Filters) -> set[str]:
        """The passages the tag and right filters let through (any of the tags, and any of the rights)."""
        found: set[str] | None = None
        if filters.tags:
            found = self.store.tagged_ids(list(filters.tags))
        if filters.rights:
            labelled: set[str] = set()
            for right in filters.rights:
                scheme, code = right.split(":", 1)
                labelled |= self.store.passages_with_right(scheme, code)
            found = labelled if found is None else found & labelled
        return found or set()

    def _right_facet(self, query: str, filters: Filters, pool: list[str] | None) -> dict[str, int]:
        """Counts by ICCPR article over the candidates: the fused pool, or (bm25) every matching passage."""
        candidates = list(pool) if pool is not None else sorted(self.fulltext.matching_query_ids(query, filters))
        counts = self.store.right_counts_of(candidates, "iccpr")
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], int(kv[0]) if kv[0].isdigit() else 0)))

    def _tag_facet(self, query: str, filters: Filters, pool: list[str] | None) -> dict[str, int]:
        """Counts by tag over the candidates: the fused pool, or (`pool` None, bm25) every matching passage.

        Tags are few beside passages, so the bm25 count asks the index only which tagged passages match.
        """
        records = [t for t in self.store.tags() if not t.orphaned]
        if not records:
            return {}
        if pool is None:
            tagged = {t.passage_id for t in records}
            if filters.passage_ids is not None:
                tagged &= set(filters.passage_ids)
            candidates = self.fulltext.matching_query_ids(query, replace(filters, passage_ids=tuple(sorted(tagged))))
        else:
            candidates = set(pool)
        names = {c.tag.casefold(): c.tag for c in self.store.tag_counts()}
        counts: dict[str, int] = {}
        for record in records:
            if record.passage_id in candidates:
                name = names.get(record.tag.casefold(), record.tag)
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    def _report(self, report_id: str) -> Report:
        if report_id not in self._reports:
            self._reports[report_id] = self.store.find_report(report_id)
        return self._reports[report_id]

    def _code(self, passage: Passage) -> str | None:
        if passage.report_id not in self._codes:
            self._codes[passage.report_id] = section_codes(self.store.sections(passage.report_id))
        return self._codes[passage.report_id].get(passage.section_id or "") or None

    def _citation(self, p: Passage | Footnote) -> Citation:
        if isinstance(p, Footnote):
            return cite_footnote(self._report(p.report_id), p)
        return cite_passage(self._report(p.report_id), p, self._code(p))


_CONSTRAINT = re.compile(r'"[^"]+"|\bAND\b|\bNOT\b|(?:^|\s)[+-]\w')


def has_constraints(query: str) -> bool:
    """Whether the query states hard word constraints: a phrase, AND, NOT, +required or -excluded."""
    return bool(_CONSTRAINT.search(query))


def split_models(names: str | Sequence[str] | None) -> list[str]:
    """Model names from a setting or an option: "a,b", ["a", "b"] or None; order kept, repeats dropped."""
    if not names:
        return []
    items = names.split(",") if isinstance(names, str) else [n for part in names for n in part.split(",")]
    return list(dict.fromkeys(n.strip() for n in items if n.strip()))


def _labelled(on_progress: Callable[[str, int, int], None], name: str) -> Callable[[str, int, int], None]:
    """Progress reports that say which model is embedding."""
    return lambda stage, done, total: on_progress(f"{stage} ({name})", done, total)


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

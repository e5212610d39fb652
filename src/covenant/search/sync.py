"""Keep the search index equal to the store: index what was added or replaced, drop what was removed."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path

from covenant.citation import section_codes
from covenant.model import Footnote, Passage, Report, Section
from covenant.search.fulltext import FOOTNOTE, FullTextIndex, IndexedPassage
from covenant.store.base import Store


def index_path(db_path: Path) -> Path:
    """The full-text index lives in a folder beside the library database: covenant.db -> covenant.db.index/."""
    return db_path.with_name(db_path.name + ".index")


def _year(value: str | None) -> int:
    return int(value[:4]) if value and value[:4].isdigit() else 0


def indexed_passages(
    report: Report, sections: list[Section], passages: list[Passage], footnotes: list[Footnote] | None = None
) -> list[IndexedPassage]:
    """What the index holds of one report: its passages, then its footnotes. A footnote takes the section and
    country of the passage its marker stands in (the report's country when it has no marker)."""
    codes = section_codes(sections)
    year = _year(report.publication_date) or _year(report.period_end) or _year(report.period_start)
    indexed = [
        IndexedPassage(
            passage_id=p.id,
            report_id=report.id,
            text=p.text,
            section=" / ".join(p.section_path),
            country=p.country or "",
            source_org=report.source_org or "",
            doc_type=report.doc_type or "",
            section_code=codes.get(p.section_id or "", ""),
            year=year,
            period_start=_year(report.period_start),
            period_end=_year(report.period_end) or _year(report.period_start),
        )
        for p in passages
    ]
    starts = [p.start for p in passages]
    for note in footnotes or []:
        i = bisect_right(starts, note.marker_offset) - 1 if note.marker_offset is not None else -1
        holder = indexed[i] if i >= 0 else None
        indexed.append(
            IndexedPassage(
                passage_id=note.id,
                report_id=report.id,
                text=note.text,
                section=holder.section if holder else "",
                country=holder.country if holder else report.country or "",
                source_org=report.source_org or "",
                doc_type=report.doc_type or "",
                section_code=holder.section_code if holder else "",
                year=year,
                period_start=_year(report.period_start),
                period_end=_year(report.period_end) or _year(report.period_start),
                kind=FOOTNOTE,
            )
        )
    return indexed


def sync_fulltext(
    store: Store, index: FullTextIndex, on_report: Callable[[Report], None] | None = None
) -> tuple[int, int]:
    """Index reports missing from the index, remove reports no longer stored; return (added, removed)."""
    # A read that later finds the index damaged resets it and calls this to fill it again before answering.
    index.refill = lambda: sync_fulltext(store, index, on_report)
    reports = {r.id: r for r in store.reports()}
    missing = [rid for rid in reports if rid not in index.reports]
    stale = index.reports - set(reports)
    batch: dict[str, list[IndexedPassage]] = {}
    size = 0
    for rid in missing:
        report = reports[rid]
        batch[rid] = indexed_passages(report, store.sections(rid), store.passages(rid), store.footnotes(rid))
        size += len(batch[rid])
        if on_report is not None:
            on_report(report)
        if size >= 50_000:
            index.update(batch, stale)
            stale, batch, size = set(), {}, 0
    index.update(batch, stale)
    return len(missing), len(stale)

"""Keep the search index equal to the store: index what was added or replaced, drop what was removed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from covenant.citation import section_codes
from covenant.model import Passage, Report, Section
from covenant.search.fulltext import FullTextIndex, IndexedPassage
from covenant.store.base import Store


def index_path(db_path: Path) -> Path:
    """The full-text index lives in a folder beside the library database: covenant.db -> covenant.db.index/."""
    return db_path.with_name(db_path.name + ".index")


def _year(value: str | None) -> int:
    return int(value[:4]) if value and value[:4].isdigit() else 0


def indexed_passages(report: Report, sections: list[Section], passages: list[Passage]) -> list[IndexedPassage]:
    codes = section_codes(sections)
    year = _year(report.publication_date) or _year(report.period_end) or _year(report.period_start)
    return [
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
        batch[rid] = indexed_passages(report, store.sections(rid), store.passages(rid))
        size += len(batch[rid])
        if on_report is not None:
            on_report(report)
        if size >= 50_000:
            index.update(batch, stale)
            stale, batch, size = set(), {}, 0
    index.update(batch, stale)
    return len(missing), len(stale)

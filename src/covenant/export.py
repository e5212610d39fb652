"""Write the library as JSON Lines: reports, sections, passages, footnotes, tags, notes, labels,
recommendations, entities and their mentions, events (docs/export.md)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from covenant.citation import cite, cite_footnote, cite_passage, section_codes
from covenant.errors import CovenantError
from covenant.model import Report
from covenant.store.base import Store

FILES = (
    "reports",
    "sections",
    "passages",
    "footnotes",
    "tags",
    "notes",
    "labels",
    "label_corrections",
    "recommendations",
    "entities",
    "mentions",
    "events",
)


def export_library(
    store: Store, out_dir: Path, report_ids: list[str] | None = None, *, force: bool = False
) -> dict[str, int]:
    """Write reports.jsonl, sections.jsonl, passages.jsonl, footnotes.jsonl, tags.jsonl and notes.jsonl;
    return the record counts.

    Each file is written beside its final name and renamed into place only when all are complete, so a
    failure (a full disk) leaves the folder as it was. A folder that already holds files is refused unless
    `force` (then these files are replaced; other files are left alone). Tags and notes of passages no longer
    in the library (orphaned) are written with the whole library, not with a choice of reports.
    """
    _prepare(out_dir, force)
    reports = [r for r in store.reports() if report_ids is None or r.id in report_ids]
    counts = dict.fromkeys(FILES, 0)
    temps = {name: out_dir / f".{name}.jsonl.partial" for name in FILES}
    try:
        handles = {name: temps[name].open("w", encoding="utf-8") for name in FILES}
        try:
            for report in reports:
                _write(handles["reports"], report.to_dict())
                counts["reports"] += 1
                extra = {"report_file": report.file_name}
                sections = store.sections(report.id)
                for record in sections:
                    _write(handles["sections"], {**extra, **record.to_dict()})
                    counts["sections"] += 1
                codes = section_codes(sections)
                for passage in store.passages(report.id):
                    citation = cite_passage(report, passage, codes.get(passage.section_id or "") or None)
                    cited = {"formatted": citation.formatted(), "formatted_coi": citation.formatted("coi")}
                    _write(handles["passages"], {**extra, **passage.to_dict(), **cited})
                    counts["passages"] += 1
                for note in store.footnotes(report.id):
                    _write(handles["footnotes"], {**extra, **note.to_dict()})
                    counts["footnotes"] += 1
                counts["labels"] += _write_labels(handles["labels"], store, report.id, extra)
                counts["recommendations"] += _write_recommendations(handles["recommendations"], store, report, extra)
                counts["mentions"] += _write_mentions(handles["mentions"], store, report, extra)
                counts["events"] += _write_events(handles["events"], store, report, extra)
            files = {r.id: r.file_name for r in reports}
            for tag in store.tags():
                if report_ids is None or tag.report_id in files:
                    _write(handles["tags"], {"report_file": files.get(tag.report_id), **tag.to_dict()})
                    counts["tags"] += 1
            for annotation in store.notes():
                if report_ids is None or annotation.report_id in files:
                    _write(handles["notes"], {"report_file": files.get(annotation.report_id), **annotation.to_dict()})
                    counts["notes"] += 1
            counts["entities"] = _write_entities(handles["entities"], store, report_ids)
            counts["label_corrections"] = _write_corrections(handles["label_corrections"], store, files, report_ids)
            for handle in handles.values():
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            for handle in handles.values():
                handle.close()
        for name in FILES:
            os.replace(temps[name], out_dir / f"{name}.jsonl")
    except OSError as exc:
        raise CovenantError(
            f"{out_dir}: the export could not be written ({exc.strerror or exc}); no earlier file there was changed"
        ) from exc
    finally:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
    return counts


def _prepare(out_dir: Path, force: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise CovenantError(f"{out_dir}: exists and is not a folder; give a folder for the export")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CovenantError(f"{out_dir}: cannot create the export folder ({exc.strerror or exc})") from exc
    if not force and any(not p.name.startswith(".") for p in out_dir.iterdir()):
        raise CovenantError(f"{out_dir}: the folder is not empty; choose an empty one, or add --force to replace")
    if not os.access(out_dir, os.W_OK):
        raise CovenantError(f"{out_dir}: cannot write into this folder (permission denied)")


def _write_labels(handle: Any, store: Store, report_id: str, extra: dict[str, Any]) -> int:
    """The report's rights labels in effect (a user's corrections applied), passage by passage."""
    from covenant.rights.component import apply_corrections

    labels = store.report_right_labels(report_id)
    corrections = store.right_corrections([p.id for p in store.passages(report_id)])
    written = 0
    for passage_labels in apply_corrections(labels, corrections).values():
        for label in passage_labels:
            record = label.to_dict()
            record.pop("assigned", None)
            _write(handle, {**extra, **record})
            written += 1
    return written


def _write_mentions(handle: Any, store: Store, report: Report, extra: dict[str, Any]) -> int:
    """The report's entity mentions with their entity, clean offsets and their passage's citation, then its mentions
    in footnotes (`"footnote": true`) with the footnote's."""
    mentions = store.entity_mentions(report_id=report.id, footnotes=True)
    if not mentions:
        return 0
    passages = store.passages_by_ids(sorted({m.passage_id for m in mentions if not m.footnote}))
    codes = section_codes(store.sections(report.id))
    cited: dict[str, str] = {}
    if any(m.footnote for m in mentions):
        cited = {f.id: cite_footnote(report, f).formatted() for f in store.footnotes(report.id)}
    for m in mentions:
        if m.passage_id not in cited:
            passage = passages[m.passage_id]
            cited[m.passage_id] = cite_passage(report, passage, codes.get(passage.section_id or "") or None).formatted()
        _write(handle, {**extra, **m.to_dict(), "citation": {"formatted": cited[m.passage_id]}})
    return len(mentions)


def _write_events(handle: Any, store: Store, report: Report, extra: dict[str, Any]) -> int:
    """The report's events (FORMAT's fields, passage, clean offsets, event group) with the citation of the quote."""
    events = store.events(report_id=report.id)
    if not events:
        return 0
    text, runs = store.clean_text(report.id), store.offset_map(report.id)
    sections, passages = store.sections(report.id), store.passages(report.id)
    for event in events:
        citation = cite(report, text, runs, sections, event.start, event.end, passages)
        where = {k: getattr(citation, k) for k in ("line_start", "line_end", "page_start", "page_end", "section_code")}
        record = {**where, "formatted": citation.formatted(), "formatted_coi": citation.formatted("coi")}
        _write(handle, {**extra, **event.to_dict(), "citation": record})
    return len(events)


def _write_entities(handle: Any, store: Store, report_ids: list[str] | None) -> int:
    """The library's entities (with a choice of reports: those they name, counted in those reports only)."""
    written = 0
    for entity in store.entities():
        if report_ids is not None:
            entity.reports = {r: n for r, n in entity.reports.items() if r in report_ids}
            if not entity.reports:
                continue
            entity.mentions = sum(entity.reports.values())
        _write(handle, entity.to_dict())
        written += 1
    return written


def _write_recommendations(handle: Any, store: Store, report: Report, extra: dict[str, Any]) -> int:
    """The report's recommendations: FORMAT's fields and the store's, ICCPR articles from the labels in effect,
    the citation of the ask's words and its follow-up links."""
    from covenant.citation import cite
    from covenant.rights.component import apply_corrections

    recs = store.recommendations(report.id)
    if not recs:
        return 0
    passages = store.passages(report.id)
    ids = [p.id for p in passages]
    rights = apply_corrections(store.right_labels(ids), store.right_corrections(ids))
    links: dict[str, list[dict[str, Any]]] = {}
    for link in store.recommendation_links([r.id for r in recs]):
        record = link.to_dict()
        record.pop("recommendation_id")
        links.setdefault(link.recommendation_id, []).append(record)
    text, runs, sections = store.clean_text(report.id), store.offset_map(report.id), store.sections(report.id)
    for rec in recs:
        rec.iccpr = sorted(int(lab.code) for lab in rights.get(rec.passage_id or "", []) if lab.scheme == "iccpr")
        citation = cite(report, text, runs, sections, rec.start, rec.end, passages)
        cited = {"formatted": citation.formatted(), "formatted_coi": citation.formatted("coi")}
        _write(handle, {**extra, **rec.to_dict(), "citation": cited, "follow_up": links.get(rec.id, [])})
    return len(recs)


def _write_corrections(handle: Any, store: Store, files: dict[str, str], report_ids: list[str] | None) -> int:
    """A user's corrections with the passage text: training data for the next rights model."""
    corrections = store.right_corrections()
    passages = store.passages_by_ids(sorted({c.passage_id for c in corrections}))
    written = 0
    for correction in corrections:
        passage = passages.get(correction.passage_id)
        report_id = passage.report_id if passage else correction.passage_id.split(":")[0]
        if report_ids is not None and report_id not in files:
            continue
        _write(
            handle,
            {"report_file": files.get(report_id), **correction.to_dict(), "text": passage.text if passage else None},
        )
        written += 1
    return written


def _write(handle: Any, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")

"""Write the library as JSON Lines: reports, sections, passages and footnotes (fields documented in docs/export.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from covenant.store.base import Store


def export_library(store: Store, out_dir: Path, report_ids: list[str] | None = None) -> dict[str, int]:
    """Write reports.jsonl, sections.jsonl, passages.jsonl and footnotes.jsonl; return the record counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = [r for r in store.reports() if report_ids is None or r.id in report_ids]
    counts = {"reports": 0, "sections": 0, "passages": 0, "footnotes": 0}
    with (
        (out_dir / "reports.jsonl").open("w", encoding="utf-8") as f_reports,
        (out_dir / "sections.jsonl").open("w", encoding="utf-8") as f_sections,
        (out_dir / "passages.jsonl").open("w", encoding="utf-8") as f_passages,
        (out_dir / "footnotes.jsonl").open("w", encoding="utf-8") as f_notes,
    ):
        for report in reports:
            _write(f_reports, report.to_dict())
            counts["reports"] += 1
            for section in store.sections(report.id):
                _write(f_sections, {"report_file": report.file_name, **section.to_dict()})
                counts["sections"] += 1
            for passage in store.passages(report.id):
                _write(f_passages, {"report_file": report.file_name, **passage.to_dict()})
                counts["passages"] += 1
            for note in store.footnotes(report.id):
                _write(f_notes, {"report_file": report.file_name, **note.to_dict()})
                counts["footnotes"] += 1
    return counts


def _write(handle: Any, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False) + "\n")

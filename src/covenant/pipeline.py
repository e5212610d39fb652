"""One file -> one Document: read, clean, structure, segment, detect metadata. No storage here."""

from __future__ import annotations

import hashlib
import re
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from covenant.clean import clean
from covenant.errors import BadInputError
from covenant.ingest import read_report, read_report_bytes
from covenant.ingest.ocr import passage_confidences
from covenant.model import DOC_TYPES, OVERRIDABLE, Document, Footnote, Passage, Report, Section
from covenant.publishers import STATE_DEPARTMENT
from covenant.structure.metadata import country_entries, detect_metadata
from covenant.structure.outline import build_outline
from covenant.structure.segment import cite_span, printed_pages, segment

_DATES = ("accessed",)
_ISO_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")
_WEB_ADDRESS = re.compile(r"https?://\S+$", re.IGNORECASE)


def report_id_for(data: bytes) -> tuple[str, str]:
    """Content-hash id: the same bytes always make the same report id."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def build_document(path: Path, overrides: dict[str, str | None] | None = None) -> Document:
    data = read_report_bytes(path)  # read once: hashed here, then handed to the reader
    report_id, digest = report_id_for(data)
    raw = read_report(path, data)
    cleaned = clean(raw)
    if not cleaned.blocks:
        raise BadInputError(str(path), "no report text left after removing page furniture and site chrome")
    outline = build_outline(cleaned, report_id)
    printed, printed_method = printed_pages(cleaned.furniture, raw.pages, raw.page_labels)
    passages = segment(cleaned, outline, report_id, path.name, printed)
    if not passages:
        raise BadInputError(str(path), "no paragraphs of text found (only headings or furniture)")
    detected = detect_metadata(cleaned.text[: cleaned.body_end], outline.sections, cleaned.furniture, raw.hints)
    language = _declared_language(raw.hints) or detect_language(cleaned.text[: cleaned.body_end])
    report = Report(
        id=report_id,
        file_name=path.name,
        path=str(path),
        sha256=digest,
        format=raw.format,
        size_bytes=len(data),
        encoding=raw.encoding,
        pages=raw.pages,
        language=language,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        printed_pages=printed,
    )
    for key, value in detected.values.items():
        if key in OVERRIDABLE:
            setattr(report, key, value)
    report.metadata_method = dict(detected.method)
    if language:
        report.metadata_method["language"] = "html:lang" if _declared_language(raw.hints) else "py3langid"
    if printed_method:
        report.metadata_method["printed_pages"] = printed_method
    if "ocr" in raw.hints:  # pages read by OCR: which, in what language, how sure Tesseract was
        report.metadata_method["text"] = raw.hints["ocr"]
    # The file is the copy the user read: it was accessed when it was ingested, unless the user says when.
    report.accessed = (report.ingested_at or "")[:10] or None
    report.metadata_method["accessed"] = "ingest-date"
    apply_overrides(report, overrides or {}, str(path))
    assign_countries(passages, report, cleaned.text, outline.sections)
    for p in passages:
        p.language = report.language
    passage_confidences(raw, passages)  # passages read by OCR: Tesseract's mean confidence for their words
    starts = [r.clean_start for r in cleaned.runs]
    footnotes = []
    for n, note in enumerate(cleaned.footnotes, 1):
        cite = cite_span(cleaned.runs, starts, report_id, path.name, note.start, note.end)
        footnotes.append(
            Footnote(
                id=f"{report_id}:n{n:04d}",
                report_id=report_id,
                number=note.number,
                text=cleaned.text[note.start : note.end],
                marker_offset=note.marker_offset,
                start=note.start,
                end=note.end,
                line_start=cite.line_start,
                line_end=cite.line_end,
                page=note.page,
            )
        )
    return Document(
        report=report,
        clean_text=cleaned.text,
        sections=outline.sections,
        passages=passages,
        footnotes=footnotes,
        offset_map=cleaned.runs,
        furniture=cleaned.furniture,
    )


def assign_countries(passages: list[Passage], report: Report, text: str, sections: list[Section]) -> None:
    """Each passage's country: the report's, except in a document of several countries' entries (an extract of
    Amnesty's annual report carries the end of the previous country's entry and the start of the next), where
    each passage takes the country of the entry it stands in, and text before the first entry has none."""
    entries = [] if report.source_org == STATE_DEPARTMENT.name else country_entries(text, sections)
    if len(entries) < 2:
        for p in passages:
            p.country = report.country
        return
    for p in passages:
        entry = next((e for e in entries if e.start <= p.start < e.end), None)
        p.country = entry.country if entry is not None else None


def apply_overrides(report: Report, overrides: dict[str, str | None], path: str) -> None:
    names = {f.name for f in fields(Report)}
    for key, value in overrides.items():
        if key not in OVERRIDABLE or key not in names:
            raise BadInputError(path, f"unknown metadata field {key!r} (allowed: {', '.join(OVERRIDABLE)})")
        if key == "doc_type" and value is not None and value not in DOC_TYPES:
            raise BadInputError(path, f"doc_type must be one of {', '.join(DOC_TYPES)}, not {value!r}")
        if key in _DATES and value is not None and not _ISO_DATE.fullmatch(value):
            raise BadInputError(path, f"{key} must be an ISO date (2024, 2024-03 or 2024-03-15), not {value!r}")
        if key == "url" and value is not None and not _WEB_ADDRESS.match(value):
            raise BadInputError(path, f"url must be a web address starting with http:// or https://, not {value!r}")
        setattr(report, key, value)
        report.metadata_method[key] = "user"


def _declared_language(hints: dict[str, str]) -> str | None:
    """The language a web page declares (<html lang="en-US">), as an ISO 639-1 code."""
    lang = hints.get("lang", "").split("-")[0].lower()
    return lang if len(lang) == 2 and lang.isalpha() else None


def detect_language(text: str) -> str | None:
    sample = text[:3000]  # a few paragraphs tell the language; the whole text costs 10x more
    if len(sample.strip()) < 20:
        return None
    import py3langid

    lang, _score = py3langid.classify(sample)
    return str(lang)

"""The one data model shared by the store, the CLI, the JSON exports and every analysis stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any

DOC_TYPES = (
    "annual_country_report",
    "world_report_chapter",
    "letter",
    "shadow_report",
    "thematic_report",
    "other",
)


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One unit of the original as a reader sees it: a physical line (text, PDF) or a block (HTML, PDF layout).

    `start` is the character offset of `text` in the decoded original when `text` is an exact
    substring of it (text and PDF line readers), else -1 (blocks, whose text is rebuilt).

    `joint` is None when the unit starts a block. Otherwise the unit goes on with the block of the unit
    before it, joined by `joint` ("" after a word broken by a hyphen, else " "): a paragraph that runs over
    a page or column break comes as one unit per page or column, each with its own lines and page, and
    what stands between them in the original was set aside by the reader (running headers and footers,
    footnotes).
    """

    text: str
    start: int
    line_start: int
    line_end: int
    page: int | None = None
    tag: str | None = None  # reader's hint: h1..h6, p, li, title, ...
    joint: str | None = None


@dataclass(frozen=True, slots=True)
class MapRun:
    """A run of clean text and where it came from in the original.

    Clean characters [clean_start, clean_end) come from original characters starting at
    `orig_start` one-for-one when `orig_start >= 0` (a space may stand for any whitespace character,
    such as a no-break space); otherwise only the line range (and page)
    is known, as for HTML blocks and for spaces inserted where two lines were joined.
    """

    clean_start: int
    clean_end: int
    orig_start: int
    line_start: int
    line_end: int
    page: int | None = None


@dataclass(slots=True)
class Citation:
    """Where a span of clean text stands in the original file, and what a brief needs to cite it.

    Every derived fact (passage, search hit, label, entity, event, recommendation) carries one, made by
    `covenant.citation.cite` or `cite_passage`: the report, clean offsets, original lines (and pages), the
    section, the exact quote, and the report's bibliographic fields for the formatted reference.
    """

    report_id: str
    file_name: str
    start: int
    end: int
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    title: str | None = None
    source_org: str | None = None
    publication_date: str | None = None
    section_path: list[str] = field(default_factory=list)
    section_code: str | None = None
    quote: str = ""

    def formatted(self) -> str:
        """One line a brief can quote: source, title, date, section, place in the file."""
        if self.page_start is not None:
            same = self.page_start == self.page_end or self.page_end is None
            where = f"p. {self.page_start}" if same else f"pp. {self.page_start}-{self.page_end}"
        elif self.line_start == self.line_end:
            where = f"line {self.line_start}"
        else:
            where = f"lines {self.line_start}-{self.line_end}"
        parts = [self.source_org, self.title, self.publication_date and f"published {self.publication_date}"]
        section = (
            f"§ {self.section_code}" if self.section_code else (self.section_path[-1] if self.section_path else None)
        )
        head = ", ".join(p for p in parts if p)
        tail = ", ".join(p for p in (section, f"{where} of {self.file_name}") if p)
        return f"{head}; {tail}" if head else tail

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "formatted": self.formatted()}


@dataclass(slots=True)
class Report:
    id: str
    file_name: str
    path: str
    sha256: str
    format: str  # text | html | pdf
    size_bytes: int
    encoding: str | None
    title: str | None = None
    source_org: str | None = None
    doc_type: str | None = None
    country: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    publication_date: str | None = None
    language: str | None = None
    pages: int | None = None
    ingested_at: str | None = None
    metadata_method: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Section:
    id: str
    report_id: str
    ordinal: int
    level: int
    title: str
    code: str | None
    parent_id: str | None
    start: int  # clean offset of the heading
    end: int  # clean offset where the section (with its subsections) ends
    line_start: int
    line_end: int
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Passage:
    id: str
    report_id: str
    ordinal: int
    section_id: str | None
    section_path: list[str]
    text: str
    start: int
    end: int
    line_start: int
    line_end: int
    page_start: int | None = None
    page_end: int | None = None
    kind: str = "paragraph"  # paragraph | list_item
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Footnote:
    id: str
    report_id: str
    number: str
    text: str
    marker_offset: int | None  # clean offset where the marker stood (the marker is not in clean text)
    start: int  # offsets of the footnote text inside the clean notes area
    end: int
    line_start: int
    line_end: int
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Furniture:
    """Text removed from the body (boilerplate, page numbers, contents lines), kept for audit."""

    reason: str
    text: str
    line_start: int
    line_end: int
    page: int | None = None


@dataclass(slots=True)
class Document:
    """Everything ingest makes of one file, ready to store."""

    report: Report
    clean_text: str
    sections: list[Section]
    passages: list[Passage]
    footnotes: list[Footnote]
    offset_map: list[MapRun]
    furniture: list[Furniture]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Documents travel from worker processes to the one that stores them. Pickled as plain tuples they
        # cost half as much to send and rebuild as tens of thousands of slotted objects pickled one by one.
        return (
            _document_from_rows,
            (
                self.report,
                self.clean_text,
                [_section_row(s) for s in self.sections],
                [_passage_row(p) for p in self.passages],
                [_footnote_row(n) for n in self.footnotes],
                [_run_row(r) for r in self.offset_map],
                [_furniture_row(f) for f in self.furniture],
            ),
        )


def _row_getter(cls: type) -> Any:
    return attrgetter(*(f.name for f in fields(cls)))


_section_row = _row_getter(Section)
_passage_row = _row_getter(Passage)
_footnote_row = _row_getter(Footnote)
_run_row = _row_getter(MapRun)
_furniture_row = _row_getter(Furniture)


def _document_from_rows(
    report: Report,
    clean_text: str,
    sections: list[tuple[Any, ...]],
    passages: list[tuple[Any, ...]],
    footnotes: list[tuple[Any, ...]],
    runs: list[tuple[Any, ...]],
    furniture: list[tuple[Any, ...]],
) -> Document:
    return Document(
        report=report,
        clean_text=clean_text,
        sections=[Section(*row) for row in sections],
        passages=[Passage(*row) for row in passages],
        footnotes=[Footnote(*row) for row in footnotes],
        offset_map=[MapRun(*row) for row in runs],
        furniture=[Furniture(*row) for row in furniture],
    )


@dataclass(slots=True)
class IngestEvent:
    """One line of the ingest log."""

    path: str
    status: str  # added | unchanged | replaced | skipped
    reason: str | None = None
    report_id: str | None = None
    at: str | None = None
    passages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

"""What every reader returns: the decoded original and its lines (or blocks) with their places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from covenant.model import Furniture, SourceLine

if TYPE_CHECKING:
    from covenant.ingest.ocr import OcrPage


@dataclass(frozen=True, slots=True)
class RawFootnote:
    """A footnote a reader found beside the body (PDF: small type at the page foot), not in `lines`.

    `marker` is where its marker stood in the body: (index into `lines`, offset in that unit's text); the
    reader took the marker out of the text. None when no marker was found (or for the rest of a note that
    runs on to the next page, which is a note of its own with the same number).
    """

    number: str
    text: str
    line_start: int
    line_end: int
    page: int | None
    marker: tuple[int, int] | None = None


@dataclass(slots=True)
class RawDocument:
    path: str
    format: str  # text | html | pdf | docx | odt | rtf | doc | image
    encoding: str | None
    original: str  # the decoded original (HTML source, or PDF pages joined by form feeds)
    lines: list[SourceLine]
    pages: int | None = None
    # HTML blocks are already paragraphs and headings; text and PDF lines still need joining.
    blocks_are_paragraphs: bool = False
    # Facts the reader found in the file's own metadata (HTML <title>, PDF info), by field name.
    hints: dict[str, str] = field(default_factory=dict)
    # What a reader that sees the layout set aside from the body: running headers and footers, page numbers,
    # contents lines (furniture) and footnotes. Their lines are left out when a passage's quote is checked.
    furniture: list[Furniture] = field(default_factory=list)
    footnotes: list[RawFootnote] = field(default_factory=list)
    # The PDF's own page labels, one per page ("" where a page has none); empty for other formats.
    page_labels: list[str] = field(default_factory=list)
    # Pages read by OCR (page number -> what Tesseract found and how sure it was); empty when none was.
    ocr_pages: dict[int, OcrPage] = field(default_factory=dict)

"""What every reader returns: the decoded original and its lines (or blocks) with their places."""

from __future__ import annotations

from dataclasses import dataclass, field

from covenant.model import Furniture, SourceLine


@dataclass(slots=True)
class RawDocument:
    path: str
    format: str  # text | html | pdf
    encoding: str | None
    original: str  # the decoded original (HTML source, or PDF pages joined by form feeds)
    lines: list[SourceLine]
    pages: int | None = None
    # HTML blocks are already paragraphs and headings; text and PDF lines still need joining.
    blocks_are_paragraphs: bool = False
    # Facts the reader found in the file's own metadata (HTML <title>, PDF info), by field name.
    hints: dict[str, str] = field(default_factory=dict)
    # Lines the reader itself set aside (a PDF's running headers, footers and page numbers), kept for audit
    # and for metadata: "Amnesty International Report 2011" may stand nowhere but in a page footer.
    furniture: list[Furniture] = field(default_factory=list)

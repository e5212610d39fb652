"""Readers: bytes of a report file -> decoded original text and its lines or blocks."""

from __future__ import annotations

from pathlib import Path

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument
from covenant.ingest.sniff import sniff_format

MAX_FILE_BYTES = 200 * 1024 * 1024

__all__ = ["MAX_FILE_BYTES", "RawDocument", "read_report"]


def read_report(path: Path) -> RawDocument:
    """Read one file as a report, choosing the reader by content (never by extension alone)."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInputError(name, f"cannot be read ({exc.strerror})") from exc
    if size == 0:
        raise BadInputError(name, "empty file")
    if size > MAX_FILE_BYTES:
        raise BadInputError(name, f"too large ({size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)")
    data = path.read_bytes()
    fmt = sniff_format(data)
    if fmt == "pdf":
        from covenant.ingest.pdf import read_pdf

        # The line reader checks the file (encryption, text layer, breakage) with named errors; the layout
        # reader then gives paragraphs from positions and fonts, and the line text stays the fallback.
        lines = read_pdf(name, data)
        from covenant.ingest.pdf_layout import read_pdf_layout

        try:
            layout = read_pdf_layout(name, data)
        except BadInputError:
            return lines
        return layout if layout.lines else lines
    from covenant.ingest.text import decode_text

    text, encoding = decode_text(name, data)
    if fmt == "html" or (fmt == "unknown" and _looks_like_html(text)):
        from covenant.ingest.html import read_html

        return read_html(name, text, encoding)
    from covenant.ingest.text import read_text

    return read_text(name, text, encoding)


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head

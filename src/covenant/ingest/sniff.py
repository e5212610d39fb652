"""Tell a file's real format from its first bytes, so a mislabelled extension does not matter."""

from __future__ import annotations

import re

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


# Office and other formats recognised by their signatures, to be named rather than misread as binary text.
_UNSUPPORTED = (
    (b"PK\x03\x04", b"word/", "a Word document (.docx)"),
    (b"PK\x03\x04", b"mimetypeapplication/vnd.oasis.opendocument.text", "an OpenDocument text (.odt)"),
    (b"PK\x03\x04", b"xl/", "an Excel workbook (.xlsx)"),
    (b"PK\x03\x04", b"ppt/", "a PowerPoint presentation (.pptx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", "a Word 97-2003 or other Office document (.doc)"),
    (b"{\\rtf", b"", "a Rich Text document (.rtf)"),
    (b"PK\x03\x04", b"", "a ZIP archive"),
)


def unsupported_format(data: bytes) -> str | None:
    """What a file is when it is a known format Covenant does not read yet ("a Word document (.docx)")."""
    head = data[:4096]
    for signature, inside, what in _UNSUPPORTED:
        if head.startswith(signature) and (not inside or inside in data[:65536]):
            return what
    return None


def sniff_format(data: bytes) -> str:
    """Return 'pdf', 'html', or 'unknown' (decode and look again)."""
    head = data[:1024]
    if _is_pdf(data, head):
        return "pdf"
    probe = head
    for bom in _BOMS:
        if probe.startswith(bom):
            return "unknown"
    lowered = probe.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512]:
        return "html"
    return "unknown"


def _is_pdf(data: bytes, head: bytes) -> bool:
    """A PDF header first, or after bytes a mail or download tool put before it (pdfium looks 1 KB in).

    A header in the middle of prose is a text that mentions one ("files began with %PDF-1.7"), unless the
    file also ends as a PDF does.
    """
    found = _PDF_HEADER.search(head)
    if found is None:
        return False
    before = head[: found.start()]
    return not before.strip() or _CONTROL_BYTES.search(before) is not None or b"%%EOF" in data[-2048:]

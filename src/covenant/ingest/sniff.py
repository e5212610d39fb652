"""Tell a file's real format from its first bytes, so a mislabelled extension does not matter."""

from __future__ import annotations

import re

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


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

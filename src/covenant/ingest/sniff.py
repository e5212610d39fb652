"""Tell a file's real format from its first bytes, so a mislabelled extension does not matter."""

from __future__ import annotations

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def sniff_format(data: bytes) -> str:
    """Return 'pdf', 'html', or 'unknown' (decode and look again)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    probe = head
    for bom in _BOMS:
        if probe.startswith(bom):
            return "unknown"
    lowered = probe.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512]:
        return "html"
    return "unknown"

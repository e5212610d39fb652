"""The citation invariant, checked the same way for every reader (used by several test modules)."""

from __future__ import annotations

import html
import re

from covenant.model import Document

_SQUEEZE = re.compile(r"[\s\-\u00ad\u2010\u2011]|\d+/?")
_TAG = re.compile(r"<[^>]*>")


def squeeze(text: str) -> str:
    """Normalise for whitespace, hyphenation and footnote markers: drop spaces, hyphens, digits ("12/" whole)."""
    return _SQUEEZE.sub("", text)


def original_lines(doc: Document, original: str) -> list[str]:
    return original.split("\n")


def check_citations(doc: Document, original: str, markup: bool = False) -> None:
    """Every passage: clean[start:end] == text, and its text is found within its cited original lines.

    Lines that ingest moved out of the body (footnote blocks, page furniture) are left out of the
    cited range before the comparison, as the invariant allows.
    """
    lines = original.split("\n")
    removed: set[int] = set()
    for note in doc.footnotes:
        removed.update(range(note.line_start, note.line_end + 1))
    for item in doc.furniture:
        removed.update(range(item.line_start, item.line_end + 1))
    for p in doc.passages:
        assert doc.clean_text[p.start : p.end] == p.text, p.id
        assert 1 <= p.line_start <= p.line_end <= len(lines), (p.id, p.line_start, p.line_end)
        kept = [lines[n - 1] for n in range(p.line_start, p.line_end + 1) if n not in removed or markup]
        source = "\n".join(kept)
        if markup:
            source = html.unescape(_TAG.sub(" ", source))
        assert squeeze(p.text) in squeeze(source), (p.id, p.line_start, p.line_end, p.text[:120])


def check_exact_map(doc: Document, original: str) -> None:
    """Where the offset map claims a one-for-one run, clean and original characters are equal
    (a space in clean text may stand for any whitespace character of the original)."""
    for run in doc.offset_map:
        if run.orig_start < 0:
            continue
        clean = doc.clean_text[run.clean_start : run.clean_end]
        source = original[run.orig_start : run.orig_start + len(clean)]
        same = all(c == o or (c == " " and o.isspace()) for c, o in zip(clean, source, strict=True))
        assert same, (run, clean[:60], source[:60])

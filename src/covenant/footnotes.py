"""Find footnote blocks spliced into the body and the markers glued to words and numbers that point at them.

Hand-written because no maintained library recovers footnotes from text already extracted from a PDF:
the running footnote sequence (1, 2, 3 ...) is what tells "citizens20." (note 20) from a real number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from covenant.model import SourceLine

_OPENER = re.compile(r"^(\d{1,3})\s+(?=\S)")
_SEPARATOR = re.compile(r"^[ \t_\u2014\u2013-]{10,}$")
_NUMBERED_PARAGRAPH = re.compile(r"^\s*\d{1,3}\.\s+[A-ZА-Я]")
# Words that take a number right after a full stop ("No.2", "Art.5"): a digit there is not a marker.
_NUMBER_WORDS = re.compile(r"\b(?:No|no|Nos|Art|art|para|p|pp|Vol|vol|Ch|ch|Sec|sec)\.$")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(slots=True)
class Marker:
    line: int  # index into the document's lines
    col: int  # position of the marker digits in that line's text
    length: int


@dataclass(slots=True)
class FootnoteBlock:
    number: int
    lines: list[int] = field(default_factory=list)
    marker: Marker | None = None


def find_footnotes(lines: list[SourceLine], skip: set[int]) -> list[FootnoteBlock]:
    """Footnote blocks in document order, each with the lines it spans and its marker in the body."""
    notes: list[FootnoteBlock] = []
    current: FootnoteBlock | None = None
    search_from = (0, 0)  # (line, col) after the last marker found
    block_indent = False
    after_separator = False
    note_lines: set[int] = set()
    for i, ln in enumerate(lines):
        if i in skip:
            if current is not None and ln.text.strip():
                current = None  # a page number or running footer ends the block
            continue
        text = ln.text
        if not text.strip():
            if len(text) >= 10 and _SEPARATOR.match(text):
                after_separator = True
            continue
        expected = (notes[-1].number + 1) if notes else 1
        opener = _OPENER.match(text)
        if opener and int(opener.group(1)) in (expected, expected + 1):
            number = int(opener.group(1))
            marker = _find_marker(lines, skip | note_lines, number, search_from, i)
            zone = after_separator or current is not None
            if marker is not None or zone:
                current = FootnoteBlock(number, [i], marker)
                note_lines.add(i)
                notes.append(current)
                if marker is not None:
                    search_from = (marker.line, marker.col + marker.length)
                block_indent = text[:1].isspace()
                after_separator = False
                continue
        after_separator = False
        if current is not None:
            if _ends_block(text, block_indent, ln, lines[current.lines[-1]]):
                current = None
            else:
                current.lines.append(i)
                note_lines.add(i)
    return notes


def _ends_block(text: str, block_indent: bool, line: SourceLine, previous: SourceLine) -> bool:
    if line.page is not None and previous.page is not None and line.page != previous.page:
        return True
    # Text extracted from PDF starts a new page's first line with a space: the body resumes there.
    if not block_indent and text[:1].isspace():
        return True
    return bool(_NUMBERED_PARAGRAPH.match(text))


def _find_marker(
    lines: list[SourceLine], skip: set[int], number: int, start: tuple[int, int], end_line: int
) -> Marker | None:
    digits = str(number)
    glued = re.compile(r"(?<=[^\s\d(\[])" + digits + r"(?![\d\w%])")
    split = re.compile(r"(?<![\d\w])(\d+?)" + digits + r"(?![\d\w])")
    # "Office116and": a marker between two words whose space the extraction lost.
    between = re.compile(r"(?<=[^\W\d_]{3})" + digits + r"(?=[^\W\d_]{2})")
    fallback: Marker | None = None
    for li in range(start[0], end_line):
        if li in skip:
            continue
        text = lines[li].text
        col0 = start[1] if li == start[0] else 0
        for m in glued.finditer(text, col0):
            before = text[: m.start()]
            if before[-1:].isdigit() or _NUMBER_WORDS.search(before):
                continue
            if before[-1:] == "." and before[-2:-1].isdigit() and not _YEAR.search(before[-5:-1]):
                continue  # a decimal point ("1.2 million"); after a year it ends a sentence ("in 2009.3")
            if before[-1:] == "," and before[-2:-1].isdigit() and len(digits) == 3:
                continue  # a thousands separator ("1,500")
            if before[-1:] in "/-–":
                continue
            return Marker(li, m.start(), len(digits))
        if fallback is None:
            inside = between.search(text, col0)
            if inside:
                fallback = Marker(li, inside.start(), len(digits))
        if fallback is None:
            for m in split.finditer(text, col0):
                prefix = m.group(1)
                preceded_by_no = bool(_NUMBER_WORDS.search(text[: m.start()]))
                if (_YEAR.fullmatch(prefix) and not preceded_by_no) or (preceded_by_no and len(prefix) >= 2):
                    fallback = Marker(li, m.start(1) + len(prefix), len(digits))
                    break
    return fallback

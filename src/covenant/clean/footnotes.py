"""Find footnote blocks spliced into the body and the markers glued to words and numbers that point at them.

Hand-written because no maintained library recovers footnotes from text already extracted from a PDF:
the running footnote sequence (1, 2, 3 ...) is what tells "citizens20." (note 20) from a real number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from covenant.model import SourceLine

_OPENER = re.compile(r"^(\d{1,3})\s+(?=\S)")
# "109See: ..." : the extraction lost the space after the note's number.
_GLUED_OPENER = re.compile(r"^(\d{1,3})(?=[A-ZА-ЯЁ])")
_SEPARATOR = re.compile(r"^[ \t_\u2014\u2013-]{10,}$")
_NUMBERED_PARAGRAPH = re.compile(r"^\s*\d{1,3}\.\s+[A-ZА-Я]")
# Words that take a number right after a full stop ("No.2", "Art.5"): a digit there is not a marker.
_NUMBER_WORDS = re.compile(r"\b(?:No|no|Nos|Art|art|para|p|pp|Vol|vol|Ch|ch|Sec|sec)\.$")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Notes are set in smaller type, so their lines hold more characters than the body's: a line a quarter wider
# than the median line is note text, whatever it starts with (a quoted statute's "2. ...").
_SMALL_TYPE = 1.25
# Right under the rule at a page foot, a note may repeat or skip a number of the running sequence.
_SEQUENCE_SLACK = 3
# The rest of a note run on from the page before is a few lines; longer is not a note's tail.
_RUN_ON_LINES = 40


@dataclass(slots=True, eq=False)
class Marker:
    line: int  # index into the document's lines
    col: int  # position of the marker digits in that line's text
    length: int


@dataclass(slots=True, eq=False)
class FootnoteBlock:
    number: int
    lines: list[int] = field(default_factory=list)
    marker: Marker | None = None
    continued: bool = False  # the rest of a note begun on an earlier page: its first line has no number
    number_length: int = 0  # characters of the number that opens the first line ("12 ...", "109See")


def find_footnotes(lines: list[SourceLine], skip: set[int]) -> list[FootnoteBlock]:
    """Footnote blocks in document order, each with the lines it spans and its marker in the body.

    A note opens on a line "N text" where N continues the running sequence. Right under the rule that starts
    a page's notes, the whole foot of the page is notes: a line there opens a note even when its number breaks
    the sequence, and lines before the page's first numbered note are the rest of the last note of the page
    before. Note text runs on until the body resumes (a new page, a line indented as PDF text starts a page).
    """
    notes: list[FootnoteBlock] = []
    current: FootnoteBlock | None = None
    search_from = (0, 0)  # (line, col) after the last marker found
    block_indent = False
    after_separator = False
    run_on: list[int] = []  # lines under the rule, waiting for a numbered note to show they are notes
    note_lines: set[int] = set()
    wide = _small_type_width(lines, skip)
    for i, ln in enumerate(lines):
        if i in skip:
            if ln.text.strip():
                current = None  # a page number or running footer ends the block
                run_on = []
            continue
        text = ln.text
        if not text.strip():
            if len(text) >= 10 and _SEPARATOR.match(text):
                after_separator = True
            continue
        last = notes[-1].number if notes else 0
        opened = _opening_number(text, last, after_separator, current is not None)
        if opened is not None:
            number, length = opened
            marker = None
            if number > last:  # a repeated number has no marker of its own to find
                marker = _find_marker(lines, skip | note_lines | set(run_on), number, search_from, i)
            zone = after_separator or current is not None
            if marker is not None or zone:
                if run_on:
                    notes.append(FootnoteBlock(last, run_on, None, continued=True))
                    note_lines.update(run_on)
                    run_on = []
                current = FootnoteBlock(number, [i], marker, number_length=length)
                note_lines.add(i)
                notes.append(current)
                if marker is not None:
                    search_from = (marker.line, marker.col + marker.length)
                block_indent = text[:1].isspace()
                after_separator = False
                continue
        if run_on:
            if len(run_on) >= _RUN_ON_LINES or _ends_block(text, False, ln, lines[run_on[-1]], wide):
                run_on = []  # no numbered note followed: the lines under the rule stay body text
                after_separator = False
            else:
                run_on.append(i)
            continue
        if after_separator and notes and current is None and not _ends_block(text, False, ln, ln, wide):
            run_on = [i]
            continue
        after_separator = False
        if current is not None:
            if _ends_block(text, block_indent, ln, lines[current.lines[-1]], wide) and not _next_opens(
                lines, skip, i, notes[-1].number, search_from, note_lines
            ):
                current = None
            else:
                current.lines.append(i)
                note_lines.add(i)
    return notes


def _opening_number(text: str, last: int, under_rule: bool, in_block: bool) -> tuple[int, int] | None:
    """The note number a line opens with and its length, if it can open the note after note `last`."""
    match = _OPENER.match(text)
    if match is None and (under_rule or in_block):
        match = _GLUED_OPENER.match(text)
    if match is None:
        return None
    number = int(match.group(1))
    if number in (last + 1, last + 2):
        return number, match.end(1)
    if under_rule and last >= 1 and last <= number <= last + 1 + _SEQUENCE_SLACK:
        return number, match.end(1)
    return None


def _next_opens(
    lines: list[SourceLine], skip: set[int], i: int, last: int, search_from: tuple[int, int], note_lines: set[int]
) -> bool:
    """Whether the line after line i opens the next note, its marker standing in the body: then line i, though
    it looks like the body resuming, is a note's own line (the extraction indents some note lines too)."""
    nxt = next((k for k in range(i + 1, len(lines)) if lines[k].text.strip()), None)
    if nxt is None or nxt in skip:
        return False
    match = _OPENER.match(lines[nxt].text)
    if match is None or int(match.group(1)) not in (last + 1, last + 2):
        return False
    return _find_marker(lines, skip | note_lines, int(match.group(1)), search_from, i) is not None


def _ends_block(text: str, block_indent: bool, line: SourceLine, previous: SourceLine, wide: float) -> bool:
    if line.page is not None and previous.page is not None and line.page != previous.page:
        return True
    if len(text.strip()) > wide:
        return False  # small type: a note's line, even one that starts like a numbered paragraph
    # Text extracted from PDF starts a new page's first line with a space: the body resumes there.
    if not block_indent and text[:1].isspace():
        return True
    return bool(_NUMBERED_PARAGRAPH.match(text))


def _small_type_width(lines: list[SourceLine], skip: set[int]) -> float:
    lengths = sorted(len(ln.text.strip()) for i, ln in enumerate(lines) if i not in skip and ln.text.strip())
    if not lengths:
        return float("inf")
    return _SMALL_TYPE * lengths[len(lengths) // 2]  # the median: notes are a minority of the lines


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

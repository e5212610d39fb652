"""PDF layout reader: pdfium characters with their boxes grouped into lines, columns and paragraphs."""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from itertools import pairwise
from statistics import median
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from covenant.errors import BadInputError
from covenant.ingest.pdf import (
    MIN_CHARS_PER_PAGE,
    PAGE_BREAK,
    metadata_hints,
    normalise_page_text,
    open_pdf,
    page_labels,
)
from covenant.ingest.raw import RawDocument, RawFootnote
from covenant.model import Furniture, SourceLine

if TYPE_CHECKING:
    from covenant.ingest.ocr import OcrPage, PageReader

# The citation test's normalisation: whitespace, hyphens and digits (footnote markers: "12", "12/") do not count.
_SQUEEZE = re.compile(r"[\s\-\u00ad\u2010\u2011\x02\ufffe]|\d+/?")
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st"}
_HYPHENS = "-\x02\ufffe\xad\u2010\u2011"
_TERMINAL = re.compile(r"[.!?:;][\s\"'”’»)\]\d*]*$")
_FINAL = re.compile(r"[.!?:][\s\"'”’»)\]\d*]*$")
# Numbered paragraphs and list items: "13.", "(a)", "a)", "iv.", bullets, dashes.
_NUMBERED = re.compile(
    r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)]\s|\(?[a-zA-Z]{1,2}\)\s|\([ivxlcdm]{1,6}\)|[ivxlcdm]{1,6}\.\s)"
)
# the number or bullet before a hanging indent: "13.", "(a)", "48/161.", "-"
_LABEL = re.compile(r"^\s*(?:\(?[\w/.\-]{1,10}[.)]|[•\u2022\u25cf\u25aa\u2013\u2014\-*])\s")
_BULLET = re.compile(r"^\s*[•\u2022\u25cf\u25aa\u2013\u2014\-*]\s")
_HEADING_NUMBER = re.compile(r"^\s*(?:[IVXLC]{1,6}\.|[A-Z]\.|\d{1,2}(?:\.\d{1,2})*\.?)\s+\S")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/|de|из)\s*\d{1,4})?\W*$", re.I)
_DIGITS = re.compile(r"\d+")
_SLASH_MARKER = re.compile(r"(?<=\S )\d{1,3}/(?=\s|$)")
_RULE = re.compile(r"[_\u2014\u2013\-]{5,}")
# a footnote's first line: its number (or mark) then its text
_NOTE_START = re.compile(r"^\s*(\d{1,3}|[*\u2020\u2021]{1,3})(?:/?\s+|(?=[^\W\d_]))(?=\S)")
# a contents entry: a dot leader then a page number or a range of paragraphs and a page
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?){4,}[\s.]*\d[\d\s\-\u2013\u2212]*$|\u2026{2,}\s*\d[\d\s\-\u2013\u2212]*$")
_SHOUTED = re.compile(r"^[^a-z\u00e0-\u00ff\u0430-\u044f]*[A-Z\u0410-\u042f]{3}[^a-z\u00e0-\u00ff\u0430-\u044f]*$")
_ITALIC_FLAG = 64  # PDF font descriptor flag 7


@dataclass(slots=True)
class _Line:
    """One visual line of a page: its text, box (PDF points, y up), dominant font size, weight and slant."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float
    size: float
    bold: bool
    page: int
    italic: bool
    order: int  # position in pdfium's text stream, to keep stream order among lines of a block
    second_x: float  # x where the line's second word starts (a hanging indent's text edge); x1 when one word
    supers: list[tuple[int, int]] = field(default_factory=list)  # raised small characters: [start, end) in text
    markers: list[tuple[int, _Note]] = field(default_factory=list)  # note markers taken out of text, by offset
    line_no: tuple[int, int] = (0, 0)  # 1-based lines of `original` holding it; 0 when not found


@dataclass(slots=True)
class _Block:
    lines: list[_Line] = field(default_factory=list)
    tag: str | None = None

    @property
    def text(self) -> str:
        return _compose(self.lines)[0]


@dataclass(slots=True, eq=False)
class _Note:
    """A footnote: its number, its lines (the number taken off the first), and where its marker stood."""

    number: str
    lines: list[_Line]
    continued: bool = False  # the rest of a note begun on an earlier page
    slashed: bool = False  # numbered "1/" (older UN documents), its marker " 1/" in the line, not raised
    marker: tuple[int, int] | None = None  # (index of the SourceLine, offset in its text)

    def raw(self) -> RawFootnote:
        found = [ln.line_no for ln in self.lines if ln.line_no[0]]
        first = min((n[0] for n in found), default=0)
        last = max((n[1] for n in found), default=0)
        text = _compose(self.lines)[0]
        return RawFootnote(self.number, text, first, last, self.lines[0].page, None if self.continued else self.marker)


def read_pdf_layout(path: str, data: bytes, *, checked: bool = False, ocr: bool = False) -> RawDocument:
    """Read a PDF into paragraphs and headings using the position and size of every character.

    Running headers and footers, page numbers and contents lines are set aside as furniture, footnotes as
    notes with the place of their markers; a paragraph that runs over a page or column break is given as
    pieces joined to the first (`SourceLine.joint`), each citing its own page and lines. `checked`: the bytes
    already passed `check_expansion`. `ocr`: pages without a text layer are read by OCR (Tesseract).
    """
    with open_pdf(path, data, checked=checked) as pdf:
        page_count = len(pdf)
        if page_count == 0:
            raise BadInputError(path, "PDF with no pages")
        pages: list[str] = []
        page_lines: list[list[_Line]] = []
        ocr_pages: dict[int, OcrPage] = {}
        widths: dict[int, float] = {}  # of the pages read by OCR, filled in when their reading is done
        with ExitStack() as stack:
            reader: PageReader | None = None
            for index in range(page_count):
                try:
                    page = pdf.get_page(index)
                except pdfium.PdfiumError as exc:
                    raise BadInputError(path, f"broken PDF: page {index + 1} cannot be read") from exc
                try:
                    textpage = page.get_textpage()
                    try:
                        text = normalise_page_text(textpage.get_text_bounded())
                        lines = _page_lines(textpage, index + 1)
                    finally:
                        textpage.close()
                    width = page.get_width()
                    if ocr and len("".join(text.split())) < MIN_CHARS_PER_PAGE and _has_image(page):
                        # A page with no text layer (a scan, in a scanned PDF or among born-digital pages): read by
                        # OCR, beside the next such page (PageReader); its text and lines are put in place after.
                        from covenant.ingest.ocr import RENDER_DPI, PageReader

                        if reader is None:
                            reader = stack.enter_context(PageReader(path, page_count))
                        reader.read(index + 1, page.render(scale=RENDER_DPI / 72).to_pil(), RENDER_DPI)
                        widths[index + 1] = width
                        text, lines = "", []
                    pages.append(text)
                finally:
                    page.close()
                page_lines.append(_order_columns(lines, width))
            if reader is not None:
                ocr_pages = reader.pages()
        for number, read in ocr_pages.items():
            pages[number - 1] = read.text
            page_lines[number - 1] = _order_columns(read.lines, widths[number])
        hints = metadata_hints(pdf)
        labels = page_labels(pdf)
    if ocr_pages:
        from covenant.ingest.ocr import summary

        hints["ocr"] = summary(ocr_pages)
    raw = layout_document(path, "pdf", pages, page_lines, hints, labels)
    raw.ocr_pages = ocr_pages
    return raw


def _has_image(page: pdfium.PdfPage) -> bool:
    """Whether a page draws a picture (a scan); a blank page or one of rules and shapes has nothing to OCR."""
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def layout_document(
    path: str,
    fmt: str,
    pages: list[str],
    page_lines: list[list[_Line]],
    hints: dict[str, str],
    labels: list[str] | None = None,
) -> RawDocument:
    """Paragraphs, headings, furniture and notes of pages of layout lines (read from a text layer or by OCR)."""
    page_count = len(pages)
    labels = labels or []
    sizes = [ln.size for lines in page_lines for ln in lines for _ in range(len(ln.text))]
    original = PAGE_BREAK.join(pages)
    if not sizes:
        return RawDocument(path, fmt, None, original, [], page_count, True, hints, page_labels=labels)
    body_size = Counter(round(s, 1) for s in sizes).most_common(1)[0][0]
    first_line = 1
    for number, text in enumerate(pages):
        _locate(page_lines[number], text, first_line)
        first_line += text.count("\n") + 1
    running = _running_furniture(page_lines, page_count)
    aside: list[tuple[_Line, str]] = []  # lines taken out of the body, with the reason
    notes: list[_Note] = []
    blocks: list[_Block] = []
    body_lines: list[_Line] = []
    for lines in page_lines:
        body: list[_Line] = []
        for ln in lines:
            if id(ln) in running:
                aside.append((ln, running[id(ln)]))
            else:
                body.append(ln)
        body, note_lines, footer = _split_footnotes(body, body_size)
        aside.extend((ln, "page footer") for ln in footer)
        notes.extend(_group_notes(note_lines, notes[-1] if notes else None, aside))
        body_lines.extend(body)
        for block in _page_blocks(body, body_size):
            if _is_contents(block):
                aside.extend((ln, "table of contents") for ln in block.lines)
            else:
                blocks.append(block)
    _take_markers(body_lines, notes)
    orig_lines = original.replace(PAGE_BREAK, "\n").split("\n")
    kept = {n for block in blocks for ln in block.lines if ln.line_no[0] for n in range(*_through(ln.line_no))}
    set_aside = {
        n
        for ln in [ln for ln, _ in aside] + [ln for note in notes for ln in note.lines]
        if ln.line_no[0]
        for n in range(*_through(ln.line_no))
    } - kept
    parts = [part for block in blocks for part in _citable_parts(block, orig_lines, set_aside)]
    out: list[SourceLine] = []
    for paragraph in _join_breaks(parts, orig_lines, set_aside):
        for k, part in enumerate(paragraph):
            text, markers = _compose(part.lines)
            joint: str | None = None
            if k:
                before = out[-1].text
                joint = " "
                if before[-1:] == "-":
                    joint = ""
                    if len(before) > 2 and before[-2].isalpha() and text[:1].islower():
                        out[-1] = replace(out[-1], text=before[:-1])  # a word broken over the break
            for offset, note in markers:
                note.marker = (len(out), offset)
            first, last = part.line_span()
            out.append(SourceLine(text, -1, first, last, part.lines[0].page, part.tag, joint))
    furniture = [
        Furniture(reason, ln.text.strip(), ln.line_no[0], ln.line_no[1], ln.page)
        for ln, reason in aside
        if ln.line_no[0] and not kept.intersection(range(*_through(ln.line_no)))
    ]
    footnotes = [note.raw() for note in notes if note.lines]
    return RawDocument(
        path=path,
        format=fmt,
        encoding=None,
        original=original,
        lines=out,
        pages=page_count,
        blocks_are_paragraphs=True,
        hints=hints,
        furniture=sorted(furniture, key=lambda item: item.line_start),
        footnotes=footnotes,
        page_labels=labels,
    )


def _through(line_no: tuple[int, int]) -> tuple[int, int]:
    """range() arguments for an inclusive span of line numbers."""
    return line_no[0], line_no[1] + 1


def _page_lines(textpage: pdfium.PdfTextPage, page: int) -> list[_Line]:
    """pdfium's own lines (split on the line breaks it generates), then pieces of one visual line merged."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    get_unicode = pdfium_c.FPDFText_GetUnicode
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    get_weight = pdfium_c.FPDFText_GetFontWeight
    flags = ctypes.c_int()
    pieces: list[_Line] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    weights: list[int] = []
    indices: list[int] = []
    char_boxes: list[tuple[float, float, float, float] | None] = []  # per character of `chars`; None for spaces

    def italic() -> bool:
        # font flags cost a call per character: three characters of the line tell its style
        sample = {indices[0], indices[len(indices) // 2], indices[-1]}
        slanted = 0
        for i in sample:
            pdfium_c.FPDFText_GetFontInfo(raw, i, None, 0, ctypes.byref(flags))
            slanted += bool(flags.value & _ITALIC_FLAG)
        return slanted * 2 > len(sample)

    def second_word_x() -> float:
        seen_word = seen_space = False
        for ch, box in zip(chars, char_boxes, strict=True):
            if ch.isspace():
                seen_space = seen_word
            elif box is not None:
                if seen_space:
                    return box[0]
                seen_word = True
        return max(b[1] for b in boxes)

    def raised(size: float, bottom: float, length: int) -> list[tuple[int, int]]:
        """Runs of small characters set above the baseline: note markers, ordinals ("1er", "XVIIIe")."""
        runs: list[tuple[int, int]] = []
        for i, box in enumerate(char_boxes[:length]):
            if box is None or not (box[3] - box[2] < 0.8 * size and box[2] > bottom + 0.2 * size):
                continue
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        return runs

    def flush(order: int) -> None:
        text = "".join(chars).rstrip()
        if text.strip() and boxes:
            heights = Counter(round(b[3] - b[2], 1) for b in boxes)
            size = heights.most_common(1)[0][0]
            main = [b for b in boxes if abs((b[3] - b[2]) - size) < 0.6] or boxes
            bottom = median(b[2] for b in main)
            pieces.append(
                _Line(
                    text=text,
                    x0=min(b[0] for b in boxes),
                    x1=max(b[1] for b in boxes),
                    bottom=bottom,
                    top=median(b[3] for b in main),
                    size=size,
                    bold=sum(w >= 600 for w in weights) * 2 > len(weights),
                    page=page,
                    italic=italic(),
                    order=order,
                    second_x=second_word_x(),
                    supers=raised(size, bottom, len(text)),
                )
            )
        chars.clear()
        boxes.clear()
        weights.clear()
        indices.clear()
        char_boxes.clear()

    for i in range(count):
        code = get_unicode(raw, i)
        if code in (10, 13):
            if code == 10:
                flush(i)
            continue
        ch = chr(code)
        if ch in _LIGATURES:
            ch = _LIGATURES[ch]
        elif code < 32 and code != 2:
            continue
        if not ch.isspace() and code != 2:
            get_box(raw, i, ctypes.byref(rect))
            if boxes and (rect.top + rect.bottom) / 2 < boxes[-1][2] and rect.left < boxes[-1][0]:
                flush(i)  # a new line with no line break in the stream (after a line-end hyphen, \x02)
            boxes.append((rect.left, rect.right, rect.bottom, rect.top))
            weights.append(get_weight(raw, i))
            indices.append(i)
            char_boxes.append(boxes[-1])
        else:
            char_boxes.append(None)
        chars.append(ch)
    flush(count)
    return _merge_pieces(pieces)


def _merge_pieces(pieces: list[_Line]) -> list[_Line]:
    """pdfium starts a new line after a superscript; pieces that share a baseline and follow left to right are one."""
    merged: list[_Line] = []
    for piece in pieces:
        prev = merged[-1] if merged else None
        if prev is not None:
            overlap = min(prev.top, piece.top) - max(prev.bottom, piece.bottom)
            height = min(prev.top - prev.bottom, piece.top - piece.bottom)
            if height > 0 and overlap > 0.5 * height and -2 < piece.x0 - prev.x1 < max(prev.size, piece.size) * 2:
                big = prev if prev.size >= piece.size else piece
                shift = len(prev.text) + 1
                if piece.size < 0.8 * prev.size and piece.bottom > prev.bottom + 0.2 * prev.size:
                    piece.supers = [(len(piece.text) - len(piece.text.lstrip()), len(piece.text))]
                prev.supers.extend((a + shift, b + shift) for a, b in piece.supers)
                prev.text = prev.text + " " + piece.text
                prev.x1 = max(prev.x1, piece.x1)
                prev.x0 = min(prev.x0, piece.x0)
                prev.bottom, prev.top, prev.size = big.bottom, big.top, big.size
                prev.bold, prev.italic = big.bold, big.italic
                continue
        merged.append(piece)
    return merged


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of a vertical gap between two columns of text that few lines cross, if the page has one."""
    if len(lines) < 16:
        return None
    best: tuple[int, float] | None = None
    for step in range(30, 71):
        x = width * step / 100
        crossing = sum(1 for ln in lines if ln.x0 < x < ln.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
    if best is None or best[0] > 0.15 * len(lines):
        return None
    x = best[1]
    left = sum(1 for ln in lines if ln.x1 <= x and ln.x1 - ln.x0 > 0.15 * width)
    right = sum(1 for ln in lines if ln.x0 >= x and ln.x1 - ln.x0 > 0.15 * width)
    return x if left >= 8 and right >= 8 else None


def _order_columns(lines: list[_Line], width: float) -> list[_Line]:
    """Reading order: top to bottom, and on a two-column page the left column before the right one."""
    gutter = _gutter(lines, width)
    if gutter is None:
        return sorted(lines, key=lambda ln: (-round(ln.top), ln.x0))
    left = [ln for ln in lines if ln.x1 <= gutter]
    right = [ln for ln in lines if ln.x0 >= gutter]
    spanning = [ln for ln in lines if ln.x0 < gutter < ln.x1]
    # a line across both columns (a title, a footer) is read before or after them, by its height
    top = max(ln.top for ln in left + right)
    above = [ln for ln in spanning if ln.bottom >= top - 1]
    rest = [ln for ln in spanning if ln.bottom < top - 1]
    return (
        sorted(above, key=lambda ln: -ln.top)
        + sorted(left, key=lambda ln: -ln.top)
        + sorted(right, key=lambda ln: -ln.top)
        + sorted(rest, key=lambda ln: -ln.top)
    )


def _squeeze(text: str) -> str:
    return _SQUEEZE.sub("", text)


def _locate(lines: list[_Line], page_text: str, first_line: int) -> None:
    """Find each layout line among the lines of `original` (same page), by its letters, in stream order."""
    letters: list[str] = []
    owner: list[int] = []
    for number, text in enumerate(page_text.split("\n"), start=first_line):
        squeezed = _squeeze(text)
        letters.append(squeezed)
        owner.extend([number] * len(squeezed))
    haystack = "".join(letters)
    cursor = 0
    plain = [text.strip() for text in page_text.split("\n")]
    for ln in sorted(lines, key=lambda item: item.order):
        needle = _squeeze(ln.text)
        if not needle:  # no letters ("- 4 -"): the line of the page that reads the same
            if ln.text.strip() in plain:
                ln.line_no = (first_line + plain.index(ln.text.strip()),) * 2
            continue
        at = haystack.find(needle, cursor)
        if at < 0:
            at = haystack.find(needle)
        if at < 0:
            continue
        ln.line_no = (owner[at], owner[at + len(needle) - 1])
        cursor = at + len(needle)


def _normal_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def _running_furniture(pages: list[list[_Line]], page_count: int) -> dict[int, str]:
    """Page numbers and running headers/footers: text at the top or bottom of a page, repeated on many pages."""
    gone: dict[int, str] = {}
    edges: dict[str, list[_Line]] = {}
    edge_lines: list[_Line] = []
    for lines in pages:
        if not lines:
            continue
        by_height = sorted(lines, key=lambda ln: -ln.top)
        edge = by_height[:3] + by_height[-3:]
        edge_lines.extend(edge)
        for ln in edge:
            if _is_rule(ln):  # the rule above footnotes repeats, and is left for the footnotes to find
                continue
            if _PAGE_NUMBER.match(ln.text) and (ln is by_height[0] or ln is by_height[-1] or len(ln.text) < 12):
                gone[id(ln)] = "page number"
            edges.setdefault(_normal_key(ln.text), []).append(ln)
    need = max(2, round(0.3 * page_count)) if page_count > 2 else 99
    for repeated in edges.values():
        # a running line changes in one number at most (its page number); notes at the foot change in all
        numbers = [_DIGITS.findall(ln.text) for ln in repeated]
        varying = sum(len(set(column)) > 1 for column in zip(*numbers, strict=False))
        if len({ln.page for ln in repeated}) >= need and varying <= 1:
            for ln in repeated:
                gone.setdefault(id(ln), "running header or footer")
    for lines in pages:
        for ln in _in_margin(lines):
            gone.setdefault(id(ln), "page margin")
    # a header that changes with the chapter stands where the running lines of other pages stand, in their type
    places = {(ln.page, round(ln.top), round(ln.size)) for ln in edge_lines if id(ln) in gone}
    for ln in edge_lines:
        if id(ln) not in gone and len(ln.text.strip()) <= 60:
            same = [p for p, top, size in places if abs(top - ln.top) <= 1 and size == round(ln.size)]
            if any(p != ln.page for p in same):
                gone[id(ln)] = "running header or footer"
    return gone


def _in_margin(lines: list[_Line]) -> list[_Line]:
    """Short text beside the text block (a thumb index letter, a line number): outside every column."""
    long = [ln for ln in lines if len(ln.text) >= 40]
    if len(long) < 5:
        return []
    lefts = sorted(ln.x0 for ln in long)
    rights = sorted(ln.x1 for ln in long)
    left, right = lefts[len(lefts) // 20], rights[-1 - len(rights) // 20]
    return [ln for ln in lines if len(ln.text.strip()) <= 20 and (ln.x0 > right + 5 or ln.x1 < left - 5)]


def _is_rule(ln: _Line) -> bool:
    return bool(_RULE.fullmatch(ln.text.strip()))


def _split_footnotes(lines: list[_Line], body_size: float) -> tuple[list[_Line], list[_Line], list[_Line]]:
    """Body, footnote lines and footer lines of a page, each in reading order.

    Footnotes are smaller type below the body text at the foot of the page (or below a rule of underscores);
    short lines under them (a document code printed on one page) are the page's footer.
    """
    if not lines:
        return lines, [], []
    by_height = sorted(range(len(lines)), key=lambda i: lines[i].top)  # bottom up
    notes: set[int] = set()
    footer: list[int] = []
    rules = [i for i in by_height if _is_rule(lines[i])]
    if rules:  # a rule of underscores: what is below it is notes
        notes = {j for j in range(len(lines)) if lines[j].top <= lines[rules[-1]].top}
    else:
        small = [ln.size < body_size - 0.8 for ln in lines]
        for i in by_height[:3]:
            if small[i] or len(lines[i].text.strip()) >= 40:
                break
            footer.append(i)
        for i in by_height[len(footer) :]:
            if not small[i]:
                break
            notes.add(i)
        # a zone of small type is notes when one of its lines starts with a note number
        if not any(_NOTE_START.match(lines[i].text) for i in notes):
            notes = set()
        if not notes:
            footer = []
    gone = notes.union(footer)
    return (
        [ln for i, ln in enumerate(lines) if i not in gone],
        [ln for i, ln in enumerate(lines) if i in notes],
        [ln for i, ln in enumerate(lines) if i in footer],
    )


def _group_notes(lines: list[_Line], previous: _Note | None, aside: list[tuple[_Line, str]]) -> list[_Note]:
    """Footnote lines into notes: a note starts at its number; lines before the first number on a page
    finish the note of the page before. Rules and lines that belong to no note are set aside."""
    notes: list[_Note] = []
    for ln in lines:
        if _is_rule(ln):
            aside.append((ln, "footnote rule"))
            continue
        current = notes[-1] if notes else None
        start = _NOTE_START.match(ln.text)
        if start and _plausible_number(start.group(1), current or previous, current is None):
            number = start.group(1)
            cut = start.end()
            slashed = "/" in ln.text[start.start(1) : cut]
            ln.text = ln.text[cut:]
            ln.supers = [(a - cut, b - cut) for a, b in ln.supers if a >= cut]
            notes.append(_Note(number, [ln], slashed=slashed))
        elif current is not None:
            current.lines.append(ln)
        elif previous is not None:
            notes.append(_Note(previous.number, [ln], continued=True))
        else:
            aside.append((ln, "footnote"))
    return notes


def _plausible_number(number: str, before: _Note | None, first_on_page: bool) -> bool:
    """A note number follows the one before (a line of a note may well start with another number)."""
    if not number.isdigit() or before is None or not before.number.isdigit():
        return first_on_page or not number.isdigit()
    n, last = int(number), int(before.number)
    return last < n <= last + 3 or n == 1 or (first_on_page and n > last)


def _take_markers(body: list[_Line], notes: list[_Note]) -> None:
    """Each note's marker: the first raised run of its number in the body after the marker of the note before,
    on the note's page or an earlier one (endnotes); taken out of the line's text and kept on the line."""
    runs: list[tuple[int, int, int, bool]] = []  # (line, start, end, slashed) in reading order
    for k, ln in enumerate(body):
        spans = [(a, b, False) for a, b in ln.supers if a > 0]
        spans += [(m.start(), m.end(), True) for m in _SLASH_MARKER.finditer(ln.text)]
        runs.extend((k, a, b, slashed) for a, b, slashed in sorted(spans))
    cursor = 0
    cuts: dict[int, list[tuple[int, int, _Note]]] = {}
    for note in notes:
        if note.continued:
            continue
        page = note.lines[0].page
        for r in range(cursor, len(runs)):
            k, a, b, slashed = runs[r]
            if body[k].page > page:
                break
            if slashed == note.slashed and body[k].text[a:b].strip().rstrip("/") == note.number:
                cuts.setdefault(k, []).append((a, b, note))
                cursor = r + 1
                break
    for k, found in cuts.items():
        ln = body[k]
        text = ""
        last = 0
        for a, b, note in sorted(found, key=lambda cut: cut[0]):
            text += ln.text[last:a]
            if text.endswith(" ") and ln.text[b : b + 1] in (" ", ""):
                text = text[:-1]  # the marker stood alone between spaces: one space stays
            ln.markers.append((len(text), note))
            last = b
        ln.text = text + ln.text[last:]
        ln.supers = []  # offsets moved; the runs left are not needed after this


def _is_contents(block: _Block) -> bool:
    return any(_CONTENTS_ENTRY.search(ln.text) for ln in block.lines)


def _page_blocks(lines: list[_Line], body_size: float) -> list[_Block]:
    """Lines into paragraphs: a new block at a wide gap, a change of type, a first-line indent, or a number."""
    if not lines:
        return []
    blocks: list[_Block] = []
    # usual baseline distance for body type on this page
    same = [(a, b) for a, b in pairwise(lines) if abs(a.size - b.size) < 0.6 and abs(a.x0 - b.x0) < 40]
    gaps = sorted(a.bottom - b.bottom for a, b in same if 0 < a.bottom - b.bottom < 3 * a.size)
    leading = gaps[len(gaps) // 4] if gaps else body_size * 1.2
    right_edge = max((ln.x1 for ln in lines), default=0.0)
    blocks.append(_Block([lines[0]]))
    for prev, ln in pairwise(lines):
        if _starts_block(blocks[-1].lines[0], prev, ln, leading, right_edge):
            blocks.append(_Block([ln]))
        else:
            blocks[-1].lines.append(ln)
    for i, block in enumerate(blocks):
        above = _baseline_gap(blocks[i - 1], block) if i else None
        below = _baseline_gap(block, blocks[i + 1]) if i + 1 < len(blocks) else None
        set_off = above is not None and below is not None and above > below + 0.3 * block.lines[0].size
        block.tag = _tag(block, body_size, set_off)
    return blocks


def _baseline_gap(upper: _Block, lower: _Block) -> float | None:
    a, b = upper.lines[-1], lower.lines[0]
    gap = a.bottom - b.bottom
    return gap if gap > 0 and abs(a.x0 - b.x0) < 0.5 * max(a.x1 - a.x0, b.x1 - b.x0) else None


def _starts_block(first: _Line, prev: _Line, ln: _Line, leading: float, right_edge: float) -> bool:
    """Whether `ln` starts a new block after `prev`, the last line of the block that `first` opened."""
    gap = prev.bottom - ln.bottom
    if gap <= 0 or (ln.x0 > prev.x1 + 20 and gap < 0.5 * ln.size):  # a new column or out-of-order line
        return True
    if abs(prev.size - ln.size) > 0.8:
        return True
    # the page's body leading, or for larger type its own (a title wrapped over two lines stays one block)
    if gap > max(leading, 1.2 * min(prev.size, ln.size)) * 1.4:
        return True
    short = prev.x1 < right_edge - 0.15 * max(right_edge - prev.x0, 1.0)
    # a short line in larger capitals (an official name, a title), then ordinary text
    shouted = _SHOUTED.match(prev.text) and not _SHOUTED.match(ln.text) and prev.size > ln.size + 0.3
    if shouted and short and not _TERMINAL.search(prev.text):
        return True
    if _next_in_sequence(first.text, ln.text):  # "i. ... and" then "ii. ...": items of one list
        return True
    ends = bool(_TERMINAL.search(prev.text))
    # a change of weight inside a full line's sentence is emphasis (a bold quotation), not a new block
    if prev.bold != ln.bold and (short or _FINAL.search(prev.text)):
        return True
    # a numbered line, but not after a full line ending in ";" or ",": "(iii)" there runs on in the paragraph
    restyled = prev.bold != ln.bold or prev.italic != ln.italic
    listed = (_NUMBERED.match(ln.text) or _BULLET.match(ln.text)) and not _inline_series(ln.text)
    if listed and (short or restyled or _FINAL.search(prev.text)):
        return True
    if _LABEL.match(first.text) and abs(ln.x0 - first.second_x) < 3 and ln.x0 > first.x0 + 8:
        return False  # a hanging indent: the lines start where the first line's text after its number does
    centred = abs((prev.x0 + prev.x1) - (ln.x0 + ln.x1)) < 6 and abs(prev.x0 - ln.x0) > 8
    if centred and short and not ends:  # a centred block (a signature, a title) keeps its lines together
        return False
    if ln.x0 > prev.x0 + 8 and (ends or short):
        return True
    return ends and short and ln.x0 < prev.x0 - 8


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_INLINE_MARKER = re.compile(r"(?<=\s)\(?(?:\d{1,3}|[a-z]|[ivxlc]{1,6})[.)](?=\s)", re.I)
_ITEM_MARKER = re.compile(r"^\s*(\()?(\d{1,3}|[a-z]|[ivxlc]{1,6})([.)])\s", re.I)


def _marker_values(text: str) -> set[tuple[str, int]]:
    """The list marker a line opens with, as (style, ordinal) readings: "ii)" is roman 2, "c." letter 3."""
    match = _ITEM_MARKER.match(text)
    if not match or (match.group(1) and match.group(3) != ")"):
        return set()
    token = match.group(2)
    style = ("(" if match.group(1) else "") + match.group(3)
    values: set[tuple[str, int]] = set()
    if token.isdigit():
        return {(style + "1", int(token))}
    if len(token) == 1:
        values.add((style + ("a" if token.islower() else "A"), ord(token.lower()) - 96))
    lower = token.lower()
    if all(c in _ROMAN for c in lower):
        total = 0
        for c, nxt in zip(lower, lower[1:] + " ", strict=True):
            value = _ROMAN[c]
            total += -value if nxt in _ROMAN and _ROMAN[nxt] > value else value
        values.add((style + ("i" if token.islower() else "I"), total))
    return values


def _inline_series(text: str) -> bool:
    """A line that opens with a list marker and holds the next one too ("(i) ...; (ii) ..."): an enumeration
    running in a paragraph, not an item of a list set line by line."""
    if not _marker_values(text):
        return False
    return any(_next_in_sequence(text, m.group() + " ") for m in _INLINE_MARKER.finditer(text, 1))


def _next_in_sequence(first: str, text: str) -> bool:
    """`text` opens with the list marker that follows the one `first` opens with (1. -> 2., (ii) -> (iii))."""
    before = _marker_values(first)
    return bool(before) and any((style, n - 1) in before for style, n in _marker_values(text))


def _tag(block: _Block, body_size: float, set_off: bool = False) -> str | None:
    first = block.lines[0]
    text = block.text
    if _BULLET.match(text):
        return "li"
    bigger = first.size > body_size + 0.8
    # a subheading at body size: bold, or italic with more space above than below it
    italic = first.italic and all(ln.italic for ln in block.lines) and len(block.lines) <= 2 and set_off
    if len(text) < 160 and not _TERMINAL.search(text) and (bigger or first.bold or italic):
        level = 1 if first.size > body_size + 3 else 2 if bigger else 3
        return f"heading:{level}"
    if len(text) < 100 and _HEADING_NUMBER.match(text) and first.bold:
        return "heading:3"
    return None


def _compose(lines: list[_Line]) -> tuple[str, list[tuple[int, _Note]]]:
    """The text of lines read as one paragraph (words broken at a line end made whole), and where its
    note markers stood in it."""
    out = ""
    markers: list[tuple[int, _Note]] = []
    for ln in lines:
        lead = len(ln.text) - len(ln.text.lstrip())
        text = ln.text.strip()
        if not text:
            continue
        if out and out[-1] in _HYPHENS and len(out) > 1 and out[-2].isalpha() and text[:1].islower():
            out = out[:-1]  # a word hyphenated at the line end
        elif out and out[-1] in _HYPHENS:
            out = out[:-1] + "-"
        elif out:
            out += " "
        base = len(out)
        out += text
        markers.extend((base + min(max(at - lead, 0), len(text)), note) for at, note in ln.markers)
    return out.replace("\x02", "-").replace("\ufffe", "-"), markers


def _continues(prev: _Part, nxt: _Part) -> bool:
    """Whether `nxt`, first after a page or column break, goes on with the paragraph `prev` leaves unfinished."""
    if prev.tag or nxt.tag:
        return False
    a, b = prev.lines[-1], nxt.lines[0]
    if b.page == a.page and b.top < a.bottom:  # only over a page or column break
        return False
    if abs(a.size - b.size) > 0.8:
        return False
    text = b.text.lstrip()
    if _NUMBERED.match(text) or _BULLET.match(text) or _next_in_sequence(prev.lines[0].text, text):
        return False
    if _TERMINAL.search(a.text):
        return False
    # an indented first line opens a paragraph (a resolution's preamble ends its paragraphs with commas)
    left = nxt.lines[1].x0 if len(nxt.lines) > 1 else a.x0 if b.page != a.page else b.x0
    if b.x0 > left + 8:
        return False
    ending = a.text.rstrip()[-1:]
    if ending in _HYPHENS:
        return True
    # the last line runs to the edge of its column (in ragged text, short of it by a long word at most):
    # a paragraph that ends there with a word or a comma goes on after the break
    widths = [ln.x1 for ln in prev.lines[:-1] + nxt.lines[:-1]]
    full = bool(widths) and a.x1 >= max(widths) - 6 * a.size
    return full and (ending.isalpha() or ending == ",") and (text[:1].isalnum() or text[:1] in "(\"“«'‘")


def _join_breaks(parts: list[_Part], orig_lines: list[str], aside: set[int]) -> list[list[_Part]]:
    """Paragraphs as runs of parts: a part that continues the one before over a page or column break joins
    it, when the whole is still one quote of its cited lines once the lines set aside are left out."""
    paragraphs: list[list[_Part]] = []
    for part in parts:
        if paragraphs and _continues(paragraphs[-1][-1], part):
            lines = [ln for piece in paragraphs[-1] for ln in piece.lines] + part.lines
            if _cites(lines, orig_lines, aside):
                paragraphs[-1].append(part)
                continue
        paragraphs.append([part])
    return paragraphs


def _span(lines: list[_Line]) -> tuple[int, int]:
    found = [ln.line_no for ln in lines if ln.line_no[0]]
    if not found:
        return (0, 0)
    return min(n[0] for n in found), max(n[1] for n in found)


def _cites(lines: list[_Line], orig_lines: list[str], aside: set[int]) -> bool:
    """The citation invariant for these lines read as one paragraph: their text, squeezed, is found in
    the original lines they span, less the lines set aside (furniture and footnotes)."""
    first, last = _span(lines)
    if not first:
        return False
    source = "\n".join(orig_lines[n - 1] for n in range(first, last + 1) if n not in aside)
    return _squeeze(_compose(lines)[0]) in _squeeze(source)


@dataclass(slots=True)
class _Part:
    """A block, or the piece of one, that is cited by one range of original lines."""

    lines: list[_Line]
    tag: str | None

    def line_span(self) -> tuple[int, int]:
        return _span(self.lines)


def _citable_parts(block: _Block, orig_lines: list[str], aside: set[int]) -> list[_Part]:
    """The block whole when its quote is found in its line range, else split where the original's order breaks."""
    lines = [ln for ln in block.lines if ln.line_no[0] and ln.text.strip()]
    if not lines:
        return []
    if _cites(lines, orig_lines, aside):
        return [_Part(lines, block.tag)]
    parts: list[_Part] = []
    for ln in lines:
        if parts and _cites([*parts[-1].lines, ln], orig_lines, aside):
            parts[-1].lines.append(ln)
            continue
        parts.append(_Part([ln], block.tag))
    return parts

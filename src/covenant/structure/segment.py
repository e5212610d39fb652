"""Sections' body blocks -> passages: paragraph-based, split at sentence ends when too long, each cited."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from itertools import pairwise

from covenant.clean import CleanText
from covenant.model import Citation, Furniture, MapRun, Passage
from covenant.structure.outline import Outline

MAX_PASSAGE_CHARS = 1500
# Hand-written sentence boundary finder: it only places cuts inside overlong paragraphs, where a
# missed boundary costs a longer passage, never lost text; an NLP dependency would not pay for itself.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“(\[]?[A-ZА-ЯЁ0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Arts|Para|para|Vol|vol|pp|p|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct"
    r"|Nov|Dec|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Jr|Sr|Inc|Ltd|Co|Corp|vs|etc|e\.g|i\.e|cf)\.|\b[A-Z]\.)$"
)


def segment(
    clean: CleanText,
    outline: Outline,
    report_id: str,
    file_name: str,
    printed_pages: Sequence[str | None] = (),
) -> list[Passage]:
    """Passages of the body blocks. `printed_pages`: the page number printed on each file page (index 0 =
    page 1), for each passage's `printed_page_start` and `printed_page_end`."""
    paths = _section_paths(outline)
    passages: list[Passage] = []
    starts = [r.clean_start for r in clean.runs]
    numbers = paragraph_numbers(clean, outline.is_heading)
    for block, section_id, heading, number in zip(
        clean.blocks, outline.block_section, outline.is_heading, numbers, strict=True
    ):
        if heading:
            continue
        path = paths[section_id] if section_id is not None else []
        for start, end in split_block(clean.text, block.start, block.end):
            line_start, line_end, page_start, page_end = _cited(clean.runs, starts, start, end)
            passages.append(
                Passage(
                    id=f"{report_id}:p{len(passages) + 1:05d}",
                    report_id=report_id,
                    ordinal=len(passages) + 1,
                    section_id=section_id,
                    section_path=list(path),
                    text=clean.text[start:end],
                    start=start,
                    end=end,
                    line_start=line_start,
                    line_end=line_end,
                    page_start=page_start,
                    page_end=page_end,
                    kind="list_item" if block.kind == "list_item" else "paragraph",
                    printed_page_start=printed_page(printed_pages, page_start),
                    printed_page_end=printed_page(printed_pages, page_end),
                    paragraph=number,
                )
            )
    return passages


# A paragraph's own number as documents print it: "21. ", "93.12. ", "111.3 " (never "1)", a list item).
_PARAGRAPH_NUMBER = re.compile(r"(\d{1,3})((?:\.\d{1,3})*)\.?\s+(?=\S)")
_SUB_ITEM = re.compile(r"\(?[a-z]{1,2}\)\s|\([ivx]{1,5}\)\s|[-\u2013\u2014\u2022\u25cf\u25aa*]\s")
# A heading longer than this that opens with a paragraph number is a numbered paragraph set in bold.
_NUMBERED_HEADING_CHARS = 80


def paragraph_numbers(clean: CleanText, is_heading: list[bool]) -> list[str | None]:
    """The document's paragraph number of every block, None where it numbers none.

    Hand-written because the numbering is a fact of this document's sequence, which no parser sees: a
    leading "N." counts only as the next in its run (N after N-1 .. N-3, or a run that starts at 1, or
    is confirmed by the next number), so a year, a stray figure or a list item "1)" is not taken. A run
    that starts again at 1 straight after numbered paragraph M (a UPR report's recommendations under
    its paragraph 111) is numbered "M.N", as UN practice cites them; after anything else it is a new run
    (a shadow report numbers each part from 1). An unnumbered block keeps the number of the paragraph
    it belongs to: the rest of it after a page break (it opens in lower case), or the items "(a)", "-"
    of a list that the paragraph opens with a colon.
    """
    text = clean.text
    found: list[tuple[int, int, str] | None] = []  # per block: (number, nested depth, as printed)
    for block, heading in zip(clean.blocks, is_heading, strict=True):
        m = _PARAGRAPH_NUMBER.match(text, block.start, min(block.end, block.start + 16))
        if m is None or (heading and block.end - block.start < _NUMBERED_HEADING_CHARS):
            found.append(None)
            continue
        found.append((int(m.group(1)), m.group(2).count("."), m.group(1) + m.group(2)))
    candidates = [i for i, f in enumerate(found) if f is not None]
    following = {a: b for a, b in pairwise(candidates)}
    numbers: list[str | None] = [None] * len(found)
    last: int | None = None  # the last number of the main run
    nested: tuple[str, int] | None = None  # (parent label, its last item) of a run under one paragraph
    previous_label: str | None = None  # the label of the block just before, if it was numbered
    current: str | None = None  # the paragraph that unnumbered blocks after it belong to
    listing = False  # `current` opened a list (it ends with a colon) and its items follow
    accepted = 0
    for i, (block, heading) in enumerate(zip(clean.blocks, is_heading, strict=True)):
        entry = found[i]
        label: str | None = None
        if entry is not None:
            n, depth, printed = entry
            nxt = found[following[i]] if i in following else None
            if depth:
                label = printed  # "93.12.": the document prints the nested number itself
            elif nested is not None and 0 < n - nested[1] <= 2:
                label = f"{nested[0]}.{n}"
                nested = (nested[0], n)
            elif last is not None and 0 < n - last <= 3:
                label, last, nested = str(n), n, None
            elif n == 1 and last is not None and previous_label == str(last):
                label, nested = f"{last}.1", (str(last), 1)
            elif n == 1 or (nxt is not None and nxt[0] == n + 1 and not nxt[1]):
                label, last, nested = str(n), n, None
        block_text = text[block.start : min(block.end, block.start + 400)]
        if label is not None:
            numbers[i] = current = label
            listing = text[max(block.start, block.end - 8) : block.end].rstrip().endswith(":")
            accepted += 1
        elif heading:
            current, listing = None, False
        elif current is not None and (block_text[:1].islower() or (listing and _SUB_ITEM.match(block_text))):
            numbers[i] = current
        else:
            current, listing = None, False
        previous_label = label
    # a document whose numbers make no run of three is not numbering its paragraphs
    return numbers if accepted >= 3 else [None] * len(found)


def printed_page(printed_pages: Sequence[str | None], page: int | None) -> str | None:
    """The number printed on file page `page` (1-based), None when unknown."""
    if page is None or not 0 < page <= len(printed_pages):
        return None
    return printed_pages[page - 1]


_PAGE_FURNITURE = frozenset(["page number", "running header or footer", "page footer"])
# A figure standing alone in a header or footer line: not part of "GE.10-12049", "A/HRC/14/15" or "1/2".
_LONE_NUMBER = re.compile(r"(?<![\w./\-])(\d{1,4})(?![\w/\-]|\.\d)")


def printed_pages(
    furniture: list[Furniture], page_count: int | None, labels: Sequence[str] = ()
) -> tuple[list[str | None], str | None]:
    """The page number printed on each file page, and how it was found ("layout:page-numbers",
    "pdf:page-labels"); an empty list when nothing tells them.

    The numbers printed in the page's headers and footers count when they run with the file's pages
    (printed = file page + a fixed offset) on at least two pages and most of those that carry a number:
    a year in a running footer ("Report 2006") stays the same from page to page and never runs. The PDF's
    own page labels come second: an extract copied out of a larger PDF keeps the labels of its source,
    which need not be the numbers printed on its pages (labels 174-178 on pages printed 216-220), and
    labels that do not tell pages apart ("1" on every page) are none.
    """
    if not page_count:
        return [], None
    offsets: dict[int, set[int]] = {}
    numbered: set[int] = set()
    for item in furniture:
        if item.page is None or item.reason not in _PAGE_FURNITURE or len(item.text) > 80:
            continue
        for m in _LONE_NUMBER.finditer(item.text):
            offsets.setdefault(int(m.group(1)) - item.page, set()).add(item.page)
            numbered.add(item.page)
    if offsets:
        offset, pages = max(offsets.items(), key=lambda kv: (len(kv[1]), -abs(kv[0])))
        if len(pages) >= 2 and 2 * len(pages) > len(numbered):
            return [
                str(p + offset) if p + offset > 0 else None for p in range(1, page_count + 1)
            ], "layout:page-numbers"
    kept = [label.strip() for label in labels]
    if len(kept) == page_count and all(kept) and len(set(kept)) == page_count:
        return list(kept), "pdf:page-labels"
    return [], None


def _section_paths(outline: Outline) -> dict[str, list[str]]:
    """Every section's path of titles from the top; parents come before their children in the outline."""
    paths: dict[str, list[str]] = {}
    for section in outline.sections:
        parent = paths.get(section.parent_id, []) if section.parent_id is not None else []
        paths[section.id] = [*parent, section.title]
    return paths


def split_block(text: str, start: int, end: int, limit: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Cut [start, end) into spans of at most about `limit` characters at sentence ends."""
    if end - start <= limit:
        return [(start, end)]
    cuts = [start]
    for m in _SENTENCE_END.finditer(text, start, end):
        if _ABBREVIATION.search(text, max(start, m.start() - 8), m.start()):
            continue
        cuts.append(m.end())
    cuts.append(end)
    spans: list[tuple[int, int]] = []
    span_start = start
    for a, b in pairwise(cuts):
        if b - span_start > limit and a > span_start:
            spans.append((span_start, _rstrip(text, span_start, a)))
            span_start = a
    spans.append((span_start, end))
    return spans


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def cite_span(runs: list[MapRun], starts: list[int], report_id: str, file_name: str, start: int, end: int) -> Citation:
    """The original lines (and pages) that the clean span [start, end) comes from."""
    line_start, line_end, page_start, page_end = _cited(runs, starts, start, end)
    return Citation(
        report_id=report_id,
        file_name=file_name,
        start=start,
        end=end,
        line_start=line_start,
        line_end=line_end,
        page_start=page_start,
        page_end=page_end,
    )


def _cited(runs: list[MapRun], starts: list[int], start: int, end: int) -> tuple[int, int, int | None, int | None]:
    """First and last original line, first and last page of the runs that the clean span [start, end) overlaps."""
    k = max(0, bisect.bisect_right(starts, start) - 1)
    line_start = line_end = None
    page_start = page_end = None
    while k < len(runs) and runs[k].clean_start < end:
        run = runs[k]
        if run.clean_end > start and run.clean_end > run.clean_start:
            line_start = run.line_start if line_start is None else min(line_start, run.line_start)
            line_end = run.line_end if line_end is None else max(line_end, run.line_end)
            page = run.page
            if page is not None:
                page_start = page if page_start is None else min(page_start, page)
                page_end = page if page_end is None else max(page_end, page)
        k += 1
    return line_start or 0, line_end or 0, page_start, page_end

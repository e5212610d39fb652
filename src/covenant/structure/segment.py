"""Sections' body blocks -> passages: paragraph-based, split at sentence ends when too long, each cited."""

from __future__ import annotations

import bisect
import re
from itertools import pairwise

from covenant.clean import CleanText
from covenant.model import Citation, MapRun, Passage
from covenant.structure.outline import Outline

MAX_PASSAGE_CHARS = 1500
# Hand-written sentence boundary finder: it only places cuts inside overlong paragraphs, where a
# missed boundary costs a longer passage, never lost text; an NLP dependency would not pay for itself.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“(\[]?[A-ZА-ЯЁ0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Art|Arts|Para|para|Vol|vol|pp|p|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct"
    r"|Nov|Dec|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Jr|Sr|Inc|Ltd|Co|Corp|vs|etc|e\.g|i\.e|cf)\.|\b[A-Z]\.)$"
)


def segment(clean: CleanText, outline: Outline, report_id: str, file_name: str) -> list[Passage]:
    paths = _section_paths(outline)
    passages: list[Passage] = []
    starts = [r.clean_start for r in clean.runs]
    for block, section_id, heading in zip(clean.blocks, outline.block_section, outline.is_heading, strict=True):
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
                )
            )
    return passages


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

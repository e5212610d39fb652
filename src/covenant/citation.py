"""Make citations: a passage, or any span of a report's clean text, cited back to the original's lines or pages."""

from __future__ import annotations

from typing import Any

from covenant.countries import country_name
from covenant.model import Citation, Footnote, MapRun, Passage, Report, Section
from covenant.structure.segment import cite_span, printed_page


def section_codes(sections: list[Section]) -> dict[str, str]:
    """Each section's State Department code, inherited from the nearest coded ancestor ("" when none)."""
    by_id = {s.id: s for s in sections}
    codes: dict[str, str] = {}
    for s in sections:
        node: Section | None = s
        while node is not None and not node.code:
            node = by_id.get(node.parent_id) if node.parent_id else None
        codes[s.id] = node.code if node is not None and node.code else ""
    return codes


def cite_passage(report: Report, passage: Passage, section_code: str | None = None) -> Citation:
    """The citation of a whole passage (its stored lines, pages and section path)."""
    return Citation(
        **_of_report(report),
        start=passage.start,
        end=passage.end,
        line_start=passage.line_start,
        line_end=passage.line_end,
        page_start=passage.page_start,
        page_end=passage.page_end,
        section_path=list(passage.section_path),
        section_code=section_code or None,
        quote=passage.text,
        printed_page_start=passage.printed_page_start,
        printed_page_end=passage.printed_page_end,
        paragraph=passage.paragraph,
        passage_id=passage.id,
        country=passage.country,
        entry=_entry(report, passage.country),
    )


def cite_footnote(report: Report, footnote: Footnote) -> Citation:
    """The citation of a whole footnote: its number, lines and page, and its clean offsets (after the body)."""
    return Citation(
        **_of_report(report),
        start=footnote.start,
        end=footnote.end,
        line_start=footnote.line_start,
        line_end=footnote.line_end,
        page_start=footnote.page,
        page_end=footnote.page,
        quote=footnote.text,
        passage_id=footnote.id,
        footnote=footnote.number,
    )


def _of_report(report: Report) -> dict[str, Any]:
    """A citation's fields that come from its report: the file and the bibliographic reference."""
    return {
        "report_id": report.id,
        "file_name": report.file_name,
        "title": report.title,
        "source_org": report.source_org,
        "publication_date": report.publication_date,
        "symbol": report.symbol,
        "url": report.url,
        "accessed": report.accessed,
        "format": report.format,
    }


def _entry(report: Report, country: str | None) -> str | None:
    """The country entry to name in the reference when the text is not about the report's own country."""
    if country == report.country:
        return None
    return (country_name(country) or country) if country else ""


def cite(
    report: Report,
    clean_text: str,
    runs: list[MapRun],
    sections: list[Section],
    start: int,
    end: int,
    passages: list[Passage] | None = None,
) -> Citation:
    """The citation of clean text [start, end) of a report: what an analysis stage attaches to each fact.

    `passages`: the report's passages (in order), to cite the document's paragraph numbers of the span.
    """
    if not 0 <= start <= end <= len(clean_text):
        raise ValueError(f"span {start}..{end} is outside the report's clean text (0..{len(clean_text)})")
    place = cite_span(runs, [r.clean_start for r in runs], report.id, report.file_name, start, end)
    # The innermost section whose span holds the start: sections nest, so the last one opened before it.
    holding = [s for s in sections if s.start <= start < s.end]
    inner = max(holding, key=lambda s: (s.start, s.level)) if holding else None
    path: list[str] = []
    by_id = {s.id: s for s in sections}
    node = inner
    while node is not None:
        path.insert(0, node.title)
        node = by_id.get(node.parent_id) if node.parent_id else None
    code = section_codes(sections).get(inner.id) if inner is not None else None
    place.title = report.title
    place.source_org = report.source_org
    place.publication_date = report.publication_date
    place.section_path = path
    place.section_code = code or None
    place.quote = clean_text[start:end]
    place.symbol = report.symbol
    place.url = report.url
    place.accessed = report.accessed
    place.format = report.format
    place.printed_page_start = printed_page(report.printed_pages, place.page_start)
    place.printed_page_end = printed_page(report.printed_pages, place.page_end)
    place.country = report.country
    if passages:
        place.paragraph = _paragraphs(passages, start, end)
        whole = [p for p in passages if p.start == start and p.end == end]
        place.passage_id = whole[0].id if whole else None
        holder = next((p for p in passages if p.start <= start < max(p.end, p.start + 1)), None)
        if holder is not None:
            place.country = holder.country
            place.entry = _entry(report, holder.country)
    return place


def _paragraphs(passages: list[Passage], start: int, end: int) -> str | None:
    """The paragraph number of the span, or the first and last ("21-23") when it runs over several."""
    numbers = [p.paragraph for p in passages if p.start < max(end, start + 1) and p.end > start and p.paragraph]
    if not numbers:
        return None
    return numbers[0] if numbers[0] == numbers[-1] else f"{numbers[0]}-{numbers[-1]}"

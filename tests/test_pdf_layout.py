"""The layout PDF reader on real PDFs: columns, page furniture, exact paragraphs and the citation invariant."""

from __future__ import annotations

import json
import re
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest

from citations import check_citations, squeeze
from covenant.ingest.pdf_layout import read_pdf_layout
from covenant.ingest.raw import RawDocument
from covenant.pipeline import build_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench" / "huridocs-paragraphs"
EXTERNAL = SHARED / "corpus" / "external"
needs_shared = pytest.mark.skipif(
    not (BENCH / "docs").is_dir() or not EXTERNAL.is_dir(), reason="../shared/bench and ../shared/corpus are absent"
)


def _read(path: Path) -> RawDocument:
    return read_pdf_layout(str(path), path.read_bytes())


def _letters(text: str) -> str:
    """Letters only: footnote markers (digits) and spacing do not count, as in the benchmark's comparison."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalpha())


def _paragraphs(doc: RawDocument) -> list[tuple[str, int | None, int | None]]:
    """The reader's blocks as whole paragraphs (pieces over a page break joined), with first and last page."""
    out: list[tuple[str, int | None, int | None]] = []
    for unit in doc.lines:
        if unit.joint is not None and out:
            text, first, _ = out[-1]
            out[-1] = (text + unit.joint + unit.text, first, unit.page)
        else:
            out.append((unit.text, unit.page, unit.page))
    return out


def _label(document: str, n: int) -> dict:
    for line in (BENCH / "labels" / f"{document}.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        if label["n"] == n:
            return label
    raise KeyError(n)


@needs_shared
def test_two_columns_of_an_amnesty_page_never_interleave() -> None:
    doc = _read(EXTERNAL / "ai_2007_russia.pdf")
    # the last sentence of a left-column paragraph on page 1; the right column beside it opens the Russia entry
    passage = next(b.text for b in doc.lines if "remained in Poiana Mare." in b.text)
    assert passage.startswith("In January, the European Committee for the Prevention of Torture")
    for right_column in ("Head of state", "Human rights defenders", "Vladimir Putin", "RUSSIAN"):
        assert right_column not in passage
    assert doc.blocks_are_paragraphs and doc.format == "pdf"


@needs_shared
@pytest.mark.parametrize("name", ["ohchr_1_en", "ohchr_2_fr", "ihrda_1_en", "cejil_1_es"])
def test_no_page_number_or_running_header_inside_a_passage(name: str) -> None:
    doc = _read(BENCH / "docs" / f"{name}.pdf")
    symbols = {"ohchr_1_en": "A/HRC/WG.6/34/ITA/3", "ohchr_2_fr": "A/HRC/WG.6/7/ITA/1"}
    for block in doc.lines:
        assert not re.fullmatch(r"\W*\d{1,4}\W*", block.text), block
        if name in symbols and block.page != 1:
            assert symbols[name] not in block.text, block


@needs_shared
@pytest.mark.parametrize(("document", "n"), [("ihrda_2_fr", 78), ("ohchr_1_ru", 2)])
def test_a_french_and_a_russian_paragraph_come_out_letter_for_letter(document: str, n: int) -> None:
    label = _label(document, n)
    doc = _read(BENCH / "docs" / f"{document}.pdf")
    found = [b for b in _paragraphs(doc) if _letters(b[0]) == _letters(label["text"])]
    assert len(found) == 1
    assert found[0][0].split()[0] == label["text"].split()[0]  # the paragraph number stays with its paragraph
    assert (found[0][1], found[0][2]) == (label["page_start"], label["page_end"])


@needs_shared
@pytest.mark.parametrize(
    "path",
    # every PDF of the corpus and of the benchmark
    sorted(EXTERNAL.glob("*.pdf")) + sorted((BENCH / "docs").glob("*.pdf")),
    ids=lambda path: path.name,
)
def test_every_passage_of_a_layout_read_is_cited(path: Path) -> None:
    raw = _read(path)
    assert raw.lines
    doc = build_document(path)
    assert len(doc.passages) > 10
    # the line numbers count a page break as a line break; footnote and furniture lines are left aside
    check_citations(doc, raw.original.replace("\f", "\n"))
    for block in raw.lines:
        assert block.page is not None and 1 <= block.page <= (raw.pages or 0)


def _original_lines(path: Path) -> list[str]:
    """The lines of `original` as citations count them (a page break counts as a line break)."""
    return _read(path).original.replace("\f", "\n").split("\n")


@needs_shared
def test_a_paragraph_over_a_page_break_is_one_passage_citing_both_pages() -> None:
    # cejil_1_es paragraph 7 runs from page 3 to page 4; between its halves stand a footnote and a page number
    path = BENCH / "docs" / "cejil_1_es.pdf"
    doc = build_document(path)
    label = _label("cejil_1_es", 20)
    [passage] = [p for p in doc.passages if _letters(p.text) == _letters(label["text"])]
    assert (passage.page_start, passage.page_end) == (3, 4)
    assert doc.clean_text[passage.start : passage.end] == passage.text
    lines = _original_lines(path)
    between = {n for note in doc.footnotes for n in range(note.line_start, note.line_end + 1)}
    between |= {n for item in doc.furniture for n in range(item.line_start, item.line_end + 1)}
    cited = range(passage.line_start, passage.line_end + 1)
    assert any(note.number == "4" and note.line_start in cited for note in doc.footnotes)
    assert any(item.reason == "page number" and item.line_start in cited for item in doc.furniture)
    kept = "\n".join(lines[n - 1] for n in cited if n not in between)
    assert squeeze(passage.text) in squeeze(kept)
    # each half is cited to its own page through the offset map
    pages = {run.page for run in doc.offset_map if run.clean_start < passage.end and run.clean_end > passage.start}
    assert pages == {3, 4}
    half = passage.text.index("adicional a las y los miembros")
    assert "solicitar información" in passage.text[:half] and passage.text[half - 1] == " "


@needs_shared
def test_a_paragraph_over_a_page_break_in_two_columns_skips_the_margin_index() -> None:
    # Amnesty's thumb index ("K") and running footer stand between the halves of a paragraph on pages 1 and 2
    path = EXTERNAL / "ai_2011_kyrgyzstan.pdf"
    doc = build_document(path)
    [passage] = [p for p in doc.passages if "violent clashes between security forces" in p.text]
    assert (passage.page_start, passage.page_end) == (1, 2)
    assert passage.text.startswith("Rising tensions") and passage.text.endswith("dozens injured.")
    reasons = {item.reason for item in doc.furniture if passage.line_start <= item.line_start <= passage.line_end}
    assert reasons >= {"page margin", "running header or footer"}
    check_citations(doc, _read(path).original.replace("\f", "\n"))


@needs_shared
def test_footnotes_of_a_pdf_are_kept_and_joined_to_their_markers() -> None:
    path = BENCH / "docs" / "cejil_1_es.pdf"
    doc = build_document(path)
    assert [note.number for note in doc.footnotes] == [str(n) for n in range(1, 28)]
    lines = _original_lines(path)
    for note in doc.footnotes:
        assert doc.clean_text[note.start : note.end] == note.text
        assert note.start >= doc.passages[-1].end  # notes follow the body
        cited = "\n".join(lines[note.line_start - 1 : note.line_end])
        assert squeeze(note.text) in squeeze(cited)
        assert not note.text.startswith(note.number)
        assert note.marker_offset is not None
    # "el líder indígena M.Y.4 entregó": the marker leaves the text, its place is kept
    note = doc.footnotes[3]
    assert note.text.startswith("En la presente Resolución se mantendrá la reserva de los nombres")
    assert doc.clean_text[note.marker_offset - 22 : note.marker_offset + 8] == "el líder indígena M.Y. entregó"
    assert note.page == 3
    passage = next(p for p in doc.passages if p.start <= note.marker_offset < p.end)
    assert "M.Y. entregó" in passage.text and "M.Y.4" not in passage.text
    # no footnote text is left in a body passage
    for note in doc.footnotes:
        assert all(note.text not in p.text for p in doc.passages)


@needs_shared
def test_endnotes_find_their_markers_in_order() -> None:
    # the UPR summary puts its 169 notes at the end of the document, in small type
    doc = build_document(BENCH / "docs" / "ohchr_1_en.pdf")
    numbered = [note for note in doc.footnotes if note.number.isdigit()]
    marked = [note for note in numbered if note.marker_offset is not None]
    assert len(marked) >= 165
    assert [int(n.number) for n in marked] == sorted(int(n.number) for n in marked)
    assert all((a.marker_offset or 0) < (b.marker_offset or 0) for a, b in pairwise(marked))
    # a note marker glued to a heading leaves the section title
    assert "Right to health" in {section.title for section in doc.sections}


@needs_shared
def test_amnesty_entry_headings_wrap_and_stop_before_the_fact_box() -> None:
    russia = build_document(EXTERNAL / "ai_2007_russia.pdf")
    titles = [s.title for s in russia.sections]
    assert "RUSSIAN FEDERATION" in titles  # a title in large type over two lines is one heading
    assert "RUSSIAN" not in titles and "FEDERATION" not in titles
    tajikistan = build_document(EXTERNAL / "ai_2013_tajikistan.pdf")
    official = next(s for s in tajikistan.sections if s.title.startswith("REPUBLIC OF TAJIKISTAN"))
    assert official.title == "REPUBLIC OF TAJIKISTAN"  # "Head of state: ..." is not part of it
    assert any(p.text.startswith("Head of state: Emomali Rahmon") for p in tajikistan.passages)

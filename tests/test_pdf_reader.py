"""The PDF reader on real PDFs, on the Norland sample and on malformed files."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest

from badfiles import READABLE, make_all
from covenant.errors import BadInputError
from covenant.ingest import read_report
from covenant.ingest.pdf import normalise_page_text, page_lines, pdf_date_to_iso, read_pdf

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench" / "huridocs-paragraphs" / "docs"
EXTERNAL = SHARED / "corpus" / "external"
SAMPLE_PDF = ROOT / "samples" / "norland-shadow-report.pdf"

BENCH_PDFS = sorted(BENCH.glob("*.pdf"))
REAL_PDFS = sorted(EXTERNAL.glob("*.pdf")) + BENCH_PDFS
needs_shared = pytest.mark.skipif(not BENCH_PDFS, reason="../shared/bench and ../shared/corpus are absent")


def _read(path: Path):
    return read_pdf(str(path), path.read_bytes())


def _pdf_params() -> list:
    params = [pytest.param(SAMPLE_PDF, id=SAMPLE_PDF.name)]
    params += [pytest.param(path, id=path.name) for path in REAL_PDFS]
    return params


@pytest.mark.parametrize("path", _pdf_params())
def test_every_line_is_an_exact_slice_of_the_original(path: Path) -> None:
    doc = _read(path)
    assert doc.format == "pdf" and doc.encoding is None and not doc.blocks_are_paragraphs
    assert doc.pages == doc.original.count("\f") + 1
    assert doc.lines
    for line in doc.lines:
        assert doc.original[line.start : line.start + len(line.text)] == line.text
        assert "\n" not in line.text and "\f" not in line.text
        before = doc.original[: line.start]
        assert line.line_start == line.line_end == before.count("\n") + before.count("\f") + 1
        assert line.page == before.count("\f") + 1
        assert line.tag is None
    assert "".join(line.text for line in doc.lines) == re.sub(r"[\n\f]", "", doc.original)


@pytest.mark.parametrize("path", _pdf_params())
def test_text_has_no_extraction_debris(path: Path) -> None:
    text = _read(path).original
    debris = {ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\f"}
    assert not debris
    for bad in ("\ufffe", "\ufffd", "\xad", "\ufb01", "\ufb02", "\ufb00", " \n"):
        assert bad not in text


@needs_shared
def test_pages_are_counted() -> None:
    # Figures from the corpus README (279 benchmark pages) and SOURCES.md (22-page UPR report).
    assert sum(_read(path).pages or 0 for path in BENCH_PDFS) == 279
    assert _read(EXTERNAL / "un_hrc_2010_upr_slovenia.pdf").pages == 22


@needs_shared
def test_russian_reads_as_cyrillic() -> None:
    text = _read(BENCH / "ohchr_1_ru.pdf").original
    assert len(re.findall("[\u0400-\u04ff]", text)) > 20_000
    assert "\ufffd" not in text
    assert "Совет по правам человека" in text


@needs_shared
@pytest.mark.parametrize("name", ["ihrda_2_fr.pdf", "ohchr_2_fr.pdf", "plan_2_fr.pdf"])
def test_french_reads_with_accents(name: str) -> None:
    text = _read(BENCH / name).original
    assert sum(text.count(ch) for ch in "éèàç") > 300
    assert re.search(r"\b(?:été|développement|réunion|défendeur)\b", text)


@needs_shared
def test_line_end_hyphen_is_given_back_with_its_line_break() -> None:
    # pdfium marks "ill-" at a line end with \x02 and joins the lines; the reader restores both.
    text = _read(EXTERNAL / "ai_2006_uzbekistan.pdf").original
    assert "ill-\ntreated" in text


@needs_shared
def test_metadata_hints_from_a_real_pdf() -> None:
    hints = _read(EXTERNAL / "un_hrc_2010_upr_slovenia.pdf").hints
    assert hints["created"] == "2010-03-15"
    assert hints["author"] == "Bremont"
    assert _read(EXTERNAL / "ai_2006_uzbekistan.pdf").hints == {}


def test_sample_shadow_report() -> None:
    doc = _read(SAMPLE_PDF)
    assert doc.pages == 3
    assert doc.hints == {
        "title": "Norland: Shadow Report to the UN Human Rights Committee",
        "author": "Halvik Human Rights Centre; Norland Association of Journalists",
        "subject": "Fictional sample: ICCPR articles 9 and 19 in the Republic of Norland",
        "created": "2024-01-15",
    }
    texts = [line.text for line in doc.lines]
    assert "Article 9. Liberty and security of person" in texts
    assert "Article 19. Freedom of opinion and expression" in texts
    footnotes = {1: "1 CCPR/C/NRL/4", 2: "4 Halvik District Court", 3: "6 Letter of the Ministry"}
    for page, footnote in footnotes.items():
        page_texts = [line.text for line in doc.lines if line.page == page]
        assert page_texts[-1] == str(page)  # the page number in the footer
        assert any(text.startswith(footnote) for text in page_texts)
    # Paragraph 6 starts at the foot of page 1 and ends on page 2.
    starts = [line.page for line in doc.lines if line.text.startswith("6. Access to a lawyer in the first hours")]
    ends = [line.page for line in doc.lines if line.text.startswith("we interviewed, 31 said")]
    assert (starts, ends) == ([1], [2])


def test_time_per_page() -> None:
    paths = BENCH_PDFS or [SAMPLE_PDF]
    pages = 0
    started = time.perf_counter()
    for path in paths:
        pages += _read(path).pages or 0
    elapsed = time.perf_counter() - started
    print(f"\nread_pdf: {len(paths)} PDFs, {pages} pages, {1000 * elapsed / pages:.1f} ms per page")


def test_normalise_page_text() -> None:
    raw = (
        "e\ufb03cient \ufb01les\r\nill\x02treated and re\ufffe\r\nform\x00ed\x0c\r\n"
        "\x02 item  \r\nsoft\xad\r\nhy\xadphen\r\n\r\n"
    )
    assert normalise_page_text(raw) == "efficient files\nill-\ntreated and re-\nformed\n item\nsoft-\nhyphen"


def test_page_lines_count_a_page_break_as_a_line_break() -> None:
    lines = page_lines(["a\nbb", "", "c"])
    assert [(ln.text, ln.start, ln.line_start, ln.page) for ln in lines] == [
        ("a", 0, 1, 1),
        ("bb", 2, 2, 1),
        ("c", 6, 4, 3),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20240117143049-03'00'", "2024-01-17"),
        ("D:201908", "2019-08"),
        ("2010", "2010"),
        ("", None),
        ("D:20241345", None),
        ("Tuesday", None),
    ],
)
def test_pdf_date_to_iso(value: str, expected: str | None) -> None:
    assert pdf_date_to_iso(value) == expected


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_all(tmp_path_factory.mktemp("badfiles"))


PDF_REASONS = {
    "truncated_pdf": "broken PDF: the end of the file is missing (is the file complete?)",
    "encrypted_pdf": "encrypted PDF: a password is needed to read it",
    "scanned_pdf": "no text layer: scanned PDF",
    "no_pages_pdf": "PDF with no pages",
    "garbage": "broken PDF: not a PDF file",
    "empty": "empty file",
}
REPORT_REASONS = {
    **{name: reason for name, reason in PDF_REASONS.items() if name.endswith("_pdf")},
    "scanned_pdf": "no text found by OCR on any of its 2 pages",  # read by OCR, which finds no text in it
    "empty": "empty file",
    "garbage": "binary data",
    "huge_single_line": "a single line of",
    "html_without_text": "no readable text",
}


@pytest.mark.parametrize(("name", "reason"), PDF_REASONS.items())
def test_read_pdf_rejects_with_a_reason(bad_files: dict[str, Path], name: str, reason: str) -> None:
    path = bad_files[name]
    with pytest.raises(BadInputError) as caught:
        read_pdf(str(path), path.read_bytes())
    assert reason in caught.value.reason
    assert caught.value.path == str(path)


@pytest.mark.parametrize(("name", "reason"), REPORT_REASONS.items())
def test_read_report_rejects_with_a_reason(bad_files: dict[str, Path], name: str, reason: str) -> None:
    with pytest.raises(BadInputError) as caught:
        read_report(bad_files[name])
    assert reason in caught.value.reason


def test_every_bad_file_is_covered(bad_files: dict[str, Path]) -> None:
    assert set(bad_files) == set(REPORT_REASONS) | READABLE


def test_mislabelled_and_legacy_files_are_read_by_content(bad_files: dict[str, Path]) -> None:
    pdf = read_report(bad_files["pdf_named_txt"])
    assert pdf.format == "pdf" and pdf.pages == 2 and "Detention of Protesters" in pdf.original
    text = read_report(bad_files["text_named_pdf"])
    assert text.format == "text" and text.original.startswith("Norland: Detention of Protesters")
    assert "Comité" in read_report(bad_files["utf16_text"]).original
    assert "Комитет ООН по правам человека" in read_report(bad_files["cp1251_text"]).original
    restricted = read_report(bad_files["restricted_pdf"])
    assert restricted.format == "pdf" and "Halvik detained twelve people" in restricted.original

"""PDF reader: each page's text layer through pdfium, pages joined by form feeds, lines with exact offsets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument
from covenant.ingest.text import split_lines
from covenant.model import SourceLine

PAGE_BREAK = "\f"
# A page of prose holds a thousand characters or more; a scan has none, or a stamp or page number.
MIN_CHARS_PER_PAGE = 20

_METADATA_HINTS = {"Title": "title", "Author": "author", "Subject": "subject"}

_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029]")
# pdfium turns a hyphen that ends a line into \x02 (\ufffe in get_text_range) and joins the two lines;
# give the hyphen and the line break back, as a text file has them, so cleaning treats both alike.
_LINE_END_HYPHEN = re.compile(r"(?<=\S)[\x02\ufffe]\n?")
_SOFT_HYPHEN_AT_LINE_END = re.compile(r"(?<=\S)\xad(?=\n)")
# \f is the page separator of `original`, so it must never come from a page; \t and \n stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\ufffe\uffff]")
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n|\Z)")
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE = re.compile("[\ufb00-\ufb06]")
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: a password is needed to read it",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF: its security scheme is not supported",
    pdfium_c.FPDF_ERR_FILE: "broken PDF: the file cannot be opened (is the file complete?)",
    pdfium_c.FPDF_ERR_PAGE: "broken PDF: a page cannot be read (is the file complete?)",
}


def read_pdf(path: str, data: bytes) -> RawDocument:
    """Read the text layer of a PDF; `original` is the page texts joined by form feeds."""
    with open_pdf(path, data) as pdf:
        page_count = len(pdf)
        if page_count == 0:
            raise BadInputError(path, "PDF with no pages")
        pages = [normalise_page_text(_page_text(path, pdf, index)) for index in range(page_count)]
        hints = metadata_hints(pdf)
    _require_text_layer(path, pages)
    return RawDocument(
        path=path,
        format="pdf",
        encoding=None,
        original=PAGE_BREAK.join(pages),
        lines=page_lines(pages),
        pages=page_count,
        blocks_are_paragraphs=False,
        hints=hints,
    )


@contextmanager
def open_pdf(path: str, data: bytes) -> Iterator[pdfium.PdfDocument]:
    """Open a PDF from bytes and always close it; load failures become BadInputError."""
    # The raw call, because PdfDocument(bytes) reads a stale error code for a file with no pages
    # and leaves that document open. `data` outlives the document: it is our caller's argument.
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        raise BadInputError(path, _load_error(pdfium_c.FPDF_GetLastError(), data))
    pdf = pdfium.PdfDocument(raw)
    try:
        yield pdf
    finally:
        pdf.close()


def _load_error(code: int, data: bytes) -> str:
    if code in _LOAD_ERRORS:
        return _LOAD_ERRORS[code]
    if not data:
        return "empty file"
    if b"%PDF-" not in data[:1024]:
        return "broken PDF: not a PDF file (no %PDF- header)"
    if b"%%EOF" not in data[-2048:]:
        return "broken PDF: the end of the file is missing (is the file complete?)"
    return "broken PDF: its structure cannot be parsed (is the file complete?)"


def _page_text(path: str, pdf: pdfium.PdfDocument, index: int) -> str:
    try:
        page = pdf.get_page(index)
    except pdfium.PdfiumError as exc:
        raise BadInputError(path, f"broken PDF: page {index + 1} cannot be read (is the file complete?)") from exc
    try:
        textpage = page.get_textpage()
        try:
            # get_text_bounded rather than get_text_range: full Unicode, and superscript note
            # markers stay on their line instead of starting a new one.
            return textpage.get_text_bounded()
        finally:
            textpage.close()
    except pdfium.PdfiumError as exc:
        raise BadInputError(path, f"broken PDF: the text of page {index + 1} cannot be read") from exc
    finally:
        page.close()


def normalise_page_text(text: str) -> str:
    """Undo what text extraction breaks: line-end hyphen markers, ligatures, control characters."""
    text = _LINE_BREAK.sub("\n", text)
    text = _LINE_END_HYPHEN.sub("-\n", text)
    text = _SOFT_HYPHEN_AT_LINE_END.sub("-", text)
    text = _LIGATURE.sub(lambda match: _LIGATURES[match.group()], text)
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")


def page_lines(pages: list[str]) -> list[SourceLine]:
    """Lines of every page with offsets in the form-feed-joined original; a page break counts as a line break."""
    lines: list[SourceLine] = []
    base = 0
    first_line = 1
    for number, text in enumerate(pages, start=1):
        lines.extend(split_lines(text, page=number, first_line=first_line, base=base))
        base += len(text) + len(PAGE_BREAK)
        first_line += text.count("\n") + 1
    return lines


def _require_text_layer(path: str, pages: list[str]) -> None:
    visible = sum(len("".join(text.split())) for text in pages)
    if visible < MIN_CHARS_PER_PAGE * len(pages):
        raise BadInputError(path, "no text layer: scanned PDF, OCR is not supported")


def metadata_hints(pdf: pdfium.PdfDocument) -> dict[str, str]:
    """Title, author, subject and creation date from the document information, when present."""
    hints: dict[str, str] = {}
    for key, name in _METADATA_HINTS.items():
        value = " ".join(_CONTROL.sub("", pdf.get_metadata_value(key)).split())
        if value:
            hints[name] = value
    created = pdf_date_to_iso(pdf.get_metadata_value("CreationDate"))
    if created:
        hints["created"] = created
    return hints


def pdf_date_to_iso(value: str) -> str | None:
    """'D:20240117143049-03'00'' -> '2024-01-17'; as much of the date as the PDF gives, None if invalid."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    if int(year) < 1900:
        return None
    return "-".join(part for part in (year, month, day) if part)

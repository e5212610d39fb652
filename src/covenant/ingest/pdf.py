"""PDF reader: each page's text layer through pdfium, pages joined by form feeds, lines with exact offsets."""

from __future__ import annotations

import re
import zlib
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
NO_TEXT_LAYER = "no text layer: scanned PDF"

# What a compressed stream may expand to. pdfium inflates a page's content streams, fonts and object streams
# whole when it loads the page, so a few MB of zeros compressed 1000:1 cost gigabytes. Real content streams
# are well under a megabyte; images are never decoded for text, but a 256 MB image is no report's either.
MAX_STREAM_BYTES = 64 * 2**20
MAX_IMAGE_BYTES = 256 * 2**20
MAX_CONTENT_BYTES = 256 * 2**20  # all streams but images, together
_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJECT_HEADER = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_DICT_LOOKBACK = 4096
_INFLATE_IN = 64 * 1024
_INFLATE_OUT = 2**20

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
        labels = page_labels(pdf)
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
        page_labels=labels,
    )


@contextmanager
def open_pdf(path: str, data: bytes, *, checked: bool = False) -> Iterator[pdfium.PdfDocument]:
    """Open a PDF from bytes and always close it; load failures become BadInputError.

    `checked`: these bytes already passed `check_expansion` (a second reader of the same file).
    """
    if not checked:
        check_expansion(path, data)
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


def check_expansion(path: str, data: bytes) -> None:
    """Refuse a PDF whose compressed streams expand beyond what any report holds, before pdfium inflates them.

    Each stream that zlib can read is inflated into nothing, counting bytes up to its bound, so the check
    costs a megabyte of memory whatever the file. Streams zlib cannot read (other filters, encrypted data)
    are left to pdfium.
    """
    view = memoryview(data)
    content = 0
    for match in _STREAM_START.finditer(data):
        head = data[max(0, match.start() - _DICT_LOOKBACK) : match.start()]
        headers = list(_OBJECT_HEADER.finditer(head))
        header = headers[-1] if headers else None
        stream_dict = head[header.end() :] if header else head
        where = f" (object {int(header.group(1))})" if header else ""
        is_image = _IMAGE.search(stream_dict) is not None
        bound = MAX_IMAGE_BYTES if is_image else min(MAX_STREAM_BYTES, MAX_CONTENT_BYTES - content)
        size = _inflated_size(view, match.end(), bound + 1)
        if size > bound:
            if is_image or bound == MAX_STREAM_BYTES:
                raise BadInputError(
                    path,
                    f"a compressed stream{where} expands to more than {bound // 2**20} MB: "
                    "not report content (a decompression bomb?)",
                )
            raise BadInputError(
                path,
                f"compressed streams expand to more than {MAX_CONTENT_BYTES // 2**20} MB in all: "
                "not report content (a decompression bomb?)",
            )
        if not is_image:
            content += size


def _inflated_size(data: memoryview, start: int, limit: int) -> int:
    """How many bytes the zlib stream at `start` expands to, counted up to `limit`; 0 if it is not zlib."""
    inflater = zlib.decompressobj()
    size = 0
    position = start
    try:
        while size < limit and not inflater.eof:
            if inflater.unconsumed_tail:
                piece: bytes | memoryview = inflater.unconsumed_tail
            elif position < len(data):
                piece = data[position : position + _INFLATE_IN]
                position += _INFLATE_IN
            else:
                break
            size += len(inflater.decompress(piece, _INFLATE_OUT))
    except zlib.error:
        pass  # not zlib data, or broken: pdfium decides what to make of it
    return size


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
        raise BadInputError(path, NO_TEXT_LAYER)


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


def page_labels(pdf: pdfium.PdfDocument) -> list[str]:
    """The document's page labels ("iv", "277", "A-3"), one per page; all "" when it defines none."""
    labels = []
    for index in range(len(pdf)):
        try:
            labels.append(" ".join(_CONTROL.sub("", pdf.get_page_label(index)).split()))
        except pdfium.PdfiumError:
            labels.append("")
    return labels


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

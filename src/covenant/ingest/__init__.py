"""Readers: bytes of a report file -> decoded original text and its lines or blocks."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument
from covenant.ingest.sniff import DAMAGED_ZIP, ENCRYPTED_OFFICE, sniff_format, unsupported_format

MAX_FILE_BYTES = 200 * 1024 * 1024

__all__ = ["MAX_FILE_BYTES", "RawDocument", "read_report", "read_report_bytes"]

_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_report(path: Path, data: bytes | None = None) -> RawDocument:
    """Read one file as a report, choosing the reader by content (never by extension alone).

    `data`: the file's bytes when the caller already has them from `read_report_bytes` (to hash them), so
    the file is read once.
    """
    name = str(path)
    if data is None:
        data = read_report_bytes(path)
    elif len(data) > MAX_FILE_BYTES:
        raise BadInputError(name, _too_large(len(data), MAX_FILE_BYTES))
    elif not data:
        raise BadInputError(name, "empty file")
    fmt = sniff_format(data)
    if fmt == "pdf":
        from covenant.ingest.pdf import NO_TEXT_LAYER, read_pdf
        from covenant.ingest.pdf_layout import read_pdf_layout

        # The line reader checks the file (decompression bombs, encryption, text layer, breakage) with named
        # errors; the layout reader then gives paragraphs from positions and fonts (pages without a text layer
        # read by OCR when Tesseract is installed), and the line text stays the fallback.

        ocr = shutil.which("tesseract") is not None
        try:
            lines = read_pdf(name, data)
        except BadInputError as exc:
            if exc.reason != NO_TEXT_LAYER:
                raise
            # A scanned PDF: every page is read by OCR, or the user is told what to install.
            return _read_scanned_pdf(name, data)
        try:
            layout = read_pdf_layout(name, data, checked=True, ocr=ocr)
        except BadInputError:
            return lines
        return layout if layout.lines else lines
    if fmt in _PACKAGE_READERS:
        return _PACKAGE_READERS[fmt](name, data)
    unsupported = unsupported_format(data)
    if unsupported:
        raise BadInputError(name, _refusal(path, unsupported))
    from covenant.ingest.text import decode_text

    text, encoding = decode_text(name, data)
    if fmt == "html" or (fmt == "unknown" and _looks_like_html(text)):
        from covenant.ingest.html import read_html

        return read_html(name, text, encoding)
    from covenant.ingest.text import read_text

    return read_text(name, text, encoding)


def _read_docx(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.docx import read_docx

    return read_docx(name, data)


def _read_odt(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.odt import read_odt

    return read_odt(name, data)


def _read_rtf(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.rtf import read_rtf

    return read_rtf(name, data)


def _read_doc(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.doc import read_doc

    return read_doc(name, data)


def _read_scanned_pdf(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.image import check_found_text
    from covenant.ingest.ocr import require_tesseract
    from covenant.ingest.pdf_layout import read_pdf_layout

    require_tesseract(name)
    layout = read_pdf_layout(name, data, checked=True, ocr=True)
    check_found_text(name, layout.ocr_pages, layout.pages or 0)
    return layout


def _read_image(name: str, data: bytes) -> RawDocument:
    from covenant.ingest.image import read_scan

    return read_scan(name, data)


# Readers of the formats told by their bytes, imported when first needed (each pulls in its own library).
_PACKAGE_READERS: dict[str, Callable[[str, bytes], RawDocument]] = {
    "docx": _read_docx,
    "odt": _read_odt,
    "rtf": _read_rtf,
    "doc": _read_doc,
    "image": _read_image,
}


def _refusal(path: Path, what: str) -> str:
    """One line for a file of a format Covenant does not read: what it is and what to do."""
    if what == ENCRYPTED_OFFICE:
        return f"{what}: remove the password (in Word: File > Info > Protect Document) and save it again"
    if what == DAMAGED_ZIP:
        return f"{what}: is the file complete? Open it in its program and save it again"
    if what == "a ZIP archive":
        if path.suffix.lower() in (".docx", ".odt"):
            return f"named {path.suffix.lower()} but {what} of other files, not a document: check what the file is"
        return f"{what}, not a report: unpack it and ingest the files inside"
    return f"{what}: not supported yet; save it as PDF or text to ingest it"


def read_report_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a report file, refused before reading if it is not a regular file or is over `limit`.

    At most `limit` + 1 bytes are ever read, so a file that grows after its size was checked, or a special
    file that slipped past the check, still costs no more memory than the limit.
    """
    name = str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise BadInputError(name, f"cannot be read ({exc.strerror or exc})") from exc
    _require_regular_file(name, info.st_mode)
    if info.st_size > limit:
        raise BadInputError(name, _too_large(info.st_size, limit))
    # O_NONBLOCK: if the path was swapped for a FIFO since the check, opening it must not wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise BadInputError(name, f"cannot be read ({exc.strerror or exc})") from exc
    with open(fd, "rb") as stream:
        try:
            _require_regular_file(name, os.fstat(fd).st_mode)
            # Ask for what the file holds plus one byte (to see growth): read(limit + 1) would reserve the whole
            # limit up front, which counts against a worker's memory ceiling for every small file.
            data = stream.read(min(info.st_size, limit) + 1)
            if len(data) > info.st_size:
                data += stream.read(limit + 1 - len(data))
            if len(data) > limit:  # it grew after the check
                raise BadInputError(name, _too_large(max(os.fstat(fd).st_size, len(data)), limit))
        except OSError as exc:
            raise BadInputError(name, f"cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise BadInputError(name, "empty file")
    return data


def _require_regular_file(name: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((kind for test, kind in _FILE_KINDS if test(mode)), "a special file")
    raise BadInputError(name, f"not a regular file ({kind}): give the path of a report file")


def _too_large(size: int, limit: int) -> str:
    return f"too large ({size / 2**20:.1f} MB; the limit is {limit / 2**20:.0f} MB): split it into smaller files"


def _looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<body" in head or "<!doctype html" in head

"""Tell a file's real format from its first bytes, so a mislabelled extension does not matter."""

from __future__ import annotations

import io
import re
import zipfile

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RTF = b"{\\rtf"
_ODT_MIMETYPES = (b"application/vnd.oasis.opendocument.text", b"application/vnd.oasis.opendocument.text-template")
# Stream names in an OLE compound file's directory (UTF-16LE): a Word 97-2003 body, or an encrypted OOXML
# package (Office wraps a password-protected .docx in OLE).
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)

# Formats recognised by their signatures that Covenant does not read, to be named rather than misread as text.
ENCRYPTED_OFFICE = "a password-protected (encrypted) Word or Office document"
DAMAGED_ZIP = "a damaged ZIP archive or Word/OpenDocument file (its table of contents cannot be read)"
_ZIP_KINDS = (
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint presentation (.pptx)"),
)


def unsupported_format(data: bytes) -> str | None:
    """What a file is when it is a known format Covenant does not read ("an Excel workbook (.xlsx)")."""
    fmt = sniff_format(data)
    if fmt == "zip":
        names = _zip_names(data) or []
        if not names:
            return DAMAGED_ZIP
        for prefix, what in _ZIP_KINDS:
            if any(name.startswith(prefix) for name in names):
                return what
        return "a ZIP archive"
    if fmt == "ole":
        if _ENCRYPTED_STREAM in data[:1_048_576] or _ENCRYPTED_STREAM in data[-1_048_576:]:
            return ENCRYPTED_OFFICE
        return "an Excel, PowerPoint or other Office 97-2003 file"
    return None


def sniff_format(data: bytes) -> str:
    """Return 'pdf', 'html', 'docx', 'odt', 'rtf', 'doc', 'image', 'zip' or 'ole' (other packages, not read),
    or 'unknown' (decode and look again)."""
    head = data[:1024]
    if _is_pdf(data, head):
        return "pdf"
    if head.startswith(_ZIP):
        return _zip_format(data)
    if head.startswith(_OLE):
        # The directory sits anywhere in the file; a Word file names its WordDocument stream in it.
        return "doc" if _WORD_STREAM in data and _ENCRYPTED_STREAM not in data else "ole"
    if head.startswith(_RTF):
        return "rtf"
    if any(head.startswith(signature) for signature, _ in _IMAGES):
        return "image"
    probe = head
    for bom in _BOMS:
        if probe.startswith(bom):
            return "unknown"
    lowered = probe.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in lowered[:512]:
        return "html"
    return "unknown"


# The file name suffix of each format the readers take, for files stored under a name of Covenant's making.
_SUFFIXES = {"pdf": ".pdf", "html": ".html", "docx": ".docx", "odt": ".odt", "rtf": ".rtf", "doc": ".doc"}
_IMAGE_SUFFIXES = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}


def format_suffix(data: bytes) -> str:
    """The suffix a file of these bytes should carry (".docx", ".tif"); ".txt" for text and what is not known."""
    fmt = sniff_format(data)
    if fmt == "image":
        return next(_IMAGE_SUFFIXES[kind] for signature, kind in _IMAGES if data.startswith(signature))
    return _SUFFIXES.get(fmt, ".txt")


def _is_pdf(data: bytes, head: bytes) -> bool:
    """A PDF header first, or after bytes a mail or download tool put before it (pdfium looks 1 KB in).

    A header in the middle of prose is a text that mentions one ("files began with %PDF-1.7"), unless the
    file also ends as a PDF does.
    """
    found = _PDF_HEADER.search(head)
    if found is None:
        return False
    before = head[: found.start()]
    return not before.strip() or _CONTROL_BYTES.search(before) is not None or b"%%EOF" in data[-2048:]


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return package.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _zip_format(data: bytes) -> str:
    """'docx' or 'odt' for a word processor's package, else 'zip'."""
    names = _zip_names(data)
    if not names:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "mimetype" in names and "content.xml" in names:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                mimetype = package.read("mimetype")[:100].strip()
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, RuntimeError):
            return "zip"
        if mimetype in _ODT_MIMETYPES:
            return "odt"
    return "zip"

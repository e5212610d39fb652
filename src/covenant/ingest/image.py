"""Scanned pages as image files (TIFF, PNG, JPEG): every frame read by OCR, then through the PDF layout reader."""

from __future__ import annotations

import io

from covenant.errors import BadInputError
from covenant.ingest.ocr import OcrPage, PageReader, require_tesseract, summary
from covenant.ingest.raw import RawDocument

# A scanner that writes no resolution almost always scanned at 300 dpi; a photo's 72 dpi would misstate sizes.
_DEFAULT_DPI = 300.0
# Below this many words, or this mean confidence, what OCR found is noise on a photo or a blank page.
MIN_WORDS = 5
MIN_CONFIDENCE = 45.0


def read_scan(path: str, data: bytes) -> RawDocument:
    """Read an image file of one or more scanned pages (a multi-page TIFF has one frame a page)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from covenant.ingest.pdf_layout import layout_document

    require_tesseract(path)
    try:
        picture = Image.open(io.BytesIO(data))
        frames = [frame.copy() for frame in ImageSequence.Iterator(picture)]
    except Image.DecompressionBombError as exc:
        raise BadInputError(path, f"image too large to be a scanned page ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise BadInputError(path, f"broken image: it cannot be decoded ({exc})") from exc
    dpi = _dpi(picture.info.get("dpi"))
    with PageReader(path, len(frames)) as reader:
        for number, frame in enumerate(frames, 1):
            reader.read(number, frame, dpi)
        pages = reader.pages()
    check_found_text(path, pages, len(frames))
    hints = {"ocr": summary(pages)}
    raw = layout_document(path, "image", [p.text for p in pages.values()], [p.lines for p in pages.values()], hints)
    raw.ocr_pages = pages
    return raw


def check_found_text(path: str, pages: dict[int, OcrPage], page_count: int) -> None:
    """Refuse a scan in which OCR found no document text: a blank page, a photo, a drawing."""
    words = sum(p.words for p in pages.values())
    mean = sum(p.confidence * p.words for p in pages.values()) / words if words else 0.0
    what = "its page" if page_count == 1 else f"any of its {page_count} pages"
    if words < MIN_WORDS:
        raise BadInputError(path, f"no text found by OCR on {what}: a blank page or a picture, not a document")
    if mean < MIN_CONFIDENCE:
        raise BadInputError(
            path,
            f"no readable text on {what}: OCR found {words} words at {mean:.0f}% confidence (a photo or a "
            "picture, not a document, or a scan too poor to read)",
        )


def _dpi(value: object) -> float:
    try:
        dpi = float(value[0])  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return _DEFAULT_DPI
    return dpi if 100 <= dpi <= 1200 else _DEFAULT_DPI

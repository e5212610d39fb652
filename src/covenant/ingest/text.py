"""Plain-text reader: detect the encoding with charset-normalizer and keep every physical line's offset."""

from __future__ import annotations

import re

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument
from covenant.model import SourceLine

# A report line is rarely more than a few thousand characters; a line of megabytes is data, not prose.
MAX_LINE_CHARS = 1_000_000
# "\r\n" (Windows), "\n" (Unix) and a lone "\r" (classic Mac, or a stray one left by a conversion) each end a line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def decode_text(path: str, data: bytes) -> tuple[str, str]:
    """Decode bytes to text; BOMs and valid UTF-8 first, then charset-normalizer for legacy encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(path, data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(path, data, "utf-16"), "utf-16"
    sample = data[:65536]
    if b"\x00" not in sample:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BadInputError(path, "binary data, not text (no text encoding fits it)")
    text = str(best)
    if _control_share(text) > 0.05:
        raise BadInputError(path, "binary data, not text (too many control characters)")
    return text, best.encoding


def _decode(path: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise BadInputError(path, f"declares {encoding} but is not valid {encoding} ({exc.reason})") from exc


def _control_share(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def split_lines(text: str, page: int | None = None, first_line: int = 1, base: int = 0) -> list[SourceLine]:
    """Physical lines with their offsets; the line end ("\\r\\n", "\\n" or "\\r") is left out, offsets stay exact."""
    lines: list[SourceLine] = []
    number = first_line
    for match in _LINE.finditer(text):
        raw = match.group()
        body = raw.removesuffix("\n").removesuffix("\r")
        lines.append(SourceLine(body, base + match.start(), number, number, page))
        number += 1
    return lines


def read_text(path: str, text: str, encoding: str) -> RawDocument:
    if _control_share(text) > 0.05:
        raise BadInputError(path, "binary data, not text (too many control characters)")
    if not text.strip():
        raise BadInputError(path, "no text in the file (only whitespace)")
    pages = None
    if "\f" in text:
        lines = _paged_lines(text)
        pages = max((ln.page or 1) for ln in lines)
    else:
        lines = split_lines(text)
    longest = max((len(ln.text) for ln in lines), default=0)
    if longest > MAX_LINE_CHARS:
        raise BadInputError(
            path,
            f"a single line of {longest / 1e6:.1f} million characters: not a report "
            "(minified data or a broken conversion?)",
        )
    return RawDocument(path=path, format="text", encoding=encoding, original=text, lines=lines, pages=pages)


def _paged_lines(text: str) -> list[SourceLine]:
    """Text converted from PDF keeps form feeds between pages: count them as page breaks."""
    lines: list[SourceLine] = []
    page = 1
    for ln in split_lines(text):
        parts = ln.text.split("\f")
        offset = ln.start
        for i, part in enumerate(parts):
            if i:
                page += 1
            lines.append(SourceLine(part, offset, ln.line_start, ln.line_end, page))
            offset += len(part) + 1
    return lines

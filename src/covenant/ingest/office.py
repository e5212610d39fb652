"""Shared by the word-processor readers: body paragraphs and notes -> a RawDocument cited by paragraph number.

A Word, OpenDocument or RTF file has no lines or pages of its own (they depend on the printer), so the
original Covenant keeps for it is the body text with one paragraph a line: line N of that original is body
paragraph N, and a citation's lines are paragraph numbers. Notes follow the body, one a line.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass, field

from covenant.errors import BadInputError
from covenant.ingest.raw import RawDocument, RawFootnote
from covenant.model import Furniture, SourceLine

_SPACE = re.compile(r"\s")
# Characters a word processor keeps in its text that are not part of what a reader sees.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\ufeff"), None)


@dataclass(slots=True)
class Paragraph:
    """One body paragraph as a reader found it: text pieces with note markers between them."""

    tag: str = "p"  # heading:N (N the document's own level, ranked later) | p | li | td | contents
    pieces: list[str | NoteRef] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text:
            self.pieces.append(text)


@dataclass(frozen=True, slots=True)
class NoteRef:
    """Where a footnote or endnote's marker stands in a paragraph; `key` names the note among the file's notes."""

    key: str


@dataclass(slots=True)
class Note:
    key: str  # "footnote:<id>" or "endnote:<id>"
    text: str
    number: str | None = None  # as the document prints it, when it says (else numbered in order of reference)


# A report's package holds a few MB of XML; this much unpacked is a decompression bomb, not a document.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


def check_package(path: str, data: bytes, what: str) -> None:
    """Refuse a ZIP package whose parts would unpack to more than MAX_UNPACKED_BYTES, before reading any."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadInputError(path, f"broken {what} (not a readable ZIP package: {exc})") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise BadInputError(
            path,
            f"{what} whose parts unpack to {unpacked / 2**30:.1f} GB (more than "
            f"{MAX_UNPACKED_BYTES / 2**30:.0f} GB): a decompression bomb, not a report",
        )


def require_program(path: str, program: str, package: str, what: str) -> str:
    """The full path of an external program a reader runs, or a BadInputError naming what to install."""
    found = shutil.which(program)
    if found is None:
        raise BadInputError(
            path,
            f"{what} needs the program {program!r}, which is not installed: install it "
            f"(Debian/Ubuntu: apt-get install {package}) and ingest the file again",
        )
    return found


def collapse(paragraph: Paragraph) -> tuple[str, list[tuple[int, str]]]:
    """The paragraph's text, whitespace collapsed, and its note markers as (offset in that text, note key)."""
    out: list[str] = []
    size = 0
    pending = False
    markers: list[tuple[int, str]] = []
    for piece in paragraph.pieces:
        if isinstance(piece, NoteRef):
            markers.append((size, piece.key))
            continue
        for ch in piece.translate(_INVISIBLE):
            if _SPACE.match(ch):
                pending = True
                continue
            if pending and size:
                out.append(" ")
                size += 1
            pending = False
            out.append(ch)
            size += 1
    return "".join(out), markers


def build_document(
    path: str,
    fmt: str,
    paragraphs: list[Paragraph],
    notes: list[Note],
    encoding: str | None = None,
    hints: dict[str, str] | None = None,
) -> RawDocument:
    """Number the body's paragraphs that hold text, rank the headings, join the notes to their markers."""
    texts: list[tuple[str, str, list[tuple[int, str]]]] = []
    for paragraph in paragraphs:
        text, markers = collapse(paragraph)
        if text:
            texts.append((text, paragraph.tag, markers))
        elif markers and texts:  # a marker in an otherwise empty paragraph goes at the end of the one before
            before = texts[-1]
            before[2].extend((len(before[0]), key) for _, key in markers)
    if not any(tag != "contents" for _, tag, _ in texts):
        raise BadInputError(path, "no text in the document's body")
    # The document's heading levels (outline level 1, 3, 4 ...) as levels of the report's tree (1, 2, 3).
    levels = sorted({int(tag.split(":")[1]) for _, tag, _ in texts if tag.startswith("heading:")})
    rank = {level: n + 1 for n, level in enumerate(levels)}
    by_key = {note.key: note for note in notes}
    lines: list[SourceLine] = []
    furniture: list[Furniture] = []
    body: list[str] = []
    offset = 0
    referenced: dict[str, tuple[int, int]] = {}  # note key -> (index into lines, offset) of its first marker
    for number, (text, tag, markers) in enumerate(texts, 1):
        body.append(text)
        if tag == "contents":
            # A table of contents the word processor generated: set aside as a PDF's contents lines are.
            furniture.append(Furniture("contents", text, number, number))
        else:
            if tag.startswith("heading:"):
                tag = f"heading:{rank[int(tag.split(':')[1])]}"
            for at, key in markers:
                if key in by_key and key not in referenced:
                    referenced[key] = (len(lines), at)
            lines.append(SourceLine(text, offset, number, number, None, tag))
        offset += len(text) + 1
    footnotes: list[RawFootnote] = []
    note_lines: list[str] = []
    # Notes in the order of their markers (as the reader numbers them), then any note no marker points at.
    ordered = sorted(by_key.values(), key=lambda n: referenced.get(n.key, (len(lines), 0)))
    counters: dict[str, int] = {}
    for note in ordered:
        text, _ = collapse(Paragraph(pieces=[note.text]))
        if not text:
            continue
        kind = note.key.split(":")[0]
        counters[kind] = counters.get(kind, 0) + 1
        # Word and LibreOffice number footnotes 1, 2, 3 and endnotes i, ii, iii unless told otherwise.
        label = note.number or (_roman(counters[kind]) if kind == "endnote" else str(counters[kind]))
        line = len(body) + len(note_lines) + 1
        note_lines.append(f"{label} {text}")
        footnotes.append(RawFootnote(label, text, line, line, None, referenced.get(note.key)))
    return RawDocument(
        path=path,
        format=fmt,
        encoding=encoding,
        original="\n".join(body + note_lines),
        lines=lines,
        blocks_are_paragraphs=True,
        hints=hints or {},
        furniture=furniture,
        footnotes=footnotes,
    )


def _roman(number: int) -> str:
    out = []
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)

"""OpenDocument text (.odt) reader: headings by outline level, lists, tables and notes joined to their markers."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from covenant.errors import BadInputError
from covenant.ingest.office import Note, NoteRef, Paragraph, build_document, check_package
from covenant.ingest.raw import RawDocument

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
# Not the body's running text: comments, tracked deletions, generated indexes' source templates, shapes.
_SKIPPED = frozenset(
    {
        (_OFFICE, "annotation"),
        (_OFFICE, "annotation-end"),
        (_TEXT, "tracked-changes"),
        (_TEXT, "sequence-decls"),
        (_TEXT, "variable-decls"),
        (_TEXT, "user-field-decls"),
        (_TEXT, "index-body-template"),
        (_TEXT, "table-of-content-source"),
        (_TEXT, "alphabetical-index-source"),
        (_TEXT, "index-title-template"),
    }
)
_INDEXES = frozenset({"table-of-content", "alphabetical-index", "illustration-index", "table-index", "user-index"})
_TEXT_NODE = 3


def read_odt(path: str, data: bytes) -> RawDocument:
    """Read an .odt into paragraphs: text:h headings at their outline level, list items, table cells, and
    footnotes and endnotes joined to their markers (text:note-citation as printed); comments left out."""
    from odf.opendocument import load

    check_package(path, data, "OpenDocument text")
    try:
        document = load(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:  # odfpy raises sax errors of its own
        raise BadInputError(path, f"broken OpenDocument text ({exc}): open it and save it again") from exc
    reader = _Reader()
    reader.blocks(document.text, "p", contents=False)
    hints = {}
    title = _meta_title(document)
    if title:
        hints["title"] = title
    return build_document(path, "odt", reader.paragraphs, reader.notes, hints=hints)


class _Reader:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.notes: list[Note] = []

    def blocks(self, element: Any, context: str, contents: bool) -> None:
        """Paragraph-level content in order; `context` is the tag a plain paragraph takes here (li, td)."""
        for child in element.childNodes:
            if child.nodeType == _TEXT_NODE:
                continue
            ns, name = child.qname
            if child.qname in _SKIPPED:
                continue
            if ns == _TEXT and name == "h":
                level = _int(child.attributes.get((_TEXT, "outline-level")), 1)
                self.paragraph(child, "contents" if contents else f"heading:{level}")
            elif ns == _TEXT and name == "p":
                self.paragraph(child, "contents" if contents else context)
            elif ns == _TEXT and name in ("list", "list-item", "list-header"):
                self.blocks(child, "li" if context == "p" else context, contents)
            elif ns == _TABLE and name == "table-cell":
                self.blocks(child, "td", contents)
            elif ns == _TEXT and name in _INDEXES:
                self.blocks(child, context, contents=True)
            else:  # sections, table rows, index bodies, soft page breaks: look inside
                self.blocks(child, context, contents)

    def paragraph(self, element: Any, tag: str) -> None:
        paragraph = Paragraph(tag)
        self.inline(element, paragraph)
        self.paragraphs.append(paragraph)

    def inline(self, element: Any, paragraph: Paragraph) -> None:
        for child in element.childNodes:
            if child.nodeType == _TEXT_NODE:
                paragraph.add(child.data)
                continue
            ns, name = child.qname
            if child.qname in _SKIPPED:
                continue
            if ns == _TEXT and name == "s":
                paragraph.add(" " * _int(child.attributes.get((_TEXT, "c")), 1))
            elif ns == _TEXT and name in ("tab", "line-break"):
                paragraph.add(" ")
            elif ns == _TEXT and name == "note":
                self.note(child, paragraph)
            else:
                self.inline(child, paragraph)

    def note(self, element: Any, paragraph: Paragraph) -> None:
        kind = "endnote" if element.attributes.get((_TEXT, "note-class")) == "endnote" else "footnote"
        key = f"{kind}:{len(self.notes)}"
        number: str | None = None
        text = Paragraph()
        for child in element.childNodes:
            if child.nodeType == _TEXT_NODE:
                continue
            if child.qname == (_TEXT, "note-citation"):
                number = str(child).strip() or None
            elif child.qname == (_TEXT, "note-body"):
                for block in child.childNodes:
                    if block.nodeType != _TEXT_NODE:
                        self.inline(block, text)
                        text.add(" ")
        body = "".join(piece for piece in text.pieces if isinstance(piece, str))
        self.notes.append(Note(key, body, number))
        paragraph.pieces.append(NoteRef(key))


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _meta_title(document: Any) -> str:
    for element in document.meta.childNodes:
        if element.nodeType != _TEXT_NODE and element.qname == (_DC, "title"):
            return str(element).strip()
    return ""

"""Word (.docx) reader: body paragraphs with headings by style and outline level, lists, tables and notes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from covenant.errors import BadInputError
from covenant.ingest.office import Note, NoteRef, Paragraph, build_document, check_package
from covenant.ingest.raw import RawDocument

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_CONTENTS_NAME = re.compile(r"^(?:toc|contents)\s*\d*$|^toc heading$", re.IGNORECASE)
_BODY_LEVEL = 9  # w:outlineLvl 9 is body text


def w(name: str) -> str:
    return f"{{{_W}}}{name}"


# Containers whose content is not the body's running text: deleted revisions, the fallback copy of content
# Word also gives in a newer form, text boxes and drawings (anchored beside the text, often duplicated).
_SKIPPED = frozenset(
    {
        w("del"),
        w("moveFrom"),
        w("instrText"),
        w("delText"),
        w("txbxContent"),
        w("drawing"),
        w("pict"),
        w("object"),
        f"{{{_MC}}}Fallback",
        w("pPr"),
        w("rPr"),
    }
)


def read_docx(path: str, data: bytes) -> RawDocument:
    """Read a .docx into paragraphs: headings from styles and outline levels, list items, table cells, and
    footnotes and endnotes joined to their markers; comments and deleted revisions left out."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_package(path, data, "Word document")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise BadInputError(path, f"broken Word document ({_reason(exc)}): open it in Word and save it again") from exc
    styles = _Styles(document)
    notes: list[Note] = []
    for reltype, kind in ((_RT_FOOTNOTES, "footnote"), (_RT_ENDNOTES, "endnote")):
        for rel in document.part.rels.values():
            if rel.reltype == reltype and not rel.is_external:
                notes.extend(_notes(path, rel.target_part.blob, kind))
    paragraphs = list(_blocks(document.element.body, styles, contents=False))
    hints = {}
    title = (document.core_properties.title or "").strip()
    if title:
        hints["title"] = title
    return build_document(path, "docx", paragraphs, notes, hints=hints)


def _reason(exc: Exception) -> str:
    if isinstance(exc, etree.XMLSyntaxError):
        return f"its XML is not well-formed: {exc}"
    if isinstance(exc, KeyError):
        return f"a part is missing: {exc}"
    return str(exc) or type(exc).__name__


class _Styles:
    """Each paragraph style's heading level, list-ness and whether it is a table-of-contents entry, with what
    it inherits from the styles it is based on."""

    def __init__(self, document: object) -> None:
        self.by_id: dict[str, etree._Element] = {}
        styles_part = document.styles.element  # type: ignore[attr-defined]
        for style in styles_part.iterchildren(w("style")):
            style_id = style.get(w("styleId"))
            if style_id:
                self.by_id[style_id] = style
        self._cache: dict[str, tuple[int | None, bool, bool]] = {}

    def of(self, style_id: str | None) -> tuple[int | None, bool, bool]:
        """(heading level 0-9 or None, numbered or bulleted, contents entry) of a paragraph style."""
        if not style_id:
            return None, False, False
        if style_id not in self._cache:
            self._cache[style_id] = self._resolve(style_id, 0)
        return self._cache[style_id]

    def _resolve(self, style_id: str, depth: int) -> tuple[int | None, bool, bool]:
        style = self.by_id.get(style_id)
        if style is None or depth > 20:  # a loop of basedOn links
            return None, False, False
        name_el = style.find(w("name"))
        name = (name_el.get(w("val")) if name_el is not None else "") or ""
        level = _outline_level(style.find(w("pPr")))
        listed = _numbered(style.find(w("pPr")))
        if level is None:
            if name.lower() == "title":
                level = 0
            elif match := _HEADING_NAME.match(name):
                level = int(match.group(1))
        contents = bool(_CONTENTS_NAME.match(name))
        based = style.find(w("basedOn"))
        if based is not None and (level is None or listed is None):
            parent_level, parent_listed, _ = self._resolve(based.get(w("val")) or "", depth + 1)
            level = parent_level if level is None else level
            listed = parent_listed if listed is None else listed
        return level, bool(listed), contents


def _outline_level(ppr: etree._Element | None) -> int | None:
    """A heading's level from w:outlineLvl (0 = level 1); 9 is body text."""
    if ppr is None:
        return None
    found = ppr.find(w("outlineLvl"))
    if found is None:
        return None
    try:
        value = int(found.get(w("val")) or _BODY_LEVEL)
    except ValueError:
        return None
    return None if value >= _BODY_LEVEL else value + 1


def _numbered(ppr: etree._Element | None) -> bool | None:
    """Whether w:numPr puts the paragraph in a list (numId 0 takes it out); None when it does not say."""
    if ppr is None:
        return None
    num = ppr.find(w("numPr"))
    if num is None:
        return None
    num_id = num.find(w("numId"))
    return num_id is None or (num_id.get(w("val")) or "0") != "0"


def _blocks(container: etree._Element, styles: _Styles, contents: bool, in_table: bool = False) -> Iterator[Paragraph]:
    """The paragraphs of a body, table cell or content control, in order."""
    for child in container:
        tag = child.tag
        if tag == w("p"):
            yield _paragraph(child, styles, contents, in_table)
        elif tag == w("tbl"):
            for row in child.iterchildren(w("tr")):
                for cell in row.iterchildren(w("tc")):
                    yield from _blocks(cell, styles, contents, in_table=True)
        elif tag == w("sdt"):
            gallery = child.find(f"{w('sdtPr')}/{w('docPartObj')}/{w('docPartGallery')}")
            is_contents = gallery is not None and "contents" in (gallery.get(w("val")) or "").lower()
            body = child.find(w("sdtContent"))
            if body is not None:
                yield from _blocks(body, styles, contents or is_contents, in_table)
        elif tag in (w("customXml"), w("ins"), w("moveTo")):
            yield from _blocks(child, styles, contents, in_table)


def _paragraph(p: etree._Element, styles: _Styles, contents: bool, in_table: bool) -> Paragraph:
    ppr = p.find(w("pPr"))
    style_el = ppr.find(w("pStyle")) if ppr is not None else None
    level, listed, contents_style = styles.of(style_el.get(w("val")) if style_el is not None else None)
    own_level = _outline_level(ppr)
    if own_level is not None or (ppr is not None and ppr.find(w("outlineLvl")) is not None):
        level = own_level  # the paragraph's own outline level overrides its style's (9: body text)
    own_list = _numbered(ppr)
    listed = listed if own_list is None else own_list
    if contents or contents_style:
        tag = "contents"
    elif level is not None and not in_table:
        tag = f"heading:{level}"
    elif in_table:
        tag = "td"
    elif listed:
        tag = "li"
    else:
        tag = "p"
    paragraph = Paragraph(tag)
    _runs(p, paragraph)
    return paragraph


def _runs(element: etree._Element, paragraph: Paragraph) -> None:
    """Text of a paragraph's runs in order (hyperlinks, fields' results, insertions included), with markers."""
    for child in element:
        tag = child.tag
        if tag in _SKIPPED or not isinstance(tag, str):
            continue
        if tag == w("t"):
            paragraph.add(child.text or "")
        elif tag in (w("tab"), w("br"), w("cr")):
            paragraph.add(" ")
        elif tag == w("noBreakHyphen"):
            paragraph.add("-")
        elif tag == w("sym"):
            paragraph.add(" ")
        elif tag == w("footnoteReference"):
            paragraph.pieces.append(NoteRef(f"footnote:{child.get(w('id'))}"))
        elif tag == w("endnoteReference"):
            paragraph.pieces.append(NoteRef(f"endnote:{child.get(w('id'))}"))
        elif tag == w("p"):
            continue  # a paragraph nested in a run (a text box Word gave without its drawing)
        else:
            _runs(child, paragraph)


def _notes(path: str, blob: bytes, kind: str) -> list[Note]:
    """The footnotes or endnotes part: each note's text (its own reference mark left out), separators skipped."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(blob, parser)
    except etree.XMLSyntaxError as exc:
        raise BadInputError(path, f"broken Word document (its {kind}s are not well-formed XML: {exc})") from exc
    notes: list[Note] = []
    for note in root.iterchildren(w(kind)):
        if note.get(w("type")) not in (None, "normal"):
            continue  # separator and continuation-separator lines
        paragraph = Paragraph()
        for p in note.iter(w("p")):
            _runs(p, paragraph)
            paragraph.add(" ")
        text = "".join(piece for piece in paragraph.pieces if isinstance(piece, str))
        notes.append(Note(f"{kind}:{note.get(w('id'))}", text))
    return notes

"""Word 97-2003 (.doc) reader: Debian's antiword gives the structure (DocBook) and the footnotes' text."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

from lxml import etree

from covenant.errors import BadInputError
from covenant.ingest.office import Note, NoteRef, Paragraph, build_document, require_program
from covenant.ingest.raw import RawDocument

# antiword's DocBook leaves footnotes empty; its text output lists them after the body as "[N] text".
_NOTE_LINE = re.compile(r"^\[(\d+)\]\s?(.*)$")
_TIMEOUT_S = 120
_SECTIONS = {"chapter": 1, "sect1": 2, "sect2": 3, "sect3": 4, "sect4": 5, "sect5": 6}
_BLOCKS = frozenset({"para", "title", "listitem", "entry"})


def read_doc(path: str, data: bytes) -> RawDocument:
    """Read a .doc into paragraphs: chapter and section titles as headings, list items, table cells and
    footnotes joined to their markers."""
    antiword = require_program(path, "antiword", "antiword", "A Word 97-2003 document (.doc)")
    with tempfile.TemporaryDirectory(prefix="covenant-doc-") as folder:
        source = os.path.join(folder, "report.doc")
        with open(source, "wb") as stream:
            stream.write(data)
        docbook = _run(path, [antiword, "-m", "UTF-8.txt", "-x", "db", source])
        text = _run(path, [antiword, "-m", "UTF-8.txt", "-w", "0", source])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        root = etree.fromstring(docbook.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise BadInputError(path, f"antiword could not read the Word document ({exc})") from exc
    if root is None:
        raise BadInputError(path, "antiword could not read the Word document (no output)")
    paragraphs: list[Paragraph] = []
    note_count = _walk(root, paragraphs, level=0, tag="p", count=0)
    notes = _note_texts(text)
    return build_document(
        path,
        "doc",
        paragraphs,
        [Note(f"footnote:{n}", notes.get(n, "")) for n in range(1, note_count + 1)],
        encoding=None,
    )


def _run(path: str, command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BadInputError(path, f"antiword took more than {_TIMEOUT_S} s on the Word document") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = message[-1] if message else f"exit status {done.returncode}"
        raise BadInputError(path, f"antiword could not read the Word document ({why})")
    return done.stdout.decode("utf-8", "replace")


def _walk(element: etree._Element, paragraphs: list[Paragraph], level: int, tag: str, count: int) -> int:
    """Paragraphs of antiword's DocBook in order; returns how many footnote markers were met so far."""
    for child in element:
        name = child.tag if isinstance(child.tag, str) else ""
        if name in ("bookinfo", "footnote"):
            continue
        if name in _SECTIONS:
            count = _walk(child, paragraphs, _SECTIONS[name], tag, count)
        elif name in ("itemizedlist", "orderedlist"):
            count = _walk(child, paragraphs, level, "li", count)
        elif name == "entry":
            count = _paragraph(child, paragraphs, "td", count)
        elif name == "title":
            count = _paragraph(child, paragraphs, f"heading:{max(level, 1)}", count)
        elif name == "para":
            count = _paragraph(child, paragraphs, tag, count)
        else:
            count = _walk(child, paragraphs, level, tag, count)
    return count


def _paragraph(element: etree._Element, paragraphs: list[Paragraph], tag: str, count: int) -> int:
    paragraph = Paragraph(tag)
    paragraph.add(element.text or "")
    for child in element:
        if child.tag == "footnote":
            count += 1
            paragraph.pieces.append(NoteRef(f"footnote:{count}"))
        elif isinstance(child.tag, str):
            paragraph.add(" ".join(child.itertext()))
        paragraph.add(child.tail or "")
    paragraphs.append(paragraph)
    return count


def _note_texts(text: str) -> dict[int, str]:
    """The footnotes antiword lists after the body: "[N] text" lines and the lines that continue them."""
    notes: dict[int, str] = {}
    current: int | None = None
    for line in text.splitlines():
        match = _NOTE_LINE.match(line)
        if match:
            current = int(match.group(1))
            notes[current] = match.group(2)
        elif current is not None and line.strip():
            notes[current] += " " + line.strip()
    return notes
